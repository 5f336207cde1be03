/**
 * The lazy-allocation chart: a fresh mapping read page by page, then written, with the
 * cumulative faults, the pages mapping the shared zero page, the pages with memory of
 * their own and the mapping's RSS against the pages touched. Drawn from the lazy
 * experiment's sampled curve, or from steps 1-3 (three points) when a result has none.
 */
import { paint } from './palette';
import type { LazyMeasurements } from '../../experiments/lazy/measurements';
import { formatBytes, formatCount } from '../../util/format';
import { lineChart, type LineSeries } from './line-chart';
import { pow2StepTicks } from './scale';

const MIB = 1024 * 1024;
type Point = readonly [number, number];

interface Curves {
  faults: Point[];
  zero: Point[];
  private: Point[];
  rss: Point[];
  sampled: boolean;
}

/** The four series, x = pages touched counting the read pass then the write pass. */
function curves(m: LazyMeasurements): Curves {
  const n = m.pages;
  const page = m.pageSizeBytes;
  const c: Curves = { faults: [], zero: [], private: [], rss: [], sampled: m.curve !== undefined };
  if (m.curve) {
    let readFaults = 0;
    for (const p of m.curve.points) {
      const x = p.pass === 'read' ? p.pagesTouched : n + p.pagesTouched;
      if (p.pass === 'read') readFaults = p.minorFaults;
      c.faults.push([x, p.pass === 'read' ? p.minorFaults : readFaults + p.minorFaults]);
      c.zero.push([x, p.zeroPages]);
      c.private.push([x, p.privatePages]);
      if (p.mappingRssBytes !== null) c.rss.push([x, p.mappingRssBytes / page]);
    }
    return c;
  }
  const [mapped, read, write] = m.steps;
  for (const [x, s, faults] of [[0, mapped, 0], [n, read, read.minorFaults], [2 * n, write, read.minorFaults + write.minorFaults]] as const) {
    c.faults.push([x, faults]);
    c.zero.push([x, s.zeroPages]);
    c.private.push([x, s.privatePages]);
    if (s.mappingRssBytes !== null) c.rss.push([x, s.mappingRssBytes / page]);
  }
  return c;
}

/** The chart as an <svg> element, and a caption with the key numbers. */
export function renderLazyCurveSvg(m: LazyMeasurements): { svg: string; caption: string } {
  const c = curves(m);
  const n = m.pages;
  const series: LineSeries[] = [
    { name: 'page faults, cumulative', color: paint('blue'), points: c.faults, halo: true },
    { name: 'zero pages (no memory)', color: paint('orange'), points: c.zero, dots: true },
    { name: 'private pages (own memory)', color: paint('green'), points: c.private, dots: true },
    { name: 'RSS of the mapping', color: paint('purple'), points: c.rss, dashed: true },
  ];
  const maxY = Math.max(...series.flatMap((s) => s.points.map(([, y]) => y)), 1);
  const svg = lineChart({
    title: `Lazy allocation: ${formatBytes(m.sizeBytes)} mapped, read, then written`,
    x: { title: `pages touched: read pass 0–${formatCount(n)}, then write pass (pages of ${formatBytes(m.pageSizeBytes)})`, max: 2 * n, ticks: pow2StepTicks(2 * n) },
    y: { title: 'pages · faults', max: maxY, ticks: pow2StepTicks(maxY) },
    yRight: { title: 'RSS of the mapping (MiB)', factor: m.pageSizeBytes / MIB },
    series,
    rules: [{ axis: 'x', value: n, label: 'reads end, writes begin', color: paint('grey') }],
  });
  const last = c.faults[c.faults.length - 1]?.[1] ?? 0;
  const readFaults = c.faults.find(([x]) => x === n)?.[1] ?? 0;
  const caption = `${formatCount(n)} pages: reading took ${formatCount(readFaults)} faults and left ${formatCount(c.zero.find(([x]) => x === n)?.[1] ?? 0)} zero pages, no memory; ` +
    `writing took ${formatCount(last - readFaults)} more and gave ${formatCount(c.private[c.private.length - 1]?.[1] ?? 0)} private pages. ` +
    (c.sampled ? `Sampled after each of ${m.curve?.chunks ?? 0} chunks per pass.` : 'Only the step endpoints were recorded in this result.');
  return { svg, caption };
}
