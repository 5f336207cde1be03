/**
 * The page-table probe of lazy.mmap-virtual-only: VmPTE (the process's page-table
 * memory) read right before and after mmap of an anonymous range, and before and after
 * its first touch, inside one native call (native/pagetables.cc), several times.
 * Process-wide VmPTE read from JavaScript around a step also counts V8's own heap pages,
 * which V8 places at random addresses (each needing fresh page-table pages): +100 KiB
 * around a 64 MiB mmap was seen from that alone. Inside one native call no JavaScript
 * runs; other threads still can, so every repeat is kept and the verdict uses the spread.
 */
import { native } from '../native/loader';
import { isCodedError } from '../util/errors';

/** What the probe measured (all byte counts are VmPTE deltas). */
export interface PageTableProbe {
  /** Bytes mapped each repeat (whole pages). */
  sizeBytes: number;
  repeats: number;
  /** VmPTE after mmap − before, per repeat. */
  mapDeltaBytes: number[];
  /** VmPTE after writing one byte per page − after mmap, per repeat. */
  touchDeltaBytes: number[];
  /** Why nothing was measured (kernel without VmPTE), else null. */
  reason: string | null;
}

/** Default repeats: enough that a stray page-table allocation by another thread cannot land in all of them. */
export const PAGE_TABLE_REPEATS = 7;

/** The largest range the probe maps and touches per repeat: 256 MiB (the native call accepts up to 1 GiB). */
export const PAGE_TABLE_PROBE_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Runs the probe on `sizeBytes` rounded up to whole pages, at most
 * PAGE_TABLE_PROBE_MAX_BYTES. Throws only for errors other than an unsupported kernel
 * (e.g. ENOMEM from mmap, with errno and syscall).
 */
export function probePageTables(sizeBytes: number, pageSizeBytes: number, repeats = PAGE_TABLE_REPEATS): PageTableProbe {
  const size = Math.min(Math.ceil(sizeBytes / pageSizeBytes), Math.floor(PAGE_TABLE_PROBE_MAX_BYTES / pageSizeBytes)) * pageSizeBytes;
  try {
    const r = native.pageTableProbe({ sizeBytes: size, repeats });
    return { sizeBytes: size, repeats, mapDeltaBytes: r.mapDeltaBytes, touchDeltaBytes: r.touchDeltaBytes, reason: null };
  } catch (err) {
    if (!isCodedError(err) || err.code !== 'ERR_VMPROBE_UNSUPPORTED') throw err;
    return { sizeBytes: size, repeats, mapDeltaBytes: [], touchDeltaBytes: [], reason: err.message };
  }
}
