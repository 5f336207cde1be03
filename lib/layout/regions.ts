/**
 * Classifying the regions of an address space: a pure function over parsed
 * /proc/<pid>/maps entries, plus (when known) the program headers of every loaded
 * object and the stack pointers of the process's threads.
 *
 * With program headers (dl_iterate_phdr, this process) an ELF-backed region is text,
 * rodata, relro, data or bss because its PT_LOAD segment says so (flags, file size vs
 * memory size), not because of its permissions. Without them (another process, a
 * captured text) the permissions of the object's own mappings decide, and a region is
 * part of an object's image only if it sits where the object's file offset puts it
 * (so a later mmap of the same file, like V8 remapping its builtins, is a file mapping).
 * Thread stacks are recognised by a thread's stack pointer inside them
 * (/proc/<pid>/task/<tid>/syscall), never by size or shape.
 */
import type { MapsEntry } from '../proc/maps';
import { invalidArgType } from '../util/errors';
import { validateAddressRanges, validateChoice, validateOptions } from '../util/validate';
import { arenaHeapReserveAt } from '../malloc/arena-heap';

/** What a region is. `lib-*` are segments of shared libraries (the addon is one). */
export type RegionKind =
  | 'text' | 'rodata' | 'relro' | 'data' | 'bss'
  | 'lib-text' | 'lib-rodata' | 'lib-relro' | 'lib-data' | 'lib-bss'
  | 'heap' | 'arena-heap' | 'anonymous' | 'file' | 'thread-stack' | 'guard' | 'stack' | 'vdso' | 'vvar' | 'vsyscall' | 'other';

/** Every kind, for legends and tests. */
export const REGION_KINDS: readonly RegionKind[] = [
  'text', 'rodata', 'relro', 'data', 'bss', 'lib-text', 'lib-rodata', 'lib-relro', 'lib-data', 'lib-bss',
  'heap', 'arena-heap', 'anonymous', 'file', 'thread-stack', 'guard', 'stack', 'vdso', 'vvar', 'vsyscall', 'other',
];

/** One PT_LOAD (or PT_GNU_RELRO) segment, at its run-time address. */
export interface SegmentHeader {
  type: 'load' | 'relro' | 'tls';
  /** 'r-x', 'rw-', … from p_flags. */
  flags: string;
  /** Run-time address: load base + p_vaddr, bytes. */
  vaddr: bigint;
  fileSizeBytes: number;
  memSizeBytes: number;
}

/** A loaded ELF object: its file path and segments. */
export interface ObjectHeaders {
  path: string;
  /** True for the main program (the executable). */
  executable: boolean;
  segments: SegmentHeader[];
}

/** What the classifier may know besides the maps. */
export interface ClassifyContext {
  /** Program headers of the loaded objects (only for the calling process). */
  objects?: readonly ObjectHeaders[];
  /** Path of the executable (/proc/<pid>/exe); default: the path of the first file-backed entry. */
  executablePath?: string | null;
  /** Stack pointers of the threads other than the main one. */
  threadStackPointers?: readonly bigint[];
  /** Page size in bytes (to round segment ends); default 4096 only matters for captured texts. */
  pageSizeBytes?: number;
}

/** A classified region: the maps entry plus its kind and the object it belongs to. */
export interface Region extends MapsEntry {
  kind: RegionKind;
  /** Path of the ELF object for text/rodata/relro/data/bss kinds (bss has no path of its own), else null. */
  objectPath: string | null;
}

const LIB_KIND: Readonly<Record<'text' | 'rodata' | 'relro' | 'data' | 'bss', RegionKind>> = {
  text: 'lib-text', rodata: 'lib-rodata', relro: 'lib-relro', data: 'lib-data', bss: 'lib-bss',
};

/** Which textbook zone a kind belongs to (for the order and the picture). */
export type Zone = 'kernel' | 'stack' | 'mmap' | 'heap' | 'data' | 'text';

/** The zone of a kind: the main program's segments are text/data, libraries and every other mapping the mmap area. */
export function zoneOf(kind: RegionKind): Zone {
  validateChoice(kind, 'kind', REGION_KINDS);
  switch (kind) {
    case 'text': case 'rodata': return 'text';
    case 'relro': case 'data': case 'bss': return 'data';
    case 'heap': return 'heap';
    case 'stack': return 'stack';
    case 'vsyscall': return 'kernel';
    default: return 'mmap';
  }
}

/** The segment name of an ELF kind ('lib-text' → 'text'), or null for other kinds. */
export function segmentOf(kind: RegionKind): 'text' | 'rodata' | 'relro' | 'data' | 'bss' | null {
  validateChoice(kind, 'kind', REGION_KINDS);
  const s = kind.startsWith('lib-') ? kind.slice(4) : kind;
  return s === 'text' || s === 'rodata' || s === 'relro' || s === 'data' || s === 'bss' ? s : null;
}

function pseudoKind(path: string): RegionKind | null {
  if (path === '[heap]') return 'heap';
  if (path === '[stack]') return 'stack';
  if (path.startsWith('[stack:')) return 'thread-stack'; // kernels before 4.5 named thread stacks
  if (path === '[vdso]') return 'vdso';
  if (path.startsWith('[vvar')) return 'vvar'; // [vvar], [vvar_vclock]
  if (path === '[vsyscall]') return 'vsyscall';
  if (path.startsWith('[anon:') || path.startsWith('[anon_shmem:')) return 'anonymous';
  return null;
}

function roundUp(value: bigint, page: bigint): bigint {
  return (value + page - 1n) / page * page;
}

type Segmented = { segment: 'text' | 'rodata' | 'relro' | 'data' | 'bss'; object: ObjectHeaders; segmentEnd: bigint };

/** The segment of a loaded object that covers `e`, from the program headers. */
function segmentFromHeaders(e: MapsEntry, objects: readonly ObjectHeaders[], page: bigint): Segmented | null {
  for (const object of objects) {
    for (const s of object.segments) {
      if (s.type !== 'load') continue;
      const start = s.vaddr / page * page;
      const end = roundUp(s.vaddr + BigInt(s.memSizeBytes), page);
      if (e.start >= end || e.end <= start) continue;
      if (e.path !== null && e.path !== object.path && !e.pseudo) continue;
      const hit = (segment: Segmented['segment']): Segmented => ({ segment, object, segmentEnd: end });
      if (s.flags.includes('x')) return hit('text');
      if (!s.flags.includes('w')) return hit('rodata');
      const fileEnd = roundUp(s.vaddr + BigInt(s.fileSizeBytes), page);
      if (e.path === null || e.start >= fileEnd) return hit('bss');
      return hit(e.write ? 'data' : 'relro');
    }
  }
  return null;
}

/** Mappings of `path` that lie where their file offset puts them relative to the offset-0 mapping. */
function imageEntries(entries: readonly MapsEntry[], path: string): Set<MapsEntry> {
  const own = entries.filter((e) => e.path === path && !e.pseudo);
  const first = own.find((e) => e.offsetBytes === 0);
  const image = new Set<MapsEntry>();
  if (!first) return image;
  // A segment's address and file offset agree modulo its alignment; 16 MiB covers
  // every p_align linkers use for the usual page sizes, and is far smaller than the
  // distance to an unrelated mapping of the same file in the mmap area.
  const slack = 16n * 1024n * 1024n;
  for (const e of own) {
    const expected = first.start + BigInt(e.offsetBytes);
    if (e.start >= expected && e.start - expected <= slack) image.add(e);
  }
  return image;
}

/** Classifies by permissions when no program headers are known. */
function segmentFromPerms(e: MapsEntry, next: MapsEntry | undefined): 'text' | 'rodata' | 'relro' | 'data' {
  if (e.execute) return 'text';
  if (e.write) return 'data';
  // The loader makes the start of the data segment read-only after relocation (RELRO):
  // it is the read-only mapping right below the writable one of the same file.
  if (next && next.path === e.path && next.start === e.end && next.write) return 'relro';
  return 'rodata';
}

/**
 * Classifies every entry. Entries must be in the kernel's order (ascending start).
 * One entry gives one region, except a bss VMA that the kernel merged with a later
 * anonymous mmap: with program headers it is split where the segment ends.
 */
export function classifyRegions(entries: readonly MapsEntry[], context: ClassifyContext = {}): Region[] {
  validateAddressRanges(entries, 'entries');
  validateOptions(context, 'context');
  const page = BigInt(context.pageSizeBytes ?? 4096);
  const objects = context.objects ?? null;
  const exePath = context.executablePath ?? entries.find((e) => e.path !== null && !e.pseudo)?.path ?? null;
  const images = new Map<string, Set<MapsEntry>>();
  const isImage = (e: MapsEntry): boolean => {
    if (e.path === null || e.pseudo || e.shared) return false;
    let set = images.get(e.path);
    if (!set) {
      const own = entries.filter((x) => x.path === e.path);
      // Only a file with an executable mapping is a loaded program or library.
      set = own.some((x) => x.execute) ? imageEntries(entries, e.path) : new Set();
      images.set(e.path, set);
    }
    return set.has(e);
  };
  const regions: Region[] = entries.flatMap((e, i): Region[] => {
    const region = (kind: RegionKind, objectPath: string | null = null): Region[] => [{ ...e, kind, objectPath }];
    const fromPseudo = e.path !== null && e.pseudo ? pseudoKind(e.path) : null;
    if (fromPseudo !== null) return region(fromPseudo);
    if (e.pseudo) return region('other');
    const libOrExe = (segment: Segmented['segment'], path: string, executable: boolean): Region[] =>
      region(executable ? segment : LIB_KIND[segment], path);
    if (objects !== null) {
      const hit = segmentFromHeaders(e, objects, page);
      if (hit && hit.segment === 'bss' && e.end > hit.segmentEnd) {
        // The kernel merged a later anonymous mmap into the bss VMA (same flags, adjacent):
        // split it where the segment ends, so the mmap is not called bss.
        const kind = hit.object.executable ? 'bss' : 'lib-bss';
        return [
          { ...e, end: hit.segmentEnd, sizeBytes: Number(hit.segmentEnd - e.start), kind, objectPath: hit.object.path },
          { ...e, start: hit.segmentEnd, sizeBytes: Number(e.end - hit.segmentEnd), kind: 'anonymous', objectPath: null },
        ];
      }
      if (hit) return libOrExe(hit.segment, hit.object.path, hit.object.executable);
    } else if (isImage(e) && e.path !== null) {
      return libOrExe(segmentFromPerms(e, entries[i + 1]), e.path, e.path === exePath);
    } else if (e.path === null && !e.shared && e.write) {
      // bss: anonymous memory directly after an image's writable, file-backed last mapping.
      const prev = entries[i - 1];
      if (prev && prev.end === e.start && prev.write && isImage(prev) && prev.path !== null) {
        return libOrExe('bss', prev.path, prev.path === exePath);
      }
    }
    return region(e.path === null ? 'anonymous' : 'file');
  });
  markThreadStacks(regions, context.threadStackPointers ?? []);
  markArenaHeaps(regions);
  return regions;
}

/**
 * Marks glibc thread-arena heaps (malloc/arena.c): the used read-write part and its
 * PROT_NONE reserve, full or not, by HEAP_MAX_SIZE alignment, size and adjacency
 * (arena-heap.ts). They sit in the mmap area but are malloc's, not a plain mmap.
 */
function markArenaHeaps(regions: Region[]): void {
  for (let i = 0; i < regions.length; i++) {
    const r = regions[i] as Region;
    if (r.kind !== 'anonymous' || arenaHeapReserveAt(regions, i) === null) continue;
    r.kind = 'arena-heap';
    const next = regions[i + 1];
    if (next !== undefined && next.kind === 'anonymous' && next.start === r.end && next.perms === '---p') next.kind = 'arena-heap';
  }
}

/** Marks the region holding each thread's stack pointer, and the inaccessible guard right below it. */
function markThreadStacks(regions: Region[], stackPointers: readonly bigint[]): void {
  for (const sp of stackPointers) {
    const index = regions.findIndex((r) => sp >= r.start && sp < r.end);
    const r = regions[index];
    if (r === undefined || r.kind !== 'anonymous') continue;
    r.kind = 'thread-stack';
    const below = regions[index - 1];
    if (below && below.end === r.start && below.kind === 'anonymous' && below.perms.startsWith('---')) below.kind = 'guard';
  }
}

/** The region containing `address` (binary search), or undefined. */
export function regionAt(regions: readonly Region[], address: bigint): Region | undefined {
  validateAddressRanges(regions, 'regions');
  if (typeof address !== 'bigint') throw invalidArgType('address', 'of type bigint', address);
  let low = 0;
  let high = regions.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const r = regions[mid] as Region;
    if (address < r.start) high = mid - 1;
    else if (address >= r.end) low = mid + 1;
    else return r;
  }
  return undefined;
}

/** The zones from high to low addresses, consecutive repeats collapsed (the kernel zone left out). */
export function zoneOrder(regions: readonly Region[]): Zone[] {
  validateAddressRanges(regions, 'regions');
  const order: Zone[] = [];
  for (let i = regions.length - 1; i >= 0; i--) {
    const zone = zoneOf((regions[i] as Region).kind);
    if (zone === 'kernel') continue;
    if (order[order.length - 1] !== zone) order.push(zone);
  }
  return order;
}

/** A free gap between two consecutive regions. */
export interface Gap {
  start: bigint;
  end: bigint;
  sizeBytes: number;
  /** Kinds of the regions below and above the gap. */
  belowKind: RegionKind;
  aboveKind: RegionKind;
}

/** Every unmapped gap between consecutive regions, low to high. */
export function findGaps(regions: readonly Region[]): Gap[] {
  validateAddressRanges(regions, 'regions');
  const gaps: Gap[] = [];
  for (let i = 1; i < regions.length; i++) {
    const below = regions[i - 1] as Region;
    const above = regions[i] as Region;
    if (above.start > below.end) {
      gaps.push({ start: below.end, end: above.start, sizeBytes: Number(above.start - below.end), belowKind: below.kind, aboveKind: above.kind });
    }
  }
  return gaps;
}
