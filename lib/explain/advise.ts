/**
 * advise: findings computed from an owners tree, each quoting the figures it rests on.
 * A finding appears only past a threshold stated here with its reason, so a small,
 * healthy process gets no advice.
 */
import { formatBytes } from '../util/format';
import type { Finding, MemoryBreakdown, OwnerRow } from './types';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * Free-but-resident malloc memory worth a malloc_trim: at least 16 MiB (below that the
 * gain is within the RSS a Node process moves by itself between two GCs) AND at least 5%
 * of RSS (so it matters for this process).
 */
export const TRIM_MIN_BYTES = 16 * MiB;
export const TRIM_MIN_RSS_SHARE = 0.05;
/** Thread-arena heaps worth capping: more than 2 (MALLOC_ARENA_MAX=2 would leave main + 1). */
export const ARENA_CAP_MIN_HEAPS = 3;
/** PROT_NONE reservation worth explaining: at least 1 GiB and half the VSZ (when VSZ is the number that alarms). */
export const RESERVED_MIN_BYTES = GiB;
export const RESERVED_MIN_VSZ_SHARE = 0.5;
/** V8 committed but unused: at least 32 MiB (a few heap pages are always spare) and 25% of what is committed. */
export const V8_SLACK_MIN_BYTES = 32 * MiB;
export const V8_SLACK_MIN_SHARE = 0.25;
/** Buffers dominating: at least a quarter of RSS. */
export const EXTERNAL_MIN_RSS_SHARE = 0.25;
/** Reads disagreeing: the process changed its RSS by more than 1% between smaps and smaps_rollup. */
export const CHANGED_MIN_RSS_SHARE = 0.01;
/** Page tables worth naming: 4 MiB and 1% of RSS. */
export const PTE_MIN_BYTES = 4 * MiB;
export const PTE_MIN_RSS_SHARE = 0.01;

function find(rows: readonly OwnerRow[], id: string): OwnerRow | undefined {
  for (const r of rows) {
    if (r.id === id) return r;
    const inner = find(r.children, id);
    if (inner) return inner;
  }
  return undefined;
}

const num = (r: OwnerRow | undefined, key: string): number | undefined => {
  const v = r?.detail?.[key];
  return typeof v === 'number' ? v : undefined;
};

/** Findings for `breakdown` (owners and totals only; reads nothing else). */
export function advise(breakdown: Omit<MemoryBreakdown, 'findings'>): Finding[] {
  const out: Finding[] = [];
  const rss = breakdown.totals.rssBytes;
  const vsz = breakdown.totals.virtualBytes;
  const malloc = find(breakdown.owners, 'malloc');
  const heaps = num(malloc, 'threadArenaHeaps') ?? 0;
  const free = num(malloc, 'freeResidentBytes');
  const arenas = num(malloc, 'arenas');
  if (free !== undefined && free >= TRIM_MIN_BYTES && free >= TRIM_MIN_RSS_SHARE * rss) {
    const where = arenas !== undefined ? `${arenas} malloc arenas` : `the main arena and ${heaps} thread-arena heaps`;
    out.push({ id: 'malloc-free-resident',
      message: `${formatBytes(free)} of freed memory is still resident in ${where}: malloc_trim(0) returns it` +
        (heaps >= ARENA_CAP_MIN_HEAPS ? `; MALLOC_ARENA_MAX=2 caps the arenas` : ''),
      figures: { freeResidentBytes: free, threadArenaHeaps: heaps, ...(arenas !== undefined ? { arenas } : {}) } });
  } else if (free === undefined && heaps >= ARENA_CAP_MIN_HEAPS) {
    const arenaRss = find(breakdown.owners, 'malloc.thread-arenas')?.rssBytes ?? 0;
    out.push({ id: 'malloc-thread-arenas',
      message: `${heaps} thread-arena heaps hold ${formatBytes(arenaRss)} resident (how much of it is free needs the process's own mallinfo2); MALLOC_ARENA_MAX=2 caps the arenas`,
      figures: { threadArenaHeaps: heaps, threadArenaRssBytes: arenaRss } });
  }
  const reserved = find(breakdown.owners, 'reserved');
  if (reserved && reserved.virtualBytes >= RESERVED_MIN_BYTES && reserved.virtualBytes >= RESERVED_MIN_VSZ_SHARE * vsz) {
    out.push({ id: 'reserved-not-memory',
      message: `${formatBytes(reserved.virtualBytes)} of ${formatBytes(vsz)} VSZ is PROT_NONE reservation (WebAssembly/V8), ${formatBytes(reserved.rssBytes)} resident: not memory`,
      figures: { reservedBytes: reserved.virtualBytes, virtualBytes: vsz, reservedRssBytes: reserved.rssBytes } });
  }
  const js = find(breakdown.owners, 'js-heap');
  const used = num(js, 'usedBytes');
  const committed = num(js, 'committedBytes');
  if (used !== undefined && committed !== undefined && committed - used >= V8_SLACK_MIN_BYTES && committed - used >= V8_SLACK_MIN_SHARE * committed) {
    out.push({ id: 'v8-slack',
      message: `V8 has ${formatBytes(committed)} committed for ${formatBytes(used)} of objects: ${formatBytes(committed - used)} is garbage or spare pages that a full GC and heap shrink give back`,
      figures: { committedBytes: committed, usedBytes: used } });
  }
  const external = find(breakdown.owners, 'external');
  if (external && external.rssBytes >= EXTERNAL_MIN_RSS_SHARE * rss && rss > 0) {
    out.push({ id: 'external-dominates',
      message: `ArrayBuffer/Buffer stores are ${formatBytes(external.rssBytes)} of ${formatBytes(rss)} RSS: outside the JS heap, freed only when no JS object references them and a GC has run (--max-old-space-size does not limit them)`,
      figures: { externalRssBytes: external.rssBytes, rssBytes: rss } });
  }
  const changed = find(breakdown.owners, 'changed-between-reads');
  if (changed && Math.abs(changed.rssBytes) > CHANGED_MIN_RSS_SHARE * rss) {
    out.push({ id: 'changed-between-reads',
      message: `RSS moved by ${formatBytes(changed.rssBytes)} between the smaps and smaps_rollup reads: the process was allocating or freeing; the rows are a snapshot of a moving target`,
      figures: { changedRssBytes: changed.rssBytes, rssBytes: rss } });
  }
  const pte = breakdown.outsideRss.find((r) => r.id === 'page-tables')?.bytes ?? 0;
  if (pte >= PTE_MIN_BYTES && pte >= PTE_MIN_RSS_SHARE * rss) {
    out.push({ id: 'page-tables',
      message: `page tables take ${formatBytes(pte)} more, outside RSS (VmPTE): they grow with the address space touched`,
      figures: { pageTableBytes: pte, rssBytes: rss } });
  }
  if (breakdown.totals.swapBytes > 0) {
    out.push({ id: 'swapped', message: `${formatBytes(breakdown.totals.swapBytes)} is swapped out: not in RSS, but still the process's memory`,
      figures: { swapBytes: breakdown.totals.swapBytes } });
  }
  return out;
}
