/**
 * Step 8: file-backed memory. A file's page is "not yet read" when it is not in the
 * page cache; touching it then is a major fault. But the kernel reads ahead (one major
 * fault brings in a window of pages) and maps around (one fault maps several cached
 * pages), so the one-fault-per-page story of anonymous memory does not hold for files:
 * this step measures how many pages each fault brought in. And where the host has
 * swap, the anonymous half of lazy.swap-major: a page pushed out with MADV_PAGEOUT
 * faults back in as a major fault.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fadvise } from '../../pages/page-cache';
import { map, mapFile, type Mapping } from '../../memory/mapping';
import { readSwap } from '../../system/kernel-settings';
import { isCodedError } from '../../util/errors';
import { pickDiskDirectory, type DirectoryCheck } from './disk-dir';

/** One measured read pass over the file mapping. */
export interface FilePass {
  /** Pages in the page cache before the pass (mincore). */
  cachedPagesBefore: number;
  pagesTouched: number;
  minorFaults: number;
  majorFaults: number;
  elapsedNs: number;
  /** Pages mapped into this process by the pass (pagemap present). */
  mappedPagesAfter: number;
  /** Pages in the page cache after the pass (mincore). */
  cachedPagesAfter: number;
}

/** The swap half: an anonymous page pushed out and faulted back. */
export interface SwapProbe {
  available: boolean;
  reason: string | null;
  pages: number;
  swappedPages: number;
  majorFaults: number;
  minorFaults: number;
}

/** What step 8 measured. */
export interface FileStep {
  name: 'file';
  /** Null when no disk-backed directory was found (then the passes are null too). */
  directory: string | null;
  directoriesChecked: DirectoryCheck[];
  fileBytes: number;
  pages: number;
  /** Whether POSIX_FADV_DONTNEED emptied the file's page cache before each cold pass. */
  evicted: boolean;
  /** Touch one byte of a cold file: readahead (cachedPagesAfter) and fault-around (mappedPagesAfter). */
  coldSingle: FilePass | null;
  /** Read every page of a cold file. */
  coldFull: FilePass | null;
  /** Read every page of a file already in the page cache, through a fresh mapping. */
  warmFull: FilePass | null;
  /** Pages one fault made present, cold and warm (pages / faults). */
  coldPagesPerFault: number | null;
  warmPagesPerFault: number | null;
  /** Pages brought into the cache per major fault in the cold pass. */
  pagesPerMajorFault: number | null;
  swap: SwapProbe;
}

/** Largest file the step writes, whatever --size says: the point is the pattern, not the volume. */
export const FILE_STEP_MAX_BYTES = 256 * 1024 * 1024;

const EVICT_ATTEMPTS = 50;
const EVICT_RETRY_MS = 20;

function cachedPages(file: string): number {
  const mapping = mapFile(file);
  try {
    return mapping.residency({ maxRuns: 0 }).residentPages;
  } finally {
    mapping.unmap();
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Waits until the file's cached page count stops changing. Hazard: mincore counts a
 * page only once it is up to date, so pages an earlier readahead is still reading
 * look absent — and POSIX_FADV_DONTNEED cannot drop them (they are locked). Evicting
 * before readahead settles leaves pages that appear later.
 */
function settle(file: string): number {
  let previous = cachedPages(file);
  for (let attempt = 0; attempt < EVICT_ATTEMPTS; attempt++) {
    sleepMs(EVICT_RETRY_MS);
    const now = cachedPages(file);
    if (now === previous) return now;
    previous = now;
  }
  return previous;
}

/**
 * Drops the file's pages from the page cache with POSIX_FADV_DONTNEED and checks with
 * mincore, after in-flight readahead has settled, that they are gone. Retries for a
 * while. Returns whether it worked.
 */
function evict(file: string, sizeBytes: number): boolean {
  for (let attempt = 0; attempt < EVICT_ATTEMPTS; attempt++) {
    settle(file);
    const fd = fs.openSync(file, 'r');
    try {
      fadvise(fd, 0, sizeBytes, 'dontneed');
    } finally {
      fs.closeSync(fd);
    }
    if (settle(file) === 0) return true;
  }
  return false;
}

function pass(file: string, lengthBytes: number): FilePass {
  const mapping = mapFile(file);
  try {
    const cachedPagesBefore = mapping.residency({ maxRuns: 0 }).residentPages;
    const t = mapping.touch({ lengthBytes, mode: 'read' });
    return {
      cachedPagesBefore,
      pagesTouched: t.pagesTouched,
      minorFaults: t.minorFaults,
      majorFaults: t.majorFaults,
      elapsedNs: t.elapsedNs,
      mappedPagesAfter: mapping.pagemap().presentPages,
      cachedPagesAfter: mapping.residency({ maxRuns: 0 }).residentPages,
    };
  } finally {
    mapping.unmap();
  }
}

function perFault(pages: number, faults: number): number | null {
  return faults > 0 ? pages / faults : null;
}

/** Runs step 8 with a file of min(sizeBytes, FILE_STEP_MAX_BYTES) bytes. */
export function runFileStep(sizeBytes: number, pageSizeBytes: number, directories?: string[]): FileStep {
  const fileBytes = Math.max(pageSizeBytes, Math.min(sizeBytes, FILE_STEP_MAX_BYTES));
  const pages = Math.ceil(fileBytes / pageSizeBytes);
  const { dir, checked } = pickDiskDirectory(directories);
  const swap = probeSwap(pageSizeBytes);
  if (dir === null) {
    return {
      name: 'file', directory: null, directoriesChecked: checked, fileBytes, pages, evicted: false,
      coldSingle: null, coldFull: null, warmFull: null, coldPagesPerFault: null, warmPagesPerFault: null, pagesPerMajorFault: null, swap,
    };
  }
  const work = fs.mkdtempSync(path.join(dir, 'vmprobe-lazy-'));
  const file = path.join(work, 'data.bin');
  try {
    writeFile(file, fileBytes);
    const evictedFirst = evict(file, fileBytes);
    const coldSingle = pass(file, 1);
    const evictedSecond = evict(file, fileBytes);
    const coldFull = pass(file, fileBytes);
    const warmFull = pass(file, fileBytes);
    const evicted = evictedFirst && evictedSecond && coldSingle.cachedPagesBefore === 0 && coldFull.cachedPagesBefore === 0;
    return {
      name: 'file', directory: dir, directoriesChecked: checked, fileBytes, pages, evicted, coldSingle, coldFull, warmFull,
      coldPagesPerFault: perFault(coldFull.pagesTouched, coldFull.minorFaults + coldFull.majorFaults),
      warmPagesPerFault: perFault(warmFull.pagesTouched, warmFull.minorFaults + warmFull.majorFaults),
      pagesPerMajorFault: perFault(coldFull.cachedPagesAfter - coldFull.cachedPagesBefore, coldFull.majorFaults),
      swap,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Writes `sizeBytes` of non-zero data and fsyncs, so the pages are clean and droppable. */
function writeFile(file: string, sizeBytes: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    const chunk = Buffer.alloc(Math.min(sizeBytes, 1 << 20), 0x5a);
    for (let written = 0; written < sizeBytes; ) {
      const n = Math.min(chunk.length, sizeBytes - written);
      written += fs.writeSync(fd, chunk, 0, n);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

const SWAP_PROBE_PAGES = 64;

/** Pushes SWAP_PROBE_PAGES written anonymous pages out with MADV_PAGEOUT and reads them back. */
export function probeSwap(pageSizeBytes: number): SwapProbe {
  const none = (reason: string): SwapProbe => ({ available: false, reason, pages: 0, swappedPages: 0, majorFaults: 0, minorFaults: 0 });
  const swap = readSwap();
  if (swap === null) return none('/proc/meminfo has no SwapTotal');
  if (swap.totalBytes === 0) return none('no swap is configured on this host (SwapTotal: 0 kB)');
  let mapping: Mapping | undefined;
  try {
    mapping = map({ sizeBytes: SWAP_PROBE_PAGES * pageSizeBytes });
    mapping.touch({ mode: 'write' });
    mapping.advise('pageout');
    const swappedPages = mapping.pagemap().swappedPages;
    const t = mapping.touch({ mode: 'read' });
    return { available: true, reason: swappedPages === 0 ? 'MADV_PAGEOUT left every page in memory' : null, pages: SWAP_PROBE_PAGES, swappedPages, majorFaults: t.majorFaults, minorFaults: t.minorFaults };
  } catch (err) {
    if (isCodedError(err) && (err.code === 'ERR_VMPROBE_UNSUPPORTED' || err.code === 'EINVAL')) return none(`MADV_PAGEOUT is not available: ${err.message}`);
    throw err;
  } finally {
    mapping?.unmap();
  }
}
