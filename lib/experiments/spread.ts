/**
 * Repeated samples and their spread, for figures other threads or timing noise can move.
 * A verdict that compares such figures changes only when the difference exceeds the
 * spread measured in the same run (see docs/reliability-stability.md).
 */

/** The smallest, middle and largest of some samples. */
export interface Spread {
  samples: number;
  min: number;
  median: number;
  max: number;
}

/** min / median / max of `values` (median of an even count: the mean of the middle two). Throws on an empty list. */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spreadOf: no samples');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { samples: sorted.length, min: sorted[0] as number, median, max: sorted[sorted.length - 1] as number };
}
