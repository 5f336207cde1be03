/** Claims with their verdicts, and the tally. */
import { claimById, VERDICTS, type ClaimResult, type Verdict } from '../report/claims';
import type { Style } from './style';
import type { ReportClaim } from './report-claims';

/** Label of the status of a claim no experiment judged (not a verdict). */
export const NOT_MEASURED_LABEL = 'not measured';

/** Renders each claim: verdict, summary with the key numbers, then the textbook text. */
export function renderClaims(claims: ClaimResult[], style: Style): string {
  return renderReportClaims(claims.map((c) => ({ ...c, text: claimById(c.id).text, status: 'judged' })), style);
}

/**
 * Renders report claims: a verdict and its summary, or "not measured" and why (left out
 * when it is `sharedReason`, which the caller prints once), then the textbook text.
 */
export function renderReportClaims(claims: readonly ReportClaim[], style: Style, sharedReason?: string): string {
  const width = Math.max(...VERDICTS.map((v) => v.length), NOT_MEASURED_LABEL.length);
  const indent = ' '.repeat(width);
  return claims.map((c) => {
    const head = c.status === 'judged' ? style.verdict(c.verdict, c.verdict.padEnd(width)) : style.dim(NOT_MEASURED_LABEL.padEnd(width));
    const line = c.status === 'judged' ? c.summary : c.reason === sharedReason ? undefined : style.dim(c.reason);
    return `  ${head}  ${style.bold(c.id)}\n` +
      (line === undefined ? '' : `  ${indent}  ${line}\n`) +
      `  ${indent}  ${style.dim(`claim: ${c.text || '(not in this build\'s catalogue)'}`)}`;
  }).join('\n');
}

/** Counts of each verdict. */
export function tally(claims: ClaimResult[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { holds: 0, qualified: 0, refuted: 0, 'not-applicable': 0 };
  for (const c of claims) counts[c.verdict]++;
  return counts;
}

/** "3 holds · 5 qualified · 1 refuted · 2 not-applicable", coloured. */
export function renderTally(claims: ClaimResult[], style: Style): string {
  const counts = tally(claims);
  return VERDICTS.map((v) => style.verdict(v, `${counts[v]} ${v}`)).join(' · ');
}
