/**
 * baseline/diff: what each owner gained or lost between two breakdowns (attribute
 * applied to two captures). Pure.
 */
import type { MemoryBreakdown, MemoryFigures, OwnerRow } from './types';

/** One owner's change, bytes (after − before); an owner missing on one side counts as zero there. */
export interface OwnerDelta {
  id: string;
  label: string;
  rssDeltaBytes: number;
  pssDeltaBytes: number;
  virtualDeltaBytes: number;
  swapDeltaBytes: number;
  beforeRssBytes: number;
  afterRssBytes: number;
  children: OwnerDelta[];
}

/** The difference of two breakdowns of (usually) one process. */
export interface BreakdownDiff {
  beforeTakenAtMs: number;
  afterTakenAtMs: number;
  totals: { rssDeltaBytes: number; pssDeltaBytes: number; virtualDeltaBytes: number; swapDeltaBytes: number };
  owners: OwnerDelta[];
}

const ZERO: MemoryFigures = { virtualBytes: 0, rssBytes: 0, pssBytes: 0, privateBytes: 0, sharedBytes: 0, swapBytes: 0, anonHugePagesBytes: 0 };

function diffRows(before: readonly OwnerRow[], after: readonly OwnerRow[]): OwnerDelta[] {
  const ids = [...new Set([...before.map((r) => r.id), ...after.map((r) => r.id)])];
  return ids.map((id) => {
    const b = before.find((r) => r.id === id);
    const a = after.find((r) => r.id === id);
    const bf: MemoryFigures = b ?? ZERO;
    const af: MemoryFigures = a ?? ZERO;
    return {
      id, label: a?.label ?? b?.label ?? id,
      rssDeltaBytes: af.rssBytes - bf.rssBytes, pssDeltaBytes: af.pssBytes - bf.pssBytes,
      virtualDeltaBytes: af.virtualBytes - bf.virtualBytes, swapDeltaBytes: af.swapBytes - bf.swapBytes,
      beforeRssBytes: bf.rssBytes, afterRssBytes: af.rssBytes,
      children: diffRows(b?.children ?? [], a?.children ?? []),
    };
  });
}

/** after − before, owner by owner; the top-level deltas sum exactly to the totals' deltas. */
export function diffBreakdowns(before: MemoryBreakdown, after: MemoryBreakdown): BreakdownDiff {
  return {
    beforeTakenAtMs: before.takenAtMs, afterTakenAtMs: after.takenAtMs,
    totals: {
      rssDeltaBytes: after.totals.rssBytes - before.totals.rssBytes, pssDeltaBytes: after.totals.pssBytes - before.totals.pssBytes,
      virtualDeltaBytes: after.totals.virtualBytes - before.totals.virtualBytes, swapDeltaBytes: after.totals.swapBytes - before.totals.swapBytes,
    },
    owners: diffRows(before.owners, after.owners),
  };
}
