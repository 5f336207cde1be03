/**
 * mincore scan: pages/s of vmprobe's `mapping.residency({ maxRuns: 0 })` over a
 * 64 GiB MAP_NORESERVE mapping with a few scattered pages written, against
 * bench/c/mincore_scan.c (same mapping, same pages, mincore over 1 MiB vector chunks,
 * count resident pages). vmprobe is timed around the whole JS call. Also the scan's
 * peak memory: VmHWM growth across one scan, after resetting the peak with "5" in
 * /proc/self/clear_refs (Linux 4.0+); the C reference reports the same for its scan.
 */
import * as fs from 'node:fs';
import { map, pageSizeBytes, readStatus, type Mapping } from '../lib/index';
import { runReference, type References } from './compile';

/** Bytes mapped (NORESERVE: nothing is reserved, nearly nothing becomes resident). */
export const SCAN_SIZE_BYTES = 64 * 1024 ** 3;
/** Pages written before scanning, spread over the mapping so runs exist. */
const TOUCHED_PAGE_COUNT = 64;
/** Rounds alternate a C run and a vmprobe run, so load from other processes hits both alike. */
const ROUNDS = 15;
/** Timed scans per side per round. */
const SCANS_PER_ROUND = 5;

export interface MincoreScanSamples {
  sizeBytes: number;
  pages: number;
  touchedPages: number;
  /** Resident pages each side counted (both should be touchedPages). */
  vmprobeResidentPages: number;
  cResidentPages: number;
  vmprobePagesPerSecond: number[];
  cPagesPerSecond: number[];
  /** VmHWM growth in bytes across each vmprobe scan; empty when the reset failed. */
  vmprobePeakDeltaBytes: number[];
  /** VmHWM growth in bytes across the first scan of each C run; empty when its reset failed. */
  cPeakDeltaBytes: number[];
  /** Why the peak could not be measured (the clear_refs write failed), else null. */
  peakError: string | null;
}

interface CScanOutput {
  pages: number;
  residentPages: number;
  hwmDeltaBytes: number | null;
  hwmError: string | null;
  pagesPerSecond: number[];
}

function parseCOutput(value: unknown): CScanOutput {
  const v = value as Partial<CScanOutput> | null;
  if (v === null || typeof v !== 'object' || typeof v.pages !== 'number' || typeof v.residentPages !== 'number' ||
      !Array.isArray(v.pagesPerSecond)) {
    throw new Error(`bench/c/mincore_scan printed an unexpected result: ${JSON.stringify(value)}`);
  }
  return {
    pages: v.pages,
    residentPages: v.residentPages,
    hwmDeltaBytes: v.hwmDeltaBytes ?? null,
    hwmError: v.hwmError ?? null,
    pagesPerSecond: v.pagesPerSecond,
  };
}

/** Scattered, deterministic page indexes: one per equal slice, at a varying offset into it. */
function scatteredPages(pages: number): number[] {
  const slicePages = Math.floor(pages / TOUCHED_PAGE_COUNT);
  return Array.from({ length: TOUCHED_PAGE_COUNT }, (_, k) => k * slicePages + ((k * 7919) % slicePages));
}

/** Resets VmHWM to the current RSS; returns the error message if the kernel refused. */
function resetPeakRss(): string | null {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return null;
  } catch (err) {
    return `writing "5" to /proc/self/clear_refs failed (${(err as NodeJS.ErrnoException).code ?? String(err)}): peak RSS not measured`;
  }
}

function peakRssBytes(): number {
  const hwm = readStatus('self').vmHWMBytes;
  if (hwm === undefined) throw new Error('/proc/self/status has no VmHWM line');
  return hwm;
}

function measureCOnce(out: MincoreScanSamples, refs: References, touched: readonly number[]): void {
  const c = parseCOutput(runReference(refs.mincoreScanPath, [SCAN_SIZE_BYTES, SCANS_PER_ROUND, ...touched]));
  if (c.pages !== out.pages) throw new Error(`bench/c/mincore_scan scanned ${c.pages} pages, vmprobe ${out.pages}`);
  out.cResidentPages = c.residentPages;
  out.cPagesPerSecond.push(...c.pagesPerSecond);
  if (c.hwmDeltaBytes !== null) out.cPeakDeltaBytes.push(c.hwmDeltaBytes);
  out.peakError ??= c.hwmError;
}

function measureVmprobeOnce(out: MincoreScanSamples, mapping: Mapping): void {
  for (let scan = 0; scan < SCANS_PER_ROUND; ++scan) {
    const resetError = resetPeakRss();
    out.peakError ??= resetError;
    const peakBeforeBytes = resetError === null ? peakRssBytes() : 0;
    const startNs = process.hrtime.bigint();
    const r = mapping.residency({ maxRuns: 0 });
    const elapsedNs = Number(process.hrtime.bigint() - startNs);
    if (resetError === null) out.vmprobePeakDeltaBytes.push(peakRssBytes() - peakBeforeBytes);
    out.vmprobeResidentPages = r.residentPages;
    out.vmprobePagesPerSecond.push((r.pages * 1e9) / elapsedNs);
  }
}

/** Maps and touches once, then scans in ROUNDS alternating rounds; returns every sample. */
export function measureMincoreScan(refs: References): MincoreScanSamples {
  const pageBytes = pageSizeBytes();
  const pages = SCAN_SIZE_BYTES / pageBytes;
  const touched = scatteredPages(pages);
  const out: MincoreScanSamples = {
    sizeBytes: SCAN_SIZE_BYTES,
    pages,
    touchedPages: touched.length,
    vmprobeResidentPages: -1,
    cResidentPages: -1,
    vmprobePagesPerSecond: [],
    cPagesPerSecond: [],
    vmprobePeakDeltaBytes: [],
    cPeakDeltaBytes: [],
    peakError: null,
  };
  const mapping = map({ sizeBytes: SCAN_SIZE_BYTES, noreserve: true });
  try {
    for (const page of touched) mapping.touch({ offsetBytes: page * pageBytes, lengthBytes: 1, mode: 'write' });
    mapping.residency({ offsetBytes: 0, lengthBytes: pageBytes, maxRuns: 0 }); // warm-up of the JS path
    for (let round = 0; round < ROUNDS; ++round) {
      if (round % 2 === 0) {
        measureCOnce(out, refs, touched);
        measureVmprobeOnce(out, mapping);
      } else {
        measureVmprobeOnce(out, mapping);
        measureCOnce(out, refs, touched);
      }
    }
    return out;
  } finally {
    mapping.unmap();
  }
}
