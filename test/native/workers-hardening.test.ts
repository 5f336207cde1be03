// Worker threads, hardened (issue 7.4): the addon loads in 8 workers at once and each
// thread's fault counts are exactly its own; a worker that is terminated (or simply
// ends) releases every mapping and heap block it still held — checked with the
// process-wide liveHandles() counters and /proc/self/maps; finalizers release
// forgotten handles on the main thread too. (test/native/worker.test.ts has the first worker tests.)
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { liveHandles, pageSizeBytes, readMaps } from '../../lib/index';
import { LIB_ENTRY, runChildJson } from '../helpers/expect-code';

const page = pageSizeBytes();

const EIGHT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const v = require(workerData.lib);
const go = new Int32Array(workerData.go);
parentPort.postMessage({ ready: true });
Atomics.wait(go, 0, 0);
const faults = [];
for (let i = 0; i < workerData.rounds; i++) {
  const m = v.map({ sizeBytes: workerData.pages * v.pageSizeBytes() });
  faults.push(m.touch({ mode: 'write' }).minorFaults);
  m.unmap();
  const b = v.malloc({ sizeBytes: workerData.pages * v.pageSizeBytes() });
  b.free();
}
parentPort.postMessage({ faults });
`;

function onMessage<T>(worker: Worker, pick: (msg: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (msg: T): void => {
      if (!pick(msg)) return;
      worker.off('message', listener);
      resolve(msg);
    };
    worker.on('message', listener);
    worker.once('error', reject);
  });
}

async function settle(check: () => boolean, tries = 100): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

test('the addon loads in 8 workers at once and each counts exactly its own faults while all fault together', async () => {
  const go = new SharedArrayBuffer(4);
  const pages = [61, 67, 71, 73, 79, 83, 89, 97];
  const rounds = 25;
  const workers = pages.map((n) => new Worker(EIGHT_WORKER, { eval: true, workerData: { lib: LIB_ENTRY, pages: n, rounds, go } }));
  try {
    await Promise.all(workers.map((w) => onMessage<{ ready?: boolean }>(w, (m) => m.ready === true)));
    const reports = workers.map((w) => onMessage<{ faults?: number[] }>(w, (m) => Array.isArray(m.faults)));
    Atomics.store(new Int32Array(go), 0, 1);
    Atomics.notify(new Int32Array(go), 0);
    const results = await Promise.all(reports);
    results.forEach((r, i) => {
      const n = pages[i] as number;
      assert.deepEqual(r.faults, Array<number>(rounds).fill(n), `worker ${i} wrote ${n} pages per round (8 workers at once); counted ${r.faults?.join(',')}`);
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
});

const HOARDER = `
const { parentPort, workerData } = require('node:worker_threads');
const v = require(workerData.lib);
const page = v.pageSizeBytes();
const keep = [];
const mappings = [];
for (let i = 0; i < workerData.mappings; i++) {
  const m = v.map({ sizeBytes: (i + 1) * 16 * page });
  m.touch({ mode: 'write' });
  keep.push(m, m.asArrayBuffer());
  mappings.push({ address: String(m.address), sizeBytes: m.sizeBytes });
}
const big = v.malloc({ sizeBytes: workerData.bigBlockBytes });
big.touch({ mode: 'write' });
keep.push(big);
for (let i = 0; i < workerData.smallBlocks; i++) keep.push(v.malloc({ sizeBytes: 100 + i }));
globalThis.keep = keep;
parentPort.postMessage({ mappings, big: String(big.address), live: v.liveHandles() });
const timer = setInterval(() => {}, 1000);
parentPort.once('message', () => {
  if (workerData.end === 'exit') process.exit(0);
  if (workerData.end === 'return') { clearInterval(timer); parentPort.close(); }
});
`;

for (const end of ['terminate', 'exit', 'return'] as const) {
  test(`a worker that ends by ${end === 'terminate' ? 'worker.terminate()' : end === 'exit' ? 'process.exit() in the worker' : 'running out of work'} releases every mapping and heap block it held`, async () => {
    const before = liveHandles();
    const spec = { mappings: 5, smallBlocks: 20, bigBlockBytes: 48 * 1024 * 1024 };
    const worker = new Worker(HOARDER, { eval: true, workerData: { lib: LIB_ENTRY, ...spec, end } });
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const report = await onMessage<{ mappings: Array<{ address: string; sizeBytes: number }>; big: string; live: { mappings: number; heapBlocks: number } }>(worker, () => true);
    assert.equal(report.live.mappings - before.mappings, spec.mappings, `live mappings while the worker holds ${spec.mappings}`);
    assert.equal(report.live.heapBlocks - before.heapBlocks, spec.smallBlocks + 1, `live heap blocks while the worker holds ${spec.smallBlocks + 1}`);
    const big = BigInt(report.big);
    const ranges = report.mappings.map((m) => ({ start: BigInt(m.address), sizeBytes: m.sizeBytes }));
    // Neighbouring anonymous mappings merge into one maps line: look for an entry covering each range.
    // (A 48 MiB malloc is served by its own mmap, so the big block's range shows too.)
    const all = [...ranges, { start: big, sizeBytes: spec.bigBlockBytes }];
    const stillMapped = (): string[] => {
      const maps = readMaps();
      return all.filter((r) => maps.some((e) => e.start <= r.start && r.start + BigInt(r.sizeBytes) <= e.end)).map((r) => `0x${r.start.toString(16)}`);
    };
    let code: number;
    try {
      assert.equal(stillMapped().length, all.length, `every mapping and the big block are in /proc/self/maps while the worker lives: ${stillMapped().join(', ')}`);
    } finally {
      if (end === 'terminate') await worker.terminate();
      else worker.postMessage('end');
      code = await exited;
    }
    assert.equal(code, end === 'terminate' ? 1 : 0, 'worker exit code');
    const released = await settle(() => {
      const now = liveHandles();
      return now.mappings === before.mappings && now.heapBlocks === before.heapBlocks && stillMapped().length === 0;
    });
    const now = liveHandles();
    assert.ok(released, `after the worker ended: live ${JSON.stringify(now)} vs ${JSON.stringify(before)} before; still mapped: ${stillMapped().join(', ')}`);
  });
}

test('forgotten handles on the main thread are released by their finalizers (--expose-gc)', () => {
  const out = runChildJson(`
    const v = require(LIB);
    const before = v.liveHandles();
    (function forget() {
      for (let i = 0; i < 200; i++) {
        const m = v.map({ sizeBytes: 4 * v.pageSizeBytes() });
        m.touch({ mode: 'write' });
        if (i % 2) m.asArrayBuffer();
        v.malloc({ sizeBytes: 1000 + i }).touch();
        if (i % 20 === 0) v.mallocBlocks({ count: 100, sizeBytes: 64 + i, fill: true });
      }
    })();
    const held = v.liveHandles();
    (async () => {
      for (let i = 0; i < 20; i++) { global.gc(); await new Promise((r) => setImmediate(r)); }
      console.log(JSON.stringify({ before, held, after: v.liveHandles() }));
    })();
  `, { nodeArgs: ['--expose-gc'] }) as Record<'before' | 'held' | 'after', { mappings: number; heapBlocks: number; blockSets: number }>;
  assert.deepEqual(out.before, { mappings: 0, heapBlocks: 0, blockSets: 0 });
  assert.deepEqual(out.held, { mappings: 200, heapBlocks: 200, blockSets: 10 }, 'the 200 mappings, 200 blocks and 10 block sets are live before gc');
  assert.deepEqual(out.after, { mappings: 0, heapBlocks: 0, blockSets: 0 }, `after gc: ${JSON.stringify(out.after)}`);
});
