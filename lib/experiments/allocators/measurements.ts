/** The allocators experiment's measurement shapes (the JSON result, schema/allocators.schema.json). */
import type { NativeAllocatorIdentity, NativeReleaseOutcome } from '../../native/loader';
import type { AllocatorLibrary } from './find-allocators';
import type { AllocatorConfigId } from './configs';
import type { WorkloadId, WorkloadParams } from './workloads';

/** min / median / max over the repetitions. */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

/** What one child measured: one configuration, one workload, one repetition. */
export interface RepetitionSample {
  /** RSS before the workload, bytes. */
  baselineRssBytes: number;
  /** Highest RSS during the workload (VmHWM after a clear_refs reset), bytes. */
  peakRssBytes: number;
  /** RSS once the workload freed what it frees, bytes. */
  retainedRssBytes: number;
  /** RSS after the allocator's own release call, bytes. */
  releasedRssBytes: number;
  /** Bytes the workload still holds at the retained point (its kept blocks). */
  liveBytes: number;
  /** VSZ at the retained point, bytes. */
  vszBytes: number;
  /** Lines of /proc/self/maps at the retained point. */
  mappings: number;
  /** Minor faults of the whole child process during the workload (RUSAGE_SELF). */
  minorFaults: number;
  /** malloc + free calls (worker churn: Buffers and strings allocated) per second of the load. */
  opsPerSecond: number;
  release: NativeReleaseOutcome;
}

/** The proof that a child ran the allocator its configuration names. */
export interface AllocatorProof {
  /** The object that defines the malloc the process resolved (load order), from the child. */
  mallocProvider: string | null;
  /** Path of the allocator's mapping in the child's /proc/self/maps, null when absent. */
  mappedPath: string | null;
  /** True when the mapping is present, the malloc provider is that library, and it answers the named allocator's version call (glibc: no replacement loaded). */
  loaded: boolean;
  identity: NativeAllocatorIdentity;
}

/** One configuration × workload cell. */
export interface CellResult {
  config: AllocatorConfigId;
  workload: WorkloadId;
  status: 'measured' | 'missing' | 'not-loaded' | 'failed';
  /** Why it was not measured (missing library, failed proof, child error). */
  reason: string | null;
  proof: AllocatorProof | null;
  repetitions: RepetitionSample[];
  /** Spreads over the repetitions: the workload's own RSS (above baseline) and the counters. */
  peakBytes: Spread | null;
  retainedBytes: Spread | null;
  releasedBytes: Spread | null;
  vszBytes: Spread | null;
  mappings: Spread | null;
  minorFaults: Spread | null;
  opsPerSecond: Spread | null;
}

/** One configuration as run. */
export interface ConfigRun {
  id: AllocatorConfigId;
  label: string;
  allocator: string;
  env: Record<string, string>;
  /** The replacement's library (null for glibc configurations). */
  library: AllocatorLibrary | null;
  derivedFrom: AllocatorConfigId | null;
}

/** The measurements of `vmprobe allocators`. */
export interface AllocatorsMeasurements {
  scale: number;
  threads: number;
  repetitions: number;
  /** RSS figures of the cells are the workload's: the child's RSS minus its RSS before the workload. */
  rssBasis: 'above-baseline';
  workloads: { id: WorkloadId; description: string; params: WorkloadParams }[];
  configs: ConfigRun[];
  cells: CellResult[];
  /** The best configuration per workload by median retained bytes, or a tie within the noise. */
  best: BestConfig[];
  elapsedMs: number;
}

/** The lowest-retained configuration of one workload. */
export interface BestConfig {
  workload: WorkloadId;
  config: AllocatorConfigId | null;
  /** Median retained bytes of the best and of the runner-up. */
  retainedBytes: number | null;
  runnerUp: AllocatorConfigId | null;
  runnerUpRetainedBytes: number | null;
  /** runnerUp − best, medians, bytes. */
  marginBytes: number | null;
  /** True when the best's max is not below the runner-up's min: the ranking is within the noise. */
  withinNoise: boolean;
}

/** min/median/max of `values` (null when empty). */
export function spreadOf(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
  return { min: s[0] ?? NaN, median, max: s[s.length - 1] ?? NaN };
}
