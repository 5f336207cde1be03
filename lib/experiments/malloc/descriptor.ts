/** The malloc experiment as the CLI and the report run it. */
import { progressOption, type ExperimentDescriptor } from '../descriptor';
import { runMalloc, MALLOC_DEFAULT_MAX_SWEEP_BYTES, type MallocOptions, type MallocResult } from './index';

export const mallocExperiment: ExperimentDescriptor<'malloc', MallocResult> = {
  name: 'malloc',
  description: "glibc malloc: brk vs mmap by three witnesses, the mmap threshold as it really behaves, rounding, free/trim, thread arenas",
  options: [`--size SIZE   largest size of the sweep (default ${MALLOC_DEFAULT_MAX_SWEEP_BYTES / 1024 / 1024}MiB)`],
  accepts: ['size'],
  run: (o) => {
    const opts: MallocOptions = { ...progressOption('malloc', o) };
    if (o.sizeBytes !== undefined) opts.maxSweepBytes = o.sizeBytes;
    return runMalloc(opts);
  },
};
