/**
 * The malloc experiment's child-process entry points (run through lib/child/spawn.ts): one
 * export per step group, each run in its own fresh process because it changes that
 * process's malloc state (mallopt, trimming, arenas, the dynamic threshold).
 * Step modules are loaded lazily: loading (compiling) code makes V8 free mmapped
 * chunks, which raises glibc's dynamic threshold, so the sources task searches the
 * crossover before loading anything else.
 */
import type { SearchBlock } from './crossover';
import type { SourcesPayload } from './sources';
import type { ThresholdPayload } from './threshold';
import type { TrimPayload } from './trim';
import type { ArenaPayload } from './arenas';
import type { ArenaStep, CarveStep, CrossoverSearch, DynamicThresholdStep, MalloptStep, SourcesChildResult, TrimStep } from './measurements';

/** Child task: steps 1, 2, 4, 5, 8 (the crossover first). */
export async function measureSources(payload: SourcesPayload): Promise<SourcesChildResult> {
  const { searchCrossover } = await import('./crossover');
  const keep: SearchBlock[] = [];
  const early = searchCrossover(1, payload.maxSweepBytes, keep);
  const { measureSourcesAfter } = await import('./sources');
  return measureSourcesAfter(payload, early, keep);
}

/**
 * Child task: the crossover glibc starts from — run with its dynamic threshold switched
 * off from process start (see runMalloc), the search first thing, nothing else loaded.
 */
export async function measureStartingThreshold(payload: { maxSweepBytes: number }): Promise<CrossoverSearch> {
  const { searchCrossover } = await import('./crossover');
  const keep: SearchBlock[] = [];
  return searchCrossover(1, payload.maxSweepBytes, keep);
}

/** Child task: step 3b. */
export async function measureDynamicThreshold(payload: ThresholdPayload): Promise<DynamicThresholdStep> {
  return (await import('./threshold')).measureDynamicThreshold(payload);
}

/** Child task: step 3c. */
export async function measureMallopt(payload: ThresholdPayload): Promise<MalloptStep> {
  return (await import('./threshold')).measureMallopt(payload);
}

/** Child task: step 3a. */
export async function measureCarve(payload: ThresholdPayload): Promise<Omit<CarveStep, 'sweepCarvedSizes'>> {
  return (await import('./threshold')).measureCarve(payload);
}

/** Child task: step 6. */
export async function measureTrim(payload: TrimPayload): Promise<TrimStep> {
  return (await import('./trim')).measureTrim(payload);
}

/** Child task: step 7. */
export async function measureArenas(payload: ArenaPayload): Promise<ArenaStep> {
  return (await import('./arenas')).measureArenas(payload);
}
