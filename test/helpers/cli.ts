/** Test helper: run the built `vmprobe` command in a child, the way a user runs it (pipes, no TTY). */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** The built CLI script. */
export const CLI = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.js');

/** Exit status and output of one CLI run. */
export interface CliRun { status: number | null; stdout: string; stderr: string }

/** Runs the CLI with `args`; the environment has no colour settings unless `env` adds them. */
export function cli(args: string[], env: Record<string, string> = {}): CliRun {
  const base = { ...process.env };
  delete base['NO_COLOR'];
  delete base['FORCE_COLOR'];
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...base, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
