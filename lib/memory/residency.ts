/**
 * What Mapping and HeapBlock share: the residency limits, and touch / residency /
 * pagemap over a byte range of a native handle. One implementation for both kinds of
 * handle; each class only says whether its memory is private anonymous.
 */
import type { NativeResidency, NativeTouchResult } from '../native/loader';
import { LIMITS } from '../native/tables';
import { optionalBoolean, optionalCount, validateChoice } from '../util/validate';
import { resolveRange, type RangeOptions } from './range';
import { summarizePagemap, type PagemapSummary } from '../pages/summary';
import type { Residency, TouchOptions, TouchResult } from './types';

/** The native touch's stride for "one access in every page the range spans". */
export const EVERY_PAGE = 0;
/** The most runs residency() returns (the addon's limit, native/residency.h kMaxRuns): more objects could exhaust V8's heap. */
export const MAX_RUNS: number = LIMITS.maxRuns;
/** Runs reported by residency() unless maxRuns says otherwise. */
export const DEFAULT_MAX_RUNS = 1024;

const TOUCH_KEYS = ['offsetBytes', 'lengthBytes', 'strideBytes', 'mode'] as const;
const RESIDENCY_KEYS = ['offsetBytes', 'lengthBytes', 'maxRuns'] as const;
const PAGEMAP_KEYS = ['offsetBytes', 'lengthBytes', 'entries'] as const;
const TOUCH_MODES = ['read', 'write'] as const;

/** A native handle over a byte range: a mapping or a heap block. */
export interface RangeHandle {
  readonly address: bigint | null;
  readonly sizeBytes: number;
  touch(offsetBytes: number, lengthBytes: number, strideBytes: number, mode: 'read' | 'write'): NativeTouchResult;
  residency(offsetBytes: number, lengthBytes: number, maxRuns: number): NativeResidency;
}

/** Turns the addon's residency scan into the public Residency shape. */
export function toResidency(raw: NativeResidency): Residency {
  return { ...raw, runsTruncated: raw.runs.length < raw.runCount };
}

/** Validates maxRuns (default DEFAULT_MAX_RUNS, at most MAX_RUNS). */
export function maxRunsOption(value: unknown): number {
  return optionalCount(value, 'maxRuns', DEFAULT_MAX_RUNS, 0, MAX_RUNS);
}

/** touch() of an open handle: validates the options, measures in one native call. */
export function touchRange(handle: RangeHandle, options: TouchOptions): TouchResult {
  const r = resolveRange(options, handle.sizeBytes, TOUCH_KEYS);
  const stride = optionalCount(r['strideBytes'], 'strideBytes', EVERY_PAGE, 1);
  const mode = validateChoice(r['mode'], 'mode', TOUCH_MODES, 'read');
  return handle.touch(r.offsetBytes, r.lengthBytes, stride, mode);
}

/** residency() of an open handle: mincore(2) over the range. */
export function rangeResidency(handle: RangeHandle, options: RangeOptions & { maxRuns?: number }): Residency {
  const r = resolveRange(options, handle.sizeBytes, RESIDENCY_KEYS);
  return toResidency(handle.residency(r.offsetBytes, r.lengthBytes, maxRunsOption(r['maxRuns'])));
}

/** pagemap() of an open handle; `privateAnonymous` enables the zero-page count. */
export function rangePagemap(handle: RangeHandle, options: RangeOptions & { entries?: boolean }, privateAnonymous: boolean): PagemapSummary {
  const r = resolveRange(options, handle.sizeBytes, PAGEMAP_KEYS);
  const entries = optionalBoolean(r['entries'], 'entries', false);
  return summarizePagemap((handle.address as bigint) + BigInt(r.offsetBytes), r.lengthBytes, { privateAnonymous, entries });
}
