/**
 * Terminal text of `vmprobe allocators`: per workload, a table of every configuration
 * (peak, retained, after release — the workload's RSS above the child's baseline,
 * medians with min–max — VSZ, mappings, minor faults, ops/s, version) and a bar chart
 * of retained RSS; then the best configuration per workload, or "within the noise".
 */
import type { AllocatorsMeasurements, CellResult, Spread } from '../experiments/allocators/measurements';
import type { Style } from './style';
import { renderTable } from './table';

const MiB = 1024 * 1024;
const mib = (b: number): string => (b / MiB).toFixed(1);
const range = (s: Spread | null, f: (v: number) => string): string => (s === null ? '—' : `${f(s.median)} (${f(s.min)}–${f(s.max)})`);
const BAR_WIDTH = 40;

function version(cell: CellResult): string {
  const id = cell.proof?.identity;
  if (!id) return '';
  if (cell.config.startsWith('glibc')) return id.glibcVersion ? `glibc ${id.glibcVersion}` : '';
  const v = cell.config === 'jemalloc' ? id.jemallocVersion?.split('-')[0] : cell.config === 'tcmalloc' ? id.tcmallocVersion : id.mimallocVersion;
  return v ?? '';
}

/** A horizontal bar chart of median retained MiB per configuration (min–max drawn as a dim tail). */
export function renderRetainedBars(cells: readonly CellResult[], labels: ReadonlyMap<string, string>, style: Style): string {
  const measured = cells.filter((c) => c.retainedBytes !== null);
  const top = Math.max(1, ...measured.map((c) => c.retainedBytes?.max ?? 0));
  const width = Math.max(...cells.map((c) => (labels.get(c.config) ?? c.config).length));
  return cells.map((c) => {
    const label = (labels.get(c.config) ?? c.config).padEnd(width);
    if (c.retainedBytes === null) return `  ${label}  ${style.dim(c.status)}`;
    const med = Math.round((Math.max(0, c.retainedBytes.median) / top) * BAR_WIDTH);
    const max = Math.round((Math.max(0, c.retainedBytes.max) / top) * BAR_WIDTH);
    return `  ${label}  ${'█'.repeat(med)}${style.dim('░'.repeat(Math.max(0, max - med)))}${' '.repeat(Math.max(0, BAR_WIDTH - max))} ${mib(c.retainedBytes.median)} MiB`;
  }).join('\n');
}

/** Renders the measurements (not the claims). */
export function renderAllocators(m: AllocatorsMeasurements, style: Style): string {
  const labels = new Map(m.configs.map((c) => [c.id, c.label]));
  const out: string[] = [
    `scale ${m.scale}, ${m.threads} threads, ${m.repetitions} repetitions per cell, ${(m.elapsedMs / 1000).toFixed(1)} s. ` +
    'RSS figures are the workload\'s: the child\'s RSS minus its RSS before the workload, MiB, median (min–max).',
  ];
  for (const c of m.configs) {
    if (c.library?.status === 'missing') out.push(style.dim(`${c.label}: not installed — ${c.library.reason}`));
    else if (c.library?.status === 'found') out.push(style.dim(`${c.label}: ${c.library.path} (${c.library.via})`));
  }
  for (const w of m.workloads) {
    const cells = m.cells.filter((c) => c.workload === w.id);
    out.push('', style.bold(`${w.id}`) + style.dim(` — ${w.description}`));
    const rows = cells.map((c) => c.status !== 'measured'
      ? [labels.get(c.config) ?? c.config, c.status, '', '', '', '', '', '', c.reason ?? '']
      : [
        labels.get(c.config) ?? c.config,
        range(c.peakBytes, mib), range(c.retainedBytes, mib), range(c.releasedBytes, mib),
        c.vszBytes ? mib(c.vszBytes.median) : '—', c.mappings ? String(c.mappings.median) : '—',
        c.minorFaults ? String(Math.round(c.minorFaults.median)) : '—',
        c.opsPerSecond ? Math.round(c.opsPerSecond.median).toLocaleString('en-US') : '—', version(c),
      ]);
    out.push(renderTable(['configuration', 'peak MiB', 'retained MiB', 'after release MiB', 'VSZ MiB', 'maps', 'minflt', 'ops/s', 'version'], rows,
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left']));
    out.push('', 'retained after the load (MiB):', renderRetainedBars(cells, labels, style));
  }
  out.push('', style.bold('Lowest retained RSS per workload'));
  for (const b of m.best) {
    if (b.config === null) out.push(`  ${b.workload}: nothing measured`);
    else if (b.runnerUp === null || b.marginBytes === null) out.push(`  ${b.workload}: ${labels.get(b.config) ?? b.config} (the only one measured)`);
    else if (b.withinNoise) out.push(`  ${b.workload}: within the noise — ${labels.get(b.config) ?? b.config} ${mib(b.retainedBytes ?? 0)} MiB vs ${labels.get(b.runnerUp) ?? b.runnerUp} ${mib(b.runnerUpRetainedBytes ?? 0)} MiB (ranges overlap)`);
    else out.push(`  ${b.workload}: ${labels.get(b.config) ?? b.config}, ${mib(b.retainedBytes ?? 0)} MiB, ${mib(b.marginBytes)} MiB below ${labels.get(b.runnerUp) ?? b.runnerUp}`);
  }
  return out.join('\n');
}
