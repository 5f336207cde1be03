// The addon is context-aware (DESIGN.md): it loads in worker threads, each thread gets
// its own instance, and fault counts are per thread (RUSAGE_THREAD) even while several
// threads fault at once. Workers run small CommonJS scripts that require the built
// package (dist/lib/index.js) by absolute path.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { map, pageSizeBytes, readMaps, zeroPagePfn } from '../../lib/index';
import { LIB_ENTRY } from '../helpers/expect-code';

const page = pageSizeBytes();

/**
 * Worker body: load vmprobe, say ready, wait for the start signal (go[0]), map+write
 * `pages` pages `rounds` times, then count itself finished in go[1].
 */
const FAULTING_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const v = require(workerData.lib);
const page = v.pageSizeBytes();
const go = new Int32Array(workerData.go);
parentPort.postMessage({ ready: true });
Atomics.wait(go, 0, 0);
const faults = [];
const touched = [];
for (let i = 0; i < workerData.rounds; i++) {
  const m = v.map({ sizeBytes: workerData.pages * page });
  const r = m.touch({ mode: 'write' });
  faults.push(r.minorFaults);
  touched.push(r.pagesTouched);
  m.unmap();
}
Atomics.add(go, 1, 1); // one more worker finished
const zero = v.zeroPagePfn();
parentPort.postMessage({ faults, touched, zeroPfn: zero === null ? null : String(zero) });
`;

interface WorkerReport { faults: number[]; touched: number[]; zeroPfn: string | null }

function startWorker(pages: number, rounds: number, go: SharedArrayBuffer): { ready: Promise<void>; done: Promise<WorkerReport>; worker: Worker } {
  const worker = new Worker(FAULTING_WORKER, { eval: true, workerData: { lib: LIB_ENTRY, pages, rounds, go } });
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const done = new Promise<WorkerReport>((resolve, reject) => {
    worker.on('message', (msg: { ready?: boolean } & WorkerReport) => (msg.ready === true ? onReady() : resolve(msg)));
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`worker writing ${pages} pages exited with code ${code} before reporting`)));
  });
  return { ready, done, worker };
}

/**
 * Maps and writes `pages` pages per round on the main thread, at least `rounds` times and
 * until `workers` workers have counted themselves finished, so every worker round runs
 * while the main thread is faulting too.
 */
function mainThreadRounds(pages: number, rounds: number, go: SharedArrayBuffer, workers: number): number[] {
  const flags = new Int32Array(go);
  const faults: number[] = [];
  for (let i = 0; (i < rounds || Atomics.load(flags, 1) < workers) && i < 100_000; i++) {
    const m = map({ sizeBytes: pages * page });
    try {
      faults.push(m.touch({ mode: 'write' }).minorFaults);
    } finally {
      m.unmap();
    }
  }
  return faults;
}

test('the addon loads in a worker, and a worker and the main thread faulting at once each count only their own faults', async () => {
  const go = new SharedArrayBuffer(8);
  const N = 301;
  const M = 127;
  const rounds = 30;
  const w = startWorker(N, rounds, go);
  await w.ready;
  Atomics.store(new Int32Array(go), 0, 1);
  Atomics.notify(new Int32Array(go), 0);
  const mine = mainThreadRounds(M, rounds, go, 1);
  const theirs = await w.done;
  assert.deepEqual(mine, Array<number>(mine.length).fill(M), `main thread wrote ${M} pages per round while a worker wrote ${N}: ${mine.join(',')}`);
  assert.deepEqual(theirs.faults, Array<number>(rounds).fill(N), `worker wrote ${N} pages per round while main wrote ${M}: ${theirs.faults.join(',')}`);
  assert.deepEqual(theirs.touched, Array<number>(rounds).fill(N));
  assert.equal(theirs.zeroPfn, zeroPagePfn() === null ? null : String(zeroPagePfn()), 'a worker measures the same zero page');
});

test('four workers at once, each with its own page count, report exactly their own faults', async () => {
  const go = new SharedArrayBuffer(8);
  const counts = [101, 211, 307, 401];
  const rounds = 20;
  const workers = counts.map((pages) => startWorker(pages, rounds, go));
  await Promise.all(workers.map((w) => w.ready));
  Atomics.store(new Int32Array(go), 0, 1);
  Atomics.notify(new Int32Array(go), 0);
  const mine = mainThreadRounds(53, rounds, go, counts.length);
  const reports = await Promise.all(workers.map((w) => w.done));
  assert.deepEqual(mine, Array<number>(mine.length).fill(53), `main thread: ${mine.join(',')}`);
  reports.forEach((r, i) => {
    const pages = counts[i] as number;
    assert.deepEqual(r.faults, Array<number>(rounds).fill(pages), `worker ${i} wrote ${pages} pages per round, counted ${r.faults.join(',')}`);
  });
});

test('a terminated worker releases the mappings it still held', async () => {
  const size = 32 * 1024 * 1024;
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const v = require(workerData.lib);
    const m = v.map({ sizeBytes: workerData.size });
    m.touch({ mode: 'write' });
    globalThis.keep = [m, m.asArrayBuffer()];
    parentPort.postMessage(String(m.address));
    setInterval(() => {}, 1000);
    `,
    { eval: true, workerData: { lib: LIB_ENTRY, size } },
  );
  const address = BigInt(await new Promise<string>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  }));
  const isMapped = (): boolean => readMaps().some((e) => e.start === address && e.sizeBytes === size);
  try {
    assert.equal(isMapped(), true, `the worker's ${size}-byte mapping at 0x${address.toString(16)} is in /proc/self/maps`);
  } finally {
    await worker.terminate(); // even when the assertion fails: a live worker would keep the test file from ending
  }
  let mapped = isMapped();
  for (let i = 0; i < 50 && mapped; i++) {
    await new Promise((r) => setTimeout(r, 10));
    mapped = isMapped();
  }
  assert.equal(mapped, false, `the mapping at 0x${address.toString(16)} outlived its terminated worker`);
});

test('a mapping buffer posted to a worker with a transfer list stays attached in the sender', async () => {
  const m = map({ sizeBytes: 2 * page });
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.once('message', (ab) => { new Uint8Array(ab)[0] = 200; parentPort.postMessage(ab.byteLength); });`,
    { eval: true },
  );
  try {
    const ab = m.asArrayBuffer();
    const u = new Uint8Array(ab);
    u[0] = 1;
    let threw = false;
    try {
      worker.postMessage(ab, [ab]);
    } catch (err) {
      threw = true;
      assert.equal((err as Error).name, 'DataCloneError', String(err));
    }
    assert.equal(ab.byteLength, 2 * page, 'the mapping buffer was transferred to another thread');
    if (!threw) {
      const len = await new Promise<number>((resolve) => worker.once('message', resolve));
      assert.equal(len, 2 * page);
      assert.equal(u[0], 1, "the worker's write reached the mapping: it got the memory, not a copy");
    }
  } finally {
    await worker.terminate();
    m.unmap();
  }
});
