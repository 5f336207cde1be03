/**
 * Step 10: malloc'd blocks, small and large, before and after they are touched.
 * A large block gets its own mmap: untouched, only the page holding malloc's chunk
 * header is resident. A small block sits in the brk heap, on pages the allocator (and
 * everything else) has often touched already.
 */
import { malloc } from '../../memory/heap';

/** One block before and after a write touch. */
export interface MallocBlockMeasurement {
  label: 'small' | 'large';
  sizeBytes: number;
  /** Pages the block's bytes span. */
  pages: number;
  untouchedResidentPages: number;
  untouchedPrivatePages: number;
  touchMinorFaults: number;
  touchMajorFaults: number;
  touchedResidentPages: number;
  touchedPrivatePages: number;
}

/** Step 10's record. */
export interface MallocStep {
  name: 'malloc';
  /** True when measured in a fresh child process (the default), false in the caller's. */
  inChild: boolean;
  blocks: MallocBlockMeasurement[];
}

function measure(label: 'small' | 'large', sizeBytes: number): MallocBlockMeasurement {
  const block = malloc({ sizeBytes });
  try {
    const before = block.residency({ maxRuns: 0 });
    const beforePm = block.pagemap();
    const touch = block.touch({ mode: 'write' });
    const after = block.residency({ maxRuns: 0 });
    const afterPm = block.pagemap();
    return {
      label, sizeBytes, pages: before.pages,
      untouchedResidentPages: before.residentPages,
      untouchedPrivatePages: beforePm.presentPages - beforePm.zeroPages,
      touchMinorFaults: touch.minorFaults,
      touchMajorFaults: touch.majorFaults,
      touchedResidentPages: after.residentPages,
      touchedPrivatePages: afterPm.presentPages - afterPm.zeroPages,
    };
  } finally {
    block.free();
  }
}

/** Measures a small block (`smallBytes`) and a large one (`largeBytes`) in this process. */
export function runMallocStep(smallBytes: number, largeBytes: number, inChild = false): MallocStep {
  return { name: 'malloc', inChild, blocks: [measure('small', smallBytes), measure('large', largeBytes)] };
}

/**
 * The child-process entry of step 10 (lib/child/spawn.ts). Where a block comes from depends
 * on the state of malloc — a freed mmapped chunk raises glibc's dynamic mmap
 * threshold — so by default the step runs in a fresh process, whatever the caller did.
 */
export function mallocStepTask(payload: { smallBytes: number; largeBytes: number }): MallocStep {
  return runMallocStep(payload.smallBytes, payload.largeBytes, true);
}
