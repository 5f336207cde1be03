/** The record every lazy-allocation step reports, and the helper that fills it. */
import type { Counters } from '../../memory/types';
import { processSnapshot, snapshotDelta, witnesses, type ProcessSnapshot, type RangeWitnesses } from './observe';
import type { Mapping } from '../../memory/mapping';

/** What every step reports (DESIGN: name, faults, RSS delta, residency, zero pages, time). */
export interface StepRecord extends RangeWitnesses {
  name: string;
  /** Faults of the measured native call (exact: RUSAGE_THREAD inside that call). */
  minorFaults: number;
  majorFaults: number;
  /** Process RSS after - before (statm; includes V8's own activity, so noisy). */
  rssDeltaBytes: number;
  /** Process VSZ after - before. */
  vszDeltaBytes: number;
  /** VmPTE after - before: page-table memory the step added. */
  pageTableDeltaBytes: number | null;
  elapsedNs: number;
}

/**
 * Runs `action` (one measured native call on `mapping`) between two process
 * snapshots, then reads the mapping's witnesses.
 */
export function measureStep(name: string, mapping: () => Mapping, action: () => Counters): StepRecord {
  const before: ProcessSnapshot = processSnapshot();
  const counters = action();
  const after = processSnapshot();
  return {
    name,
    minorFaults: counters.minorFaults,
    majorFaults: counters.majorFaults,
    elapsedNs: counters.elapsedNs,
    ...snapshotDelta(before, after),
    ...witnesses(mapping()),
  };
}
