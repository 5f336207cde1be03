/**
 * touch ns/page: vmprobe's `mapping.touch({ mode: 'write' })`, one byte per page over a
 * 256 MiB mapping, against bench/c/touch.c doing the same volatile store per page.
 * Two regimes: fresh pages (every store faults: fault-dominated) and the same pages
 * once resident (no faults: the loop and the TLB). vmprobe is timed around the whole
 * JS call (validation, N-API, getrusage included) and, for reference, by the
 * elapsedNs its native loop reports. Repetitions alternate C and vmprobe so drift in
 * the host hits both alike. Both mappings get MADV_NOHUGEPAGE: one fault per page.
 */
import { map, pageSizeBytes } from '../lib/index';
import { runReference, type References } from './compile';

/** Bytes mapped per repetition. */
export const TOUCH_SIZE_BYTES = 256 * 1024 * 1024;
const REPETITIONS = 21;
/** Passes over resident pages per repetition (each one sample). */
const RESIDENT_PASSES = 7;

/** ns per page of each timed loop, one entry per sample. */
export interface NsPerPageSamples {
  /** Wall time of the mapping.touch() call from JS, per page. */
  vmprobeNsPerPage: number[];
  /** The elapsedNs vmprobe's native loop reported, per page. */
  vmprobeLoopNsPerPage: number[];
  /** The C reference's loop, per page. */
  cNsPerPage: number[];
}

export interface TouchSamples {
  sizeBytes: number;
  pages: number;
  repetitions: number;
  fresh: NsPerPageSamples;
  resident: NsPerPageSamples;
  /** Minor faults vmprobe reported per fresh pass (should equal `pages`). */
  vmprobeFreshMinorFaults: number[];
}

interface CTouchOutput {
  pages: number;
  freshNsPerPage: number;
  residentNsPerPage: number[];
}

function parseCOutput(value: unknown): CTouchOutput {
  const v = value as Partial<CTouchOutput> | null;
  if (v === null || typeof v !== 'object' || typeof v.pages !== 'number' || typeof v.freshNsPerPage !== 'number' ||
      !Array.isArray(v.residentNsPerPage)) {
    throw new Error(`bench/c/touch printed an unexpected result: ${JSON.stringify(value)}`);
  }
  return { pages: v.pages, freshNsPerPage: v.freshNsPerPage, residentNsPerPage: v.residentNsPerPage };
}

function emptySamples(): NsPerPageSamples {
  return { vmprobeNsPerPage: [], vmprobeLoopNsPerPage: [], cNsPerPage: [] };
}

/** One timed mapping.touch() call: [wall ns, native loop ns, minor faults, pages]. */
function timedTouch(mapping: ReturnType<typeof map>, strideBytes: number): [number, number, number, number] {
  const startNs = process.hrtime.bigint();
  const r = mapping.touch({ mode: 'write', strideBytes });
  const wallNs = Number(process.hrtime.bigint() - startNs);
  return [wallNs, r.elapsedNs, r.minorFaults, r.pagesTouched];
}

function measureVmprobeOnce(out: TouchSamples, strideBytes: number): void {
  const mapping = map({ sizeBytes: TOUCH_SIZE_BYTES });
  try {
    mapping.advise('nohugepage');
    const [wallNs, loopNs, faults, pages] = timedTouch(mapping, strideBytes);
    out.fresh.vmprobeNsPerPage.push(wallNs / pages);
    out.fresh.vmprobeLoopNsPerPage.push(loopNs / pages);
    out.vmprobeFreshMinorFaults.push(faults);
    for (let pass = 0; pass < RESIDENT_PASSES; ++pass) {
      const [residentWallNs, residentLoopNs, , residentPages] = timedTouch(mapping, strideBytes);
      out.resident.vmprobeNsPerPage.push(residentWallNs / residentPages);
      out.resident.vmprobeLoopNsPerPage.push(residentLoopNs / residentPages);
    }
  } finally {
    mapping.unmap();
  }
}

function measureCOnce(out: TouchSamples, refs: References): void {
  const c = parseCOutput(runReference(refs.touchPath, [TOUCH_SIZE_BYTES, RESIDENT_PASSES]));
  if (c.pages !== out.pages) throw new Error(`bench/c/touch touched ${c.pages} pages, vmprobe ${out.pages}`);
  out.fresh.cNsPerPage.push(c.freshNsPerPage);
  out.resident.cNsPerPage.push(...c.residentNsPerPage);
}

/** Runs both sides REPETITIONS times and returns every sample. */
export function measureTouch(refs: References): TouchSamples {
  const strideBytes = pageSizeBytes();
  const out: TouchSamples = {
    sizeBytes: TOUCH_SIZE_BYTES,
    pages: TOUCH_SIZE_BYTES / strideBytes,
    repetitions: REPETITIONS,
    fresh: emptySamples(),
    resident: emptySamples(),
    vmprobeFreshMinorFaults: [],
  };
  // Warm-up: first-call costs (lazy init, JIT of the validators) stay out of the samples.
  const warm = map({ sizeBytes: 16 * strideBytes });
  warm.touch({ mode: 'write', strideBytes });
  warm.unmap();
  for (let rep = 0; rep < REPETITIONS; ++rep) {
    if (rep % 2 === 0) {
      measureCOnce(out, refs);
      measureVmprobeOnce(out, strideBytes);
    } else {
      measureVmprobeOnce(out, strideBytes);
      measureCOnce(out, refs);
    }
  }
  return out;
}
