/**
 * The experiments the CLI and the report know, by name. Each entry says how to run the
 * experiment from CLI options; the experiment's own module does the work.
 */
import type { ExperimentResult } from '../report/result';
import { runLazy, LAZY_DEFAULT_SIZE_BYTES } from './lazy/index';
import { runLayout } from './layout/index';
import { runStack } from './stack/index';
import { runMalloc, MALLOC_DEFAULT_MAX_SWEEP_BYTES } from './malloc/index';

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

/** Sets `opts.onStep` to forward each step, prefixed with the experiment, to the CLI's progress callback. */
function withProgress(opts: { onStep?: (step: string) => void }, name: string, o: ExperimentCliOptions): void {
  const progress = o.onProgress;
  if (progress) opts.onStep = (step) => progress(`${name}: ${step}`);
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
      withProgress(opts, 'lazy', o);
      return (await runLazy(opts)) as unknown as ExperimentResult;
    },
  },
  {
    name: 'malloc',
    description: "glibc malloc: brk vs mmap by three witnesses, the mmap threshold as it really behaves, rounding, free/trim, thread arenas",
    options: [`--size SIZE   largest size of the sweep (default ${MALLOC_DEFAULT_MAX_SWEEP_BYTES / 1024 / 1024}MiB)`],
    run: async (o) => {
      const opts: Parameters<typeof runMalloc>[0] = {};
      if (o.sizeBytes !== undefined) opts.maxSweepBytes = o.sizeBytes;
      withProgress(opts, 'malloc', o);
      return (await runMalloc(opts)) as unknown as ExperimentResult;
    },
  },
  {
    name: 'stack',
    description: 'the stack grows on demand up to RLIMIT_STACK, then SIGSEGV (in a child); thread stacks; JS limit; stack vs heap cost',
    options: [
      '--limit SIZE  RLIMIT_STACK of the growth run, or "unlimited" (default: inherited, e.g. from `ulimit -s`)',
      '--frame SIZE  bytes each recursion level takes (default: the page size)',
    ],
    run: async (o) => {
      const opts: Parameters<typeof runStack>[0] = {};
      if (o.limitBytes !== undefined) opts.limitBytes = o.limitBytes;
      if (o.frameBytes !== undefined) opts.frameBytes = o.frameBytes;
      withProgress(opts, 'stack', o);
      return (await runStack(opts)) as unknown as ExperimentResult;
    },
  },
  {
    name: 'layout',
    description: 'the live address-space map, drawn: segments, heap, mmap area, stacks, ASLR, faults',
    options: ['--pid PID     classify and draw another process (default: vmprobe itself)'],
    run: async (o) => {
      const opts: Parameters<typeof runLayout>[0] = {};
      if (o.pid !== undefined) opts.pid = o.pid;
      withProgress(opts, 'layout', o);
      return (await runLayout(opts)) as unknown as ExperimentResult;
    },
  },
];

/** The experiment called `name`, or undefined. */
export function findExperiment(name: string): ExperimentEntry | undefined {
  return EXPERIMENTS.find((e) => e.name === name);
}
