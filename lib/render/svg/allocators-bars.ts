/**
 * The allocators experiment's grouped-bar chart: for each workload a group of bars, one
 * per measured configuration, each the median RSS the workload retained after freeing
 * (above the child's baseline), with a whisker from min to max over the repetitions.
 * Bars share one linear scale; unmeasured cells (missing allocator) are left out.
 */
import type { AllocatorsMeasurements } from '../../experiments/allocators/measurements';
import { formatBytes } from '../../util/format';
import { escapeXml, legend, svgDocument, type LegendEntry } from './doc';

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'];

/** The chart and its caption. */
export function renderAllocatorsBarsSvg(m: AllocatorsMeasurements): { svg: string; caption: string } {
  const configs = m.configs.map((c) => c.id).filter((id) => m.cells.some((cell) => cell.config === id && cell.retainedBytes !== null));
  const workloads = m.workloads.map((w) => w.id);
  const maxBytes = Math.max(1, ...m.cells.map((c) => c.retainedBytes?.max ?? 0));
  const left = 70, top = 20, plotHeight = 220, barWidth = 12, groupGap = 24;
  const groupWidth = Math.max(1, configs.length) * barWidth;
  const width = left + workloads.length * (groupWidth + groupGap) + 20;
  const y = (bytes: number): number => top + plotHeight - (bytes / maxBytes) * plotHeight;
  const body: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (maxBytes * i) / 4;
    body.push(`<line x1="${left}" y1="${y(v)}" x2="${width - 10}" y2="${y(v)}" class="grid"/>`,
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" class="tick">${escapeXml(formatBytes(v))}</text>`);
  }
  workloads.forEach((w, wi) => {
    const x0 = left + wi * (groupWidth + groupGap) + groupGap / 2;
    configs.forEach((config, ci) => {
      const cell = m.cells.find((c) => c.workload === w && c.config === config);
      const s = cell?.retainedBytes;
      if (!s) return;
      const x = x0 + ci * barWidth;
      const color = PALETTE[ci % PALETTE.length] ?? '#888';
      body.push(`<rect x="${x}" y="${y(s.median)}" width="${barWidth - 2}" height="${top + plotHeight - y(s.median)}" fill="${color}"><title>${escapeXml(`${config}, ${w}: ${formatBytes(s.median)} retained (${formatBytes(s.min)}–${formatBytes(s.max)})`)}</title></rect>`,
        `<line x1="${x + barWidth / 2 - 1}" y1="${y(s.min)}" x2="${x + barWidth / 2 - 1}" y2="${y(s.max)}" stroke="currentColor" stroke-width="1"/>`);
    });
    body.push(`<text x="${x0 + groupWidth / 2}" y="${top + plotHeight + 16}" text-anchor="middle" class="tick">${escapeXml(w)}</text>`);
  });
  const entries: LegendEntry[] = configs.map((id, i) => ({ name: id, color: PALETTE[i % PALETTE.length] ?? '#888', shape: 'band' }));
  body.push(...legend(entries, left, top + plotHeight + 40, width - 10));
  const height = top + plotHeight + 40 + 18 * Math.ceil(configs.length / 4) + 10;
  const svg = svgDocument(width, height, 'RSS retained after freeing, by workload and allocator configuration', body);
  const caption = `Median RSS each workload kept after freeing what it frees (above the child's own baseline), per configuration; whiskers span min–max over ${m.repetitions} repetitions (scale ${m.scale}, ${m.threads} threads). Lower is better; overlapping whiskers are within the noise.`;
  return { svg, caption };
}
