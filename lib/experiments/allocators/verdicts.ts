/**
 * The allocators experiment's verdicts: pure functions from measured cells to the three
 * advice.* claims, per workload and overall, and the best configuration per workload.
 *
 * The noise rule: every comparison is between two sets of repetitions. A configuration
 * "lowers" a figure only when its worst repetition (max) is below the other's best
 * (min), the medians differ by more than the wider of the two ranges (the spread
 * measured over the repetitions), and that difference is material: at least MATERIAL_FRACTION_OF_PEAK of the
 * default configuration's peak on that workload. Overlapping ranges are "within the
 * noise"; disjoint ranges closer than that are "below-material" (a saving nobody would
 * notice, and one that a few hundred KiB of another thread's stack can tip either way).
 */
import { CLAIMS, type ClaimDefinition, type ClaimResult, type Verdict } from '../../report/claims';
import type { AllocatorConfigId } from './configs';
import type { BestConfig, CellResult, Spread } from './measurements';
import type { WorkloadId } from './workloads';

/** The advice claims this experiment judges: the catalogue's (lib/report/claims.ts) entries for 'allocators'. */
export const ALLOCATOR_CLAIMS: readonly ClaimDefinition[] = CLAIMS.filter((c) => c.experiment === 'allocators');

/**
 * The smallest difference that counts as lowering (or raising) the memory kept, as a
 * fraction of the default glibc configuration's median peak RSS on the workload.
 * Measured here at the report's scale: every saving the advice produces on its own
 * workloads was 7.5–69 % of the peak; the one effect below (MALLOC_ARENA_MAX=2 on
 * worker churn, 0.6–2.2 %) came out beyond or within the spread of 2 repetitions from
 * run to run, so a verdict resting on it changed between runs.
 */
export const MATERIAL_FRACTION_OF_PEAK = 0.05;

/** How a variant's figures compare with a baseline's, by the noise rule. */
export interface Comparison {
  outcome: 'lower' | 'higher' | 'within-noise' | 'below-material';
  baselineMedianBytes: number;
  variantMedianBytes: number;
  /** variant − baseline, medians (negative: lower). */
  differenceBytes: number;
  /** The larger of the two ranges (max − min). */
  noiseBytes: number;
  /** The smallest |difference| that counts (0: any difference beyond the noise). */
  materialBytes: number;
}

/**
 * Compares two spreads by the noise rule: 'within-noise' when the ranges overlap or the
 * medians differ by no more than the wider range; else 'below-material' when they differ
 * by less than `materialBytes`; else 'lower' or 'higher'.
 */
export function compareSpreads(baseline: Spread, variant: Spread, materialBytes = 0): Comparison {
  const differenceBytes = variant.median - baseline.median;
  const noiseBytes = Math.max(baseline.max - baseline.min, variant.max - variant.min);
  const disjoint = variant.max < baseline.min || variant.min > baseline.max;
  const outcome = !disjoint || Math.abs(differenceBytes) <= noiseBytes ? 'within-noise'
    : Math.abs(differenceBytes) < materialBytes ? 'below-material'
    : differenceBytes < 0 ? 'lower' : 'higher';
  return { outcome, baselineMedianBytes: baseline.median, variantMedianBytes: variant.median, differenceBytes, noiseBytes, materialBytes };
}

/** One workload's verdict on one claim. */
export interface WorkloadVerdict {
  workload: WorkloadId;
  verdict: Verdict;
  summary: string;
  comparison: Comparison | null;
  /** A second comparison where the verdict rests on one (jemalloc: after its purge). */
  afterRelease: Comparison | null;
}

const MiB = 1024 * 1024;
/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

function describe(c: Comparison, baseName: string, variantName: string): string {
  const numbers = `${variantName} ${mib(c.variantMedianBytes)} vs ${baseName} ${mib(c.baselineMedianBytes)} (medians; spread ${mib(c.noiseBytes)})`;
  if (c.outcome === 'within-noise') return `within the noise: ${numbers}`;
  if (c.outcome === 'below-material') {
    return `${c.differenceBytes < 0 ? 'lower' : 'higher'} by only ${mib(Math.abs(c.differenceBytes))}, under the ${mib(c.materialBytes)} (${MATERIAL_FRACTION_OF_PEAK * 100} % of the default's peak) that counts: ${numbers}`;
  }
  return `${c.outcome} by ${mib(Math.abs(c.differenceBytes))}: ${numbers}`;
}

function cellOf(cells: readonly CellResult[], config: AllocatorConfigId, workload: WorkloadId): CellResult | undefined {
  return cells.find((c) => c.config === config && c.workload === workload);
}

interface Measured {
  retained: Spread;
  released: Spread;
  /** MATERIAL_FRACTION_OF_PEAK of this cell's median peak. */
  materialBytes: number;
}

/** The cell's spreads, or a not-applicable verdict saying why there are none. */
function measured(workload: WorkloadId, cells: readonly CellResult[], config: AllocatorConfigId): Measured | WorkloadVerdict {
  const cell = cellOf(cells, config, workload);
  if (cell && cell.status === 'measured' && cell.retainedBytes && cell.releasedBytes && cell.peakBytes) {
    return { retained: cell.retainedBytes, released: cell.releasedBytes, materialBytes: Math.max(0, cell.peakBytes.median) * MATERIAL_FRACTION_OF_PEAK };
  }
  const why = cell ? `${config}: ${cell.status}${cell.reason ? ` (${cell.reason})` : ''}` : `${config} was not run`;
  return { workload, verdict: 'not-applicable', summary: why, comparison: null, afterRelease: null };
}

function isVerdict(m: Measured | WorkloadVerdict): m is WorkloadVerdict {
  return 'verdict' in m;
}

function lowersVerdict(workload: WorkloadId, c: Comparison, baseName: string, variantName: string): WorkloadVerdict {
  return { workload, verdict: c.outcome === 'lower' ? 'holds' : 'refuted', summary: describe(c, baseName, variantName), comparison: c, afterRelease: null };
}

/** advice.arena-max on one workload: glibc with MALLOC_ARENA_MAX=2 vs glibc, retained bytes. */
export function judgeArenaMax(cells: readonly CellResult[], workload: WorkloadId): WorkloadVerdict {
  const base = measured(workload, cells, 'glibc');
  if (isVerdict(base)) return base;
  const tuned = measured(workload, cells, 'glibc-arena-max-2');
  if (isVerdict(tuned)) return tuned;
  return lowersVerdict(workload, compareSpreads(base.retained, tuned.retained, base.materialBytes), 'default', 'ARENA_MAX=2');
}

/** advice.malloc-trim on one workload: glibc's RSS after malloc_trim(0) vs before it, same children. */
export function judgeMallocTrim(cells: readonly CellResult[], workload: WorkloadId): WorkloadVerdict {
  const base = measured(workload, cells, 'glibc');
  if (isVerdict(base)) return base;
  return lowersVerdict(workload, compareSpreads(base.retained, base.released, base.materialBytes), 'before', 'after trim');
}

/**
 * advice.jemalloc on one workload: jemalloc's retained bytes vs glibc's. Holds when
 * lower beyond the noise; qualified when only jemalloc's RSS after an explicit purge
 * is lower (its dirty pages decay on a timer, `decayMs` when known); refuted otherwise.
 */
export function judgeJemalloc(cells: readonly CellResult[], workload: WorkloadId, decayMs: number | null = null): WorkloadVerdict {
  const je = measured(workload, cells, 'jemalloc');
  if (isVerdict(je)) return je;
  const base = measured(workload, cells, 'glibc');
  if (isVerdict(base)) return base;
  const c = compareSpreads(base.retained, je.retained, base.materialBytes);
  if (c.outcome === 'lower') return lowersVerdict(workload, c, 'glibc', 'jemalloc');
  const purged = compareSpreads(base.retained, je.released, base.materialBytes);
  if (purged.outcome === 'lower') {
    const decay = decayMs === null ? 'on its decay timer' : `after its dirty_decay_ms (${decayMs} ms)`;
    return {
      workload, verdict: 'qualified', comparison: c, afterRelease: purged,
      summary: `only after an explicit purge (or ${decay}): ${describe(purged, 'glibc', 'jemalloc purged')}; right after the load ${describe(c, 'glibc', 'jemalloc')}`,
    };
  }
  return { ...lowersVerdict(workload, c, 'glibc', 'jemalloc'), afterRelease: purged };
}

/** Combines per-workload verdicts: all hold → holds; none measured → not-applicable; none hold → refuted; else qualified. */
export function combineVerdicts(id: string, perWorkload: readonly WorkloadVerdict[]): ClaimResult {
  const applicable = perWorkload.filter((w) => w.verdict !== 'not-applicable');
  const lines = perWorkload.map((w) => `${w.workload}: ${w.verdict === 'holds' ? 'lower' : w.verdict} — ${w.summary}`);
  let verdict: Verdict;
  if (applicable.length === 0) verdict = 'not-applicable';
  else if (applicable.every((w) => w.verdict === 'holds')) verdict = 'holds';
  else if (applicable.every((w) => w.verdict === 'refuted')) verdict = 'refuted';
  else verdict = 'qualified';
  const held = applicable.filter((w) => w.verdict === 'holds').map((w) => w.workload);
  const head = verdict === 'not-applicable' ? 'not measured on this host'
    : verdict === 'holds' ? `lower beyond the noise, by ${MATERIAL_FRACTION_OF_PEAK * 100} % of the peak or more, on every workload measured (${held.join(', ')})`
    : verdict === 'refuted' ? `not lower beyond the noise by ${MATERIAL_FRACTION_OF_PEAK * 100} % of the peak on any workload measured`
    : `lower beyond the noise, by ${MATERIAL_FRACTION_OF_PEAK * 100} % of the peak or more, on ${held.length === 0 ? 'no workload outright' : held.join(', ')} only`;
  return { id, verdict, summary: `${head}. ${lines.join('; ')}`, evidence: { perWorkload } };
}

/** Judges the three advice.* claims over every workload. */
export function judgeAllocators(cells: readonly CellResult[], workloads: readonly WorkloadId[], jemallocDecayMs: number | null): ClaimResult[] {
  return [
    combineVerdicts('advice.arena-max', workloads.map((w) => judgeArenaMax(cells, w))),
    combineVerdicts('advice.malloc-trim', workloads.map((w) => judgeMallocTrim(cells, w))),
    combineVerdicts('advice.jemalloc', workloads.map((w) => judgeJemalloc(cells, w, jemallocDecayMs))),
  ];
}

/** The configuration with the lowest median retained bytes per workload, its margin over the runner-up, and whether that is within the noise. */
export function bestPerWorkload(cells: readonly CellResult[], workloads: readonly WorkloadId[]): BestConfig[] {
  return workloads.map((workload) => {
    const ranked = cells
      .filter((c): c is CellResult & { retainedBytes: Spread } => c.workload === workload && c.status === 'measured' && c.retainedBytes !== null)
      .sort((a, b) => a.retainedBytes.median - b.retainedBytes.median);
    const [best, second] = ranked;
    if (!best) return { workload, config: null, retainedBytes: null, runnerUp: null, runnerUpRetainedBytes: null, marginBytes: null, withinNoise: true };
    if (!second) return { workload, config: best.config, retainedBytes: best.retainedBytes.median, runnerUp: null, runnerUpRetainedBytes: null, marginBytes: null, withinNoise: false };
    return {
      workload, config: best.config, retainedBytes: best.retainedBytes.median,
      runnerUp: second.config, runnerUpRetainedBytes: second.retainedBytes.median,
      marginBytes: second.retainedBytes.median - best.retainedBytes.median,
      withinNoise: best.retainedBytes.max >= second.retainedBytes.min,
    };
  });
}
