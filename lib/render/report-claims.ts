/**
 * The report's claims, grouped by experiment, each exactly once: judged claims with
 * their verdict, and the catalogue's claims no experiment judged in this run with the
 * status "not measured" (a status, never a verdict). Shared by the terminal report and
 * the page; derived from the ReportResult alone, so a JSON document from another host
 * renders the same way.
 */
import { CLAIMS, type ClaimResult, type Verdict } from '../report/claims';
import type { ReportResult } from '../report/result';

/** One claim as the report shows it. */
export type ReportClaim = {
  id: string;
  /** The claim as the textbook states it (empty for an id this build does not know). */
  text: string;
} & ({ status: 'judged'; verdict: Verdict; summary: string; evidence: Record<string, unknown> } | { status: 'not-measured'; reason: string });

/** The claims one experiment judged, or would have judged. */
export interface ReportGroup {
  experiment: string;
  /** Whether the experiment ran in this report. */
  ran: boolean;
  claims: ReportClaim[];
}

const CATALOGUE_ORDER = new Map(CLAIMS.map((c, i) => [c.id, i]));
const textOf = (id: string): string => CLAIMS.find((c) => c.id === id)?.text ?? '';
const byCatalogue = (a: { id: string }, b: { id: string }): number => (CATALOGUE_ORDER.get(a.id) ?? Infinity) - (CATALOGUE_ORDER.get(b.id) ?? Infinity);

function judged(c: ClaimResult): ReportClaim {
  return { id: c.id, text: textOf(c.id), status: 'judged', verdict: c.verdict, summary: c.summary, evidence: c.evidence };
}

/**
 * Groups in report order (experiments that ran, then the experiments of unmeasured
 * claims in catalogue order); claims in catalogue order within a group. A claim that
 * two experiments judged is shown once, under the experiment that ran first.
 */
export function reportGroups(report: ReportResult): ReportGroup[] {
  const seen = new Set<string>();
  const groups: ReportGroup[] = report.experiments.map((e) => {
    const claims: ReportClaim[] = [];
    for (const c of e.claims) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      claims.push(judged(c));
    }
    return { experiment: e.experiment, ran: true, claims: claims.sort(byCatalogue) };
  });
  for (const u of report.notMeasured) {
    if (seen.has(u.id)) continue;
    seen.add(u.id);
    let group = groups.find((g) => g.experiment === u.experiment);
    if (!group) {
      group = { experiment: u.experiment, ran: false, claims: [] };
      groups.push(group);
    }
    group.claims.push({ id: u.id, text: textOf(u.id), status: 'not-measured', reason: u.reason });
    group.claims.sort(byCatalogue);
  }
  return groups;
}

/** The judged claims' results, each once. */
export function judgedClaims(groups: readonly ReportGroup[]): Array<ReportClaim & { status: 'judged' }> {
  return groups.flatMap((g) => g.claims.filter((c): c is ReportClaim & { status: 'judged' } => c.status === 'judged'));
}

/** The unmeasured claims, each once. */
export function unmeasured(groups: readonly ReportGroup[]): Array<ReportClaim & { status: 'not-measured' }> {
  return groups.flatMap((g) => g.claims.filter((c): c is ReportClaim & { status: 'not-measured' } => c.status === 'not-measured'));
}
