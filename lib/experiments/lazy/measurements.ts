/** Everything the lazy experiment measured: `measurements` in its JSON result. */
import type { StepRecord } from './steps';
import type { HugepageStep, OvercommitStep } from './anonymous';
import type { FileStep } from './file';
import type { NodeBuffersStep } from './buffers';
import type { MallocStep } from './malloc-step';
import type { ZeroPageMethod } from '../../pages/zero-page';
import type { LazyCurve } from './curve';

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
  /** Faults, zero and private pages as a fresh mapping is read, then written, chunk by chunk (for charts; no verdict uses it). */
  curve?: LazyCurve;
}
