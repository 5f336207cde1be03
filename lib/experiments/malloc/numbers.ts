/** Small numeric helpers of the malloc experiment (pure). */

/** The smallest power of two >= n (n >= 1). */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** The most common positive difference between consecutive distinct values (0 when there is none). */
export function mostCommonStep(values: readonly number[]): number {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  const counts = new Map<number, number>();
  for (let i = 1; i < distinct.length; i++) {
    const d = (distinct[i] as number) - (distinct[i - 1] as number);
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [d, c] of counts) if (c > bestCount || (c === bestCount && d < best)) [best, bestCount] = [d, c];
  return best;
}
