/**
 * A file a command writes when it ends (`report --html`, `explain --html/--baseline/--capture`):
 * checked before anything runs, so a bad path is a usage error now, not after the
 * measurements; written atomically at the end.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import { UsageError } from './usage-error';

/** "ENOENT (no such file or directory)" for a failed fs call: the errno name once, with its description. */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const description = typeof e.errno === 'number' ? util.getSystemErrorMap().get(e.errno)?.[1] : undefined;
  if (e.code !== undefined && description !== undefined) return `${e.code} (${description})`;
  return e.code ?? (err instanceof Error ? err.message : String(err));
}

/** An output file being written: a temporary file beside the target, renamed over it on commit(). */
export interface OutputFile {
  /** Writes `text` to the temporary file and renames it to the target: a reader never sees half a file, and a failed run leaves the previous one as it was. Once only. */
  commit(text: string): void;
  /** Removes the temporary file when commit() has not run (the run failed or was interrupted); nothing after commit(). */
  discard(): void;
}

/**
 * Checks now, before the run, that `file` (the value of `option`, e.g. '--html') can be
 * written: creates its temporary sibling (`.<name>.<pid>.tmp`, mode 0o644). Throws a
 * UsageError of `command` naming the option, the file and why when it cannot (an empty
 * name, a missing directory, no permission, a directory of that name).
 */
export function openForWriting(file: string, option: string, command: string): OutputFile {
  if (file === '') throw new UsageError(`${option} needs a file name (e.g. ${option} out${option === '--html' ? '.html' : '.json'})`, command);
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  let fd: number;
  try {
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR', errno: -21 });
    fd = fs.openSync(temporary, 'wx', 0o644);
  } catch (err) {
    throw new UsageError(`${option} cannot write '${file}': ${describeFsError(err)}`, command);
  }
  let open = true;
  const close = (): void => { if (open) { open = false; fs.closeSync(fd); } };
  // An exit before commit() (Ctrl-C: the CLI exits 130 once its children are reaped) must
  // not leave the temporary file behind.
  const onExit = (): void => { fs.rmSync(temporary, { force: true }); };
  process.once('exit', onExit);
  return {
    commit(text: string): void {
      fs.writeSync(fd, text);
      close();
      fs.renameSync(temporary, file);
      process.removeListener('exit', onExit);
    },
    discard(): void {
      close();
      onExit();
      process.removeListener('exit', onExit);
    },
  };
}
