/**
 * Running one `vmprobe` command line (everything but `explain`): help and version, the
 * checks of option-values.ts, the experiments, and the renderer. It never measures by
 * itself and the experiments never print: this file joins the two. Loads the addon
 * (through the experiments); main.ts loads this module only when it needs it.
 */
import { runReport } from '../report/run';
import type { ReportResult } from '../report/result';
import { renderJson } from '../render/json';
import { renderHtml } from '../render/html/page';
import { renderExperiment, renderReport } from '../render/text';
import { colorWanted, makeStyle } from '../render/style';
import { vmprobeVersion } from '../util/version';
import { parseCommandLine } from './args';
import { commandHelp, mainHelp } from './help';
import { openForWriting } from './output-file';
import { checkOptions } from './option-values';
import { UsageError } from './usage-error';

/** Where the command writes: stdout for results, stderr for progress and errors. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/** Runs `argv` (without node and the script); resolves with the exit code. Throws UsageError and runtime errors for main.ts to print. */
export async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { command, values, positionals } = parseCommandLine(argv);
  if (values.version) {
    io.stdout.write(`${vmprobeVersion()}\n`);
    return 0;
  }
  if (values.help || command === undefined || command === 'help') {
    // `vmprobe help lazy` is `vmprobe lazy --help`.
    const topic = command === 'help' ? positionals[1] : command;
    io.stdout.write(`${topic ? commandHelp(topic) : mainHelp()}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1] ?? ''}'`, command);
  const { experiments, only, options } = checkOptions(command, values);
  // Open the page's file before the run, so a bad path fails now, not after the experiments.
  const page = values.html === undefined ? undefined : openForWriting(values.html, '--html', 'report');
  const progress = !values.json && io.stderr.isTTY === true;
  // Progress (TTY only): the step, what runs, and the time since the command started.
  const startedMs = Date.now();
  if (progress) options.onProgress = (what) => io.stderr.write(`\r\x1b[K… ${what} · ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);
  const style = makeStyle(!values.json && colorWanted(io.stdout));
  if (command === 'report') {
    let report: ReportResult;
    try {
      report = await runReport(only ? { ...options, only } : options);
    } catch (err) {
      page?.discard();
      throw err;
    } finally {
      if (progress) io.stderr.write('\r\x1b[K');
    }
    page?.commit(renderHtml(report));
    io.stdout.write(values.json ? `${renderJson(report)}\n` : renderReport(report, style, { details: values.details === true }));
    return 0;
  }
  const entry = experiments[0];
  if (entry === undefined) throw new UsageError(`unknown experiment '${command}'`);
  let result: Awaited<ReturnType<typeof entry.run>>;
  try {
    result = await entry.run(options);
  } finally {
    if (progress) io.stderr.write('\r\x1b[K');
  }
  io.stdout.write(values.json ? `${renderJson(result)}\n` : renderExperiment(result, style));
  return 0;
}
