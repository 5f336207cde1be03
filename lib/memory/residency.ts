/**
 * Residency limits and shape: the run limits and the public Residency form of the
 * addon's mincore scan, shared by the handles (lib/memory/handle.ts), buffers and block
 * sets.
 */
import type { NativeResidency } from '../native/loader';
import { LIMITS } from '../native/tables';
import { optionalCount } from '../util/validate';
import type { Residency } from './types';

/** The native touch's stride for "one access in every page the range spans". */
export const EVERY_PAGE = 0;
/** The most runs residency() returns (the addon's limit, native/residency.h kMaxRuns): more objects could exhaust V8's heap. */
export const MAX_RUNS: number = LIMITS.maxRuns;
/** Runs reported by residency() unless maxRuns says otherwise. */
export const DEFAULT_MAX_RUNS = 1024;

/** Turns the addon's residency scan into the public Residency shape. */
export function toResidency(raw: NativeResidency): Residency {
  return { ...raw, runsTruncated: raw.runs.length < raw.runCount };
}

/** Validates maxRuns (default DEFAULT_MAX_RUNS, at most MAX_RUNS). */
export function maxRunsOption(value: unknown): number {
  return optionalCount(value, 'maxRuns', DEFAULT_MAX_RUNS, 0, MAX_RUNS);
}
