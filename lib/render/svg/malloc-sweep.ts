/**
 * The malloc sweep chart: each request size of the malloc experiment's sweep (log2
 * axis) as a dot in the lane of the source that served it (brk heap, a thread arena or
 * its own mmap), the measured crossover marked. Reads only `measurements.sweep`,
 * `measurements.crossoverBytes` and `measurements.crossoverLater`, described here by the
 * shape the chart needs, so the chart renders as soon as the malloc experiment is
 * registered. The sweep is taken after the fresh-child crossover, in the same child; when
 * Node's own frees raised glibc's dynamic threshold in between, the two differ, and both
 * are drawn, labelled with their moment — the chart and its caption never disagree with
 * the dots (the caption's "from X up" is read off the dots themselves).
 */
import { paint } from './palette';
import { escapeXml, legend, svgDocument } from './doc';
import { byteUnitFor, log2Scale, pow2Ticks, shortBytes } from './scale';

/** One request of the sweep. */
export interface MallocSweepPoint {
  sizeBytes: number;
  source: string;
  usableBytes: number;
  address: string;
}

/** The part of the malloc experiment's measurements the chart draws. */
export interface MallocSweepMeasurements {
  sweep: MallocSweepPoint[];
  /** The crossover searched first thing in a fresh child, before the sweep (null: none seen). */
  crossoverBytes: number | null;
  /** The crossover searched right after the sweep in the same child (the threshold the sweep ended under). */
  crossoverLater?: { crossoverBytes: number | null };
}

/** The smallest sweep size from which every larger request was mmapped, or null. */
export function sweepMmapFrom(sweep: readonly MallocSweepPoint[]): number | null {
  const sorted = [...sweep].sort((a, b) => a.sizeBytes - b.sizeBytes);
  let from: number | null = null;
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i] as MallocSweepPoint;
    if (p.source !== 'mmap') break;
    from = p.sizeBytes;
  }
  return from;
}

const LANES: ReadonlyArray<{ source: string; label: string; color: string }> = [
  { source: 'mmap', label: 'own mmap', color: paint('blue') },
  { source: 'thread-arena', label: 'thread arena', color: paint('purple') },
  { source: 'brk', label: 'brk heap', color: paint('orange') },
];

/** A size in a short unit, with the exact bytes when the short form rounds: "128 KiB", "131,049 B (≈ 128 KiB)". */
function exactBytes(bytes: number): string {
  const short = shortBytes(bytes);
  return byteUnitFor(bytes).bytes * Number(short.split(' ')[0]) === bytes ? short : `${bytes.toLocaleString('en-US')} B (≈ ${short})`;
}

/** True when `m` has a sweep the chart can draw. */
export function hasMallocSweep(m: unknown): m is MallocSweepMeasurements {
  const sweep = (m as { sweep?: unknown } | null)?.sweep;
  return Array.isArray(sweep) && sweep.length > 0 && sweep.every((p: unknown) => typeof (p as MallocSweepPoint).sizeBytes === 'number' && (p as MallocSweepPoint).sizeBytes > 0 && typeof (p as MallocSweepPoint).source === 'string');
}

/** The chart as an <svg> element, and a caption with the key numbers. */
export function renderMallocSweepSvg(m: MallocSweepMeasurements): { svg: string; caption: string } {
  const width = 720;
  const present = new Set(m.sweep.map((p) => p.source));
  const lanes = [
    ...LANES.filter((l) => l.source !== 'thread-arena' || present.has(l.source)),
    ...[...present].filter((s) => !LANES.some((l) => l.source === s)).map((s) => ({ source: s, label: s, color: paint('grey') })),
  ];
  const laneH = 46;
  const start = m.crossoverBytes;
  const during = m.crossoverLater?.crossoverBytes ?? null;
  const twoRules = start !== null && during !== null && during !== start;
  const top = twoRules ? 70 : 40;
  const left = 110;
  const right = width - 30;
  const bottom = top + lanes.length * laneH;
  const height = bottom + 52;
  const sizes = m.sweep.map((p) => p.sizeBytes);
  const minSize = Math.min(...sizes) / Math.SQRT2;
  const maxSize = Math.max(...sizes) * Math.SQRT2;
  const sx = log2Scale(minSize, maxSize, left, right);
  const laneY = (source: string): number => top + (lanes.findIndex((l) => l.source === source) + 0.5) * laneH;
  const body: string[] = [];
  lanes.forEach((l, i) => {
    body.push(`<rect x="${left}" y="${top + i * laneH}" width="${right - left}" height="${laneH}" class="lane${i % 2}"/>`);
    body.push(`<text x="${left - 10}" y="${top + (i + 0.5) * laneH + 4}" text-anchor="end" class="tick">${escapeXml(l.label)}</text>`);
  });
  for (const t of pow2Ticks(minSize, maxSize, 10)) {
    const x = sx(t).toFixed(1);
    body.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom + 5}" class="grid"/>`);
    body.push(`<text x="${x}" y="${bottom + 19}" text-anchor="middle" class="tick">${escapeXml(shortBytes(t))}</text>`);
  }
  body.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" class="axis"/>`);
  body.push(`<text x="${(left + right) / 2}" y="${height - 10}" text-anchor="middle" class="axis-title">request size (bytes, log₂ scale)</text>`);
  body.push(`<text transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle" class="axis-title">source</text>`);
  const rule = (bytes: number, label: string, color: string, dash: string, labelY: number): void => {
    const x = sx(bytes).toFixed(1);
    body.push(`<line x1="${x}" y1="${labelY + 2}" x2="${x}" y2="${bottom}" style="stroke:${color}" stroke-width="1.5" stroke-dasharray="${dash}" class="rule"/>`);
    // Right of the rule when it sits in the left half, left of it otherwise: never clipped.
    const leftHalf = Number(x) < (left + right) / 2;
    body.push(`<text x="${Number(x) + (leftHalf ? 6 : -6)}" y="${labelY}" text-anchor="${leftHalf ? 'start' : 'end'}" class="note" style="fill:${color}">${escapeXml(label)}</text>`);
  };
  if (twoRules) {
    rule(start, `threshold at the child's start ${exactBytes(start)}`, paint('red'), '6,4', top - 22);
    rule(during, `threshold right after the sweep ${exactBytes(during)} (raised by Node's own frees)`, paint('green'), '2,3', top - 8);
  } else if (start !== null || during !== null) {
    rule((start ?? during) as number, `measured threshold ${exactBytes((start ?? during) as number)}`, paint('red'), '6,4', top - 8);
  }
  for (const p of m.sweep) {
    const lane = lanes.find((l) => l.source === p.source);
    body.push(`<circle cx="${sx(p.sizeBytes).toFixed(1)}" cy="${laneY(p.source).toFixed(1)}" r="5" style="fill:${lane?.color ?? paint('grey')}" class="dot"><title>${escapeXml(`${p.sizeBytes} bytes → ${p.source} at ${p.address} (${p.usableBytes} usable)`)}</title></circle>`);
  }
  const svg = svgDocument(width, height, 'malloc: request size → source', [...body, ...legend(lanes.map((l) => ({ name: l.label, color: l.color, shape: 'dot' })), left, 20)]);
  const counts = lanes.map((l) => `${m.sweep.filter((p) => p.source === l.source).length} from ${l.label}`).join(', ');
  const mmapFrom = sweepMmapFrom(m.sweep);
  const thresholds = twoRules
    ? ` glibc's threshold was ${exactBytes(start)} when the child started and ${exactBytes(during)} right after the sweep, in the same child: freeing an mmapped chunk raises it (the dynamic threshold), so the sweep's brk/mmap boundary can lie between the two.`
    : '';
  const caption = `${m.sweep.length} request sizes from ${shortBytes(Math.min(...sizes))} to ${shortBytes(Math.max(...sizes))}: ${counts}; ` +
    (mmapFrom === null ? 'no size of the sweep switched to mmap for good.' : `from ${exactBytes(mmapFrom)} up, every request of the sweep got its own mmap.`) + thresholds;
  return { svg, caption };
}
