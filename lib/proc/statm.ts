// Parser for /proc/<pid>/statm (proc(5), "/proc/pid/statm"): seven counts in
// pages, "size resident shared text lib data dt". lib and dt are always 0 since
// Linux 2.6 and are not returned. The page size comes from the caller or, by default,
// from the host (sysconf(_SC_PAGESIZE)).
import { invalidArgument, malformedLine, procLines, readProcText, type ProcPid } from './read';
import { auxvPageSizeBytes as hostPageSizeBytes } from './auxv';

/** /proc/<pid>/statm in pages and, multiplied by the caller's page size, in bytes. */
export interface ProcStatm {
  /** Total virtual memory size (VmSize), in pages. */
  sizePages: number;
  /** Resident set size (VmRSS), in pages. */
  residentPages: number;
  /** Resident file-backed and shared pages (RssFile + RssShmem), in pages. */
  sharedPages: number;
  /** Text (code) size (VmExe), in pages. */
  textPages: number;
  /** Data + stack size (VmData + VmStk), in pages. */
  dataPages: number;
  /** `sizePages` in bytes. */
  sizeBytes: number;
  /** `residentPages` in bytes. */
  residentBytes: number;
  /** `sharedPages` in bytes. */
  sharedBytes: number;
  /** `textPages` in bytes. */
  textBytes: number;
  /** `dataPages` in bytes. */
  dataBytes: number;
}

const STATM_FILE = '/proc/<pid>/statm';
const STATM_LINE = /^([0-9]+) ([0-9]+) ([0-9]+) ([0-9]+) ([0-9]+) ([0-9]+) ([0-9]+)$/;

function validatePageSize(pageSizeBytes: unknown): asserts pageSizeBytes is number {
  const allowed = 'the page size in bytes, a power of two (ask sysconf(_SC_PAGESIZE) or `getconf PAGESIZE`)';
  if (typeof pageSizeBytes !== 'number') throw invalidArgument('ERR_INVALID_ARG_TYPE', 'pageSizeBytes', pageSizeBytes, allowed);
  const isPowerOfTwo = Number.isSafeInteger(pageSizeBytes) && pageSizeBytes > 0 && Number.isInteger(Math.log2(pageSizeBytes));
  if (!isPowerOfTwo) throw invalidArgument('ERR_INVALID_ARG_VALUE', 'pageSizeBytes', pageSizeBytes, allowed);
}

/**
 * Parses the text of /proc/<pid>/statm; `pageSizeBytes` is the host's page size
 * in bytes, used to convert the page counts to bytes.
 */
export function parseStatm(text: string, pageSizeBytes: number): ProcStatm {
  validatePageSize(pageSizeBytes);
  const lines = procLines(text);
  const line = lines[0] ?? '';
  const match = STATM_LINE.exec(line);
  if (match === null || lines.length !== 1) {
    throw malformedLine(STATM_FILE, match === null ? 1 : 2, match === null ? line : (lines[1] ?? ''), 'expected one line of seven page counts');
  }
  const pages = match.slice(1).map(Number);
  const bytes = (index: number): number => {
    const value = (pages[index] ?? 0) * pageSizeBytes;
    if (!Number.isSafeInteger(value)) throw malformedLine(STATM_FILE, 1, line, 'a count in bytes does not fit a JavaScript number');
    return value;
  };
  // Columns: 0 size, 1 resident, 2 shared, 3 text, 4 lib (always 0), 5 data, 6 dt (always 0).
  return {
    sizePages: pages[0] ?? 0,
    residentPages: pages[1] ?? 0,
    sharedPages: pages[2] ?? 0,
    textPages: pages[3] ?? 0,
    dataPages: pages[5] ?? 0,
    sizeBytes: bytes(0),
    residentBytes: bytes(1),
    sharedBytes: bytes(2),
    textBytes: bytes(3),
    dataBytes: bytes(5),
  };
}

/**
 * Reads and parses /proc/<pid>/statm of `pid` (`'self'` or `undefined`: the calling
 * process), like every other reader taking just a pid. `pageSizeBytes` converts the
 * page counts to bytes; it defaults to this host's page size (sysconf(_SC_PAGESIZE)),
 * which is the kernel's for every process on the host. Throws as readProcText does,
 * and `ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE` for a page size given that is not
 * a power of two.
 */
export function readStatm(pid: ProcPid = 'self', pageSizeBytes?: number): ProcStatm {
  const page = pageSizeBytes === undefined ? hostPageSizeBytes() : pageSizeBytes;
  validatePageSize(page);
  return parseStatm(readProcText(pid, 'statm'), page);
}
