/**
 * What the malloc experiment measures, step by step: plain JSON (addresses as hex
 * strings, no bigint, explicit nulls), produced in child processes and judged by
 * verdicts.ts.
 */
import type { AddressWitness, BlockSource, MapsWitness } from '../../malloc/classify';
import type { MallocInfo } from '../../malloc/info';

/** One block of the size sweep (step 1). */
export interface SweepEntry {
  sizeBytes: number;
  /** The source the three witnesses agree on, or 'disputed'. */
  source: BlockSource | 'disputed';
  usableBytes: number;
  /** Address malloc returned, hex. */
  address: string;
  chunkSizeBytes: number;
  witnesses: { flags: BlockSource; address: AddressWitness; maps: MapsWitness };
  /** Main arena's top chunk (mallinfo2 keepcost) just before this request, bytes. */
  topBeforeBytes: number;
  /** Part of the dense steps around the first brk → mmap transition. */
  dense: boolean;
}

/** The exact crossover, found by bisection with the top chunk drained before each request. */
export interface CrossoverSearch {
  /** Smallest request served by mmap, bytes (null: none up to the sweep's maximum). */
  crossoverBytes: number | null;
  /** Largest request served from brk, and its chunk size (header word), bytes. */
  largestBrkBytes: number | null;
  largestBrkChunkBytes: number | null;
  /** Chunk size of the smallest mmapped request: its request rounded like a heap chunk, bytes. */
  thresholdChunkBytes: number | null;
  /** Requests the bisection made. */
  probes: number;
}

/** Step 2: the program break before and after the heap grows. */
export interface BreakStep {
  breakBefore: string;
  breakAfter: string;
  breakDeltaBytes: number;
  heapEndBefore: string | null;
  heapEndAfter: string | null;
  heapSizeDeltaBytes: number | null;
  /** Bytes requested from brk between the two samples. */
  requestedBytes: number;
}

/** Step 4: request size → usable size. */
export interface RoundingStep {
  /** usableBytes[i] = malloc_usable_size of a request of i + 1 bytes (1..maxSmallBytes). */
  usableBytes: number[];
  /** Chunk sizes (header word, flags masked) of the same blocks. */
  chunkBytes: number[];
  large: Array<{ sizeBytes: number; usableBytes: number; chunkBytes: number; mmapped: boolean }>;
  /**
   * Requests that got more than their size class (a whole free chunk, because splitting
   * it would have left less than a minimum chunk), with the usable size the class gives.
   */
  oversized: Array<{ sizeBytes: number; usableBytes: number; regularUsableBytes: number }>;
  /** The most common step between consecutive distinct usable sizes of the size classes, bytes. */
  granularityBytes: number;
  /** Smallest usable size seen (minimum chunk), bytes. */
  minimumUsableBytes: number;
  /** Requests whose usable size is exactly the next power of two, out of all small ones. */
  pow2Matches: number;
  /** What 212 bytes (the textbook example) became. */
  example: { sizeBytes: number; usableBytes: number; nextPowerOfTwo: number } | null;
}

/** Step 5: the size word before each block against the chunk it heads. */
export interface SizeHeaderStep {
  headerWordBytes: number;
  /** source: the chunk flags' witness. */
  samples: Array<{ sizeBytes: number; source: BlockSource; rawSizeField: string; chunkSizeBytes: number; usableBytes: number; flagBits: number }>;
  /** Samples whose header size equals exactly the requested size. */
  equalsRequest: number;
  /** Samples whose chunk size equals usable + one word (heap) or usable + two words (mmap). */
  consistentWithUsable: number;
}

/** Step 8: a large malloc and calloc before and after touching. */
export interface LazyStep {
  sizeBytes: number;
  pages: number;
  mallocSource: BlockSource | 'disputed';
  mallocResidentBefore: number;
  touchMinorFaults: number;
  mallocResidentAfter: number;
  callocSource: BlockSource | 'disputed';
  callocCreationMinorFaults: number;
  callocResidentAfterCreation: number;
}

/** Everything the first child measures (steps 1, 2, 4, 5, 8). */
export interface SourcesChildResult {
  pageSizeBytes: number;
  breakStep: BreakStep;
  rounding: RoundingStep;
  sizeHeader: SizeHeaderStep;
  sweep: SweepEntry[];
  /** The crossover searched first thing in the child, before the experiment's own modules loaded. */
  crossover: CrossoverSearch;
  /** The same search after the sweep (Node's own frees in between may have raised it). */
  crossoverLater: CrossoverSearch;
  lazy: LazyStep;
}

/** Step 3a: a request above the threshold carved from a big top chunk. */
export interface CarveStep {
  /** M_TOP_PAD set for the demonstration, bytes. */
  topPadBytes: number;
  topPadAccepted: boolean;
  topBeforeBytes: number;
  requestBytes: number;
  source: BlockSource;
  /** Sweep blocks at or above the crossover that came from brk anyway (natural carving). */
  sweepCarvedSizes: number[];
}

/** One size of the dynamic-threshold test (step 3b). */
export interface DynamicTrial {
  sizeBytes: number;
  chunkBytes: number | null;
  /** Flags witness only (see threshold.ts). */
  first: BlockSource;
  /** Source of the same request after the first block was freed. */
  afterFree: BlockSource;
}

/** Step 3b: the dynamic threshold. */
export interface DynamicThresholdStep {
  trials: DynamicTrial[];
  /** Largest freed mmapped chunk that raised the threshold, and smallest that did not (bisection), bytes. */
  largestRaisingChunkBytes: number | null;
  smallestNonRaisingChunkBytes: number | null;
  rose: boolean;
}

/** Step 3c: mallopt(M_MMAP_THRESHOLD). */
export interface MalloptStep {
  requestedThresholdBytes: number;
  accepted: boolean;
  crossover: CrossoverSearch;
  /** After freeing an mmapped block above the new threshold, where did the same request go? */
  dynamicTrial: DynamicTrial;
}

/** Step 6: free and trim. */
export interface TrimStep {
  blockBytes: number;
  blocks: number;
  /** Program break, [heap] mapping RSS (smaps), process anonymous RSS and top chunk at each moment (bytes; break as hex). */
  samples: Array<{ moment: string; break: string; heapRssBytes: number | null; anonRssBytes: number | null; topBytes: number }>;
  breakDropMiddleBytes: number;
  breakDropTopBytes: number;
  /** Drop of the [heap] mapping's RSS when the middle blocks were freed (round B), bytes. */
  rssDropMiddleBytes: number;
  trimReturned: boolean;
  rssDropTrimBytes: number;
  mmapBlockBytes: number;
  /** The chunk flags said IS_MMAPPED (else the block came from the heap and says nothing about munmap). */
  mmapBlockWasMmapped: boolean;
  /** Some mapping still covers the block's address after free(). */
  mmapMappedAfterFree: boolean;
  /** RSS of the mapping holding the mmapped block just before free(), and of whatever holds that address after it, bytes. */
  mmapResidentBeforeFreeBytes: number;
  mmapResidentAfterFreeBytes: number;
}

/** One worker's blocks (step 7). */
export interface WorkerBlocks {
  worker: number;
  blocks: number;
  sources: Record<string, number>;
  arenaHeapReserveBytes: number | null;
}

/** Step 7: thread arenas. */
export interface ArenaStep {
  /** MALLOC_ARENA_MAX / glibc.malloc.arena_max the child ran with, or null. */
  arenaMax: string | null;
  /** The setting that gave arenaMax, as written ("MALLOC_ARENA_MAX=1", "GLIBC_TUNABLES glibc.malloc.arena_max=1"), or null. */
  arenaMaxSetting: string | null;
  workers: number;
  blockBytes: number;
  blocksPerWorker: number;
  workerBlocks: WorkerBlocks[];
  arenasBefore: number;
  arenasAfter: number;
  rssBeforeBytes: number;
  rssLoadedBytes: number;
  rssAfterFreeBytes: number;
  rssAfterTrimBytes: number;
  trimReturned: boolean;
  /** Distinct mappings (arena heaps, or [heap]) holding the workers' blocks. */
  heapMappings: number;
  /** Resident bytes of those mappings (smaps Rss): loaded, after every worker freed everything and exited, after malloc_trim(0). */
  heapsResidentBytes: { loaded: number; afterFree: number; afterTrim: number };
  mallocInfoAfter: MallocInfo | null;
}

/** Where the threshold in force came from. */
export interface ThresholdInForce {
  /** The smallest chunk size served by mmap, measured, bytes. */
  bytes: number | null;
  origin: 'default' | 'env' | 'tunable' | 'mallopt';
  /** The setting behind a non-default origin, as written ("MALLOC_MMAP_THRESHOLD_=65536", "GLIBC_TUNABLES glibc.malloc.mmap_threshold=65536"), or null. */
  setting: string | null;
  /** Whether freeing an mmapped chunk raised it (measured). */
  dynamic: boolean;
}

/** All measurements of the malloc experiment. */
export interface MallocMeasurements {
  libc: { name: string; version: string | null };
  pageSizeBytes: number;
  sweep: SweepEntry[];
  crossoverBytes: number | null;
  crossover: CrossoverSearch;
  crossoverLater: CrossoverSearch;
  /**
   * The crossover in a fresh child whose dynamic threshold was switched off before it
   * started (`setting`, a trim-threshold setting: glibc's do_set_trim_threshold sets
   * no_dyn_threshold), so no free by the runtime's own start-up could raise it: the
   * threshold glibc starts from on this host.
   */
  startingThreshold: { crossover: CrossoverSearch; setting: string };
  thresholdInForce: ThresholdInForce;
  /** glibc malloc settings in the children's environment, as written: "MALLOC_ARENA_MAX=1", "GLIBC_TUNABLES glibc.malloc.mmap_max=0". */
  settings: string[];
  breakStep: BreakStep;
  carve: CarveStep;
  dynamicThreshold: DynamicThresholdStep;
  mallopt: MalloptStep;
  rounding: RoundingStep;
  sizeHeader: SizeHeaderStep;
  trim: TrimStep;
  arenas: ArenaStep[];
  lazy: LazyStep;
  /** Sweep blocks whose witnesses disagreed. */
  disagreements: SweepEntry[];
}
