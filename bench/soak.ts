/**
 * `npm run soak` (issue 7.3): 100,000 map/touch/residency/unmap cycles and 100,000
 * HeapBlock malloc/touch/free cycles on the main thread while 4 worker threads do the
 * same at once; one handle in every FORGET_EVERY is dropped without release, so the
 * finalizers (run by gc(): needs --expose-gc) must free it. Then: RSS must end within 1%
 * of its baseline, open file descriptors must not grow, and no native handle may be
 * left (liveHandles()).
 *
 * The 4 workers live for the whole soak (each round is a message to them), so thread
 * creation is not part of what is measured (test/native/workers-hardening.test.ts covers
 * workers ending). The baseline is taken after a warm-up round of the SAME work, so the test's own fixed costs are in the baseline, not counted as
 * growth: JIT code; the capacity V8's heap grows to while the loop makes garbage (V8
 * keeps those pages committed after gc(); heapUsed returns to where it was, heapTotal
 * does not); the glibc arenas and the workers' own V8 heaps at their working size. They
 * are measured and printed ("fixed costs" = warm-up delta). A leak in vmprobe would
 * grow RSS again in the measured round; the fixed costs do not.
 * test/api/soak.test.ts runs a short version in `npm test`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { liveHandles, malloc, map, pageSizeBytes, readStatm, type LiveHandles } from '../lib/index';

/** Options of runSoak. */
export interface SoakOptions {
  /** Map/touch/residency/unmap cycles per thread (default 100,000). */
  mapCycles?: number;
  /** malloc/touch/free cycles per thread (default 100,000). */
  heapCycles?: number;
  /** Worker threads doing the same at once (default 4). */
  workers?: number;
  /** Warm-up rounds of the same work before the baseline (default 1; short runs need more to reach steady state). */
  warmupRounds?: number;
}

/** What the soak measured. */
export interface SoakFigures {
  mapCycles: number;
  heapCycles: number;
  workers: number;
  warmupRounds: number;
  /** Handles dropped without release (left to finalizers), all threads. */
  forgottenHandles: number;
  startRssBytes: number;
  baselineRssBytes: number;
  endRssBytes: number;
  /** Peak RSS seen between cycles (main thread samples). */
  peakRssBytes: number;
  /** (end - baseline) / baseline. */
  rssGrowthFraction: number;
  /** RSS the warm-up added (the fixed costs, in the baseline). */
  warmupDeltaBytes: number;
  /** V8 heap committed (heapTotal) and in use (heapUsed) at the baseline and the end, bytes. */
  v8HeapTotalBytes: { baseline: number; end: number };
  v8HeapUsedBytes: { baseline: number; end: number };
  baselineFds: number;
  endFds: number;
  baselineLive: LiveHandles;
  endLive: LiveHandles;
  elapsedMs: number;
}

/** Handles dropped on purpose: one in this many. */
export const FORGET_EVERY = 1000;
/** Allowed RSS growth over the baseline. */
export const RSS_TOLERANCE_FRACTION = 0.01;

const LIB = path.join(__dirname, '..', 'lib', 'index.js');

/** The cycle loop, as source: the same code runs on the main thread and in each worker. */
const CYCLES_SOURCE = `
function soakCycles(v, mapCycles, heapCycles, forgetEvery, first) {
  const page = v.pageSizeBytes();
  let forgotten = 0;
  for (let i = 0; i < mapCycles; i++) {
    const m = v.map({ sizeBytes: (1 + (i % 4)) * page });
    m.touch({ mode: 'write' });
    const r = m.residency();
    if (r.residentPages !== r.pages) throw new Error('cycle ' + i + ': ' + r.residentPages + ' of ' + r.pages + ' pages resident after writing them');
    if ((first + i) % forgetEvery === forgetEvery - 1) { forgotten++; continue; }
    m.unmap();
  }
  for (let i = 0; i < heapCycles; i++) {
    const b = v.malloc({ sizeBytes: 16 + ((i * 97) % (64 * 1024)) });
    b.touch({ mode: 'write' });
    if ((first + i) % forgetEvery === forgetEvery - 1) { forgotten++; continue; }
    b.free();
  }
  return forgotten;
}
`;
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const soakCycles = new Function('v', 'mapCycles', 'heapCycles', 'forgetEvery', 'first', `${CYCLES_SOURCE}; return soakCycles(v, mapCycles, heapCycles, forgetEvery, first);`) as
  (v: unknown, mapCycles: number, heapCycles: number, forgetEvery: number, first: number) => number;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const v = require(workerData.lib);
${CYCLES_SOURCE}
parentPort.on('message', async ({ mapCycles, heapCycles }) => {
  const forgotten = soakCycles(v, mapCycles, heapCycles, workerData.forgetEvery, 0);
  for (let i = 0; i < 10; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
  parentPort.postMessage(forgotten);
});
`;

/** A worker thread kept for the whole soak: each round is a message, answered with the handles it forgot. */
class SoakWorker {
  readonly #worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { lib: LIB, forgetEvery: FORGET_EVERY } });
  #failure: Error | null = null;
  constructor() {
    this.#worker.on('error', (err) => (this.#failure = err));
  }
  round(mapCycles: number, heapCycles: number): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.#failure) return reject(this.#failure);
      const onExit = (code: number): void => reject(this.#failure ?? new Error(`a soak worker exited with code ${code} mid-round`));
      this.#worker.once('exit', onExit);
      this.#worker.once('message', (n: number) => {
        this.#worker.off('exit', onExit);
        resolve(n);
      });
      this.#worker.postMessage({ mapCycles, heapCycles });
    });
  }
  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}

function rssBytes(): number {
  return readStatm('self', pageSizeBytes()).residentBytes;
}
function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

async function collect(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('the soak needs --expose-gc (finalizers are checked after gc())');
  for (let i = 0; i < 10; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

/** One round: main-thread cycles in slices (sampling RSS) while `workers` workers run theirs. */
async function round(mapCycles: number, heapCycles: number, workers: SoakWorker[], onSample: (rss: number) => void): Promise<number> {
  const running = workers.map((w) => w.round(mapCycles, heapCycles));
  let forgotten = 0;
  const slices = 20;
  // Map cycles first, then heap cycles, as in a worker; `first` keeps the forget rhythm across slices.
  const mapSlice = Math.ceil(mapCycles / slices);
  const heapSlice = Math.ceil(heapCycles / slices);
  for (let s = 0; s < slices; s++) {
    const maps = Math.max(0, Math.min(mapSlice, mapCycles - s * mapSlice));
    forgotten += soakCycles(require(LIB), maps, 0, FORGET_EVERY, s * mapSlice);
    onSample(rssBytes());
    await new Promise((r) => setImmediate(r)); // let worker messages in
  }
  for (let s = 0; s < slices; s++) {
    const heaps = Math.max(0, Math.min(heapSlice, heapCycles - s * heapSlice));
    forgotten += soakCycles(require(LIB), 0, heaps, FORGET_EVERY, s * heapSlice);
    onSample(rssBytes());
    await new Promise((r) => setImmediate(r)); // let worker messages in
  }
  for (const n of await Promise.all(running)) forgotten += n;
  return forgotten;
}

/** Runs the soak and returns its figures (it judges nothing: see soakProblems). */
export async function runSoak(options: SoakOptions = {}): Promise<SoakFigures> {
  const mapCycles = options.mapCycles ?? 100_000;
  const heapCycles = options.heapCycles ?? 100_000;
  const workers = options.workers ?? 4;
  const warmupRounds = options.warmupRounds ?? 1;
  const started = Date.now();
  const startRssBytes = rssBytes();
  let peakRssBytes = startRssBytes;
  const sample = (rss: number): void => {
    peakRssBytes = Math.max(peakRssBytes, rss);
  };
  const threads = Array.from({ length: workers }, () => new SoakWorker());
  try {
    return await measure(mapCycles, heapCycles, warmupRounds, threads, started, sample, () => peakRssBytes, startRssBytes);
  } finally {
    await Promise.all(threads.map((w) => w.close()));
  }
}

async function measure(mapCycles: number, heapCycles: number, warmupRounds: number, threads: SoakWorker[], started: number,
  sample: (rss: number) => void, peak: () => number, startRssBytes: number): Promise<SoakFigures> {
  const workers = threads.length;
  for (let i = 0; i < warmupRounds; i++) await round(mapCycles, heapCycles, threads, sample);
  await collect();
  const baselineRssBytes = rssBytes();
  const baselineHeap = process.memoryUsage();
  const baselineFds = openFds();
  const baselineLive = liveHandles();
  const forgottenHandles = await round(mapCycles, heapCycles, threads, sample);
  await collect();
  const endRssBytes = rssBytes();
  const endHeap = process.memoryUsage();
  return {
    v8HeapTotalBytes: { baseline: baselineHeap.heapTotal, end: endHeap.heapTotal },
    v8HeapUsedBytes: { baseline: baselineHeap.heapUsed, end: endHeap.heapUsed },
    mapCycles, heapCycles, workers, warmupRounds, forgottenHandles,
    startRssBytes, baselineRssBytes, endRssBytes, peakRssBytes: peak(),
    rssGrowthFraction: (endRssBytes - baselineRssBytes) / baselineRssBytes,
    warmupDeltaBytes: baselineRssBytes - startRssBytes,
    baselineFds, endFds: openFds(), baselineLive, endLive: liveHandles(),
    elapsedMs: Date.now() - started,
  };
}

/**
 * What is wrong with a soak's figures (empty when it passed). `allowanceBytes` is extra
 * RSS growth a SHORT run may show beyond the 1% (its threads' V8 heaps have not reached
 * their steady size after a few thousand cycles); the full soak allows none.
 */
export function soakProblems(f: SoakFigures, allowanceBytes = 0): string[] {
  const problems: string[] = [];
  const allowedBytes = f.baselineRssBytes * RSS_TOLERANCE_FRACTION + allowanceBytes;
  if (f.endRssBytes - f.baselineRssBytes > allowedBytes) {
    problems.push(`RSS grew ${(f.rssGrowthFraction * 100).toFixed(2)}% over its baseline (${f.baselineRssBytes} -> ${f.endRssBytes} bytes; allowed ${RSS_TOLERANCE_FRACTION * 100}%` +
      `${allowanceBytes > 0 ? ` + ${allowanceBytes} bytes` : ''})`);
  }
  if (f.endFds > f.baselineFds) problems.push(`open file descriptors grew from ${f.baselineFds} to ${f.endFds}`);
  if (f.endLive.mappings !== f.baselineLive.mappings || f.endLive.heapBlocks !== f.baselineLive.heapBlocks) {
    problems.push(`live handles ${JSON.stringify(f.endLive)} after gc, ${JSON.stringify(f.baselineLive)} at the baseline`);
  }
  return problems;
}

const MiB = 1024 * 1024;
/** The figures as text lines. */
export function formatSoak(f: SoakFigures): string[] {
  const mib = (b: number): string => `${(b / MiB).toFixed(1)} MiB`;
  return [
    `soak: ${f.mapCycles} map/touch/residency/unmap + ${f.heapCycles} malloc/touch/free cycles on the main thread and on each of ${f.workers} workers at once (${f.forgottenHandles} handles left to finalizers)`,
    `RSS: start ${mib(f.startRssBytes)}, baseline after warm-up ${mib(f.baselineRssBytes)} (fixed costs ${mib(f.warmupDeltaBytes)}), peak ${mib(f.peakRssBytes)}, end ${mib(f.endRssBytes)}: ${f.rssGrowthFraction >= 0 ? '+' : ''}${(f.rssGrowthFraction * 100).toFixed(2)}% (allowed +${RSS_TOLERANCE_FRACTION * 100}%)`,
    `V8 heap: committed ${mib(f.v8HeapTotalBytes.baseline)} -> ${mib(f.v8HeapTotalBytes.end)}, used ${mib(f.v8HeapUsedBytes.baseline)} -> ${mib(f.v8HeapUsedBytes.end)}`,
    `open fds: ${f.baselineFds} at baseline, ${f.endFds} at end`,
    `live handles: baseline ${JSON.stringify(f.baselineLive)}, end ${JSON.stringify(f.endLive)}`,
    `elapsed: ${(f.elapsedMs / 1000).toFixed(1)} s`,
  ];
}

if (require.main === module) {
  runSoak().then((f) => {
    for (const line of formatSoak(f)) console.log(line);
    const problems = soakProblems(f);
    for (const p of problems) console.log(`FAIL: ${p}`);
    if (problems.length === 0) console.log('soak: PASS');
    process.exitCode = problems.length === 0 ? 0 : 1;
  }, (err: unknown) => {
    console.error(`soak: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
