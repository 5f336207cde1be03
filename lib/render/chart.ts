/**
 * A small terminal scatter chart: several series of (x, y) points on one character
 * grid, each with its own mark; where two series' marks collide the cell shows '*'. Formatting
 * only: it draws what it is given.
 */

/** One series: a mark character, its label, its points. */
export interface ChartSeries {
  mark: string;
  label: string;
  points: Array<{ x: number; y: number }>;
}

/** Options of renderChart. */
export interface ChartOptions {
  width: number;
  height: number;
  /** Formats an axis value (both axes). */
  format: (v: number) => string;
  xLabel: string;
}

/** Draws the series on a width × height grid with y labels on the left and the x range below. */
export function renderChart(series: readonly ChartSeries[], o: ChartOptions): string {
  const points = series.flatMap((s) => s.points);
  if (points.length === 0) return '  (no points)';
  const xMax = Math.max(...points.map((p) => p.x), 1);
  const yMax = Math.max(...points.map((p) => p.y), 1);
  const grid: string[][] = Array.from({ length: o.height }, () => Array.from({ length: o.width }, () => ' '));
  for (const s of series) {
    for (const p of s.points) {
      const col = Math.min(o.width - 1, Math.round((p.x / xMax) * (o.width - 1)));
      const row = o.height - 1 - Math.min(o.height - 1, Math.round((p.y / yMax) * (o.height - 1)));
      const cells = grid[row] as string[];
      const was = cells[col];
      cells[col] = was === ' ' || was === s.mark ? s.mark : '*';
    }
  }
  const top = o.format(yMax);
  const pad = Math.max(top.length, 1);
  const lines = grid.map((cells, i) => `  ${(i === 0 ? top : i === o.height - 1 ? '0' : '').padStart(pad)} │${cells.join('')}`);
  lines.push(`  ${' '.repeat(pad)} └${'─'.repeat(o.width)}`);
  const xRight = `${o.xLabel} ${o.format(xMax)}`;
  lines.push(`  ${' '.repeat(pad)}  0${xRight.padStart(o.width - 1)}`);
  lines.push(`  ${' '.repeat(pad)}  ${[...series.map((s) => `${s.mark} ${s.label}`), '* several'].join('   ')}`);
  return lines.join('\n');
}
