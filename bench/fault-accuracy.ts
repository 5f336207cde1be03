/**
 * Fault-count error: write one byte to each of N fresh pages, 20 times, and compare the
 * minor faults counted with N. vmprobe's touch() counts this thread's faults
 * (RUSAGE_THREAD) inside the native call, so its error must be 0 every time. The peer
 * is the same write loop in JS over `new Uint8Array(mapping.asArrayBuffer())`, counted
 * with `process.resourceUsage().minorPageFault` before and after: that counts the
 * whole process (V8's threads, the GC, the JIT), so its error is whatever they add.
 * Both mappings get MADV_NOHUGEPAGE so that N faults is the right answer.
 */
import { map, pageSizeBytes } from '../lib/index';

/** Fresh pages touched per repetition. */
export const FAULT_PAGES = 4096;
/** Repetitions per method. */
export const FAULT_REPETITIONS = 20;

export interface FaultAccuracySamples {
  pages: number;
  repetitions: number;
  /** |minorFaults − pages| per repetition, vmprobe's touch(). */
  vmprobeErrorPages: number[];
  /** |Δ minorPageFault − pages| per repetition, JS loop + process.resourceUsage(). */
  resourceUsageErrorPages: number[];
}

function vmprobeErrorOnce(pageBytes: number): number {
  const mapping = map({ sizeBytes: FAULT_PAGES * pageBytes });
  try {
    mapping.advise('nohugepage');
    const r = mapping.touch({ mode: 'write', strideBytes: pageBytes });
    return Math.abs(r.minorFaults - FAULT_PAGES);
  } finally {
    mapping.unmap();
  }
}

function resourceUsageErrorOnce(pageBytes: number): number {
  const mapping = map({ sizeBytes: FAULT_PAGES * pageBytes });
  try {
    mapping.advise('nohugepage');
    const bytes = new Uint8Array(mapping.asArrayBuffer());
    const before = process.resourceUsage().minorPageFault;
    for (let at = 0; at < bytes.length; at += pageBytes) bytes[at] = 1;
    const after = process.resourceUsage().minorPageFault;
    return Math.abs(after - before - FAULT_PAGES);
  } finally {
    mapping.unmap();
  }
}

/** Runs both methods FAULT_REPETITIONS times, alternating, and returns every error. */
export function measureFaultAccuracy(): FaultAccuracySamples {
  const pageBytes = pageSizeBytes();
  const out: FaultAccuracySamples = {
    pages: FAULT_PAGES,
    repetitions: FAULT_REPETITIONS,
    vmprobeErrorPages: [],
    resourceUsageErrorPages: [],
  };
  for (let rep = 0; rep < FAULT_REPETITIONS; ++rep) {
    out.vmprobeErrorPages.push(vmprobeErrorOnce(pageBytes));
    out.resourceUsageErrorPages.push(resourceUsageErrorOnce(pageBytes));
  }
  return out;
}
