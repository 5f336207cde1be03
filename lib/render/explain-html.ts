/**
 * The explain timeline page: a self-contained HTML file with a stacked-area SVG of the
 * top-level owners' RSS over the samples of `vmprobe explain --watch --html FILE`, and the
 * last sample's table. Formatting only: never reads /proc. No scripts, no external assets.
 */
import { formatBytes } from '../util/format';
import type { MemoryBreakdown } from '../explain/types';

const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#86bcb6', '#d37295'];
const WIDTH = 900;
const HEIGHT = 360;
const PAD = { left: 80, right: 20, top: 20, bottom: 40 };

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page for `samples` (oldest first; at least one). Owners are matched by id across samples. */
export function renderExplainHtml(samples: readonly MemoryBreakdown[]): string {
  const last = samples[samples.length - 1];
  if (last === undefined) return '<!doctype html><title>vmprobe explain</title><p>No samples.</p>';
  const ids: string[] = [];
  const labels = new Map<string, string>();
  for (const s of samples) for (const o of s.owners) {
    if (o.id === 'changed-between-reads') continue;
    if (!labels.has(o.id)) { ids.push(o.id); labels.set(o.id, o.label); }
  }
  const t0 = samples[0]?.takenAtMs ?? last.takenAtMs;
  const spanMs = Math.max(1, last.takenAtMs - t0);
  const maxRss = Math.max(1, ...samples.map((s) => s.owners.filter((o) => o.id !== 'changed-between-reads').reduce((n, o) => n + Math.max(0, o.rssBytes), 0)));
  const x = (ms: number): number => PAD.left + ((ms - t0) / spanMs) * (WIDTH - PAD.left - PAD.right);
  const y = (bytes: number): number => HEIGHT - PAD.bottom - (bytes / maxRss) * (HEIGHT - PAD.top - PAD.bottom);
  const below = samples.map(() => 0);
  const areas = ids.map((id, k) => {
    const lower = below.slice();
    samples.forEach((s, i) => { below[i] = (below[i] ?? 0) + Math.max(0, s.owners.find((o) => o.id === id)?.rssBytes ?? 0); });
    const top = samples.map((s, i) => `${x(s.takenAtMs).toFixed(1)},${y(below[i] ?? 0).toFixed(1)}`);
    const bottom = samples.map((s, i) => `${x(s.takenAtMs).toFixed(1)},${y(lower[i] ?? 0).toFixed(1)}`).reverse();
    return `<polygon points="${[...top, ...bottom].join(' ')}" fill="${COLORS[k % COLORS.length] ?? '#888'}" fill-opacity="0.85"><title>${esc(labels.get(id) ?? id)}</title></polygon>`;
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="${PAD.left - 6}" y="${y(f * maxRss) + 4}" text-anchor="end">${esc(formatBytes(f * maxRss))}</text>` +
    `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(f * maxRss)}" y2="${y(f * maxRss)}" stroke="#ddd"/>`);
  const legend = ids.map((id, k) => `<li><span style="background:${COLORS[k % COLORS.length] ?? '#888'}"></span>${esc(labels.get(id) ?? id)}</li>`).join('');
  const rows = last.owners.map((o) => `<tr><td>${esc(o.label)}</td><td>${formatBytes(o.rssBytes)}</td><td>${formatBytes(o.pssBytes)}</td><td>${formatBytes(o.swapBytes)}</td><td>${formatBytes(o.virtualBytes)}</td><td>${o.basis}</td></tr>`).join('');
  const findings = last.findings.map((f) => `<li>${esc(f.message)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vmprobe explain — pid ${last.pid}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}svg text{font-size:11px;fill:#444}table{border-collapse:collapse}td{padding:2px 10px;border-bottom:1px solid #eee}td+td{text-align:right}ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:12px}ul.legend span{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}</style>
</head><body>
<h1>Memory of pid ${last.pid} (${esc(last.command)}) over ${(spanMs / 1000).toFixed(1)} s</h1>
<p>${samples.length} samples; RSS of each top-level owner, stacked (the kernel's totals: smaps_rollup).</p>
<svg width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="RSS by owner over time">
${ticks.join('\n')}
${areas.join('\n')}
<text x="${PAD.left}" y="${HEIGHT - 12}">0 s</text><text x="${WIDTH - PAD.right}" y="${HEIGHT - 12}" text-anchor="end">${(spanMs / 1000).toFixed(1)} s</text>
</svg>
<ul class="legend">${legend}</ul>
<h2>Last sample</h2>
<table><tr><th>owner</th><th>RSS</th><th>PSS</th><th>swap</th><th>VSZ</th><th>basis</th></tr>${rows}
<tr><td><b>total</b></td><td><b>${formatBytes(last.totals.rssBytes)}</b></td><td>${formatBytes(last.totals.pssBytes)}</td><td>${formatBytes(last.totals.swapBytes)}</td><td>${formatBytes(last.totals.virtualBytes)}</td><td></td></tr></table>
${findings ? `<h2>Findings</h2><ul>${findings}</ul>` : ''}
</body></html>
`;
}
