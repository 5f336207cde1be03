/**
 * The only module that loads the native addon. Everything else imports the typed
 * `native` object from here. The interface below is exactly what native/addon.cc
 * exports; keep the two in step (and bump ADDON_ABI on both sides when it changes).
 */
import * as path from 'node:path';
import { buildError, unsupported } from '../util/errors';

/** The ABI this JavaScript expects from the addon (native/addon.cc: kAddonAbi). */
export const ADDON_ABI = 8;

/** Faults and time measured inside one native call (RUSAGE_THREAD, CLOCK_MONOTONIC). */
export interface NativeCounters {
  minorFaults: number;
  majorFaults: number;
  elapsedNs: number;
}
export interface NativeTouchResult extends NativeCounters {
  pagesTouched: number;
}
export interface NativeResidencyRun {
  startPage: number;
  pages: number;
  resident: boolean;
}
export interface NativeResidency {
  pages: number;
  residentPages: number;
  runCount: number;
  runs: NativeResidencyRun[];
}
export type NativeProtection = 'none' | 'read' | 'read-write';
export type NativeAdvice =
  | 'normal' | 'random' | 'sequential' | 'willneed' | 'dontneed' | 'free' | 'hugepage' | 'nohugepage' | 'cold' | 'pageout';

export interface NativeMappingOptions {
  sizeBytes?: number;
  protection?: NativeProtection;
  shared?: boolean;
  path?: string;
  fileOffsetBytes?: number;
  populate?: boolean;
  noreserve?: boolean;
  alignBytes?: number;
  hugePages?: boolean;
}

export interface NativeMapping {
  readonly address: bigint | null;
  readonly sizeBytes: number;
  readonly mappedBytes: number;
  readonly pageSizeBytes: number;
  readonly closed: boolean;
  readonly protection: NativeProtection;
  readonly creation: NativeCounters;
  /** detachNatively: detach the ArrayBuffer with napi_detach_arraybuffer first (only where no JS API can have set a detach key). */
  unmap(detachNatively: boolean): void;
  protect(protection: NativeProtection): void;
  advise(advice: NativeAdvice, offsetBytes: number, lengthBytes: number): NativeCounters;
  sync(): void;
  asArrayBuffer(): ArrayBuffer;
  touch(offsetBytes: number, lengthBytes: number, strideBytes: number, mode: 'read' | 'write'): NativeTouchResult;
  residency(offsetBytes: number, lengthBytes: number, maxRuns: number): NativeResidency;
  fileSizeBytes(): number | null;
}

export interface NativeHeapBlock {
  readonly address: bigint | null;
  readonly sizeBytes: number;
  readonly usableSizeBytes: number;
  readonly closed: boolean;
  readonly creation: NativeCounters;
  free(): void;
  touch(offsetBytes: number, lengthBytes: number, strideBytes: number, mode: 'read' | 'write'): NativeTouchResult;
  residency(offsetBytes: number, lengthBytes: number, maxRuns: number): NativeResidency;
  // --- malloc experiment ---
  readonly drainedTopBytes: number;
  realloc(sizeBytes: number): NativeCounters & { moved: boolean };
  chunkHeader(): NativeChunkHeader;
  // --- end malloc experiment ---
}

export interface NativeRusage {
  userCpuUs: number;
  systemCpuUs: number;
  maxRssBytes: number;
  minorFaults: number;
  majorFaults: number;
  voluntaryContextSwitches: number;
  involuntaryContextSwitches: number;
  blockInputOps: number;
  blockOutputOps: number;
}

export interface NativeSysconf {
  pageSizeBytes: number;
  physicalPages: number | null;
  availablePhysicalPages: number | null;
  onlineProcessors: number | null;
  clockTicksPerSecond: number | null;
}

// --- layout experiment ---
/** Addresses of the addon's own probe objects (bigint, display only). */
export interface NativeLayoutAddresses {
  text: bigint;
  rodata: bigint;
  data: bigint;
  bss: bigint;
  bssArray: bigint;
  stack: bigint;
  /** sizeof(void *) * 8 in the addon. */
  pointerBits: number;
  dataArrayBytes: number;
  bssArrayBytes: number;
  dataPages: number;
  bssPages: number;
  addonPath: string | null;
  addonBase: bigint | null;
  /** The fixed address each layoutFault target accesses. */
  faultTargets: Record<NativeFaultTarget, bigint>;
}
/** One program header of a loaded object (dl_iterate_phdr); vaddr is absolute. */
export interface NativeSegment {
  type: 'load' | 'relro' | 'tls';
  flags: string;
  vaddr: bigint;
  fileSizeBytes: number;
  memSizeBytes: number;
  offsetBytes: number;
  alignBytes: number;
}
/** One loaded ELF object; `name` is '' for the main program. */
export interface NativeLoadedObject {
  name: string;
  base: bigint;
  segments: NativeSegment[];
}
export type NativeFaultTarget = 'null' | 'small-int' | 'kernel' | 'text-write';
// --- end layout experiment ---
// --- malloc experiment ---
/** glibc's chunk size word before a HeapBlock, decoded (native/heap.cc). */
export interface NativeChunkHeader {
  headerWordBytes: number;
  rawSizeField: bigint;
  chunkSizeBytes: number;
  prevInuse: boolean;
  isMmapped: boolean;
  nonMainArena: boolean;
  mmapOffsetBytes: number | null;
}
/** struct mallinfo2, fields renamed with units (native/malloc_control.cc). */
export interface NativeMallinfo2 {
  arenaBytes: number;
  freeChunks: number;
  fastbinChunks: number;
  mmappedChunks: number;
  mmappedBytes: number;
  fastbinFreeBytes: number;
  inUseBytes: number;
  freeBytes: number;
  topReleasableBytes: number;
}
export type NativeMalloptParam = 'M_MMAP_THRESHOLD' | 'M_TRIM_THRESHOLD' | 'M_TOP_PAD' | 'M_MMAP_MAX' | 'M_ARENA_MAX';
// --- end malloc experiment ---

/** The addon's name→value tables and limits (native/constants.cc); lib/native/tables.ts checks them. */
export interface NativeConstants {
  advice: Record<string, number>;
  protection: Record<string, number>;
  rlimit: Record<string, number>;
  mallopt: Record<string, number>;
  fadvise: Record<string, number>;
  faultTarget: Record<string, number>;
  limits: { maxRuns: number; minFrameBytes: number; maxFrameBytes: number };
}

export interface NativeAddon {
  abi: number;
  constants: NativeConstants;
  Mapping: new (options: NativeMappingOptions) => NativeMapping;
  HeapBlock: new (options: { sizeBytes: number; zeroed?: boolean; alignBytes?: number; drainTop?: boolean }) => NativeHeapBlock;
  mincoreScan(address: bigint, lengthBytes: number, maxRuns: number): NativeResidency;
  bufferRange(view: ArrayBuffer | ArrayBufferView): { address: bigint | null; byteLength: number };
  getrusage(who: 'self' | 'thread' | 'children'): NativeRusage;
  getrlimit(resource: string): { soft: number; hard: number };
  setrlimit(resource: string, soft: number, hard: number): void;
  sysconf(): NativeSysconf;
  /** The C library, and the malloc replacing glibc's in this process (jemalloc, a sanitizer, …) or null, with the version it reports about itself (or null). */
  /** VmPTE deltas around mmap and around the first write of each page, `repeats` times (native/pagetables.cc). */
  pageTableProbe(options: { sizeBytes: number; repeats?: number }): { mapDeltaBytes: number[]; touchDeltaBytes: number[] };
  libc(): { name: 'glibc' | 'unknown'; version: string | null; replacementAllocator: string | null; replacementAllocatorVersion: string | null };
  fadvise(fd: number, offsetBytes: number, lengthBytes: number, advice: string): void;
  // --- layout experiment ---
  layoutAddresses(): NativeLayoutAddresses;
  loadedObjects(): NativeLoadedObject[];
  segmentTouch(segment: 'data' | 'bss', firstPage: number, pages: number, mode: 'read' | 'write'): NativeTouchResult & { address: bigint };
  /** Kills the calling process on purpose: only ever called in a child task (lib/experiments/layout/tasks.ts, through lib/native/child-only.ts). */
  layoutFault(target: NativeFaultTarget): { address: bigint; survived: 'read' | 'wrote'; value?: number };
  // --- end layout experiment ---
  // --- malloc experiment (native/malloc_control.cc) ---
  programBreak(): bigint;
  mallopt(param: NativeMalloptParam, value: number): boolean;
  mallocTrim(padBytes: number): boolean;
  mallinfo2(): NativeMallinfo2;
  mallocInfo(): string;
  // --- end malloc experiment ---
}

// --- stack experiment ---
/** The calling thread's stack (pthread_getattr_np): addresses for display only. */
export interface NativeThreadStack {
  /** An address in the caller's current frame (a local variable of the native call). */
  stackPointer: bigint;
  /** Lowest usable address of the stack (above any guard). */
  stackLow: bigint;
  /** One past the highest address: the stack top, where a downward stack starts. */
  stackTop: bigint;
  /** stackTop - stackLow, in bytes. For the main thread glibc derives it from RLIMIT_STACK and the mapping below. */
  stackSizeBytes: number;
  /** The guard glibc placed below a thread stack, in bytes (0 for the main thread: the kernel guards it). */
  guardSizeBytes: number;
  /** stackTop - stackPointer, in bytes. */
  inUseBytes: number;
  /** True on the process's main thread. */
  mainThread: boolean;
}
export interface NativeStackRecurseOptions {
  frameBytes: number;
  variant: 'frame' | 'alloca';
  /** Where mark/sample records go (JSON lines, child-channel envelope); none when absent. */
  fd?: number;
  sampleEveryFrames?: number;
  /** Stop once this many bytes below the stack top are in use (required unless untilFault). */
  stopAtDepthBytes?: number;
  /** Recurse until the kernel refuses to grow the stack: kills the process; child processes only. */
  untilFault?: boolean;
}
export interface NativeStackRecurseResult extends NativeCounters {
  frames: number;
  deepestBytes: number;
  stackTop: bigint;
}
export interface NativeStackAllocCost extends NativeCounters {
  iterations: number;
}
/** The stack exports (declaration merging adds them to NativeAddon). */
export interface NativeAddon {
  threadStack(): NativeThreadStack;
  stackRecurse(options: NativeStackRecurseOptions): NativeStackRecurseResult;
  stackAllocCost(options: { kind: 'frame' | 'alloca' | 'malloc'; sizeBytes: number; iterations: number }): NativeStackAllocCost;
}
// --- end stack experiment ---

// --- block set (native/block_set.cc) ---
/** Counts per source: brk (main arena, heap), mmap (own mapping), threadArena (NON_MAIN_ARENA). */
export interface NativeSourceCounts {
  brk: number;
  mmap: number;
  threadArena: number;
}
/** BlockSet.classify(): the live blocks by chunk flags and by address, counted together. */
export interface NativeBlockSetClassification {
  liveBlocks: number;
  usableBytes: number;
  flags: NativeSourceCounts;
  agreed: NativeSourceCounts;
  disputed: number;
  lowAddress: bigint | null;
  highEnd: bigint | null;
  alignedBases: bigint[];
  alignedBasesTruncated: boolean;
}
export interface NativeBlockSet {
  readonly count: number;
  readonly liveCount: number;
  readonly requestedBytes: number;
  readonly liveRequestedBytes: number;
  readonly closed: boolean;
  readonly creation: NativeCounters;
  readonly drainedTopBytes: number;
  free(start: number, end: number, step: number, phase: number, keepSelected: boolean): NativeCounters & { freedBlocks: number; freedBytes: number };
  classify(heapStart: bigint, programBreak: bigint, alignBytes: number): NativeBlockSetClassification;
  block(index: number): { address: bigint | null; sizeBytes: number; usableSizeBytes: number | null };
  residency(maxRuns: number): NativeResidency;
  close(): void;
}
/** The block-set constructor (declaration merging adds it to NativeAddon). */
export interface NativeAddon {
  BlockSet: new (options: { count: number; sizesBytes: number[]; fill?: boolean; drainTop?: boolean }) => NativeBlockSet;
}
// --- end block set ---

// --- hardening ---
/** The live-handle counters (declaration merging adds them to NativeAddon). */
export interface NativeAddon {
  /** Process-wide counts of mmap regions and malloc blocks not yet released (native/live.cc). */
  liveHandles(): { mappings: number; heapBlocks: number; blockSets: number };
}
// --- end hardening ---

// --- allocators experiment (native/workloads.cc, native/allocator_identity.cc) ---
/** Memory counters of this process, read with no allocation (statm, status VmHWM, maps lines, RUSAGE_SELF). */
export interface NativeMemorySample { rssBytes: number; vszBytes: number; peakRssBytes: number; mappings: number; minorFaults: number }
/** The malloc in force and each allocator's version where it exports one (null otherwise). */
export interface NativeAllocatorIdentity {
  mallocProvider: string | null; glibcVersion: string | null; jemallocVersion: string | null;
  jemallocDirtyDecayMs: number | null; tcmallocVersion: string | null; mimallocVersion: string | null;
}
export type NativeReleaseKind = 'none' | 'glibc' | 'jemalloc' | 'tcmalloc' | 'mimalloc';
export interface NativeReleaseOutcome { call: string; found: boolean; elapsedNs: number }
export interface NativeWorkloadOptions {
  kind: 'fragmentation' | 'large-blocks' | 'steady'; threads: number; count: number; slots?: number; keepEvery?: number;
  minBytes: number; maxBytes: number; survivorBytes?: number; seed?: number; release: NativeReleaseKind;
}
export interface NativeWorkloadResult {
  baseline: NativeMemorySample; peakRssBytes: number; retained: NativeMemorySample; released: NativeMemorySample;
  release: NativeReleaseOutcome; liveBytes: number; ops: number; loadElapsedNs: number; allocationFailures: number;
}
/** The allocators exports (declaration merging adds them to NativeAddon). */
export interface NativeAddon {
  allocatorIdentity(): NativeAllocatorIdentity;
  allocatorRelease(kind: NativeReleaseKind): NativeReleaseOutcome;
  memorySample(options?: { resetPeak?: boolean }): NativeMemorySample;
  /** Changes this process's malloc state: child processes only (lib/experiments/allocators/child-task.ts). */
  runAllocatorWorkload(options: NativeWorkloadOptions): NativeWorkloadResult;
}
// --- end allocators experiment ---

/** The package root: dist/lib/native/ → three levels up. */
const PACKAGE_ROOT = path.join(__dirname, '..', '..', '..');

/**
 * How to rebuild the addon of the package at `packageRoot`. Installed as a dependency
 * (its directory sits in a node_modules), the command is `npm rebuild vmprobe`, run from
 * the app: `npm run build` needs the dev dependencies (tsc) an installed package lacks.
 * In a clone, `npm run build`.
 */
export function rebuildHint(packageRoot: string = PACKAGE_ROOT): string {
  const parent = path.basename(path.dirname(packageRoot));
  const installed = parent === 'node_modules' || path.basename(path.dirname(path.dirname(packageRoot))) === 'node_modules';
  return installed
    ? 'rebuild it with `npm rebuild vmprobe` in the project that installed it (it needs python3, make and a C++ compiler; ' +
      '`npm install` runs the same build unless --ignore-scripts was given)'
    : 'rebuild it with `npm run build` in the vmprobe package directory ' +
      '(or `npx node-gyp rebuild` there; it needs python3, make and a C++ compiler)';
}

/**
 * Loads the addon for `platform` (a parameter so tests can simulate other hosts).
 * Throws ERR_VMPROBE_UNSUPPORTED off Linux, ERR_VMPROBE_BUILD when the binary is
 * missing or from another version of vmprobe.
 */
export function loadAddon(platform: string = process.platform, load: (name: string) => unknown = defaultLoad): NativeAddon {
  if (platform !== 'linux') {
    throw unsupported(`vmprobe measures the Linux kernel's memory management and runs only on Linux; this is ${platform}`);
  }
  let addon: NativeAddon;
  try {
    addon = load('vmprobe') as NativeAddon;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw buildError(`vmprobe's native addon could not be loaded: ${detail}\nIt is missing or broken: ${rebuildHint()}.`, err);
  }
  if (addon === null || typeof addon !== 'object') {
    throw buildError(`vmprobe's native addon loaded as ${addon === null ? 'null' : typeof addon}, not an object: ${rebuildHint()}.`);
  }
  if (addon.abi !== ADDON_ABI) {
    throw buildError(`vmprobe's native addon is stale (ABI ${String(addon.abi)}, this JavaScript needs ${ADDON_ABI}): ${rebuildHint()}.`);
  }
  return addon;
}

function defaultLoad(name: string): unknown {
  // `bindings` finds build/Release/<name>.node from the package root and lists every
  // path it tried when it fails.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bindings = require('bindings') as (opts: { bindings: string; module_root: string }) => unknown;
  return bindings({ bindings: name, module_root: PACKAGE_ROOT });
}

/** The loaded addon. Importing vmprobe loads it once per thread. */
export const native: NativeAddon = loadAddon();
