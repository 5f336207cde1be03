// Parser for /proc/<pid>/maps (proc(5), "/proc/pid/maps"): one line per
// mapping, "start-end perms offset major:minor inode   [path]", sorted by start.
import { invalidArgument, malformedLine, procLines, readProcText, type ProcPid } from './read';
import { validateAddressRanges } from '../util/validate';
import { withJsonForm } from '../util/json-form';
import { resolveDeletedSuffix } from './maps-deleted';

/** One mapping (VMA) of a process's address space, as /proc/<pid>/maps lists it. */
export interface MapsEntry {
  /** First address of the mapping (inclusive), in bytes. */
  start: bigint;
  /** End of the mapping (exclusive), in bytes. */
  end: bigint;
  /** `end - start`, in bytes. */
  sizeBytes: number;
  /** The kernel's four permission characters, e.g. `r-xp`. */
  perms: string;
  /** Pages may be read (`r`). */
  read: boolean;
  /** Pages may be written (`w`). */
  write: boolean;
  /** Pages may be executed (`x`). */
  execute: boolean;
  /** `s`: a shared mapping; `p`: private (copy-on-write). */
  shared: boolean;
  /** Offset into the mapped file, in bytes (0 for anonymous mappings). */
  offsetBytes: number;
  /** Device of the mapped file as the kernel prints it, `"major:minor"` in hex, e.g. `"fd:01"`. */
  dev: string;
  /** Major device number (parsed from hex). */
  devMajor: number;
  /** Minor device number (parsed from hex). */
  devMinor: number;
  /** Inode of the mapped file; 0 when there is none. */
  inode: number;
  /**
   * File path or pseudo-path (`[heap]`, `[stack]`, `[anon:name]`, …), without a
   * trailing ` (deleted)`; `null` when the line has none (an anonymous mapping).
   * Spaces inside the name are kept. The kernel escapes a newline in a name as `\012`.
   */
  path: string | null;
  /**
   * The file was unlinked (or is a memfd/shmem object): the kernel appended ` (deleted)`.
   * parseMaps believes the suffix (text alone cannot tell); readMaps/readSmaps check the
   * filesystem: a live file really named `… (deleted)` keeps its full path and `false`.
   */
  deleted: boolean;
  /** `path` is a bracketed kernel label such as `[heap]`, `[vdso]` or `[anon:name]`, not a file. */
  pseudo: boolean;
}

/**
 * A mapping's maps-line fields as plain JSON, addresses as hex strings ("0x7f…") so it
 * survives JSON.stringify: what a saved explain capture (CapturedVma) and the layout
 * result (RegionJson) keep of each VMA. The other fields mean what MapsEntry's do.
 */
export interface MapsLineJson extends Pick<MapsEntry, 'perms' | 'offsetBytes' | 'dev' | 'inode' | 'path' | 'deleted'> {
  /** First address of the mapping (inclusive), hex ("0x55d0…"). */
  start: string;
  /** End of the mapping (exclusive), hex. */
  end: string;
}

const MAPS_FILE = '/proc/<pid>/maps';
const EXPECTED_SHAPE = 'expected "start-end perms offset major:minor inode [path]"';
const DELETED_SUFFIX = ' (deleted)';
const MAPS_LINE =
  /^([0-9a-fA-F]+)-([0-9a-fA-F]+) ([r-][w-][x-][ps]) ([0-9a-fA-F]+) ([0-9a-fA-F]+):([0-9a-fA-F]+) ([0-9]+)(?: +(.*))?$/;

function toSafeNumber(value: bigint, what: string, lineNumber: number, line: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw malformedLine(MAPS_FILE, lineNumber, line, `${what} ${value} does not fit a JavaScript number (max 2^53 - 1)`);
  }
  return Number(value);
}

/**
 * Parses one line of /proc/<pid>/maps (also the header line of each smaps block).
 * `lineNumber` (1-based) only labels errors. Throws `ERR_INVALID_ARG_VALUE` quoting the line.
 */
export function parseMapsLine(line: string, lineNumber = 1): MapsEntry {
  const match = MAPS_LINE.exec(line);
  if (match === null) throw malformedLine(MAPS_FILE, lineNumber, line, EXPECTED_SHAPE);
  const [, startHex = '', endHex = '', perms = '', offsetHex = '', majorHex = '', minorHex = '', inodeText = '', rest = ''] =
    match;
  const start = BigInt(`0x${startHex}`);
  const end = BigInt(`0x${endHex}`);
  if (end <= start) throw malformedLine(MAPS_FILE, lineNumber, line, 'end address is not above start address');

  let path: string | null = rest === '' ? null : rest;
  const deleted = path !== null && path.endsWith(DELETED_SUFFIX);
  if (deleted && path !== null) path = path.slice(0, -DELETED_SUFFIX.length);
  // JSON form: start and end as "0x…" strings (util/json-form.ts).
  return withJsonForm({
    start,
    end,
    sizeBytes: toSafeNumber(end - start, 'size', lineNumber, line),
    perms,
    read: perms[0] === 'r',
    write: perms[1] === 'w',
    execute: perms[2] === 'x',
    shared: perms[3] === 's',
    offsetBytes: toSafeNumber(BigInt(`0x${offsetHex}`), 'offset', lineNumber, line),
    dev: `${majorHex}:${minorHex}`,
    devMajor: Number.parseInt(majorHex, 16),
    devMinor: Number.parseInt(minorHex, 16),
    inode: toSafeNumber(BigInt(inodeText), 'inode', lineNumber, line),
    path,
    deleted,
    pseudo: path !== null && path.startsWith('[') && path.endsWith(']'),
  });
}

/** Parses the whole text of /proc/<pid>/maps; entries keep the kernel's order (ascending `start`). */
export function parseMaps(text: string): MapsEntry[] {
  return procLines(text).map((line, index) => parseMapsLine(line, index + 1));
}

/**
 * Reads and parses /proc/<pid>/maps of `pid` (default: the calling process), telling a
 * file really named `… (deleted)` from an unlinked one (see maps-deleted.ts).
 */
export function readMaps(pid: ProcPid = 'self'): MapsEntry[] {
  return resolveDeletedSuffix(parseMaps(readProcText(pid, 'maps')), pid);
}

/**
 * Finds the mapping that contains `address` (start <= address < end) by binary
 * search; `entries` must be sorted by `start` and not overlap, as the kernel lists them.
 */
export function findMapping<T extends MapsEntry>(entries: readonly T[], address: bigint): T | undefined {
  validateAddressRanges(entries, 'entries');
  if (typeof address !== 'bigint') throw invalidArgument('ERR_INVALID_ARG_TYPE', 'address', address, 'of type bigint');
  let low = 0;
  let high = entries.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const entry = entries[middle];
    if (entry === undefined) break;
    if (address < entry.start) high = middle - 1;
    else if (address >= entry.end) low = middle + 1;
    else return entry;
  }
  return undefined;
}
