/**
 * Judging the lazy.* claims from what the lazy experiment measured. Pure functions of
 * the measurements: every verdict is reachable from some host's numbers (the tests
 * feed synthetic measurements to reach each one).
 */
import type { ClaimResult } from '../../report/claims';
import { formatBytes, formatCount, formatDelta, formatRatio } from '../../util/format';
import type { LazyMeasurements } from './measurements';

/** lazy.mmap-virtual-only: after mmap, is anything resident, and were page tables set up? */
export function judgeMmapVirtualOnly(m: LazyMeasurements): ClaimResult {
  const [mapped, read] = m.steps;
  const evidence = {
    pages: m.pages,
    residentPages: mapped.residentPages,
    presentPages: mapped.presentPages,
    mapMinorFaults: mapped.minorFaults,
    vszDeltaBytes: mapped.vszDeltaBytes,
    mapPageTableDeltaBytes: mapped.pageTableDeltaBytes,
    firstTouchPageTableDeltaBytes: read.pageTableDeltaBytes,
  };
  const head = `${formatBytes(m.sizeBytes)} mapped: VSZ ${formatDelta(mapped.vszDeltaBytes)}, ${formatCount(mapped.residentPages)} of ${formatCount(m.pages)} pages resident, ${formatCount(mapped.minorFaults)} faults`;
  if (mapped.presentPages > 0 || mapped.residentPages > 0) {
    return { id: 'lazy.mmap-virtual-only', verdict: 'refuted', summary: `${head}: mmap itself made pages present`, evidence };
  }
  // Page tables: a plain mmap only records the range (a VMA); page-table pages appear
  // when pages are first touched. Compare with what the first touch (the read step)
  // added: the process-wide VmPTE is noisy, so "set up at map time" needs at least half.
  const atMap = mapped.pageTableDeltaBytes;
  const atTouch = read.pageTableDeltaBytes;
  if (atMap !== null && atTouch !== null && atTouch > 0 && atMap >= atTouch / 2) {
    return { id: 'lazy.mmap-virtual-only', verdict: 'holds', summary: `${head}; page tables ${formatDelta(atMap)} at map time`, evidence };
  }
  const ptNote = atMap === null ? 'VmPTE is not reported by this kernel' : `page tables ${formatDelta(atMap)} at map time, ${formatDelta(atTouch ?? 0)} at the first touch`;
  return {
    id: 'lazy.mmap-virtual-only',
    verdict: 'qualified',
    summary: `${head}; ${ptNote}: mmap reserves address space only, page tables come with the first touch`,
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
    return { id, verdict: 'holds', summary: `${formatCount(p)} pages: ${formatCount(readFaults)} faults on first read, each allocating a page (RSS ${formatDelta(read.rssDeltaBytes)})`, evidence };
  }
  if (readFaults === p && read.zeroPages === p && writeFaults === p) {
    return {
      id,
      verdict: 'qualified',
      summary: `${formatCount(p)} pages: ${formatCount(readFaults)} faults on first read, all mapping the shared zero page (${formatCount(read.privatePages)} pages allocated); ` +
        `the first write faults again (${formatCount(writeFaults)}) and only then allocates (RSS ${formatDelta(write.rssDeltaBytes)})`,
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
