#!/usr/bin/env node
/**
 * The `vmprobe` command: parses argv, runs experiments, picks a renderer. It never
 * measures by itself and experiments never print: this file joins the two.
 * Exit codes: 0 the run completed (whatever the verdicts), 1 an experiment could not
 * run, 2 bad usage.
 */
import { killLiveChildren } from '../child/spawn';
import { parseArgs } from 'node:util';
import * as fs from 'node:fs';
import { EXPERIMENTS, findExperiment, type ExperimentCliOptions } from '../experiments/registry';
import { EXPERIMENT_NAMES, isExperimentName } from '../experiments/names';
import { runReport, ExperimentFailure } from '../report/run';
import { parseLimit, parseSize } from '../util/size';
import { renderJson } from '../render/json';
import { renderHtml } from '../render/html/page';
import { renderExperiment, renderReport } from '../render/text';
import { colorWanted, makeStyle } from '../render/style';
import { isCodedError } from '../util/errors';
import { type ExperimentCliFlag } from '../experiments/registry';
import { runExplainCli } from '../explain/cli';

const OPTIONS = {
  json: { type: 'boolean' },
  size: { type: 'string' },
  limit: { type: 'string' },
  frame: { type: 'string' },
  only: { type: 'string' },
  pid: { type: 'string' },
  threads: { type: 'string' },
  scale: { type: 'string' },
  html: { type: 'string' },
  details: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

function mainHelp(): string {
  const width = Math.max(...EXPERIMENTS.map((e) => e.name.length), 'report'.length);
  return [
    'Usage: vmprobe <experiment> [options]',
    '',
    'See how Linux really handles a process\'s memory, measured on this host.',
    '',
    'Experiments:',
    ...EXPERIMENTS.map((e) => `  ${e.name.padEnd(width)}  ${e.description}`),
    `  ${'report'.padEnd(width)}  run every experiment and tally the verdicts`,
    '',
    `  ${'explain'.padEnd(width)}  where a process's memory is: every byte of RSS by owner (vmprobe explain --help)`,
    '',
    'Options:',
    '  --json        print exactly one JSON document on stdout (no progress, no colour)',
    '  --only LIST   (report) comma-separated experiments to run, e.g. --only lazy',
    '  --html FILE   (report) also write the report as one self-contained HTML page with charts',
    '  --details     (report) print each experiment\'s measurement tables before its claims',
    '  --pid PID     (layout) examine another process instead of vmprobe itself',
    '  -h, --help    help for vmprobe or for one experiment (vmprobe lazy --help)',
    '  --version     print the version',
    '',
    'Sizes accept 64MiB, 128k, 1.5G or plain bytes; units are binary (k = 1024).',
    'Colour follows the terminal; NO_COLOR=1 turns it off.',
  ].join('\n');
}

function experimentHelp(name: string): string {
  if (name === 'report') {
    return ['Usage: vmprobe report [--only LIST] [--json] [--html FILE] [--details] [experiment options]', '',
      'Runs every experiment, prints the host, every claim with its verdict (grouped by experiment) and a tally.',
      '--html FILE writes the same report as one self-contained page with charts; --details adds',
      'each experiment\'s measurement tables to the terminal output.',
      'Experiment options (--size, --limit, --frame) pass through to the experiments that take them.',
      `Experiments: ${EXPERIMENTS.map((e) => e.name).join(', ')}`].join('\n');
  }
  const entry = findExperiment(name);
  if (!entry) return mainHelp();
  return [`Usage: vmprobe ${name} [options] [--json]`, '', entry.description, '', 'Options:', ...entry.options.map((o) => `  ${o}`), '  --json        one JSON document on stdout'].join('\n');
}

class UsageError extends Error {}

/** Opens (creates or truncates) `file` for the page; a path that cannot be written is a usage error naming it. */
function openForWriting(file: string): number {
  try {
    return fs.openSync(file, 'w');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`--html cannot write '${file}': ${code} (${(err as Error).message})`);
  }
}

const EXPERIMENT_FLAGS: readonly ExperimentCliFlag[] = ['size', 'limit', 'frame', 'pid', 'threads', 'scale'];

/**
 * An experiment flag the experiment does not use is a usage error naming both (else
 * `vmprobe lazy --pid 1` would measure vmprobe itself while the user thinks otherwise).
 */
function rejectUnacceptedFlags(command: string, values: Partial<Record<ExperimentCliFlag, string>>): void {
  const entry = findExperiment(command);
  if (entry === undefined) return;
  for (const flag of EXPERIMENT_FLAGS) {
    if (values[flag] !== undefined && !entry.accepts.includes(flag)) {
      const takes = entry.accepts.length === 0 ? 'no experiment options' : entry.accepts.map((f) => `--${f}`).join(', ');
      throw new UsageError(`--${flag} does not apply to \`vmprobe ${command}\` (it takes ${takes})`);
    }
  }
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[], io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  // `explain` attributes memory rather than judging claims: it has its own options.
  if (argv[0] === 'explain') return runExplainCli(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.stderr.write(`vmprobe: ${(err as Error).message}\n\n${mainHelp()}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.version) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    io.stdout.write(`${(require('../../../package.json') as { version: string }).version}\n`);
    return 0;
  }
  if (values.help || command === undefined || command === 'help') {
    // `vmprobe help lazy` is `vmprobe lazy --help`.
    const topic = command === 'help' ? positionals[1] : command;
    io.stdout.write(`${topic ? experimentHelp(topic) : mainHelp()}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  try {
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    if (command !== 'report' && !findExperiment(command)) throw new UsageError(`unknown experiment '${command}'`);
    if (values.only !== undefined && command !== 'report' && command !== 'allocators') throw new UsageError('--only applies to `vmprobe report` (experiments) and `vmprobe allocators` (configurations)');
    if (values.html !== undefined && command !== 'report') throw new UsageError(`--html applies to \`vmprobe report\` (try \`vmprobe report --only ${command} --html ${values.html}\`)`);
    if (values.details !== undefined && command !== 'report') throw new UsageError(`--details applies to \`vmprobe report\` (\`vmprobe ${command}\` prints its details already)`);
    if (command !== 'report') rejectUnacceptedFlags(command, values);
    if (values.html === '') throw new UsageError('--html needs a file name');
    // Open the page's file before the run, so a bad path fails now, not after the experiments.
    const htmlFd = values.html === undefined ? undefined : openForWriting(values.html);
    const options: ExperimentCliOptions = {};
    if (values.size !== undefined) options.sizeBytes = parseSize(values.size, '--size');
    if (values.limit !== undefined) options.limitBytes = parseLimit(values.limit, '--limit');
    if (values.frame !== undefined) options.frameBytes = parseSize(values.frame, '--frame');
    if (values.pid !== undefined) {
      if (!/^[1-9][0-9]*$/.test(values.pid) || !Number.isSafeInteger(Number(values.pid))) throw new UsageError(`--pid must be a positive process id. Received '${values.pid}'`);
      options.pid = Number(values.pid);
    }
    if (values.threads !== undefined) options.threads = values.threads;
    if (values.scale !== undefined) options.scale = values.scale;
    if (command === 'allocators' && values.only !== undefined) options.configurations = values.only;
    if (options.sizeBytes === 0) throw new UsageError('--size must be at least 1 byte');
    const progress = !values.json && io.stderr.isTTY === true;
    if (progress) options.onProgress = (what) => io.stderr.write(`\r\x1b[K… ${what}`);
    const style = makeStyle(!values.json && colorWanted(io.stdout));
    if (command === 'report') {
      const listed = values.only?.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const unknownName = listed?.find((n) => !isExperimentName(n));
      if (unknownName !== undefined) throw new UsageError(`--only names an unknown experiment '${unknownName}'. Known: ${EXPERIMENT_NAMES.join(', ')}`);
      const only = listed?.filter(isExperimentName);
      let report;
      try {
        report = await runReport(only ? { ...options, only } : options);
      } catch (err) {
        if (htmlFd !== undefined) fs.closeSync(htmlFd);
        throw err;
      }
      if (progress) io.stderr.write('\r\x1b[K');
      if (htmlFd !== undefined) {
        fs.writeSync(htmlFd, renderHtml(report));
        fs.closeSync(htmlFd);
      }
      io.stdout.write(values.json ? `${renderJson(report)}\n` : renderReport(report, style, { details: values.details === true }));
    } else {
      const result = await (findExperiment(command) as NonNullable<ReturnType<typeof findExperiment>>).run(options);
      if (progress) io.stderr.write('\r\x1b[K');
      io.stdout.write(values.json ? `${renderJson(result)}\n` : renderExperiment(result, style));
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError || (isCodedError(err) && err.code.startsWith('ERR_INVALID_ARG') )) {
      io.stderr.write(`vmprobe: ${err.message}\nRun \`vmprobe --help\` for usage.\n`);
      return 2;
    }
    if (err instanceof ExperimentFailure) {
      io.stderr.write(`vmprobe: ${err.message}\n`);
      return 1;
    }
    io.stderr.write(`vmprobe: ${command} could not run: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return 1;
  }
}

/**
 * SIGINT/SIGTERM: kill and reap the experiment's children, then exit 128+signal (130
 * for SIGINT). Without this the signal's default action would end the CLI at once and
 * leave a running child orphaned.
 */
function exitOnSignals(): void {
  let exiting = false;
  for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    process.on(signal, () => {
      if (exiting) return;
      exiting = true;
      void killLiveChildren().finally(() => process.exit(128 + number));
    });
  }
}

if (require.main === module) {
  exitOnSignals();
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`vmprobe: ${String(err)}\n`);
    process.exitCode = 1;
  });
}
