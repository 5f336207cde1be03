// Parsers for /proc/<pid>/smaps and /proc/<pid>/smaps_rollup (proc(5); the
// field list is in the kernel's Documentation/filesystems/proc.rst). Each smaps
// block is a maps header line followed by "Key:   N kB" lines, "THPeligible: 1",
// "ProtectionKey: 0" and "VmFlags: rd wr ...". Every kB value becomes bytes.
import { withJsonForm } from '../util/json-form';
import { findMapping, parseMapsLine, type MapsEntry } from './maps';
import { resolveDeletedSuffix } from './maps-deleted';
import { malformedLine, procLines, readProcText, type ProcPid } from './read';

/**
 * The smaps counters, in bytes. Fields a kernel does not print are `undefined`
 * (for example `pssDirtyBytes` before Linux 6.0, `ksmBytes` before 6.4); only
 * Rss and Pss, present since Linux 2.6.25, are required.
 */
export interface SmapsCounters {
  /** `Rss`: resident memory of the mapping(s), in bytes. */
  rssBytes: number;
  /** `Pss`: proportional set size (shared pages divided among their mappers), in bytes. */
  pssBytes: number;
  /** `Pss_Dirty`: the dirty part of Pss, in bytes. */
  pssDirtyBytes?: number;
  /** `Pss_Anon`: Pss of anonymous pages, in bytes (smaps_rollup only). */
  pssAnonBytes?: number;
  /** `Pss_File`: Pss of file pages, in bytes (smaps_rollup only). */
  pssFileBytes?: number;
  /** `Pss_Shmem`: Pss of shmem pages, in bytes (smaps_rollup only). */
  pssShmemBytes?: number;
  /** `Shared_Clean`: clean pages also mapped by another process, in bytes. */
  sharedCleanBytes?: number;
  /** `Shared_Dirty`: dirty pages also mapped by another process, in bytes. */
  sharedDirtyBytes?: number;
  /** `Private_Clean`: clean pages mapped only here, in bytes. */
  privateCleanBytes?: number;
  /** `Private_Dirty`: dirty pages mapped only here, in bytes. */
  privateDirtyBytes?: number;
  /** `Referenced`: memory marked referenced or accessed, in bytes. */
  referencedBytes?: number;
  /** `Anonymous`: memory not belonging to any file, in bytes. */
  anonymousBytes?: number;
  /** `KSM`: memory merged by kernel same-page merging, in bytes. */
  ksmBytes?: number;
  /** `LazyFree`: memory freed with MADV_FREE but not yet reclaimed, in bytes. */
  lazyFreeBytes?: number;
  /** `AnonHugePages`: anonymous memory backed by transparent huge pages, in bytes. */
  anonHugePagesBytes?: number;
  /** `ShmemPmdMapped`: shmem mapped with huge pages, in bytes. */
  shmemPmdMappedBytes?: number;
  /** `FilePmdMapped`: file pages mapped with huge pages, in bytes. */
  filePmdMappedBytes?: number;
  /** `Shared_Hugetlb`: shared hugetlbfs memory, in bytes. */
  sharedHugetlbBytes?: number;
  /** `Private_Hugetlb`: private hugetlbfs memory, in bytes. */
  privateHugetlbBytes?: number;
  /** `Swap`: memory swapped out, in bytes. */
  swapBytes?: number;
  /** `SwapPss`: proportional share of swapped-out memory, in bytes. */
  swapPssBytes?: number;
  /** `Locked`: memory locked in RAM (mlock), in bytes. */
  lockedBytes?: number;
  /** `KernelPageSize`: the page size the kernel uses for this mapping, in bytes (smaps only). */
  kernelPageSizeBytes?: number;
  /** `MMUPageSize`: the page size the MMU uses for this mapping, in bytes (smaps only). */
  mmuPageSizeBytes?: number;
  /** Every other `kB` line, keyed by the kernel's own name, in bytes, so fields of newer kernels are kept. */
  fieldsBytes: Record<string, number>;
  /** `THPeligible`: 1 if the mapping may use transparent huge pages, else 0. */
  thpEligible?: number;
  /** `ProtectionKey`: the memory protection key of the mapping. */
  protectionKey?: number;
  /** `VmFlags`: the kernel's two-letter flags, e.g. `['rd', 'wr', 'mr']`. */
  vmFlags?: string[];
  /** Every other line that is not a `kB` value, keyed by the kernel's name, value text as printed. */
  otherFields: Record<string, string>;
}

/** One mapping of /proc/<pid>/smaps: its maps header plus its counters. */
export interface SmapsEntry extends MapsEntry, SmapsCounters {}

/** /proc/<pid>/smaps_rollup: the counters summed over all mappings. */
export interface SmapsRollup extends SmapsCounters {
  /** Start of the first mapping counted, in bytes (address). */
  start: bigint;
  /** End of the last mapping counted, in bytes (address). */
  end: bigint;
}

type OptionalKbProperty = Exclude<
  { [K in keyof SmapsCounters]: SmapsCounters[K] extends number | undefined ? K : never }[keyof SmapsCounters],
  'rssBytes' | 'pssBytes' | 'thpEligible' | 'protectionKey' | undefined
>;

const KB_PROPERTIES: Readonly<Record<string, OptionalKbProperty>> = {
  Pss_Dirty: 'pssDirtyBytes',
  Pss_Anon: 'pssAnonBytes',
  Pss_File: 'pssFileBytes',
  Pss_Shmem: 'pssShmemBytes',
  Shared_Clean: 'sharedCleanBytes',
  Shared_Dirty: 'sharedDirtyBytes',
  Private_Clean: 'privateCleanBytes',
  Private_Dirty: 'privateDirtyBytes',
  Referenced: 'referencedBytes',
  Anonymous: 'anonymousBytes',
  KSM: 'ksmBytes',
  LazyFree: 'lazyFreeBytes',
  AnonHugePages: 'anonHugePagesBytes',
  ShmemPmdMapped: 'shmemPmdMappedBytes',
  FilePmdMapped: 'filePmdMappedBytes',
  Shared_Hugetlb: 'sharedHugetlbBytes',
  Private_Hugetlb: 'privateHugetlbBytes',
  Swap: 'swapBytes',
  SwapPss: 'swapPssBytes',
  Locked: 'lockedBytes',
  KernelPageSize: 'kernelPageSizeBytes',
  MMUPageSize: 'mmuPageSizeBytes',
};

const SMAPS_FILE = '/proc/<pid>/smaps';
const ROLLUP_FILE = '/proc/<pid>/smaps_rollup';
const HEADER_LINE = /^[0-9a-fA-F]+-[0-9a-fA-F]+ /;
const ROLLUP_HEADER = /^([0-9a-fA-F]+)-([0-9a-fA-F]+) \S+ [0-9a-fA-F]+ [0-9a-fA-F]+:[0-9a-fA-F]+ [0-9]+ +\[rollup\]$/;
const FIELD_LINE = /^([A-Za-z_][A-Za-z0-9_]*):\s*(.*)$/;
const KB_VALUE = /^([0-9]+) kB$/;
const INTEGER_VALUE = /^-?[0-9]+$/;

/** Counters of one block while its lines are read; Rss/Pss are checked when the block ends. */
type PartialCounters = Omit<SmapsCounters, 'rssBytes' | 'pssBytes'> & { rssBytes?: number; pssBytes?: number };

function emptyCounters(): PartialCounters {
  return { fieldsBytes: {}, otherFields: {} };
}

/** Reads one "Key: value" line into `counters`; `sizeBytes` is the header's size, checked against `Size:`. */
function addField(counters: PartialCounters, line: string, lineNumber: number, file: string, sizeBytes?: number): void {
  const field = FIELD_LINE.exec(line);
  if (field === null) throw malformedLine(file, lineNumber, line, 'expected a mapping header or "Key: value"');
  const [, key = '', value = ''] = field;
  const kb = KB_VALUE.exec(value);
  if (kb !== null) {
    const bytes = Number(kb[1]) * 1024;
    if (!Number.isSafeInteger(bytes)) throw malformedLine(file, lineNumber, line, 'value does not fit a JavaScript number');
    const property = KB_PROPERTIES[key];
    if (key === 'Rss') counters.rssBytes = bytes;
    else if (key === 'Pss') counters.pssBytes = bytes;
    else if (key === 'Size' && sizeBytes !== undefined) {
      if (bytes !== sizeBytes) throw malformedLine(file, lineNumber, line, `Size differs from the header's ${sizeBytes} bytes`);
    } else if (property !== undefined) counters[property] = bytes;
    else counters.fieldsBytes[key] = bytes;
  } else if (key === 'VmFlags') {
    counters.vmFlags = value.split(/\s+/).filter((flag) => flag !== '');
  } else if (key === 'THPeligible' || key === 'ProtectionKey') {
    if (!INTEGER_VALUE.test(value)) throw malformedLine(file, lineNumber, line, `${key} is not an integer`);
    counters[key === 'THPeligible' ? 'thpEligible' : 'protectionKey'] = Number(value);
  } else if (key in KB_PROPERTIES || key === 'Rss' || key === 'Pss' || key === 'Size') {
    throw malformedLine(file, lineNumber, line, `${key} is not "N kB"`);
  } else {
    counters.otherFields[key] = value;
  }
}

function assertRssAndPss<T extends PartialCounters>(
  counters: T,
  file: string,
  headerLineNumber: number,
  header: string,
): asserts counters is T & { rssBytes: number; pssBytes: number } {
  if (counters.rssBytes === undefined || counters.pssBytes === undefined) {
    throw malformedLine(file, headerLineNumber, header, 'the block after this header has no Rss or no Pss line');
  }
}

/** Parses the whole text of /proc/<pid>/smaps into one entry per mapping, in the kernel's order (ascending `start`). */
export function parseSmaps(text: string): SmapsEntry[] {
  const entries: SmapsEntry[] = [];
  // The block being read: its header's entry, gaining counters in place (no copies: smaps is long).
  let current: { entry: MapsEntry & PartialCounters; lineNumber: number; line: string } | undefined;
  const finish = (): void => {
    if (current === undefined) return;
    const { entry, lineNumber, line } = current;
    assertRssAndPss(entry, SMAPS_FILE, lineNumber, line);
    entries.push(entry);
  };
  procLines(text).forEach((line, index) => {
    const lineNumber = index + 1;
    if (HEADER_LINE.test(line)) {
      finish();
      current = { entry: Object.assign(parseMapsLine(line, lineNumber), emptyCounters()), lineNumber, line };
    } else if (current === undefined) {
      throw malformedLine(SMAPS_FILE, lineNumber, line, 'expected a mapping header line first');
    } else {
      addField(current.entry, line, lineNumber, SMAPS_FILE, current.entry.sizeBytes);
    }
  });
  finish();
  return entries;
}

/** Reads and parses /proc/<pid>/smaps of `pid` (default: the calling process). */
export function readSmaps(pid: ProcPid = 'self'): SmapsEntry[] {
  return resolveDeletedSuffix(parseSmaps(readProcText(pid, 'smaps')), pid);
}

/** The smaps entry whose mapping contains `address` (binary search; entries sorted by `start`). */
export function smapsFor(entries: readonly SmapsEntry[], address: bigint): SmapsEntry | undefined {
  return findMapping(entries, address);
}

/**
 * Parses /proc/<pid>/smaps_rollup (Linux 4.14+): one `[rollup]` header whose range runs
 * from the first mapping's start to the last one's end, then the summed counters in bytes.
 */
export function parseSmapsRollup(text: string): SmapsRollup {
  const lines = procLines(text);
  const header = lines[0];
  if (header === undefined) throw malformedLine(ROLLUP_FILE, 1, '', 'the text is empty');
  const range = ROLLUP_HEADER.exec(header);
  if (range === null) throw malformedLine(ROLLUP_FILE, 1, header, 'expected "start-end ---p 00000000 00:00 0 [rollup]"');
  const rollup = { start: BigInt(`0x${range[1] ?? ''}`), end: BigInt(`0x${range[2] ?? ''}`), ...emptyCounters() };
  lines.forEach((line, index) => {
    if (index > 0) addField(rollup, line, index + 1, ROLLUP_FILE);
  });
  assertRssAndPss(rollup, ROLLUP_FILE, 1, header);
  // JSON form: start and end as "0x…" strings (util/json-form.ts).
  return withJsonForm(rollup);
}

/** Reads and parses /proc/<pid>/smaps_rollup of `pid` (default: the calling process). */
export function readSmapsRollup(pid: ProcPid = 'self'): SmapsRollup {
  return parseSmapsRollup(readProcText(pid, 'smaps_rollup'));
}
