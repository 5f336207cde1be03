/** The JSON result every experiment returns (DESIGN.md, "Interfaces"). */
import type { ClaimResult } from './claims';
import type { HostInfo } from './host';

/** Version of the JSON result format. Bump on any incompatible change. */
export const SCHEMA_VERSION = 1;

/** One experiment's result: plain data, JSON-serialisable (addresses as hex strings). */
export interface ExperimentResult<M = Record<string, unknown>> {
  schema: typeof SCHEMA_VERSION;
  experiment: string;
  host: HostInfo;
  claims: ClaimResult[];
  measurements: M;
}

/** A claim of the catalogue that no experiment of this run judged, and why. */
export interface UnmeasuredClaim {
  id: string;
  /** The experiment that judges it (CLAIMS.md). */
  experiment: string;
  /** Why it was not measured, e.g. "experiment 'malloc' is not available in this build". */
  reason: string;
}

/** `vmprobe report`: every experiment that ran, and every claim none of them judged. */
export interface ReportResult {
  schema: typeof SCHEMA_VERSION;
  experiment: 'report';
  host: HostInfo;
  experiments: ExperimentResult[];
  /** Claims of the catalogue without a verdict in this run (not a verdict: a status). */
  notMeasured: UnmeasuredClaim[];
}

/** An address as the JSON result writes it: `0x7f12…`. */
export function hexAddress(address: bigint | null): string | null {
  return address === null ? null : `0x${address.toString(16)}`;
}
