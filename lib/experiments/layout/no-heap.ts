/**
 * Why there is no brk heap, for the claims that miss one (layout.order, layout.gaps, and
 * layout.aslr's heapStart in the children): glibc's malloc makes [heap] only when it
 * extends the main arena with brk (malloc/malloc.c sysmalloc), so a replacement malloc,
 * or a setting under which every request reaching the top is mmapped
 * (MALLOC_MMAP_THRESHOLD_=0), leaves none. A verdict that changes because of a setting
 * names it.
 */
import { mallocSettingWords, type HostInfo } from '../../system/host';
import type { ClaimResult } from '../../report/claims';
import type { LayoutMeasurements } from './measurements';

/** The reason, in words, from this host's libc and malloc settings (vmprobe's own process and its children). */
export function noHeapReason(host: Pick<HostInfo, 'libc' | 'malloc'>): string {
  const replacement = host.libc.replacementAllocator;
  if (replacement !== null) return `${replacement} replaces glibc's malloc and does not grow a brk heap`;
  const settings = mallocSettingWords(host.malloc);
  if (settings.length > 0) return `glibc's malloc never extended the heap with brk (settings in force: ${settings.join(', ')})`;
  return "glibc's malloc has not extended the heap with brk";
}

/**
 * `claims` with the reason appended where a heap is missing: layout.order and
 * layout.gaps when the map has no [heap] (the map of vmprobe's own process only: another
 * process's settings are not known), layout.aslr when no child had a heap start.
 */
export function explainMissingHeap(claims: readonly ClaimResult[], m: Pick<LayoutMeasurements, 'regions' | 'aslr'>, host: Pick<HostInfo, 'libc' | 'malloc'>, self: boolean): ClaimResult[] {
  const mapHasHeap = m.regions.some((r) => r.kind === 'heap');
  const heapStarts = m.aslr.randomized.spread.find((s) => s.landmark === 'heapStart');
  const childrenHaveHeap = heapStarts === undefined || heapStarts.distinct > 0;
  return claims.map((c) => {
    const missing = (c.id === 'layout.order' || c.id === 'layout.gaps') ? self && !mapHasHeap : c.id === 'layout.aslr' ? !childrenHaveHeap : false;
    if (!missing) return c;
    const whose = c.id === 'layout.aslr' ? 'the children have no [heap]' : 'no [heap]';
    return { ...c, summary: `${c.summary}; ${whose}: ${noHeapReason(host)}` };
  });
}
