/** Claims with their verdicts, and the tally. */
import { claimById, VERDICTS, type ClaimResult, type Verdict } from '../claims';
import type { Style } from './style';

/** Renders each claim: verdict, summary with the key numbers, then the textbook text. */
export function renderClaims(claims: ClaimResult[], style: Style): string {
  const width = Math.max(...VERDICTS.map((v) => v.length));
  return claims.map((c) => {
    const text = claimById(c.id).text;
    return `  ${style.verdict(c.verdict, c.verdict.padEnd(width))}  ${style.bold(c.id)}\n` +
      `  ${' '.repeat(width)}  ${c.summary}\n` +
      `  ${' '.repeat(width)}  ${style.dim(`claim: ${text}`)}`;
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
