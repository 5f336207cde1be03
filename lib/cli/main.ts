#!/usr/bin/env node
/**
 * The `vmprobe` command. main() dispatches `explain` to lib/explain/cli.ts and every
 * other command line to command.ts, and turns what goes wrong into one line on stderr
 * and an exit code (help.ts EXIT_CODES): 2 for a usage error (followed by the command's
 * usage line), 1 for a runtime error (its stack trace only with --debug). command.ts
 * loads the native addon, so it is loaded here inside the try: a missing addon is a
 * message with the command that rebuilds it, not a stack trace. As a program it also
 * stops quietly on a closed stdout (output.ts) and kills its children on a signal.
 */
import { killLiveChildren } from '../child/spawn';
import { exitQuietlyOnClosedOutput } from './output';
import { takeInterrupt } from './interrupt';
import { UsageError } from './usage-error';
import { commandOf } from './args';
import type { CliIo } from './command';

/**
 * `err`'s message with its code when the message does not say it, without the stack
 * frames a child's error carries in its message (they are for --debug).
 */
function runtimeErrorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // An ExperimentFailure's own code says less than its cause's.
  const own = (err as { code?: unknown }).code;
  const code = own === 'ERR_VMPROBE_EXPERIMENT' ? (err.cause as { code?: unknown } | undefined)?.code : own;
  const withCode = typeof code === 'string' && !err.message.includes(code) ? ` [${code}]` : '';
  return `${err.message.split('\n').filter((l) => !/^\s+at /.test(l)).join('\n')}${withCode}`;
}

/** The usage line of `command` (help.ts needs the experiments' descriptors, so the addon: loaded now, and without it a generic line). */
async function usageLineOf(command: string | undefined): Promise<string> {
  try {
    const { usageLine } = await import('./help');
    return usageLine(command);
  } catch {
    return `Usage: vmprobe ${command ?? '<experiment>'} [options]`;
  }
}

/** Prints `err` the way the CLI reports it and returns the exit code. */
async function reportError(err: unknown, argv: readonly string[], io: CliIo): Promise<number> {
  // Only the checks before the run make usage errors (option-values.ts turns the argument
  // errors they meet into UsageError); an argument error from inside a run is vmprobe's own fault.
  if (err instanceof UsageError) {
    io.stderr.write(`vmprobe: ${err.message}\n${await usageLineOf(err.command)}\n`);
    return 2;
  }
  const debug = argv.includes('--debug');
  const command = commandOf(argv);
  const code = (err as { code?: unknown }).code;
  // An ExperimentFailure names the experiment itself; a missing addon is no experiment's failure.
  const what = code === 'ERR_VMPROBE_EXPERIMENT' || code === 'ERR_VMPROBE_BUILD' || command === undefined ? '' : `${command} could not run: `;
  io.stderr.write(`vmprobe: ${what}${runtimeErrorText(err)}\n`);
  if (debug && err instanceof Error && err.stack !== undefined) io.stderr.write(`${err.stack}\n`);
  return 1;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    if (argv[0] === 'explain') {
      // `explain` attributes memory rather than judging claims: it has its own options.
      const { runExplainCli } = await import('../explain/cli');
      return await runExplainCli(argv.slice(1));
    }
    const { runCommand } = await import('./command');
    return await runCommand(argv, io);
  } catch (err) {
    return reportError(err, argv, io);
  }
}

/**
 * SIGINT/SIGTERM/SIGHUP: kill and reap the experiment's children, then exit 128+signal
 * (130 for SIGINT). Without this the signal's default action would end the CLI at once
 * and leave a running child orphaned.
 */
function exitOnSignals(): void {
  let exiting = false;
  for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    process.on(signal, () => {
      // A command that ends cleanly on Ctrl-C (explain --watch writes its page) registered
      // for it: the first SIGINT is its; a second one exits here.
      if (signal === 'SIGINT' && takeInterrupt()) return;
      if (exiting) return;
      exiting = true;
      void killLiveChildren().finally(() => process.exit(128 + number));
    });
  }
}

if (require.main === module) {
  exitOnSignals();
  exitQuietlyOnClosedOutput();
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`vmprobe: ${String(err)}\n`);
    process.exitCode = 1;
  });
}
