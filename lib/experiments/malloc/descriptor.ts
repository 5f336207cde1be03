/** The malloc experiment as the CLI and the report run it. */
import { progressOption, type ExperimentDescriptor } from '../descriptor';
import { runMalloc, MALLOC_DEFAULT_MAX_SWEEP_BYTES, MALLOC_MIN_SWEEP_BYTES, type MallocOptions, type MallocResult } from './index';

export const mallocExperiment: ExperimentDescriptor<'malloc', MallocResult> = {
  name: 'malloc',
  description: "glibc malloc: brk vs mmap by three witnesses, the mmap threshold as it really behaves, rounding, free/trim, thread arenas",
  options: [`--size SIZE   largest size of the sweep (default ${MALLOC_DEFAULT_MAX_SWEEP_BYTES / 1024 / 1024}MiB)`],
  accepts: ['size'],
  // Measured: the largest child of \`vmprobe malloc\` peaks at 81 MiB RSS whether the sweep
  // ends at 64 MiB or 512 MiB (a block is mapped, not filled): the size does not drive memory.
  sizeBounds: () => ({ size: { minBytes: MALLOC_MIN_SWEEP_BYTES, minReason: 'the sweep covers malloc\'s rounding up to 1 KiB', maxBytes: null, maxReason: null, unlimited: false, residentPerByte: 0 } }),
  run: (o) => {
    const opts: MallocOptions = { ...progressOption('malloc', o) };
    if (o.sizeBytes !== undefined) opts.maxSweepBytes = o.sizeBytes;
    return runMalloc(opts);
  },
};
