/**
 * A line chart in plain SVG: linear axes from 0 with gridlines, tick labels and axis
 * titles (with units), polylines per series, dashed reference rules and annotated
 * points, a legend on top. Our own small generator rather than a charting library:
 * the usual ones (d3, Chart.js, Vega) need a DOM or a canvas to draw, and our four
 * charts need only lines, dots and text, so a few hundred lines of string building
 * keep the page self-contained and the package dependency-free.
 */
import { escapeXml, legend, svgDocument, type LegendEntry } from './doc';
import { linearScale, niceTicks, tickLabel } from './scale';

/** One line of the chart, in data units. */
export interface LineSeries {
  name: string;
  color: string;
  points: ReadonlyArray<readonly [number, number]>;
  dashed?: boolean;
  /** Draw a dot at every point too. */
  dots?: boolean;
  /** Draw as a wide translucent band under the other lines (for a series others coincide with). */
  halo?: boolean;
}

/** A dashed reference line across the plot at x = value or y = value. */
export interface Rule {
  axis: 'x' | 'y';
  value: number;
  label: string;
  color: string;
  /** Where an x rule's label sits (default 'top'). */
  labelAt?: 'top' | 'bottom';
}

/** A labelled point. */
export interface Marker {
  x: number;
  y: number;
  label: string;
  color: string;
}

/** An axis from 0 to at least `max`, in data units, with its title. */
export interface LinearAxis {
  title: string;
  max: number;
  /** Tick values (default: 1, 2, 5 × 10^k steps); the last one is the axis's end. */
  ticks?: number[];
}

/** What lineChart draws. */
export interface LineChartSpec {
  title: string;
  x: LinearAxis;
  y: LinearAxis;
  /** A second scale for the right edge: `factor` × the left axis's value, with its own title. */
  yRight?: { title: string; factor: number };
  series: readonly LineSeries[];
  rules?: readonly Rule[];
  markers?: readonly Marker[];
  widthPx?: number;
  heightPx?: number;
}

const MARGIN = { top: 56, right: 70, bottom: 50, left: 70 };

/** Renders the chart as one <svg> element. */
export function lineChart(spec: LineChartSpec): string {
  const width = spec.widthPx ?? 720;
  const height = spec.heightPx ?? 360;
  const xTicks = spec.x.ticks ?? niceTicks(spec.x.max);
  const yTicks = spec.y.ticks ?? niceTicks(spec.y.max);
  const xMax = xTicks[xTicks.length - 1] ?? 1;
  const yMax = yTicks[yTicks.length - 1] ?? 1;
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  const sx = linearScale(0, xMax, left, right);
  const sy = linearScale(0, yMax, bottom, top);
  const body: string[] = [];
  const r = (v: number): string => v.toFixed(1);

  for (const t of yTicks) {
    body.push(`<line x1="${left}" y1="${r(sy(t))}" x2="${right}" y2="${r(sy(t))}" class="grid"/>`);
    body.push(`<text x="${left - 8}" y="${r(sy(t) + 4)}" text-anchor="end" class="tick">${escapeXml(tickLabel(t))}</text>`);
    if (spec.yRight) body.push(`<text x="${right + 8}" y="${r(sy(t) + 4)}" class="tick">${escapeXml(tickLabel(t * spec.yRight.factor))}</text>`);
  }
  for (const t of xTicks) {
    body.push(`<line x1="${r(sx(t))}" y1="${bottom}" x2="${r(sx(t))}" y2="${bottom + 5}" class="axis"/>`);
    body.push(`<text x="${r(sx(t))}" y="${bottom + 19}" text-anchor="middle" class="tick">${escapeXml(tickLabel(t))}</text>`);
  }
  body.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" class="axis"/>`);
  body.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" class="axis"/>`);
  body.push(`<text x="${(left + right) / 2}" y="${height - 10}" text-anchor="middle" class="axis-title">${escapeXml(spec.x.title)}</text>`);
  body.push(`<text transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle" class="axis-title">${escapeXml(spec.y.title)}</text>`);
  if (spec.yRight) body.push(`<text transform="translate(${width - 12} ${(top + bottom) / 2}) rotate(90)" text-anchor="middle" class="axis-title">${escapeXml(spec.yRight.title)}</text>`);

  for (const rule of spec.rules ?? []) {
    if (rule.axis === 'x') {
      const x = r(sx(rule.value));
      body.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" style="stroke:${rule.color}" stroke-width="1.5" stroke-dasharray="6,4" class="rule"/>`);
      body.push(`<text x="${Number(x) - 5}" y="${rule.labelAt === 'bottom' ? bottom - 8 : top + 12}" text-anchor="end" class="note" style="fill:${rule.color}">${escapeXml(rule.label)}</text>`);
    } else {
      const y = r(sy(rule.value));
      body.push(`<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" style="stroke:${rule.color}" stroke-width="1.5" stroke-dasharray="6,4" class="rule"/>`);
      body.push(`<text x="${left + 6}" y="${Number(y) - 6}" class="note" style="fill:${rule.color}">${escapeXml(rule.label)}</text>`);
    }
  }
  // Halo series first, so the lines that coincide with them stay visible on top.
  for (const s of [...spec.series].sort((a, b) => Number(b.halo === true) - Number(a.halo === true))) {
    if (s.points.length === 0) continue;
    const pts = s.points.map(([x, y]) => `${r(sx(x))},${r(sy(y))}`).join(' ');
    const stroke = s.halo ? 'stroke-width="9" stroke-opacity="0.3" stroke-linecap="round"' : 'stroke-width="2.5"';
    body.push(`<polyline points="${pts}" fill="none" style="stroke:${s.color}" ${stroke} stroke-linejoin="round"${s.dashed ? ' stroke-dasharray="7,4"' : ''} class="series"><title>${escapeXml(s.name)}</title></polyline>`);
    if (s.dots) for (const [x, y] of s.points) body.push(`<circle cx="${r(sx(x))}" cy="${r(sy(y))}" r="2.6" style="fill:${s.color}"/>`);
  }
  for (const m of spec.markers ?? []) {
    const x = sx(m.x);
    const y = sy(m.y);
    body.push(`<circle cx="${r(x)}" cy="${r(y)}" r="5" fill="none" style="stroke:${m.color}" stroke-width="2" class="marker"/>`);
    const anchor = x > (left + right) / 2 ? 'end' : 'start';
    body.push(`<text x="${r(x + (anchor === 'end' ? -9 : 9))}" y="${r(y + 16)}" text-anchor="${anchor}" class="note" style="fill:${m.color}">${escapeXml(m.label)}</text>`);
  }
  const entries: LegendEntry[] = spec.series.map((s) => ({ name: s.name, color: s.color, shape: s.halo ? 'band' : s.dashed ? 'dashed' : 'line' }));
  return svgDocument(width, height, spec.title, [...body, ...legend(entries, left, 20, right)]);
}
