/**
 * The before/after readings every lazy-allocation step takes: process-wide RSS, VSZ and
 * page-table size (noisy: the whole process, V8 included), and the exact per-range
 * witnesses (mincore residency, pagemap presence and zero pages, the mapping's own
 * smaps entry).
 */
import { readStatm } from '../../proc/statm';
import { readStatus } from '../../proc/status';
import { readSmaps, smapsFor, type SmapsEntry } from '../../proc/smaps';
import { pageSizeBytes } from '../../system/usage';
import type { Mapping } from '../../memory/mapping';

/** Process-wide memory figures at one instant. */
export interface ProcessSnapshot {
  rssBytes: number;
  vszBytes: number;
  /** VmPTE: memory used by this process's page tables (undefined on kernels without it). */
  pageTableBytes: number | undefined;
}

/** Reads statm and status now. */
export function processSnapshot(): ProcessSnapshot {
  const statm = readStatm('self', pageSizeBytes());
  return { rssBytes: statm.residentBytes, vszBytes: statm.sizeBytes, pageTableBytes: readStatus('self').vmPTEBytes };
}

/** after - before, field by field. */
export function snapshotDelta(before: ProcessSnapshot, after: ProcessSnapshot): { rssDeltaBytes: number; vszDeltaBytes: number; pageTableDeltaBytes: number | null } {
  return {
    rssDeltaBytes: after.rssBytes - before.rssBytes,
    vszDeltaBytes: after.vszBytes - before.vszBytes,
    pageTableDeltaBytes: after.pageTableBytes === undefined || before.pageTableBytes === undefined ? null : after.pageTableBytes - before.pageTableBytes,
  };
}

/** The exact witnesses for one mapping. */
export interface RangeWitnesses {
  /** mincore: pages resident (zero page included). */
  residentPages: number;
  /** pagemap: pages with a page-table entry. */
  presentPages: number;
  /** pagemap: present pages that are the shared zero page. */
  zeroPages: number;
  /** pagemap: of zeroPages, those mapping the huge zero page (THP `always`, or `madvise` + MADV_HUGEPAGE, with use_zero_page=1). */
  hugeZeroPages: number;
  /** pagemap: present pages with memory of their own (present - zero). */
  privatePages: number;
  /** smaps Rss of the mapping's VMA, when that VMA is exactly this mapping (the kernel may merge neighbours); else null. */
  mappingRssBytes: number | null;
  /** smaps Size of the VMA holding the mapping's first byte (it may include merged neighbours), or null. */
  vmaSizeBytes: number | null;
  /** smaps AnonHugePages of that VMA (bytes), or null. */
  anonHugePagesBytes: number | null;
}

/** The smaps entry of the VMA that holds `mapping`'s first byte. */
export function containingVma(mapping: Mapping): SmapsEntry | undefined {
  return smapsFor(readSmaps('self'), mapping.address as bigint);
}

/** The smaps entry of `mapping`'s VMA when it is exactly this mapping (the kernel may merge neighbours into one VMA). */
export function mappingVma(mapping: Mapping): SmapsEntry | undefined {
  const vma = containingVma(mapping);
  const exact = vma !== undefined && vma.start === mapping.address && vma.sizeBytes === mapping.pages * mapping.pageSizeBytes;
  return exact ? vma : undefined;
}

/** Reads mincore, pagemap and smaps for `mapping`. */
export function witnesses(mapping: Mapping): RangeWitnesses {
  const residency = mapping.residency({ maxRuns: 0 });
  const pm = mapping.pagemap();
  const holder = containingVma(mapping);
  const vma = holder !== undefined && holder.start === mapping.address && holder.sizeBytes === mapping.pages * mapping.pageSizeBytes ? holder : undefined;
  return {
    residentPages: residency.residentPages,
    presentPages: pm.presentPages,
    zeroPages: pm.zeroPages,
    hugeZeroPages: pm.hugeZeroPages,
    privatePages: pm.presentPages - pm.zeroPages,
    mappingRssBytes: vma?.rssBytes ?? null,
    vmaSizeBytes: holder?.sizeBytes ?? null,
    anonHugePagesBytes: vma === undefined ? null : vma.anonHugePagesBytes ?? null,
  };
}
