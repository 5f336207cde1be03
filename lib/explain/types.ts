/**
 * The shapes of `vmprobe explain`: a capture (what the kernel and the runtime said at
 * one moment, plain JSON data that can be saved as a fixture), the owners tree that
 * attribute() computes from it, and the findings advise() draws from the owners.
 * Addresses are hex strings ("0x7f…") so a capture survives JSON.stringify.
 */

import type { MapsEntry, MapsLineJson } from '../proc/maps';

/** Version of the capture and breakdown shapes (schema/explain.schema.json). */
export const EXPLAIN_SCHEMA_VERSION = 1;

/** One VMA of /proc/<pid>/smaps, reduced to what attribution uses: its maps line (MapsLineJson) and counters, sizes in bytes. */
export interface CapturedVma extends MapsLineJson, Pick<MapsEntry, 'pseudo'> {
  rssBytes: number;
  pssBytes: number;
  privateCleanBytes: number;
  privateDirtyBytes: number;
  sharedCleanBytes: number;
  sharedDirtyBytes: number;
  swapBytes: number;
  anonHugePagesBytes: number;
}

/** The counters every owner row and every total carries, in bytes. */
export interface MemoryFigures {
  /** Address space (VSZ share). */
  virtualBytes: number;
  /** Resident set (RSS share). */
  rssBytes: number;
  /** Proportional set size. */
  pssBytes: number;
  /** Private_Clean + Private_Dirty. */
  privateBytes: number;
  /** Shared_Clean + Shared_Dirty. */
  sharedBytes: number;
  /** Swapped out. */
  swapBytes: number;
  /** Resident in transparent huge pages. */
  anonHugePagesBytes: number;
}

/** /proc/<pid>/smaps_rollup's counters (no virtual size: the rollup has none). */
export type RollupFigures = Omit<MemoryFigures, 'virtualBytes'>;

/** One thread of the process, from /proc/<pid>/task/<tid>/. */
export interface CapturedThread {
  tid: number;
  /** comm: the thread's name (at most 15 bytes). */
  name: string;
  /** User stack pointer from task/<tid>/syscall (or stat's kstkesp), hex; null when the thread was running or the kernel hid it. */
  stackPointer: string | null;
}

/** One V8 heap space (v8.getHeapSpaceStatistics()), bytes. */
export interface CapturedHeapSpace {
  name: string;
  /** space_size: committed to the space. */
  sizeBytes: number;
  /** space_used_size: occupied by live and not-yet-collected objects. */
  usedBytes: number;
  /** physical_space_size: the part V8 counts as backed by RAM. */
  physicalBytes: number;
}

/** What the runtime itself said; only for the calling process or through the agent. */
export interface CapturedRuntime {
  heapSpaces: CapturedHeapSpace[];
  /** process.memoryUsage(), bytes. */
  memoryUsage: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  /** mallinfo2 (glibc >= 2.33), bytes/counts; null on another allocator. */
  mallinfo2: {
    arenaBytes: number; inUseBytes: number; freeBytes: number; mmappedBytes: number; mmappedChunks: number;
    fastbinFreeBytes: number; topReleasableBytes: number;
  } | null;
  /** malloc_info arena count (main arena included); null when unknown. */
  mallocArenas: number | null;
  /** Bounds of the capturing thread's stack (pthread_getattr_np), hex; null when unknown. */
  mainThreadStack: { low: string; top: string } | null;
  /** node's version, for the record. */
  nodeVersion: string;
}

/** Everything read at one moment about one process. */
export interface ExplainCapture {
  schema: 1;
  pid: number;
  /** True when the process captured itself (runtime figures are its own). */
  self: boolean;
  /** Milliseconds since the epoch when the reads started. */
  takenAtMs: number;
  pageSizeBytes: number;
  /** comm of the process. */
  command: string;
  /** /proc/<pid>/exe resolved; null when unreadable. */
  executablePath: string | null;
  vmas: CapturedVma[];
  /** smaps_rollup, read right after smaps; null on kernels without it (< 4.14). */
  rollup: RollupFigures | null;
  /** /proc/<pid>/status memory lines, bytes; read after the rollup. */
  status: { vmRSSBytes: number; vmSizeBytes: number; vmPTEBytes: number; vmSwapBytes: number; vmHWMBytes: number; threads: number };
  threads: CapturedThread[];
  runtime: CapturedRuntime | null;
}

/** Whether a row is what the kernel counted for its VMAs, or a split of such a count using the runtime's own figures. */
export type Basis = 'measured' | 'inferred';

/** One owner of memory; children (when present) sum to it. */
export interface OwnerRow extends MemoryFigures {
  /** Stable id, e.g. "malloc.thread-arenas". */
  id: string;
  /** Human label, e.g. "thread arenas (8 heaps)". */
  label: string;
  basis: Basis;
  /** What the figures rest on. */
  from: string;
  /** Number of VMAs counted (0 for a split of a pool). */
  vmaCount: number;
  /** Extra figures specific to the owner (bytes or counts, named with units). */
  detail?: Record<string, number | string>;
  children: OwnerRow[];
}

/** A finding of advise(): a sentence quoting the figures it rests on. */
export interface Finding {
  id: string;
  /** The sentence, with the numbers. */
  message: string;
  /** The figures the sentence quotes, bytes or counts. */
  figures: Record<string, number>;
}

/** The result of explainMemory(): owners whose top level sums exactly to `totals`. */
export interface MemoryBreakdown {
  schema: 1;
  pid: number;
  self: boolean;
  command: string;
  takenAtMs: number;
  /** The kernel's totals: smaps_rollup (else the smaps sum); virtualBytes from the smaps VMAs. */
  totals: MemoryFigures;
  /** Where totals came from. */
  totalsFrom: 'smaps_rollup' | 'smaps';
  /** The smaps sum, to show agreement with the rollup; the difference is the "changed between reads" row. */
  smapsSum: MemoryFigures;
  /** Top-level owners; each figure sums exactly to totals. */
  owners: OwnerRow[];
  /** Memory the process costs that is not in its RSS (page tables). */
  outsideRss: { id: string; label: string; bytes: number; from: string }[];
  findings: Finding[];
}
