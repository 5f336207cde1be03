/**
 * Worker-thread body of the worker-churn workload: allocates Buffers of seeded random
 * sizes (their backing stores come from malloc through Node's ArrayBuffer allocator)
 * and strings (V8's heap), writes to every page, reports the process's RSS, and exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as childNative from '../../native/child-only';

/** What the parent gives each worker. */
export interface ChurnWorkerData {
  seed: number;
  buffers: number;
  minBufferBytes: number;
  maxBufferBytes: number;
  strings: number;
}

/** mulberry32: a small deterministic PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (parentPort !== null) {
  const d = workerData as ChurnWorkerData;
  const rnd = mulberry32(d.seed);
  const keep: unknown[] = [];
  let ops = 0;
  for (let i = 0; i < d.buffers; i++) {
    const size = Math.floor(d.minBufferBytes * (d.maxBufferBytes / d.minBufferBytes) ** rnd());
    const b = Buffer.allocUnsafe(size);
    for (let off = 0; off < size; off += 4096) b[off] = 1;
    keep.push(b);
    ops++;
  }
  for (let i = 0; i < d.strings; i++) {
    keep.push(`s${i}:${rnd().toString(36)}`.repeat(1 + (i % 8)));
    ops++;
  }
  parentPort.postMessage({ ops, rssBytes: childNative.memorySample().rssBytes, kept: keep.length });
}
