/** Opening the file of `vmprobe report --html FILE` before anything runs, so a bad path is a usage error now, not after the experiments. */
import * as fs from 'node:fs';
import * as util from 'node:util';
import { UsageError } from './usage-error';

/** "ENOENT (no such file or directory)" for a failed fs call: the errno name once, with its description. */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const description = typeof e.errno === 'number' ? util.getSystemErrorMap().get(e.errno)?.[1] : undefined;
  if (e.code !== undefined && description !== undefined) return `${e.code} (${description})`;
  return e.code ?? (err instanceof Error ? err.message : String(err));
}

/** Opens (creates or truncates) `file` for writing; throws a UsageError naming it and why when it cannot. */
export function openForWriting(file: string): number {
  if (file === '') throw new UsageError('--html needs a file name (e.g. --html report.html)', 'report');
  try {
    return fs.openSync(file, 'w');
  } catch (err) {
    throw new UsageError(`--html cannot write '${file}': ${describeFsError(err)}`, 'report');
  }
}
