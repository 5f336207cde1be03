/**
 * What Mapping and HeapBlock share: one implementation of the address/size/closed
 * accessors and of touch / residency / pagemap over a byte range of a native handle.
 * Each class passes its handle, the words of its ERR_VMPROBE_CLOSED message and whether
 * its memory is private anonymous (which enables pagemap's zero-page count).
 */
import type { NativeCounters, NativeResidency, NativeTouchResult } from '../native/loader';
import { closedHandle } from '../util/errors';
import { optionalBoolean, optionalCount, validateChoice } from '../util/validate';
import { resolveRange, type RangeOptions } from './range';
import { summarizePagemap, type PagemapSummary } from '../pages/summary';
import { EVERY_PAGE, maxRunsOption, toResidency } from './residency';
import type { Counters, Residency, TouchOptions, TouchResult } from './types';

const TOUCH_KEYS = ['offsetBytes', 'lengthBytes', 'strideBytes', 'mode'] as const;
const RESIDENCY_KEYS = ['offsetBytes', 'lengthBytes', 'maxRuns'] as const;
const PAGEMAP_KEYS = ['offsetBytes', 'lengthBytes', 'entries'] as const;
const TOUCH_MODES = ['read', 'write'] as const;

/** A native handle over a byte range: the addon's Mapping or HeapBlock. */
export interface NativeRangeHandle {
  readonly address: bigint | null;
  readonly sizeBytes: number;
  readonly closed: boolean;
  readonly creation: NativeCounters;
  touch(offsetBytes: number, lengthBytes: number, strideBytes: number, mode: 'read' | 'write'): NativeTouchResult;
  residency(offsetBytes: number, lengthBytes: number, maxRuns: number): NativeResidency;
}

/** How a handle names itself once released: `this <kind> was released by <releasedBy>()`. */
export interface HandleNames {
  kind: string;
  releasedBy: string;
}

/** Returns `handle`, or throws ERR_VMPROBE_CLOSED (naming the handle) once it was released. */
export function openHandle<H extends { readonly closed: boolean }>(handle: H, names: HandleNames): H {
  if (handle.closed) throw closedHandle(names.kind, names.releasedBy);
  return handle;
}

/**
 * The base of Mapping and HeapBlock: memory vmprobe owns through a native handle,
 * reached only through methods whose ranges are checked here and again in native code.
 */
export abstract class MemoryHandle {
  readonly #handle: NativeRangeHandle;
  readonly #names: HandleNames;
  readonly #privateAnonymous: boolean;
  /**
   * Faults and time of the call that made the memory: mmap (MAP_POPULATE faults land
   * here) for a Mapping, malloc/calloc/posix_memalign for a HeapBlock.
   */
  readonly creation: Counters;

  /** @internal The subclass has checked that `handle` is the addon's own. */
  protected constructor(handle: NativeRangeHandle, names: HandleNames, privateAnonymous: boolean) {
    this.#handle = handle;
    this.#names = names;
    this.#privateAnonymous = privateAnonymous;
    this.creation = handle.creation;
  }

  /** Start address (malloc's, for a heap block), for display and comparison only (null once released). */
  get address(): bigint | null {
    return this.#handle.address;
  }
  /** Bytes requested. */
  get sizeBytes(): number {
    return this.#handle.sizeBytes;
  }
  /** True after unmap() (a Mapping) or free() (a HeapBlock). */
  get closed(): boolean {
    return this.#handle.closed;
  }

  /**
   * Reads or writes one byte in every page the range spans (or one every `strideBytes`),
   * in native code, and returns what that same call measured: pages touched, minor and
   * major faults of this thread, elapsed ns.
   */
  touch(options: TouchOptions = {}): TouchResult {
    const handle = openHandle(this.#handle, this.#names);
    const r = resolveRange(options, handle.sizeBytes, TOUCH_KEYS);
    const stride = optionalCount(r['strideBytes'], 'strideBytes', EVERY_PAGE, 1);
    const mode = validateChoice(r['mode'], 'mode', TOUCH_MODES, 'read');
    return handle.touch(r.offsetBytes, r.lengthBytes, stride, mode);
  }

  /**
   * mincore(2) residency of the pages the range spans (pages, resident pages, run-length
   * runs). A heap block shares its first and last pages with neighbouring blocks.
   */
  residency(options: RangeOptions & { maxRuns?: number } = {}): Residency {
    const handle = openHandle(this.#handle, this.#names);
    const r = resolveRange(options, handle.sizeBytes, RESIDENCY_KEYS);
    return toResidency(handle.residency(r.offsetBytes, r.lengthBytes, maxRunsOption(r['maxRuns'])));
  }

  /**
   * /proc/self/pagemap over the pages the range spans: present, swapped, exclusive, zero
   * pages, … (zero pages are counted in private anonymous memory: heap blocks and
   * private anonymous mappings).
   */
  pagemap(options: RangeOptions & { entries?: boolean } = {}): PagemapSummary {
    const handle = openHandle(this.#handle, this.#names);
    const r = resolveRange(options, handle.sizeBytes, PAGEMAP_KEYS);
    const entries = optionalBoolean(r['entries'], 'entries', false);
    return summarizePagemap((handle.address as bigint) + BigInt(r.offsetBytes), r.lengthBytes, { privateAnonymous: this.#privateAnonymous, entries });
  }
}
