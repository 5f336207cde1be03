/** Shapes shared by the handles (Mapping, HeapBlock) and the experiments. */
import type { RangeOptions } from './range';

/** Faults and time measured inside one native call. */
export interface Counters {
  /** Minor faults of the calling thread (getrusage RUSAGE_THREAD). */
  minorFaults: number;
  /** Major faults (the page had to be read from disk or swap). */
  majorFaults: number;
  /** Wall time of the call in nanoseconds (CLOCK_MONOTONIC). */
  elapsedNs: number;
}

/** Options of touch(): a byte range, a stride, and read or write. */
export interface TouchOptions extends RangeOptions {
  /** Bytes between touched addresses (default: one access in every page the range spans, even when it does not start on a page). */
  strideBytes?: number;
  /** 'read' (default) loads a byte; 'write' stores one without reading first. */
  mode?: 'read' | 'write';
}

/** What one touch() measured. */
export interface TouchResult extends Counters {
  /** Distinct pages the touch accessed. */
  pagesTouched: number;
}

/** A run of pages with the same residency. */
export interface ResidencyRun {
  /** First page of the run, counted from the first page of the range. */
  startPage: number;
  pages: number;
  resident: boolean;
}

/** mincore(2) over a range. */
export interface Residency {
  /** Pages the range spans. */
  pages: number;
  /** Pages mincore reports resident (bit 0). The shared zero page counts as resident. */
  residentPages: number;
  /** Run-length runs of equal residency, at most maxRuns of them. */
  runs: ResidencyRun[];
  /** How many runs there are in all. */
  runCount: number;
  /** True when runs holds fewer than runCount. */
  runsTruncated: boolean;
}
