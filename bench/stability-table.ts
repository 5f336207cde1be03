/**
 * The claim × verdict table of `npm run stability`: how often each claim got each
 * verdict over repeated `vmprobe report --json` runs on one host. Pure functions, so
 * test/report/stability.test.ts can check the table on recorded verdicts.
 */

/** One claim's verdict counts over the runs. */
export interface ClaimStability {
  id: string;
  /** verdict → runs that gave it. */
  counts: Record<string, number>;
  /** Runs whose report had no verdict for this claim. */
  missing: number;
  /** True when the claim got more than one verdict, or was missing from some run. */
  changed: boolean;
}

/** A `report --json` result, reduced to what the table needs. */
export interface ReportVerdicts {
  experiments: Array<{ claims: Array<{ id: string; verdict: string }> }>;
}

/** Tabulates the claims of `reports` (one per run), in the order they first appear. */
export function tabulate(reports: readonly ReportVerdicts[]): ClaimStability[] {
  const byId = new Map<string, ClaimStability>();
  for (const report of reports) {
    for (const e of report.experiments) {
      for (const c of e.claims) {
        let row = byId.get(c.id);
        if (row === undefined) {
          row = { id: c.id, counts: {}, missing: 0, changed: false };
          byId.set(c.id, row);
        }
        row.counts[c.verdict] = (row.counts[c.verdict] ?? 0) + 1;
      }
    }
  }
  for (const row of byId.values()) {
    const seen = Object.values(row.counts).reduce((a, b) => a + b, 0);
    row.missing = reports.length - seen;
    row.changed = Object.keys(row.counts).length > 1 || row.missing !== 0;
  }
  return [...byId.values()];
}

/** The table as Markdown: claim, verdict counts, and whether the verdict changed. */
export function formatTable(rows: readonly ClaimStability[], runs: number): string {
  const lines = [`| claim | verdicts over ${runs} runs | changed |`, '|---|---|---|'];
  for (const r of rows) {
    const counts = Object.entries(r.counts).sort((a, b) => b[1] - a[1]).map(([v, n]) => `${v} ${n}`);
    if (r.missing > 0) counts.push(`missing ${r.missing}`);
    lines.push(`| ${r.id} | ${counts.join(', ')} | ${r.changed ? '**yes**' : 'no'} |`);
  }
  return lines.join('\n');
}
