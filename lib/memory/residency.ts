/** Turns the addon's residency scan into the public Residency shape. */
import type { NativeResidency } from '../native/loader';
import type { Residency } from './types';

export function toResidency(raw: NativeResidency): Residency {
  return { ...raw, runsTruncated: raw.runs.length < raw.runCount };
}
