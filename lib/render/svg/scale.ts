/**
 * Scales and tick values for the report's SVG charts: linear and log2 mappings from
 * data to pixels, "nice" tick steps (1, 2, 5 × 10^k), and binary byte units for axes
 * (an axis in bytes is labelled in the one unit that suits its range: "depth (MiB)").
 */

/** A mapping from data values to pixels. */
export type Scale = (value: number) => number;

/** Linear scale: [d0, d1] → [p0, p1]. */
export function linearScale(d0: number, d1: number, p0: number, p1: number): Scale {
  const span = d1 - d0 || 1;
  return (v) => p0 + ((v - d0) / span) * (p1 - p0);
}

/** Log2 scale: [d0, d1] (both > 0) → [p0, p1]. */
export function log2Scale(d0: number, d1: number, p0: number, p1: number): Scale {
  const l0 = Math.log2(d0);
  const span = Math.log2(d1) - l0 || 1;
  return (v) => p0 + ((Math.log2(Math.max(v, d0)) - l0) / span) * (p1 - p0);
}

/** Ticks from 0 to at least `max` in steps of 1, 2 or 5 × 10^k, about `count` of them. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A binary unit an axis is labelled in. */
export interface ByteUnit {
  name: string;
  bytes: number;
}

const BYTE_UNITS: readonly ByteUnit[] = [
  { name: 'bytes', bytes: 1 }, { name: 'KiB', bytes: 1024 }, { name: 'MiB', bytes: 1024 ** 2 }, { name: 'GiB', bytes: 1024 ** 3 }, { name: 'TiB', bytes: 1024 ** 4 },
];

/** The largest binary unit not bigger than `maxBytes` (bytes for small ranges). */
export function byteUnitFor(maxBytes: number): ByteUnit {
  let unit = BYTE_UNITS[0] as ByteUnit;
  for (const u of BYTE_UNITS) if (maxBytes >= u.bytes) unit = u;
  return unit;
}

/** Powers of two from `min` to `max` (inclusive when they are powers), at most `count`, evenly spaced in log2. */
export function pow2Ticks(min: number, max: number, count = 8): number[] {
  const lo = Math.ceil(Math.log2(min));
  const hi = Math.floor(Math.log2(max));
  const every = Math.max(1, Math.ceil((hi - lo + 1) / count));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e += every) ticks.push(2 ** e);
  return ticks;
}

/** A byte count in the shortest binary unit that writes it whole: 131072 → "128 KiB", 1536 → "1.5 KiB". */
export function shortBytes(bytes: number): string {
  const unit = byteUnitFor(bytes);
  const value = bytes / unit.bytes;
  return `${Number(value.toFixed(value < 10 ? 1 : 0))} ${unit.name === 'bytes' ? 'B' : unit.name}`;
}

/** A tick label: integers as integers, others with up to two decimals, thousands separated. */
export function tickLabel(value: number): string {
  return Number(value.toFixed(2)).toLocaleString('en-US');
}

/** Ticks from 0 in steps of a power of two (about `count` of them) up to at least `max`: axes in pages whose MiB read round. */
export function pow2StepTicks(max: number, count = 4): number[] {
  const step = 2 ** Math.max(0, Math.ceil(Math.log2(Math.max(max, 1) / count)));
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(v);
  if (ticks.length > 1 && (ticks[ticks.length - 2] as number) >= max) ticks.pop();
  return ticks;
}
