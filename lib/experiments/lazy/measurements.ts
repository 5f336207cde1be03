/** Everything the lazy experiment measured: `measurements` in its JSON result. */
import type { StepRecord } from './steps';
import type { HugepageStep, OvercommitStep } from './anonymous';
import type { FileStep } from './file';
import type { NodeBuffersStep } from './buffers';
import type { MallocStep } from './malloc-step';
import type { ZeroPageMethod } from '../../pages/zero-page';
import type { LazyCurve } from './curve';
import type { PageTableProbe } from '../../pages/page-tables';

/** Step 5's record: map with MAP_POPULATE, then write. */
export type PopulateStep = StepRecord & { touchMinorFaults: number; touchMajorFaults: number };
/** Step 4's record: MADV_DONTNEED, then a read. */
export type DontneedStep = StepRecord & { rereadMinorFaults: number; rereadPages: number };

/** The lazy experiment's measurements. */
export interface LazyMeasurements {
  pageSizeBytes: number;
  sizeBytes: number;
  /** Pages of sizeBytes (rounded up). */
  pages: number;
  /** How zero pages were told apart from pages with memory of their own. */
  zeroPageMethod: ZeroPageMethod;
  /** Steps 1-10 in order. */
  steps: [StepRecord, StepRecord, StepRecord, DontneedStep, PopulateStep, HugepageStep, OvercommitStep, FileStep, NodeBuffersStep, MallocStep];
  /** VmPTE around mmap and the first touch inside one native call, repeated (lazy.mmap-virtual-only); absent in results of older versions. */
  pageTables?: PageTableProbe;
  /** Faults, zero and private pages as a fresh mapping is read, then written, chunk by chunk (for charts; no verdict uses it). */
  curve?: LazyCurve;
}
