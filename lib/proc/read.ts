// Shared plumbing for the /proc readers: reading /proc/<pid>/<file> and the
// errors every reader throws (Node's own codes, see DESIGN.md "Errors").
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { describeReceived, invalidArgType, invalidArgValue, unsupported, type CodedError } from '../util/errors';

/** A process id as accepted by the /proc readers: a positive integer, or `'self'` for the caller. */
export type ProcPid = number | 'self';

export type { CodedError };

/** An Error thrown by a parser given text it cannot read; `lineNumber` is 1-based. */
export type ProcParseError = CodedError & { lineNumber: number };

const QUOTE_LIMIT_CHARS = 120;

/** Builds an argument error in Node's wording (via ../errors, the one place errors are made). */
export function invalidArgument(
  code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE',
  name: string,
  value: unknown,
  allowed: string,
): CodedError {
  return code === 'ERR_INVALID_ARG_TYPE'
    ? invalidArgType(name, allowed, value)
    : invalidArgValue(name, `must be ${allowed}. ${describeReceived(value)}`);
}

/**
 * Builds the error a parser throws for a malformed line of /proc text: code
 * `ERR_INVALID_ARG_VALUE`, the 1-based line number, and the line quoted (first 120 chars).
 */
export function malformedLine(file: string, lineNumber: number, line: string, problem: string): ProcParseError {
  const quoted = JSON.stringify(line.slice(0, QUOTE_LIMIT_CHARS)) + (line.length > QUOTE_LIMIT_CHARS ? '…' : '');
  const message = `Malformed ${file} text at line ${lineNumber}: ${quoted}: ${problem}`;
  return Object.assign(new Error(message), { code: 'ERR_INVALID_ARG_VALUE', lineNumber });
}

/** Splits /proc text into lines, dropping only the final newline (every other empty line is kept, to be rejected). */
export function procLines(text: string): string[] {
  if (typeof text !== 'string') throw invalidArgument('ERR_INVALID_ARG_TYPE', 'text', text, 'of type string');
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return body === '' ? [] : body.split('\n');
}

/** Throws unless `pid` is a positive safe integer or `'self'`. */
export function validatePid(pid: unknown): asserts pid is ProcPid {
  const allowed = "a positive safe integer or 'self'";
  if (pid === 'self') return;
  if (typeof pid !== 'number' && typeof pid !== 'string') throw invalidArgument('ERR_INVALID_ARG_TYPE', 'pid', pid, allowed);
  if (typeof pid === 'string' || !Number.isSafeInteger(pid) || pid <= 0) {
    throw invalidArgument('ERR_INVALID_ARG_VALUE', 'pid', pid, allowed);
  }
}

const PROC_FILE_NAME = /^[A-Za-z0-9_]+(\/[A-Za-z0-9_]+)*$/;

/**
 * Reads `/proc/<pid>/<file>` as UTF-8 text. `file` is a name relative to the
 * process directory, such as `maps` or `task/123/status`.
 *
 * Throws `ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE` for a bad `pid` or `file`,
 * `ERR_VMPROBE_UNSUPPORTED` off Linux, and, when the read fails, Node's own
 * SystemError (its `code`, `errno` and `syscall` untouched) with a message that names the file.
 */
export function readProcText(pid: ProcPid, file: string): string {
  const path = procPath(pid, file);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw namingFile(error, path, pid);
  }
}

/** `/proc/<pid>/<file>` after checking both (the errors of readProcText). */
function procPath(pid: ProcPid, file: string): string {
  validatePid(pid);
  if (typeof file !== 'string') throw invalidArgument('ERR_INVALID_ARG_TYPE', 'file', file, 'of type string');
  if (!PROC_FILE_NAME.test(file)) {
    throw invalidArgument('ERR_INVALID_ARG_VALUE', 'file', file, 'a relative name inside /proc/<pid>/, such as "maps" or "task/1/status"');
  }
  if (process.platform !== 'linux') {
    throw unsupported(`/proc/${pid}/${file} needs Linux's /proc; this host is ${process.platform}`);
  }
  return `/proc/${pid}/${file}`;
}

/**
 * Reads several /proc files of `pid` one after the other without allocating anything
 * between their read() calls: all the bytes go into one buffer allocated first (grown,
 * and every file read again, when it fills), and are decoded only after the last read.
 * The kernel hands /proc/<pid>/maps out a page per read() and drops the process's mmap
 * lock between calls, so a reader that allocates meanwhile sees its own allocations come
 * and go — every one is an mmap when malloc is told to (MALLOC_MMAP_THRESHOLD_=0). Errors
 * as readProcText. Returns the texts in the order of `files`.
 */
export function readProcTextsSteadily(pid: ProcPid, files: readonly string[], initialBytes = 256 * 1024): string[] {
  const paths = files.map((f) => procPath(pid, f));
  for (let size = initialBytes; ; size *= 2) {
    const buffer = Buffer.allocUnsafeSlow(size);
    const ends: number[] = [];
    let filled = 0;
    for (const path of paths) {
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch (error) {
        throw namingFile(error, path, pid);
      }
      try {
        for (let n = -1; n !== 0 && filled < size;) {
          n = readSync(fd, buffer, filled, size - filled, null);
          filled += n;
        }
      } catch (error) {
        throw namingFile(error, path, pid);
      } finally {
        closeSync(fd);
      }
      if (filled === size) break;
      ends.push(filled);
    }
    if (ends.length === paths.length) return ends.map((end, i) => buffer.toString('utf8', i === 0 ? 0 : ends[i - 1], end));
  }
}

/** `error` with a message naming the /proc file (and, for another process, asking whether it is alive). */
function namingFile(error: unknown, path: string, pid: ProcPid): unknown {
  if (error instanceof Error) {
    const original = error.message;
    error.message = `Cannot read ${path}${typeof pid === 'number' ? ` (is process ${pid} alive and readable?)` : ''}: ${original}`;
    if (error.stack?.includes(original) === true) error.stack = error.stack.replace(original, error.message);
  }
  return error;
}
