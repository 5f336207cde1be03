/**
 * The four workloads and their sizes at a given scale. Sizes are chosen so that one
 * child at scale 1 peaks around 100–200 MiB and the whole run (7 configurations × 4
 * workloads × 3 repetitions) takes about a minute on 2 cores; `scale` multiplies the
 * counts (never the block sizes, which decide where glibc puts a block).
 */
import type { NativeWorkloadOptions } from '../../native/loader';

/** A workload's id. */
export type WorkloadId = 'fragmentation' | 'worker-churn' | 'large-blocks' | 'steady';
/** Every workload, in table order. */
export const WORKLOAD_IDS: readonly WorkloadId[] = ['fragmentation', 'worker-churn', 'large-blocks', 'steady'];

/** One line per workload for the table and --help. */
export const WORKLOAD_DESCRIPTIONS: Readonly<Record<WorkloadId, string>> = {
  fragmentation: 'T native threads allocate many small blocks (16 B–4 KiB, log-uniform), then free all but 1 in 64',
  'worker-churn': 'rounds of T worker_threads that allocate Buffers (4–256 KiB) and strings, then exit (nodejs/node#51868)',
  'large-blocks': 'T native threads allocate and free blocks of 2–24 MiB (at least 16 each), keeping a 1 KiB block every 4th time',
  steady: 'T native threads run a mixed malloc/free loop (16 B–8 KiB) over 4096 live slots each, then free everything',
};

/** The worker-churn workload's parameters (JS-driven). */
export interface ChurnParams {
  rounds: number;
  workersPerRound: number;
  buffersPerWorker: number;
  minBufferBytes: number;
  maxBufferBytes: number;
  stringsPerWorker: number;
  seed: number;
}

/** A workload's parameters: native (one runAllocatorWorkload call) or worker churn. */
export type WorkloadParams =
  | { workload: 'fragmentation' | 'large-blocks' | 'steady'; native: Omit<NativeWorkloadOptions, 'release'> }
  | { workload: 'worker-churn'; churn: ChurnParams };

const SEED = 0x5eed;

/**
 * The fewest iterations per thread of the large-blocks workload, whatever the scale.
 * glibc's dynamic threshold is one process-wide value that the first free of an
 * mmapped chunk raises: with a handful of iterations per thread, which thread frees
 * first decides whether the others' blocks land in the heap or in mmap, and the RSS
 * retained came out bimodal here (17 or 30 MiB at 3 iterations, 4 threads, the same
 * seed). From 16 iterations on, every repetition has settled (102–112 MiB at scale 0.5).
 */
export const LARGE_BLOCKS_MIN_ITERATIONS = 16;

/** The parameters of `workload` at `scale` with `threads` threads (counts rounded, at least 1). */
export function workloadParams(workload: WorkloadId, scale: number, threads: number): WorkloadParams {
  const n = (full: number): number => Math.max(1, Math.round(full * scale));
  switch (workload) {
    case 'fragmentation':
      return { workload, native: { kind: 'fragmentation', threads, count: n(32768), keepEvery: 64, minBytes: 16, maxBytes: 4096, seed: SEED } };
    case 'large-blocks':
      return { workload, native: { kind: 'large-blocks', threads, count: Math.max(LARGE_BLOCKS_MIN_ITERATIONS, n(32)), keepEvery: 4, survivorBytes: 1024, minBytes: 2 << 20, maxBytes: 24 << 20, seed: SEED } };
    case 'steady':
      return { workload, native: { kind: 'steady', threads, count: n(200_000), slots: 4096, minBytes: 16, maxBytes: 8192, seed: SEED } };
    case 'worker-churn':
      return { workload, churn: { rounds: n(4), workersPerRound: threads, buffersPerWorker: n(256), minBufferBytes: 4096, maxBufferBytes: 256 * 1024, stringsPerWorker: n(10_000), seed: SEED } };
  }
}
