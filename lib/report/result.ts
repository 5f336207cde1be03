/** The JSON result every experiment returns (DESIGN.md, "Interfaces"). */
import type { ClaimResult } from './claims';
import type { HostInfo } from '../system/host';
import { invalidArgType } from '../util/errors';

/** Version of the JSON result format. Bump on any incompatible change. */
export const SCHEMA_VERSION = 1;

/**
 * One experiment's result: plain data, JSON-serialisable (addresses as hex strings).
 * `N` is the experiment's name, the discriminant of the union of known results
 * (vmprobe/experiments KnownExperimentResult).
 */
export interface ExperimentResult<M = unknown, N extends string = string> {
  schema: typeof SCHEMA_VERSION;
  experiment: N;
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
  /** When runReport finished the run (ISO 8601, UTC). */
  generatedAt: string;
  /** The vmprobe package version that made it (its package.json). */
  vmprobeVersion: string;
  host: HostInfo;
  experiments: ExperimentResult[];
  /** Claims of the catalogue without a verdict in this run (not a verdict: a status). */
  notMeasured: UnmeasuredClaim[];
}

/** An address as the JSON result writes it: `0x7f12…`. */
export function hexAddress(address: bigint | null): string | null {
  return address === null ? null : `0x${address.toString(16)}`;
}

function isExperimentResult(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  const r = e as { experiment?: unknown; claims?: unknown };
  return typeof r.experiment === 'string' && Array.isArray(r.claims) &&
    r.claims.every((c: unknown) => c !== null && typeof c === 'object' && typeof (c as { id?: unknown }).id === 'string');
}

/** Throws ERR_INVALID_ARG_TYPE unless `value` is an array of experiment results ({ experiment, claims: [{ id }] }). */
export function validateExperimentResults(value: unknown, name: string): readonly ExperimentResult[] {
  if (!Array.isArray(value) || !value.every(isExperimentResult)) {
    throw invalidArgType(name, 'an array of experiment results ({ experiment, claims: [{ id }], ... })', value);
  }
  return value as readonly ExperimentResult[];
}

/** Throws ERR_INVALID_ARG_TYPE unless `value` looks like a report result (runReport's, or one read back from JSON). */
export function validateReportResult(value: unknown, name: string): ReportResult {
  const r = value as { experiment?: unknown; host?: unknown; experiments?: unknown } | null;
  if (r === null || typeof r !== 'object' || r.experiment !== 'report' || r.host === null || typeof r.host !== 'object') {
    throw invalidArgType(name, "a report result ({ experiment: 'report', host, experiments })", value);
  }
  validateExperimentResults(r.experiments, `${name}.experiments`);
  return value as ReportResult;
}
