/**
 * The experiments the CLI and the report know, by name. Each entry says how to run the
 * experiment from CLI options; the experiment's own module does the work.
 */
import type { ExperimentResult } from '../result';
import { runLazy, LAZY_DEFAULT_SIZE_BYTES } from './lazy/index';
import { runMalloc, MALLOC_DEFAULT_MAX_SWEEP_BYTES } from './malloc/index';

/** Options every experiment may receive from the CLI (each uses what it knows). */
export interface ExperimentCliOptions {
  /** --size in bytes. */
  sizeBytes?: number;
  /** --limit in bytes (Infinity = unlimited). */
  limitBytes?: number;
  /** --frame in bytes. */
  frameBytes?: number;
  /** Progress callback: a short description of what is starting. */
  onProgress?: (what: string) => void;
}

/** One runnable experiment. */
export interface ExperimentEntry {
  name: string;
  /** One line for --help. */
  description: string;
  /** Which CLI options it takes, for --help. */
  options: string[];
  run(options: ExperimentCliOptions): Promise<ExperimentResult>;
}

/** Every experiment, in report order. */
export const EXPERIMENTS: readonly ExperimentEntry[] = [
  {
    name: 'lazy',
    description: 'lazy physical allocation: mapping costs nothing until a page is touched; each first touch faults',
    options: [`--size SIZE   bytes each step maps (default ${LAZY_DEFAULT_SIZE_BYTES / 1024 / 1024}MiB)`],
    run: async (o) => {
      const opts: Parameters<typeof runLazy>[0] = {};
      if (o.sizeBytes !== undefined) opts.sizeBytes = o.sizeBytes;
      if (o.onProgress) {
        const progress = o.onProgress;
        opts.onStep = (step) => progress(`lazy: ${step}`);
      }
      return runLazy(opts) as unknown as ExperimentResult;
    },
  },
  {
    name: 'malloc',
    description: "glibc malloc: brk vs mmap by three witnesses, the mmap threshold as it really behaves, rounding, free/trim, thread arenas",
    options: [`--size SIZE   largest size of the sweep (default ${MALLOC_DEFAULT_MAX_SWEEP_BYTES / 1024 / 1024}MiB)`],
    run: async (o) => {
      const opts: Parameters<typeof runMalloc>[0] = {};
      if (o.sizeBytes !== undefined) opts.maxSweepBytes = o.sizeBytes;
      if (o.onProgress) {
        const progress = o.onProgress;
        opts.onStep = (step) => progress(`malloc: ${step}`);
      }
      return (await runMalloc(opts)) as unknown as ExperimentResult;
    },
  },
];

/** The experiment called `name`, or undefined. */
export function findExperiment(name: string): ExperimentEntry | undefined {
  return EXPERIMENTS.find((e) => e.name === name);
}
