/**
 * Block sets: N malloc(3) blocks made in ONE native call, freed by index, range or
 * pattern in one call, classified together — an apparatus that allocates nothing in the
 * heap it measures. The pointer and size tables live in a private anonymous mapping
 * the set makes for itself (mmap(2)), so between the measured blocks there is nothing
 * of vmprobe's: a freed run of blocks coalesces (glibc malloc/malloc.c, _int_free) and
 * malloc_trim(3) can return its whole pages, exactly as in a C program. One HeapBlock
 * per block, by contrast, mallocs its wrapper and N-API reference between the blocks.
 * A forgotten set is freed by its finalizer; close() frees it now and is idempotent.
 */
import { native, type NativeBlockSet } from '../native/loader';
import { closedHandle, invalidArgType, invalidArgValue, outOfRange } from '../util/errors';
import { optionalBoolean, optionalCount, rejectUnknownKeys, validateCount, validateOptions } from '../util/validate';
import { toResidency } from '../memory/residency';
import { DEFAULT_MAX_RUNS, MAX_RUNS } from '../memory/mapping';
import { programBreak } from './control';
import { readMaps } from '../proc/maps';
import type { Counters, Residency } from '../memory/types';

/** Most blocks one set holds (its pointer table is then 512 MiB). */
export const MAX_BLOCK_SET_COUNT = 2 ** 26;
/** Most entries of a size pattern. */
export const MAX_BLOCK_SIZE_PATTERN = 4096;

/** Options of mallocBlocks(): give exactly one of sizeBytes and sizesBytes. */
export interface MallocBlocksOptions {
  /** How many blocks, 1 … 2^26. */
  count: number;
  /** Every block's size, bytes (>= 1). */
  sizeBytes?: number;
  /** A size pattern, bytes: block i gets sizesBytes[i % sizesBytes.length] (1 … 4096 entries, each >= 1). */
  sizesBytes?: readonly number[];
  /** Write every byte of each block right after its malloc (default false): its pages become resident. */
  fill?: boolean;
  /**
   * glibc only, main thread only: first allocate what is left of the main arena's top
   * chunk (the set owns those fillers and frees them on close), so the blocks are
   * carved from fresh heap above everything else. CHANGES the heap's shape.
   */
  drainTop?: boolean;
}

/**
 * Which blocks free() releases:
 * - 'all';
 * - { index }: one block;
 * - { start?, end?, every?, phase?, except? }: the indices i in [start, end) (default
 *   the whole set) with (i - start) % every === phase (every defaults to 1, phase to
 *   0); with except: true, every index of the range BUT those ("all but one in k").
 * Blocks already freed are skipped.
 */
export type BlockSelection =
  | 'all'
  | { index: number }
  | { start?: number; end?: number; every?: number; phase?: number; except?: boolean };

/** What one free() call did, measured inside the call (RUSAGE_THREAD, CLOCK_MONOTONIC). */
export interface BlockSetFreeResult extends Counters {
  /** Blocks freed by this call. */
  freedBlocks: number;
  /** Their requested bytes. */
  freedBytes: number;
}

/** Counts per source. */
export interface SourceCounts {
  /** Main-arena chunks (the brk heap). */
  brk: number;
  /** Chunks with their own mapping (IS_MMAPPED). */
  mmap: number;
  /** Thread-arena chunks (NON_MAIN_ARENA). */
  threadArena: number;
}

/**
 * The live blocks classified together by two witnesses of lib/malloc/classify.ts: the
 * chunk flags (the size word before each block, glibc malloc.c) and the address (inside
 * [start of `[heap]`, program break) or not).
 */
export interface BlockSetSummary {
  count: number;
  liveCount: number;
  requestedBytes: number;
  liveRequestedBytes: number;
  /** Sum of malloc_usable_size(3) over the live blocks, bytes. */
  usableBytes: number;
  /** By the flags witness. */
  flags: SourceCounts;
  /** Blocks whose address witness agrees with their flags, by source. */
  agreed: SourceCounts;
  /** Blocks whose two witnesses disagree. */
  disputed: number;
  /** Lowest live block address and highest live block end (display), null when none is live. */
  lowAddress: bigint | null;
  highEnd: bigint | null;
  /**
   * With options.arenaHeapBytes (glibc's HEAP_MAX_SIZE, read from the maps): the
   * distinct heap starts (address rounded down to it) of the thread-arena blocks.
   */
  arenaHeapStarts: bigint[];
}

/** Information on one block. */
export interface BlockInfo {
  /** malloc's address (display), null once freed. */
  address: bigint | null;
  sizeBytes: number;
  /** malloc_usable_size(3), null once freed. */
  usableSizeBytes: number | null;
}

function readSizes(opts: Record<string, unknown>): number[] {
  const one = opts['sizeBytes'];
  const many = opts['sizesBytes'];
  if (one !== undefined && many !== undefined) throw invalidArgValue('sizesBytes', 'cannot be combined with sizeBytes (give one size or a pattern)');
  if (one !== undefined) return [validateCount(one, 'sizeBytes', 1)];
  if (many === undefined) throw invalidArgType('sizeBytes', 'of type number (or give sizesBytes, an array of sizes)', undefined);
  if (!Array.isArray(many)) throw invalidArgType('sizesBytes', 'an array of numbers', many);
  if (many.length < 1 || many.length > MAX_BLOCK_SIZE_PATTERN) throw outOfRange('sizesBytes.length', `>= 1 and <= ${MAX_BLOCK_SIZE_PATTERN}`, many.length);
  return many.map((s: unknown, i) => validateCount(s, `sizesBytes[${i}]`, 1));
}

/**
 * malloc(3) `count` blocks in one native call, sizes cycled from the pattern. Throws
 * ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE / ERR_INVALID_ARG_VALUE for bad options,
 * ENOMEM (syscall 'malloc' or 'mmap') when the blocks or the table cannot be had — then
 * nothing stays allocated — and ERR_VMPROBE_UNSUPPORTED for drainTop off glibc, under a
 * replacement allocator, or off the main thread.
 */
export function mallocBlocks(options: MallocBlocksOptions): BlockSet {
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['count', 'sizeBytes', 'sizesBytes', 'fill', 'drainTop']);
  if (opts['count'] === undefined) throw invalidArgType('count', 'of type number', undefined);
  const count = validateCount(opts['count'], 'count', 1, MAX_BLOCK_SET_COUNT);
  const sizesBytes = readSizes(opts);
  const fill = optionalBoolean(opts['fill'], 'fill', false);
  const drainTop = optionalBoolean(opts['drainTop'], 'drainTop', false);
  return new BlockSet(new native.BlockSet({ count, sizesBytes, fill, drainTop }));
}

/** N heap blocks owned together (see mallocBlocks). */
export class BlockSet {
  readonly #handle: NativeBlockSet;
  /** Faults and time of the whole allocation loop (count mallocs, and the fill). */
  readonly creation: Counters;

  /** @internal Use mallocBlocks(). */
  constructor(handle: NativeBlockSet) {
    if (!(handle instanceof native.BlockSet)) throw invalidArgType('handle', 'a native block set (create one with mallocBlocks())', handle);
    this.#handle = handle;
    this.creation = handle.creation;
  }

  /** Blocks the set was made with. */
  get count(): number {
    return this.#handle.count;
  }
  /** Blocks not yet freed (0 once closed). */
  get liveCount(): number {
    return this.#handle.liveCount;
  }
  /** Requested bytes of all blocks, bytes. */
  get bytes(): number {
    return this.#handle.requestedBytes;
  }
  /** Requested bytes of the live blocks, bytes. */
  get liveBytes(): number {
    return this.#handle.liveRequestedBytes;
  }
  /** Top-chunk bytes allocated as fillers before the blocks (drainTop), else 0. */
  get drainedTopBytes(): number {
    return this.#handle.drainedTopBytes;
  }
  /** True after close(). */
  get closed(): boolean {
    return this.#handle.closed;
  }

  #open(): NativeBlockSet {
    if (this.#handle.closed) throw closedHandle('block set', 'close');
    return this.#handle;
  }

  /** free(3) the selected blocks in one native call (see BlockSelection); throws ERR_OUT_OF_RANGE for indices outside the set. */
  free(selection: BlockSelection): BlockSetFreeResult {
    const handle = this.#open();
    const n = handle.count;
    let start = 0;
    let end = n;
    let every = 1;
    let phase = 0;
    let except = false;
    if (selection !== 'all') {
      const s = validateOptions(selection, 'selection');
      if ('index' in s) {
        rejectUnknownKeys(s, 'selection', ['index']);
        start = validateCount(s['index'], 'selection.index', 0, n - 1);
        end = start + 1;
      } else {
        rejectUnknownKeys(s, 'selection', ['start', 'end', 'every', 'phase', 'except']);
        start = optionalCount(s['start'], 'selection.start', 0, 0, n);
        end = optionalCount(s['end'], 'selection.end', n, start, n);
        every = optionalCount(s['every'], 'selection.every', 1, 1, MAX_BLOCK_SET_COUNT);
        phase = optionalCount(s['phase'], 'selection.phase', 0, 0, every - 1);
        except = optionalBoolean(s['except'], 'selection.except', false);
      }
    }
    return handle.free(start, end, every, phase, except);
  }

  /**
   * The live blocks classified together (BlockSetSummary). Reads sbrk(0) and
   * /proc/self/maps first (Node's read mallocs a buffer: call it when that no longer
   * matters). options.arenaHeapBytes: a power of two, glibc's arena heap size, to
   * collect thread-arena heap starts. Throws ERR_VMPROBE_UNSUPPORTED off glibc or under
   * a replacement allocator (no chunk headers to read).
   */
  summary(options: { arenaHeapBytes?: number } = {}): BlockSetSummary {
    const handle = this.#open();
    const opts = validateOptions(options);
    rejectUnknownKeys(opts, 'options', ['arenaHeapBytes']);
    const align = optionalCount(opts['arenaHeapBytes'], 'arenaHeapBytes', 0, 0, 2 ** 40);
    if (align !== 0 && (align & (align - 1)) !== 0) throw invalidArgValue('arenaHeapBytes', `must be a power of two. Received ${align}`);
    const brk = programBreak();
    const heap = readMaps().find((e) => e.path === '[heap]');
    const c = handle.classify(heap?.start ?? 0n, heap === undefined ? 0n : brk, align);
    return {
      count: handle.count, liveCount: handle.liveCount, requestedBytes: handle.requestedBytes, liveRequestedBytes: handle.liveRequestedBytes,
      usableBytes: c.usableBytes, flags: c.flags, agreed: c.agreed, disputed: c.disputed, lowAddress: c.lowAddress, highEnd: c.highEnd,
      arenaHeapStarts: c.alignedBases,
    };
  }

  /** One block's address and sizes; throws ERR_OUT_OF_RANGE outside [0, count). */
  block(index: number): BlockInfo {
    const handle = this.#open();
    return handle.block(validateCount(index, 'index', 0, handle.count - 1));
  }

  /**
   * mincore(2) over the pages from the lowest live block to the highest live end. Throws
   * ENOMEM when that span crosses unmapped addresses (blocks in several mappings).
   */
  residency(options: { maxRuns?: number } = {}): Residency {
    const handle = this.#open();
    const opts = validateOptions(options);
    rejectUnknownKeys(opts, 'options', ['maxRuns']);
    return toResidency(handle.residency(optionalCount(opts['maxRuns'], 'maxRuns', DEFAULT_MAX_RUNS, 0, MAX_RUNS)));
  }

  /** free(3) every live block, unmap the tables. Calling it again does nothing. */
  close(): void {
    this.#handle.close();
  }
}
