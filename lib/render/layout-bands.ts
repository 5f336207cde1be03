/**
 * Grouping a classified map into the bands the pictures draw (terminal and SVG), high
 * addresses first: the executable's segments one by one, each library as one band,
 * runs of the same other kind as one band, and the free gaps between bands with their
 * log-scale height. Layout only: no measuring.
 */
import type { RegionJson } from '../experiments/layout/measurements';
import { formatBytes } from '../util/format';
import { zoneOf, type RegionKind, type Zone } from '../layout/regions';

/** One drawn band: one or more consecutive regions. */
export interface Band {
  /** 'band' for mapped regions, 'gap' for free space. */
  type: 'band' | 'gap';
  label: string;
  zone: Zone | 'free';
  kinds: RegionKind[];
  start: bigint;
  end: bigint;
  /** Bytes mapped (for gaps: free bytes); a band's regions may lie apart, `start`..`end` is its whole span. */
  sizeBytes: number;
  regions: number;
  /** Height in rows of a log scale: 1 for a page, growing by one per `bitsPerRow` doublings. */
  rows: number;
}

function keyOf(r: RegionJson): string {
  if (r.kind.startsWith('lib-') && r.objectPath !== null) return `lib:${r.objectPath}`;
  if (r.kind === 'thread-stack' || r.kind === 'guard') return 'thread-stacks';
  if (r.objectPath !== null) return `exe:${r.kind}`;
  return `kind:${r.kind}`;
}

function labelOf(first: RegionJson, key: string, count: number): string {
  if (key.startsWith('lib:')) return `library ${(first.objectPath ?? '').split('/').pop() ?? ''}`;
  if (key === 'thread-stacks') return 'thread stacks + guards';
  if (key.startsWith('exe:')) return `${first.kind} (${(first.objectPath ?? '').split('/').pop() ?? ''})`;
  return count > 1 ? `${first.kind} ×${count}` : first.kind;
}

/** Rows for `bytes` on a log scale: log2(bytes / pageBytes) / bitsPerRow, at least 1, at most maxRows. */
export function logRows(bytes: number, pageBytes: number, bitsPerRow: number, maxRows: number): number {
  const pages = Math.max(1, bytes / pageBytes);
  return Math.min(maxRows, 1 + Math.floor(Math.log2(pages) / bitsPerRow));
}

/** Groups the regions (ascending, as in the measurements) into bands and gaps, highest first. */
export function layoutBands(allRegions: readonly RegionJson[], pageBytes: number, bitsPerRow = 10, maxRows = 4): Band[] {
  // The kernel's gate page ([vsyscall]) sits in the kernel half: drawn with the kernel, not as a band.
  const regions = allRegions.filter((r) => zoneOf(r.kind) !== 'kernel');
  const groups: Array<{ key: string; items: RegionJson[] }> = [];
  for (const r of regions) {
    const key = keyOf(r);
    const last = groups[groups.length - 1];
    // Merge only across small holes: a gap bigger than the group itself is drawn.
    const lastItem = last?.items[last.items.length - 1];
    const hole = lastItem ? Number(BigInt(r.start) - BigInt(lastItem.end)) : 0;
    const span = last ? Number(BigInt(lastItem?.end ?? '0') - BigInt(last.items[0]?.start ?? '0')) : 0;
    // Anonymous regions scattered over the mmap area (V8 places its reservations at
    // random hints) become one band, so the picture stays readable.
    if (last && last.key === key && (key === 'kind:anonymous' || hole <= Math.max(span, pageBytes * 1024))) last.items.push(r);
    else groups.push({ key, items: [r] });
  }
  const bands: Band[] = [];
  let previousEnd: bigint | null = null;
  for (const g of groups) {
    const first = g.items[0] as RegionJson;
    const start = BigInt(first.start);
    const end = BigInt((g.items[g.items.length - 1] as RegionJson).end);
    if (previousEnd !== null && start > previousEnd) {
      const free = Number(start - previousEnd);
      bands.push({ type: 'gap', label: 'free', zone: 'free', kinds: [], start: previousEnd, end: start, sizeBytes: free, regions: 0, rows: logRows(free, pageBytes, bitsPerRow, maxRows) });
    }
    const size = g.items.reduce((n, r) => n + r.sizeBytes, 0);
    const kinds = [...new Set(g.items.map((r) => r.kind))];
    const spread = Number(end - start);
    const label = labelOf(first, g.key, g.items.length) + (spread > 2 * size + pageBytes * 1024 ? ` over ${formatBytes(spread)}` : '');
    bands.push({ type: 'band', label, zone: zoneOf(first.kind), kinds, start, end, sizeBytes: size, regions: g.items.length, rows: logRows(size, pageBytes, bitsPerRow, maxRows) });
    previousEnd = end;
  }
  return bands.reverse();
}
