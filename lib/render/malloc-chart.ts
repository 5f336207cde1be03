/**
 * The size → source chart of the malloc sweep: one row per source, a log-scale size
 * axis, plain text (no colour needed to read it). Rendering only.
 */
import { formatBytes } from '../util/format';

/** One point: a request size and where it came from. */
export interface ChartPoint {
  sizeBytes: number;
  source: string;
}

const ROWS = ['brk', 'mmap', 'thread-arena', 'disputed'];

/** Renders the chart `width` columns wide (default 64); `markerBytes` draws a ▲ under that size (e.g. the crossover). */
export function renderSourceChart(points: readonly ChartPoint[], markerBytes: number | null, width = 64): string {
  if (points.length === 0) return '(no blocks)';
  const sizes = points.map((p) => p.sizeBytes);
  const lo = Math.log2(Math.min(...sizes));
  const hi = Math.log2(Math.max(...sizes));
  const column = (size: number): number => (hi === lo ? 0 : Math.round(((Math.log2(size) - lo) / (hi - lo)) * (width - 1)));
  const labelWidth = Math.max(...ROWS.map((r) => r.length));
  const lines: string[] = [];
  for (const row of ROWS) {
    const cells = Array.from({ length: width }, () => '·');
    const hits = points.filter((p) => p.source === row);
    if (hits.length === 0 && (row === 'disputed' || row === 'thread-arena')) continue;
    for (const p of hits) cells[column(p.sizeBytes)] = '█';
    lines.push(`  ${row.padEnd(labelWidth)} ${cells.join('')}`);
  }
  const pad = ' '.repeat(labelWidth + 3);
  if (markerBytes !== null && markerBytes >= 2 ** lo && markerBytes <= 2 ** hi) {
    const at = column(markerBytes);
    lines.push(`${pad}${' '.repeat(at)}▲ ${formatBytes(markerBytes)}`);
  }
  // Axis: a label every ~16 columns, at the powers of two closest to those columns.
  const axis = Array.from({ length: width + 12 }, () => ' ');
  for (let c = 0; c < width; c += 16) {
    const size = 2 ** Math.round(lo + ((hi - lo) * c) / (width - 1));
    const label = formatBytes(size).replace('.0 ', ' ');
    const at = column(size);
    if (axis.slice(at, at + label.length + 1).every((ch) => ch === ' ')) label.split('').forEach((ch, i) => { axis[at + i] = ch; });
  }
  lines.push(`${pad}${axis.join('').trimEnd()}`);
  lines.push(`${pad}request size (log scale)`);
  return lines.join('\n');
}
