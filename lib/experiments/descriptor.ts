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

/** The CLI flags that take a size in bytes. */
export type SizeFlag = 'size' | 'limit' | 'frame';

/** What a size flag allows, in bytes: the same bounds the experiment's runner checks, with their reasons. */
export interface SizeBounds {
  minBytes: number;
  /** Why the minimum is what it is, for the error message (e.g. 'the page size'), or null. */
  minReason: string | null;
  /** The largest value, or null for none. */
  maxBytes: number | null;
  maxReason: string | null;
  /** Whether the flag also takes 'unlimited' (Infinity). */
  unlimited: boolean;
  /**
   * Bytes the experiment makes resident at its peak per byte of the value (0: the value
   * does not drive its memory). The CLI refuses a value whose peak would exceed the
   * memory available (MemAvailable, the cgroup's limit) unless --force.
   */
  residentPerByte: number;
}

/** One runnable experiment whose results are `R`. */
export interface ExperimentDescriptor<N extends string = string, R extends ExperimentResult<unknown, N> = ExperimentResult<unknown, N>> {
  name: N;
  /** One line for --help. */
  description: string;
  /** Which CLI options it takes, for --help. */
  options: readonly string[];
  /** The CLI flags it uses; any other experiment flag given to it is a usage error. */
  accepts: readonly ExperimentCliFlag[];
  /** The bounds of each size flag it accepts, read from the host when asked (page size, hard limits). */
  sizeBounds(): Partial<Record<SizeFlag, SizeBounds>>;
  /**
   * Checks the CLI's options without running anything: throws ERR_INVALID_ARG_VALUE
   * (one line naming the option) for a value its runner would refuse. Absent when the
   * size bounds say all there is to check.
   */
  checkOptions?(options: ExperimentCliOptions): void;
  /** Runs it with the CLI's options mapped onto its own. */
  run(options: ExperimentCliOptions): Promise<R>;
}

/** `{ onStep }` forwarding each step, prefixed with the experiment, to the CLI's progress callback (empty without one). */
export function progressOption(name: string, o: ExperimentCliOptions): { onStep?: (step: string) => void } {
  const progress = o.onProgress;
  return progress ? { onStep: (step) => progress(`${name}: ${step}`) } : {};
}
