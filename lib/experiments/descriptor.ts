/**
 * What an experiment tells the CLI and the report about itself: its name, one line of
 * help, its CLI options and how they map onto its own options, and its runner. Its
 * renderers are keyed by the same name in lib/render/ (renderers load no runner).
 */
import type { ExperimentResult } from '../report/result';

/** Options every experiment may receive from the CLI (each uses what it knows). */
export interface ExperimentCliOptions {
  /** --size in bytes. */
  sizeBytes?: number;
  /** --limit in bytes (Infinity = unlimited). */
  limitBytes?: number;
  /** --frame in bytes. */
  frameBytes?: number;
  /** --pid: another process to examine (layout). */
  pid?: number;
  /** --threads N (allocators), as given. */
  threads?: string;
  /** --scale S (allocators), as given. */
  scale?: string;
  /** --only LIST given to `vmprobe allocators` alone: its configurations, as given. */
  configurations?: string;
  /** True when `vmprobe report` runs it: an experiment may then run at a reduced scale. */
  inReport?: boolean;
  /** Progress callback: a short description of what is starting. */
  onProgress?: (what: string) => void;
}

/** The experiment options of the CLI, by flag name without `--`. */
export type ExperimentCliFlag = 'size' | 'limit' | 'frame' | 'pid' | 'threads' | 'scale';

/** One runnable experiment whose results are `R`. */
export interface ExperimentDescriptor<N extends string = string, R extends ExperimentResult<unknown, N> = ExperimentResult<unknown, N>> {
  name: N;
  /** One line for --help. */
  description: string;
  /** Which CLI options it takes, for --help. */
  options: readonly string[];
  /** The CLI flags it uses; any other experiment flag given to it is a usage error. */
  accepts: readonly ExperimentCliFlag[];
  /** Runs it with the CLI's options mapped onto its own. */
  run(options: ExperimentCliOptions): Promise<R>;
}

/** `{ onStep }` forwarding each step, prefixed with the experiment, to the CLI's progress callback (empty without one). */
export function progressOption(name: string, o: ExperimentCliOptions): { onStep?: (step: string) => void } {
  const progress = o.onProgress;
  return progress ? { onStep: (step) => progress(`${name}: ${step}`) } : {};
}
