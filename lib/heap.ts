/**
 * HeapBlock: one malloc(3)/calloc(3) block owned by a handle. free() is idempotent; a
 * forgotten block is freed by its finalizer. Accesses are bounded by the requested
 * size, never by address.
 */
import { native, type NativeHeapBlock } from './native';
import { closedHandle, invalidArgType } from './errors';
import { optionalBoolean, optionalCount, rejectUnknownKeys, validateChoice, validateCount, validateOptions } from './validate';
import { resolveRange, type RangeOptions } from './range';
import { summarizePagemap, type PagemapSummary } from './pages';
import { toResidency } from './residency-shape';
import { DEFAULT_MAX_RUNS, EVERY_PAGE } from './mapping';
import type { Counters, Residency, TouchOptions, TouchResult } from './types';

/** Options of malloc(). */
export interface MallocOptions {
  /** Bytes to allocate (>= 1). */
  sizeBytes: number;
  /** calloc(3) instead of malloc(3) (default false). */
  zeroed?: boolean;
}

/** Allocates a block with malloc(3) (or calloc(3) with `zeroed: true`). */
export function malloc(options: MallocOptions): HeapBlock {
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['sizeBytes', 'zeroed']);
  if (opts['sizeBytes'] === undefined) throw invalidArgType('sizeBytes', 'of type number', undefined);
  return new HeapBlock(new native.HeapBlock({
    sizeBytes: validateCount(opts['sizeBytes'], 'sizeBytes', 1),
    zeroed: optionalBoolean(opts['zeroed'], 'zeroed', false),
  }));
}

/** One heap block. */
export class HeapBlock {
  readonly #handle: NativeHeapBlock;
  /** Faults and time the malloc/calloc call took. */
  readonly creation: Counters;

  /** @internal Use malloc(). */
  constructor(handle: NativeHeapBlock) {
    // Exported for instanceof only: refuse anything but the addon's own handle.
    if (!(handle instanceof native.HeapBlock)) throw invalidArgType('handle', 'a native heap block (create a HeapBlock with malloc())', handle);
    this.#handle = handle;
    this.creation = handle.creation;
  }

  /** Address returned by malloc, for display and comparison only (null once freed). */
  get address(): bigint | null {
    return this.#handle.address;
  }
  /** Bytes requested. */
  get sizeBytes(): number {
    return this.#handle.sizeBytes;
  }
  /** malloc_usable_size(3): bytes actually usable in the block. */
  get usableSizeBytes(): number {
    return this.#handle.usableSizeBytes;
  }
  /** True after free(). */
  get closed(): boolean {
    return this.#handle.closed;
  }

  #open(): NativeHeapBlock {
    if (this.#handle.closed) throw closedHandle('heap block', 'free');
    return this.#handle;
  }

  /** Reads or writes one byte in every page the block's range spans (or every strideBytes), measured in the same native call. */
  touch(options: TouchOptions = {}): TouchResult {
    const handle = this.#open();
    const r = resolveRange(options, handle.sizeBytes, ['offsetBytes', 'lengthBytes', 'strideBytes', 'mode']);
    const stride = optionalCount(r['strideBytes'], 'strideBytes', EVERY_PAGE, 1);
    const mode = validateChoice(r['mode'], 'mode', ['read', 'write'] as const, 'read');
    return handle.touch(r.offsetBytes, r.lengthBytes, stride, mode);
  }

  /** mincore(2) over the pages the block's bytes span (shared with neighbouring blocks). */
  residency(options: RangeOptions & { maxRuns?: number } = {}): Residency {
    const handle = this.#open();
    const r = resolveRange(options, handle.sizeBytes, ['offsetBytes', 'lengthBytes', 'maxRuns']);
    const maxRuns = optionalCount(r['maxRuns'], 'maxRuns', DEFAULT_MAX_RUNS, 0, 2 ** 24);
    return toResidency(handle.residency(r.offsetBytes, r.lengthBytes, maxRuns));
  }

  /** pagemap over the pages the block spans (heap memory is private anonymous). */
  pagemap(options: RangeOptions & { entries?: boolean } = {}): PagemapSummary {
    const handle = this.#open();
    const r = resolveRange(options, handle.sizeBytes, ['offsetBytes', 'lengthBytes', 'entries']);
    return summarizePagemap((handle.address as bigint) + BigInt(r.offsetBytes), r.lengthBytes, {
      privateAnonymous: true,
      entries: optionalBoolean(r['entries'], 'entries', false),
    });
  }

  /** free(3). Calling it again does nothing. */
  free(): void {
    this.#handle.free();
  }
}
