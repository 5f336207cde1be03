/**
 * Text rendering of an explain breakdown and of a diff: nested owners with human sizes,
 * then the page tables outside RSS and the findings. Formatting only: never reads /proc.
 */
import { formatBytes, formatDelta } from '../util/format';
import { renderTable } from './table';
import type { BreakdownDiff, OwnerDelta } from '../explain/diff';
import type { MemoryBreakdown, OwnerRow } from '../explain/types';

/** Options of renderExplain. */
export interface RenderExplainOptions {
  /** Nesting levels shown below the top (default 1). */
  depth?: number;
  /** Children shown per owner, largest RSS first (default 8); the rest are summed in one line. */
  maxChildren?: number;
}

const LABEL_LIMIT = 60;
const clip = (s: string): string => (s.length > LABEL_LIMIT ? `…${s.slice(-(LABEL_LIMIT - 1))}` : s);

/** The breakdown as a text table (RSS, PSS, private, shared, swap, VSZ, basis) with findings below. */
export function renderExplain(b: MemoryBreakdown, options: RenderExplainOptions = {}): string {
  const depth = options.depth ?? 1;
  const maxChildren = options.maxChildren ?? 8;
  const rows: string[][] = [];
  const cells = (label: string, r: Pick<OwnerRow, 'rssBytes' | 'pssBytes' | 'privateBytes' | 'sharedBytes' | 'swapBytes' | 'virtualBytes'>, basis: string): string[] =>
    [label, formatBytes(r.rssBytes), formatBytes(r.pssBytes), formatBytes(r.privateBytes), formatBytes(r.sharedBytes),
      formatBytes(r.swapBytes), formatBytes(r.virtualBytes), basis];
  const walk = (r: OwnerRow, level: number): void => {
    if (level > 0 && r.rssBytes === 0 && r.virtualBytes === 0) return;
    rows.push(cells(`${'  '.repeat(level)}${clip(r.label)}`, r, r.basis));
    if (level >= depth) return;
    const kids = [...r.children].sort((a, c) => c.rssBytes - a.rssBytes);
    kids.slice(0, maxChildren).forEach((c) => walk(c, level + 1));
    const rest = kids.slice(maxChildren);
    if (rest.length > 0) {
      const sum = (k: 'rssBytes' | 'pssBytes' | 'privateBytes' | 'sharedBytes' | 'swapBytes' | 'virtualBytes'): number => rest.reduce((n, c) => n + c[k], 0);
      rows.push(cells(`${'  '.repeat(level + 1)}(${rest.length} more)`, {
        rssBytes: sum('rssBytes'), pssBytes: sum('pssBytes'), privateBytes: sum('privateBytes'), sharedBytes: sum('sharedBytes'),
        swapBytes: sum('swapBytes'), virtualBytes: sum('virtualBytes'),
      }, ''));
    }
  };
  for (const o of b.owners) walk(o, 0);
  rows.push(cells(`total (${b.totalsFrom})`, b.totals, 'measured'));
  const out = [
    `Memory of pid ${b.pid} (${b.command})${b.self ? ', this process' : ''}: RSS ${formatBytes(b.totals.rssBytes)}, PSS ${formatBytes(b.totals.pssBytes)}, VSZ ${formatBytes(b.totals.virtualBytes)}`,
    '',
    renderTable(['owner', 'RSS', 'PSS', 'private', 'shared', 'swap', 'VSZ', 'basis'], rows),
    '',
    ...b.outsideRss.map((r) => `Outside RSS: ${r.label} ${formatBytes(r.bytes)} (${r.from})`),
  ];
  if (b.findings.length > 0) out.push('', 'Findings:', ...b.findings.map((f) => `  - ${f.message}`));
  else out.push('', 'Findings: none past the thresholds (lib/explain/advise.ts).');
  return out.join('\n');
}

/** A diff as a table of RSS changes per owner (largest change first), top level and one level below. */
export function renderExplainDiff(d: BreakdownDiff): string {
  const rows: string[][] = [];
  const walk = (r: OwnerDelta, level: number): void => {
    if (level > 0 && r.rssDeltaBytes === 0) return;
    rows.push([`${'  '.repeat(level)}${clip(r.label)}`, formatBytes(r.beforeRssBytes), formatBytes(r.afterRssBytes), formatDelta(r.rssDeltaBytes), formatDelta(r.virtualDeltaBytes)]);
    if (level < 1) [...r.children].sort((a, c) => Math.abs(c.rssDeltaBytes) - Math.abs(a.rssDeltaBytes)).slice(0, 6).forEach((c) => walk(c, level + 1));
  };
  d.owners.forEach((o) => walk(o, 0));
  rows.push(['total', '', '', formatDelta(d.totals.rssDeltaBytes), formatDelta(d.totals.virtualDeltaBytes)]);
  const seconds = ((d.afterTakenAtMs - d.beforeTakenAtMs) / 1000).toFixed(1);
  return [`Change over ${seconds} s:`, '', renderTable(['owner', 'RSS before', 'RSS after', 'RSS Δ', 'VSZ Δ'], rows)].join('\n');
}
