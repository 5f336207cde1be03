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

/** `vmprobe report`: every experiment that ran. */
export interface ReportResult {
  schema: typeof SCHEMA_VERSION;
  experiment: 'report';
  host: HostInfo;
  experiments: ExperimentResult[];
}

/** An address as the JSON result writes it: `0x7f12…`. */
export function hexAddress(address: bigint | null): string | null {
  return address === null ? null : `0x${address.toString(16)}`;
}
