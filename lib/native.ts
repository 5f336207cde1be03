/**
 * The only module that loads the native addon. Everything else imports the typed
 * `native` object from here. The interface below is exactly what native/addon.cc
 * exports; keep the two in step (and bump ADDON_ABI on both sides when it changes).
 */
import * as path from 'node:path';
import { buildError, unsupported } from './errors';

/** The ABI this JavaScript expects from the addon (native/addon.cc: kAddonAbi). */
export const ADDON_ABI = 1;

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
  unmap(): void;
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

export interface NativeAddon {
  abi: number;
  Mapping: new (options: NativeMappingOptions) => NativeMapping;
  HeapBlock: new (options: { sizeBytes: number; zeroed?: boolean; alignBytes?: number; drainTop?: boolean }) => NativeHeapBlock;
  mincoreScan(address: bigint, lengthBytes: number, maxRuns: number): NativeResidency;
  bufferRange(view: ArrayBuffer | ArrayBufferView): { address: bigint | null; byteLength: number };
  getrusage(who: 'self' | 'thread' | 'children'): NativeRusage;
  getrlimit(resource: string): { soft: number; hard: number };
  setrlimit(resource: string, soft: number, hard: number): void;
  sysconf(): NativeSysconf;
  libc(): { name: 'glibc' | 'unknown'; version: string | null };
  fadvise(fd: number, offsetBytes: number, lengthBytes: number, advice: string): void;
  // --- malloc experiment (native/malloc_control.cc) ---
  programBreak(): bigint;
  mallopt(param: NativeMalloptParam, value: number): boolean;
  mallocTrim(padBytes: number): boolean;
  mallinfo2(): NativeMallinfo2;
  mallocInfo(): string;
  // --- end malloc experiment ---
}

const REBUILD_HINT = 'rebuild it with `npm run build` in the vmprobe package directory ' +
  '(or `npx node-gyp rebuild` there; it needs python3, make and a C++ compiler)';

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
    throw buildError(`vmprobe's native addon could not be loaded: ${detail}\nIt is missing or broken: ${REBUILD_HINT}.`, err);
  }
  if (addon.abi !== ADDON_ABI) {
    throw buildError(`vmprobe's native addon is stale (ABI ${String(addon.abi)}, this JavaScript needs ${ADDON_ABI}): ${REBUILD_HINT}.`);
  }
  return addon;
}

function defaultLoad(name: string): unknown {
  // `bindings` finds build/Release/<name>.node from the package root and lists every
  // path it tried when it fails.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bindings = require('bindings') as (opts: { bindings: string; module_root: string }) => unknown;
  return bindings({ bindings: name, module_root: path.join(__dirname, '..', '..') });
}

/** The loaded addon. Importing vmprobe loads it once per thread. */
export const native: NativeAddon = loadAddon();
