/**
 * Judging the lazy.* claims from what the lazy experiment measured. Pure functions of
 * the measurements: every verdict is reachable from some host's numbers (the tests
 * feed synthetic measurements to reach each one).
 */
import type { ClaimResult } from '../../report/claims';
import { formatBytes, formatCount, formatDelta, formatRatio } from '../../util/format';
import type { LazyMeasurements } from './measurements';
import { spreadOf, type Spread } from '../spread';

/**
 * lazy.mmap-virtual-only: after mmap, is anything resident, and were page tables set up?
 * Residency comes from mincore/pagemap over the mapping (exact). Page tables come from
 * the page-table probe (VmPTE around mmap inside one native call, repeated): "set up at
 * map time" needs every repeat to add at least half of what the first touch added, so a
 * page-table allocation by another thread in one repeat cannot decide it.
 */
export function judgeMmapVirtualOnly(m: LazyMeasurements): ClaimResult {
  const [mapped] = m.steps;
  const pt = m.pageTables ?? null;
  const atMap = pt !== null && pt.mapDeltaBytes.length > 0 ? spreadOf(pt.mapDeltaBytes) : null;
  const atTouch = pt !== null && pt.touchDeltaBytes.length > 0 ? spreadOf(pt.touchDeltaBytes) : null;
  const evidence = {
    pages: m.pages,
    residentPages: mapped.residentPages,
    presentPages: mapped.presentPages,
    mapMinorFaults: mapped.minorFaults,
    vmaSizeBytes: mapped.vmaSizeBytes ?? null,
    pageTableProbe: pt,
    mapPageTableDeltaBytes: atMap,
    firstTouchPageTableDeltaBytes: atTouch,
  };
  const vma = mapped.vmaSizeBytes === undefined || mapped.vmaSizeBytes === null ? '' : ` (its VMA ${formatBytes(mapped.vmaSizeBytes)})`;
  const head = `${formatBytes(m.sizeBytes)} mapped${vma}: ${formatCount(mapped.residentPages)} of ${formatCount(m.pages)} pages resident, ${formatCount(mapped.minorFaults)} faults`;
  if (mapped.presentPages > 0 || mapped.residentPages > 0) {
    return { id: 'lazy.mmap-virtual-only', verdict: 'refuted', summary: `${head}: mmap itself made pages present`, evidence };
  }
  if (atMap === null || atTouch === null) {
    const why = pt?.reason ?? 'the page-table probe did not run';
    return { id: 'lazy.mmap-virtual-only', verdict: 'qualified', summary: `${head}; page tables not measured (${why}): mmap reserves address space, no page is present`, evidence };
  }
  const range = (s: Spread): string => (s.min === s.max ? formatDelta(s.min) : `${formatDelta(s.median)} (${formatDelta(s.min)} to ${formatDelta(s.max)})`);
  const ptText = `page tables ${range(atMap)} at map time, ${range(atTouch)} at the first touch, over ${atMap.samples} repeats of ${formatBytes(pt?.sizeBytes ?? 0)} inside one native call`;
  if (atTouch.median > 0 && atMap.min >= atTouch.median / 2) {
    return { id: 'lazy.mmap-virtual-only', verdict: 'holds', summary: `${head}; ${ptText}: mmap set up the page tables`, evidence };
  }
  const noise = atMap.max >= atTouch.median / 2 ? '; the larger map-time figures are other threads mapping memory in the same instant (not in every repeat: within the noise)' : '';
  return {
    id: 'lazy.mmap-virtual-only',
    verdict: 'qualified',
    summary: `${head}; ${ptText}${noise}: mmap reserves address space only, page tables come with the first touch`,
    evidence,
  };
}

/** lazy.first-touch-fault: does each first access fault, and is that when memory is allocated? */
export function judgeFirstTouchFault(m: LazyMeasurements): ClaimResult {
  const [, read, write, dontneed] = m.steps;
  const readFaults = read.minorFaults + read.majorFaults;
  const writeFaults = write.minorFaults + write.majorFaults;
  const p = m.pages;
  const evidence = {
    pages: p,
    readFaults,
    readZeroPages: read.zeroPages,
    readHugeZeroPages: read.hugeZeroPages,
    readPrivatePages: read.privatePages,
    readRssDeltaBytes: read.rssDeltaBytes,
    writeFaults,
    writePrivatePages: write.privatePages,
    writeRssDeltaBytes: write.rssDeltaBytes,
    rereadFaultsAfterDontneed: dontneed.rereadMinorFaults,
  };
  const id = 'lazy.first-touch-fault';
  if (readFaults === 0) {
    return { id, verdict: 'refuted', summary: `reading ${formatCount(p)} fresh pages raised no page fault`, evidence };
  }
  if (readFaults === p && read.privatePages === p && writeFaults === 0) {
    return { id, verdict: 'holds', summary: `${formatCount(p)} pages: ${formatCount(readFaults)} faults on first read, each allocating a page (${formatCount(read.privatePages)} pages of memory in the mapping)`, evidence };
  }
  if (readFaults === p && read.zeroPages === p && writeFaults === p) {
    return {
      id,
      verdict: 'qualified',
      summary: `${formatCount(p)} pages: ${formatCount(readFaults)} faults on first read, all mapping the shared zero page (${formatCount(read.privatePages)} pages allocated); ` +
        `the first write faults again (${formatCount(writeFaults)}) and only then allocates (${formatCount(write.privatePages)} pages of memory in the mapping)`,
      evidence,
    };
  }
  if (read.zeroPages === p && read.hugeZeroPages > 0) {
    // THP: one PMD fault per huge page maps the huge zero page; the first write faults per huge page again.
    return {
      id,
      verdict: 'qualified',
      summary: `${formatCount(p)} pages: ${formatCount(readFaults)} faults on first read (${formatRatio(p / readFaults)} pages per fault), ` +
        `mapping the zero page (${formatCount(read.hugeZeroPages)} pages through the huge zero page, THP; ${formatCount(read.privatePages)} pages allocated, RSS ${formatDelta(read.rssDeltaBytes)}); ` +
        `the first write faults ${formatCount(writeFaults)} times and allocates ${formatCount(write.privatePages)} pages: not one fault per page here`,
      evidence,
    };
  }
  return {
    id,
    verdict: 'qualified',
    summary: `${formatCount(p)} pages: ${formatCount(readFaults)} faults on first read (${formatRatio(p / readFaults)} pages per fault), ` +
      `${formatCount(writeFaults)} on first write, ${formatCount(write.privatePages)} pages allocated: not one fault per page here`,
    evidence,
  };
}

/**
 * lazy.malloc-virtual. A large block has its own mmap whose first page holds malloc's
 * chunk header (written by malloc), so at most that one page can be resident untouched.
 */
export function judgeMallocVirtual(m: LazyMeasurements): ClaimResult {
  const mallocStep = m.steps[9];
  const small = mallocStep.blocks.find((b) => b.label === 'small');
  const large = mallocStep.blocks.find((b) => b.label === 'large');
  const id = 'lazy.malloc-virtual';
  if (!small || !large) throw new Error('the malloc step measured no small or no large block');
  const evidence = { small, large };
  const largeVirtual = large.untouchedPrivatePages <= 1;
  const smallVirtual = small.untouchedPrivatePages === 0;
  const largeText = `a ${formatBytes(large.sizeBytes)} block: ${formatCount(large.untouchedPrivatePages)} of ${formatCount(large.pages)} pages resident until touched, then ${formatCount(large.touchedPrivatePages)} (${formatCount(large.touchMinorFaults)} faults)`;
  const smallText = `a ${formatBytes(small.sizeBytes)} block sits on ${formatCount(small.untouchedPrivatePages)} already-resident page(s) of ${formatCount(small.pages)}`;
  if (!largeVirtual) {
    return { id, verdict: 'refuted', summary: `${largeText}: malloc made the memory resident (MALLOC_PERTURB_ or a tunable?)`, evidence };
  }
  if (smallVirtual) {
    return { id, verdict: 'holds', summary: `${largeText}; a ${formatBytes(small.sizeBytes)} block had no resident page`, evidence };
  }
  return { id, verdict: 'qualified', summary: `${largeText}; but ${smallText}: small blocks reuse heap pages that were touched before`, evidence };
}

/** lazy.swap-major: the file half (page cache) and, where there is swap, the anonymous half. */
export function judgeSwapMajor(m: LazyMeasurements): ClaimResult {
  const file = m.steps[7];
  const id = 'lazy.swap-major';
  const cold = file.coldFull;
  const swap = file.swap;
  const evidence = {
    directory: file.directory,
    evicted: file.evicted,
    pages: file.pages,
    coldMajorFaults: cold?.majorFaults ?? null,
    coldMinorFaults: cold?.minorFaults ?? null,
    pagesPerMajorFault: file.pagesPerMajorFault,
    readaheadPages: file.coldSingle?.cachedPagesAfter ?? null,
    faultAroundPages: file.coldSingle?.mappedPagesAfter ?? null,
    warmPagesPerFault: file.warmPagesPerFault,
    swap,
  };
  const swapNote = swap.available && swap.swappedPages > 0
    ? `swap: ${formatCount(swap.swappedPages)} paged-out pages faulted back with ${formatCount(swap.majorFaults)} major faults`
    : `swap not measured: ${swap.reason ?? 'unavailable'}`;
  const swapHolds = swap.available && swap.swappedPages > 0 ? swap.majorFaults > 0 : null;

  if (cold === null || !file.evicted) {
    const why = cold === null ? 'no disk-backed directory to put a file in' : 'the page cache could not be emptied before the cold read';
    if (swapHolds === null) return { id, verdict: 'not-applicable', summary: `${why}; ${swapNote}`, evidence };
    return { id, verdict: swapHolds ? 'holds' : 'refuted', summary: `${swapNote}; file half not measured: ${why}`, evidence };
  }
  const fileText = `cold file of ${formatCount(cold.pagesTouched)} pages: ${formatCount(cold.majorFaults)} major + ${formatCount(cold.minorFaults)} minor faults` +
    (file.pagesPerMajorFault === null ? '' : ` (${formatRatio(file.pagesPerMajorFault)} pages entered the page cache per major fault)`);
  if (cold.majorFaults === 0 || swapHolds === false) {
    return { id, verdict: 'refuted', summary: `${fileText}; ${swapNote}`, evidence };
  }
  if (cold.majorFaults === cold.pagesTouched && swapHolds !== null) {
    return { id, verdict: 'holds', summary: `${fileText}; ${swapNote}`, evidence };
  }
  const why = cold.majorFaults < cold.pagesTouched ? 'readahead turns most would-be major faults into minor ones' : 'only the file half was measured';
  return { id, verdict: 'qualified', summary: `${fileText}: ${why}; ${swapNote}`, evidence };
}

/** All lazy.* verdicts, in CLAIMS.md order. */
export function judgeLazy(m: LazyMeasurements): ClaimResult[] {
  return [judgeMmapVirtualOnly(m), judgeFirstTouchFault(m), judgeMallocVirtual(m), judgeSwapMajor(m)];
}
