/** Claims with their verdicts, and the tally. */
import { claimById, VERDICTS, type ClaimResult, type Verdict } from '../report/claims';
import type { Style } from './style';
import type { ReportClaim } from './report-claims';
import { terminalWidth, wrapHanging } from './wrap';

/** Label of the status of a claim no experiment judged (not a verdict). */
export const NOT_MEASURED_LABEL = 'not measured';

/**
 * Renders each claim: verdict, summary with the key numbers, then the textbook text,
 * wrapped to `widthColumns` (default: the terminal's, 80 when not a TTY).
 */
export function renderClaims(claims: ClaimResult[], style: Style, widthColumns: number = terminalWidth()): string {
  return renderReportClaims(claims.map((c) => ({ ...c, text: claimById(c.id).text, status: 'judged' })), style, undefined, widthColumns);
}

/**
 * Renders report claims: a verdict and its summary, or "not measured" and why (left out
 * when it is `sharedReason`, which the caller prints once), then the textbook text.
 * Every line fits in `widthColumns` visible columns (colour codes count zero): long
 * summaries and claim texts wrap under a hanging indent after the verdict column.
 */
export function renderReportClaims(claims: readonly ReportClaim[], style: Style, sharedReason?: string, widthColumns: number = terminalWidth()): string {
  const width = Math.max(...VERDICTS.map((v) => v.length), NOT_MEASURED_LABEL.length);
  const indent = ' '.repeat(width + 4);
  const wrap = (s: string): string => wrapHanging(s, indent, widthColumns);
  return claims.map((c) => {
    const head = c.status === 'judged' ? style.verdict(c.verdict, c.verdict.padEnd(width)) : style.dim(NOT_MEASURED_LABEL.padEnd(width));
    const line = c.status === 'judged' ? c.summary : c.reason === sharedReason ? undefined : style.dim(c.reason);
    return wrapHanging(style.bold(c.id), indent, widthColumns, `  ${head}  `) + '\n' +
      (line === undefined ? '' : `${wrap(line)}\n`) +
      wrap(style.dim(`claim: ${c.text || '(not in this build\'s catalogue)'}`));
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
