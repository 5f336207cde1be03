// Parser for /proc/<pid>/status (proc(5), "/proc/pid/status"): "Key:\tvalue"
// lines. Memory lines ("VmRSS:\t  1684 kB") become bytes.
import { malformedLine, procLines, readProcText, type ProcPid } from './read';

/**
 * /proc/<pid>/status. Memory fields are in bytes; a field the kernel does not
 * print is `undefined`, never 0 (kernel threads print no Vm* lines; `RssAnon` and
 * friends appeared in Linux 4.5, `VmSwap` in 2.6.34, `HugetlbPages` in 4.4).
 */
export interface ProcStatus {
  /** `Name`: the command name (comm, at most 15 bytes), as the kernel escapes it. */
  name: string;
  /** `Pid`: the thread group id as seen in this pid namespace. */
  pid: number;
  /** `PPid`: the parent's pid (0 for a process without a parent in this namespace). */
  ppid: number;
  /** `State`: the one-letter state, e.g. `R`, `S`, `D`, `Z`. */
  state: string;
  /** `State`: the description in parentheses, e.g. `running`; `undefined` if none is printed. */
  stateName?: string;
  /** `Threads`: number of threads in the process. */
  threads: number;
  /** `VmPeak`: peak virtual memory size, in bytes. */
  vmPeakBytes?: number;
  /** `VmSize`: virtual memory size, in bytes. */
  vmSizeBytes?: number;
  /** `VmLck`: locked memory (mlock), in bytes. */
  vmLckBytes?: number;
  /** `VmPin`: pinned memory, in bytes. */
  vmPinBytes?: number;
  /** `VmHWM`: peak resident set size ("high water mark"), in bytes. */
  vmHWMBytes?: number;
  /** `VmRSS`: resident set size (RssAnon + RssFile + RssShmem), in bytes. */
  vmRSSBytes?: number;
  /** `RssAnon`: resident anonymous memory, in bytes. */
  rssAnonBytes?: number;
  /** `RssFile`: resident file mappings, in bytes. */
  rssFileBytes?: number;
  /** `RssShmem`: resident shared memory (shmem, tmpfs, shared anonymous), in bytes. */
  rssShmemBytes?: number;
  /** `VmData`: size of private data segments, in bytes. */
  vmDataBytes?: number;
  /** `VmStk`: size of the main stack, in bytes. */
  vmStkBytes?: number;
  /** `VmExe`: size of text segments, in bytes. */
  vmExeBytes?: number;
  /** `VmLib`: size of shared-library code, in bytes. */
  vmLibBytes?: number;
  /** `VmPTE`: size of the page tables, in bytes. */
  vmPTEBytes?: number;
  /** `VmSwap`: anonymous memory swapped out, in bytes. */
  vmSwapBytes?: number;
  /** `HugetlbPages`: hugetlb memory, in bytes. */
  hugetlbPagesBytes?: number;
  /** Every other `kB` line, keyed by the kernel's own name, in bytes. */
  fieldsBytes: Record<string, number>;
  /** Every line, keyed by the kernel's name, value as printed with the whitespace after the colon removed. */
  raw: Record<string, string>;
}

type KbProperty = Exclude<
  { [K in keyof ProcStatus]: ProcStatus[K] extends number | undefined ? K : never }[keyof ProcStatus],
  'pid' | 'ppid' | 'threads' | undefined
>;

const KB_PROPERTIES: Readonly<Record<string, KbProperty>> = {
  VmPeak: 'vmPeakBytes',
  VmSize: 'vmSizeBytes',
  VmLck: 'vmLckBytes',
  VmPin: 'vmPinBytes',
  VmHWM: 'vmHWMBytes',
  VmRSS: 'vmRSSBytes',
  RssAnon: 'rssAnonBytes',
  RssFile: 'rssFileBytes',
  RssShmem: 'rssShmemBytes',
  VmData: 'vmDataBytes',
  VmStk: 'vmStkBytes',
  VmExe: 'vmExeBytes',
  VmLib: 'vmLibBytes',
  VmPTE: 'vmPTEBytes',
  VmSwap: 'vmSwapBytes',
  HugetlbPages: 'hugetlbPagesBytes',
};

const STATUS_FILE = '/proc/<pid>/status';
const FIELD_LINE = /^([^:\s][^:]*):[ \t]*(.*)$/;
const KB_VALUE = /^([0-9]+) kB$/;
const COUNT_VALUE = /^[0-9]+$/;
const STATE_VALUE = /^(\S)(?: \((.*)\))?$/;

/** Parses the whole text of /proc/<pid>/status. Throws `ERR_INVALID_ARG_VALUE` on a malformed line or a missing required field. */
export function parseStatus(text: string): ProcStatus {
  const lines = procLines(text);
  const raw: Record<string, string> = {};
  const lineNumbers: Record<string, number> = {};
  const memory: Partial<Pick<ProcStatus, KbProperty>> = {};
  const fieldsBytes: Record<string, number> = {};
  lines.forEach((line, index) => {
    const field = FIELD_LINE.exec(line);
    if (field === null) throw malformedLine(STATUS_FILE, index + 1, line, 'expected "Key:\\tvalue"');
    const [, key = '', value = ''] = field;
    raw[key] = value;
    lineNumbers[key] = index + 1;
    const kb = KB_VALUE.exec(value);
    const property = KB_PROPERTIES[key];
    if (kb === null) {
      if (property !== undefined) throw malformedLine(STATUS_FILE, index + 1, line, `${key} is not "N kB"`);
      return;
    }
    const bytes = Number(kb[1]) * 1024;
    if (!Number.isSafeInteger(bytes)) throw malformedLine(STATUS_FILE, index + 1, line, 'value does not fit a JavaScript number');
    if (property !== undefined) memory[property] = bytes;
    else fieldsBytes[key] = bytes;
  });

  const required = (key: string, pattern: RegExp): RegExpExecArray => {
    const value = raw[key];
    const lineNumber = lineNumbers[key];
    if (value === undefined || lineNumber === undefined) {
      throw malformedLine(STATUS_FILE, lines.length, lines[lines.length - 1] ?? '', `the text has no ${key} line`);
    }
    const match = pattern.exec(value);
    if (match === null) throw malformedLine(STATUS_FILE, lineNumber, lines[lineNumber - 1] ?? '', `unexpected ${key} value`);
    return match;
  };
  required('Name', /^.*$/);
  // Only the tab after "Name:" separates; a command name may itself start with a space.
  const name = (lines[(lineNumbers['Name'] ?? 1) - 1] ?? '').slice('Name:'.length).replace(/^\t/, '');
  const [, state = '', stateName] = required('State', STATE_VALUE);
  const status: ProcStatus = {
    name,
    pid: Number(required('Pid', COUNT_VALUE)[0]),
    ppid: Number(required('PPid', COUNT_VALUE)[0]),
    state,
    threads: Number(required('Threads', COUNT_VALUE)[0]),
    ...memory,
    fieldsBytes,
    raw,
  };
  if (stateName !== undefined) status.stateName = stateName;
  return status;
}

/** Reads and parses /proc/<pid>/status of `pid` (default: the calling process). */
export function readStatus(pid: ProcPid = 'self'): ProcStatus {
  return parseStatus(readProcText(pid, 'status'));
}
