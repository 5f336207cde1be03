/**
 * Child-process entry of the allocators experiment (run through lib/child/entry.ts, one
 * child per configuration × workload × repetition, each doing nothing else): proves
 * the malloc in force is the one the configuration names — the library's mapping in
 * /proc/self/maps and the first loaded object defining `malloc` — then runs the
 * workload and samples RSS, VSZ, mappings and faults around it natively.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { NativeMemorySample, NativeReleaseKind, NativeReleaseOutcome } from '../../native/loader';
import * as childNative from '../../native/child-only';
import { libcInUse } from '../../malloc/control';
import { readMaps } from '../../proc/maps';
import type { AllocatorProof, RepetitionSample } from './measurements';
import type { ChurnParams, WorkloadParams } from './workloads';
import type { ChurnWorkerData } from './churn-worker';

/** What the parent sends a cell's child. */
export interface CellPayload {
  allocator: 'glibc' | 'jemalloc' | 'tcmalloc' | 'mimalloc';
  /** The preloaded library (replacements), null for glibc. */
  libraryPath: string | null;
  release: NativeReleaseKind;
  params: WorkloadParams;
}

/** What a cell's child returns: the proof, and the sample when the proof held. */
export interface CellChildResult {
  proof: AllocatorProof;
  sample: RepetitionSample | null;
}

function realpathOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** Checks that the malloc in force is `allocator`'s: mapped, defining malloc first, answering its version call (see AllocatorProof). */
export function proveAllocator(allocator: CellPayload['allocator'], libraryPath: string | null): AllocatorProof {
  const identity = childNative.allocatorIdentity();
  const provider = identity.mallocProvider === null ? null : realpathOrSelf(identity.mallocProvider);
  const paths = [...new Set(readMaps('self').map((e) => e.path).filter((p): p is string => p !== null && p.startsWith('/')))];
  let mappedPath: string | null;
  if (libraryPath !== null) {
    const want = realpathOrSelf(libraryPath);
    mappedPath = paths.find((p) => realpathOrSelf(p) === want) ?? null;
  } else {
    mappedPath = paths.find((p) => /\/libc[.-][^/]*so/.test(p)) ?? null;
  }
  // The library must also be the allocator named: it answers that allocator's own version call.
  const answers = allocator === 'glibc' ? libcInUse().replacementAllocator === null
    : { jemalloc: identity.jemallocVersion, tcmalloc: identity.tcmallocVersion, mimalloc: identity.mimallocVersion }[allocator] !== null;
  const loaded = mappedPath !== null && provider !== null && realpathOrSelf(mappedPath) === provider && answers;
  return { mallocProvider: identity.mallocProvider, mappedPath, loaded, identity };
}

function sampleOf(before: NativeMemorySample, retained: NativeMemorySample, released: NativeMemorySample,
  release: NativeReleaseOutcome, liveBytes: number, ops: number, loadNs: number): RepetitionSample {
  return {
    baselineRssBytes: before.rssBytes,
    peakRssBytes: retained.peakRssBytes,
    retainedRssBytes: retained.rssBytes,
    releasedRssBytes: released.rssBytes,
    liveBytes,
    vszBytes: retained.vszBytes,
    mappings: retained.mappings,
    minorFaults: retained.minorFaults - before.minorFaults,
    opsPerSecond: loadNs > 0 ? (ops * 1e9) / loadNs : 0,
    release,
  };
}

function runWorker(data: ChurnWorkerData): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(path.join(__dirname, 'churn-worker.js'), { workerData: data });
    let ops = 0;
    w.on('message', (m: { ops: number }) => { ops = m.ops; });
    w.on('error', reject);
    w.on('exit', () => resolve(ops));
  });
}

async function runChurn(c: ChurnParams, release: NativeReleaseKind): Promise<RepetitionSample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = childNative.memorySample({ resetPeak: true });
  const t0 = process.hrtime.bigint();
  let ops = 0;
  for (let round = 0; round < c.rounds; round++) {
    const done = await Promise.all(Array.from({ length: c.workersPerRound }, (_, i) => runWorker({
      seed: c.seed + round * 1000 + i, buffers: c.buffersPerWorker, minBufferBytes: c.minBufferBytes,
      maxBufferBytes: c.maxBufferBytes, strings: c.stringsPerWorker,
    })));
    ops += done.reduce((a, b) => a + b, 0);
  }
  const loadNs = Number(process.hrtime.bigint() - t0);
  gc?.();
  const retained = childNative.memorySample();
  const rel = childNative.allocatorRelease(release);
  const released = childNative.memorySample();
  return sampleOf(before, retained, released, rel, 0, ops, loadNs);
}

/** Child task: one configuration × workload × repetition. */
export async function measureCell(payload: CellPayload): Promise<CellChildResult> {
  const proof = proveAllocator(payload.allocator, payload.libraryPath);
  if (!proof.loaded) return { proof, sample: null };
  const p = payload.params;
  if (p.workload === 'worker-churn') return { proof, sample: await runChurn(p.churn, payload.release) };
  const r = childNative.runAllocatorWorkload({ ...p.native, release: payload.release });
  if (r.allocationFailures > 0) throw new Error(`${r.allocationFailures} allocations failed (malloc returned NULL)`);
  return { proof, sample: sampleOf(r.baseline, r.retained, r.released, r.release, r.liveBytes, r.ops, r.loadElapsedNs) };
}
