/** The malloc experiment as the CLI and the report run it. */
import { progressOption, type ExperimentDescriptor } from '../descriptor';
import { runMalloc, MALLOC_DEFAULT_MAX_SWEEP_BYTES, MALLOC_MIN_SWEEP_BYTES, type MallocOptions, type MallocResult } from './index';
import { logSweepSizes } from './sources';
import { readLargestGrantableMapping, type MappingLimit } from '../../system/mapping-limit';

/**
 * The largest --size the kernel's overcommit policy lets the sweep map: the limit itself
 * when it applies to each mapping; when mappings add up against it (strict accounting),
 * the largest size whose whole sweep (every block stays live) still fits: one byte below
 * the first sweep size at which the running total passes the limit.
 */
export function largestSweepBytes(limit: MappingLimit | null): MappingLimit | null {
  if (limit === null || limit.applies === 'each') return limit;
  let totalBytes = 0;
  for (const size of logSweepSizes(16, Number.MAX_SAFE_INTEGER)) {
    totalBytes += size;
    if (totalBytes > limit.bytes) return { ...limit, bytes: size - 1, reason: `${limit.reason}, which the whole sweep counts against (every block stays live)` };
  }
  return limit;
}

export const mallocExperiment: ExperimentDescriptor<'malloc', MallocResult> = {
  name: 'malloc',
  description: "glibc malloc: brk vs mmap by three witnesses, the mmap threshold as it really behaves, rounding, free/trim, thread arenas",
  options: [`--size SIZE   largest size of the sweep (default ${MALLOC_DEFAULT_MAX_SWEEP_BYTES / 1024 / 1024}MiB)`],
  accepts: ['size'],
  // Measured: the largest child of \`vmprobe malloc\` peaks at 81 MiB RSS whether the sweep
  // ends at 64 MiB or 512 MiB (a block is mapped, not filled): the size does not drive memory.
  // The sweep is mapped, not filled, but the kernel still refuses a mapping its overcommit
  // policy will not grant (ENOMEM in the child): that is the largest size, read now.
  sizeBounds: () => {
    const limit = largestSweepBytes(readLargestGrantableMapping());
    return { size: { minBytes: MALLOC_MIN_SWEEP_BYTES, minReason: 'the sweep covers malloc\'s rounding up to 1 KiB', maxBytes: limit?.bytes ?? null, maxReason: limit?.reason ?? null, unlimited: false, residentPerByte: 0 } };
  },
  run: (o) => {
    const opts: MallocOptions = { ...progressOption('malloc', o) };
    if (o.sizeBytes !== undefined) opts.maxSweepBytes = o.sizeBytes;
    return runMalloc(opts);
  },
};
