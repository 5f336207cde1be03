// Nothing vmprobe exposes may take its host process down when a worker (or the main
// thread) ends abruptly while vmprobe handles are live or native calls are running.
//
// The addon is built with C++ exceptions: a Napi::Error that node-addon-api cannot hand
// to JS (the env is terminating, so napi_throw fails) used to be rethrown out of the
// native callback and end the process in std::terminate ("terminate called after
// throwing an instance of 'Napi::Error'"). Each scenario runs in its own child process,
// so such a crash fails the test (with the child's signal and stderr) instead of
// killing the test runner.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { LIB_ENTRY, NATIVE_ENTRY } from '../helpers/expect-code';

/**
 * Worker body: holds mappings (with ArrayBuffers) and heap blocks, then, depending on
 * workerData.end, churns through native calls forever (to be terminated), throws, exits,
 * or forgets its handles and collects garbage while it churns.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const v = require(workerData.lib);
const { native } = require(workerData.native);
const page = v.pageSizeBytes();
const held = [];
for (let i = 0; i < 4; i++) {
  const m = v.map({ sizeBytes: 8 * page });
  m.touch({ mode: 'write' });
  held.push(m, m.asArrayBuffer());
  held.push(v.malloc({ sizeBytes: 1000 + i }));
}
globalThis.held = held;
let round = 0;
// One round of every kind of native call: handles made and released, measurements,
// and native calls that throw coded errors (the error path must survive termination too).
function churn() {
  round++;
  const m = v.map({ sizeBytes: 4 * page });
  const ab = m.asArrayBuffer();
  m.touch({ mode: 'write' });
  m.residency();
  m.advise('dontneed');
  v.bufferResidency(ab);
  const h = v.malloc({ sizeBytes: 3000 });
  h.touch({ mode: 'write' });
  h.realloc(5000);
  h.residency();
  v.liveHandles();
  v.getrusage('thread');
  v.getrlimit('nofile');
  v.sysconf();
  v.layoutAddresses();
  v.threadStack();
  v.mallinfo2();
  v.programBreak();
  v.mallocInfo();
  native.libc();
  native.loadedObjects();
  native.allocatorIdentity();
  native.memorySample();
  native.stackAllocCost({ kind: 'malloc', sizeBytes: 64, iterations: 4 });
  try { native.mincoreScan(0n, page, 1); } catch (e) { if (e.code !== 'ENOMEM') throw e; }
  try { new native.Mapping({ sizeBytes: -1 }); } catch (e) { if (e.code !== 'ERR_OUT_OF_RANGE') throw e; }
  if (round % 2) { m.unmap(); h.free(); } // the rest are left to finalizers
}
parentPort.postMessage('holding');
const end = workerData.end;
if (end === 'throw') setImmediate(() => { churn(); throw new Error('uncaught in the worker'); });
else if (end === 'exit') setImmediate(() => { churn(); process.exit(3); });
else if (end === 'gc') {
  // Forget everything and collect while churning: finalizers run between native calls.
  held.length = 0;
  for (;;) { churn(); if (round % 16 === 0) globalThis.gc(); }
} else for (;;) churn(); // 'loop': until terminate() or the process ends
`;

interface ChildRun { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs `script` (CommonJS; WORKER, LIB, NATIVE and `startWorker(end)` defined) in a fresh node. */
function runChild(script: string, nodeArgs: string[] = []): ChildRun {
  const prelude = `
const { Worker } = require('node:worker_threads');
const WORKER = ${JSON.stringify(WORKER)};
const LIB = ${JSON.stringify(LIB_ENTRY)};
const NATIVE = ${JSON.stringify(NATIVE_ENTRY)};
// A worker holding handles, resolved once it said so.
function startWorker(end) {
  const worker = new Worker(WORKER, { eval: true, workerData: { lib: LIB, native: NATIVE, end } });
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const errored = new Promise((resolve) => worker.once('error', resolve));
  const holding = new Promise((resolve) => worker.once('message', resolve));
  return { worker, exited, errored, holding };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
`;
  const child = spawnSync(process.execPath, [...nodeArgs, '-e', prelude + script], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(child.error, undefined, `the child did not finish: ${String(child.error)}\nstderr: ${child.stderr}`);
  return { status: child.status, signal: child.signal, stdout: child.stdout, stderr: child.stderr };
}

/** Asserts the child ended by itself with `status` (not by a signal, not in std::terminate). */
function assertSurvived(run: ChildRun, status: number, what: string): void {
  const where = `${what}: child exit status ${String(run.status)}, signal ${String(run.signal)}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
  assert.equal(run.signal, null, where);
  assert.doesNotMatch(run.stderr, /terminate called|FATAL ERROR|Assertion failed|double free|Aborted/, where);
  assert.equal(run.status, status, where);
}

test('a worker holding vmprobe handles that dies of an uncaught JS error leaves the process running and its handles released', () => {
  const run = runChild(`
    (async () => {
      const before = require(LIB).liveHandles();
      for (let i = 0; i < 10; i++) {
        const w = startWorker('throw');
        await w.holding;
        const err = await w.errored;
        if (!/uncaught in the worker/.test(String(err))) throw new Error('unexpected worker error: ' + err);
        await w.exited;
      }
      for (let i = 0; i < 50; i++) { global.gc(); await sleep(10); }
      console.log(JSON.stringify({ before, after: require(LIB).liveHandles() }));
    })();
  `, ['--expose-gc']);
  assertSurvived(run, 0, 'uncaught error in 10 workers');
  const out = JSON.parse(run.stdout) as { before: object; after: object };
  assert.deepEqual(out.after, out.before, 'live handles after the workers died');
});

test('a worker holding vmprobe handles that calls process.exit() leaves the process running', () => {
  const run = runChild(`
    (async () => {
      const codes = [];
      for (let i = 0; i < 10; i++) { const w = startWorker('exit'); await w.holding; codes.push(await w.exited); }
      console.log(JSON.stringify(codes));
    })();
  `);
  assertSurvived(run, 0, 'process.exit() in 10 workers');
  assert.deepEqual(JSON.parse(run.stdout), Array(10).fill(3), 'each worker exit code');
});

test('worker.terminate() while the worker is in a loop of native calls never aborts the process (60 workers, varied timing)', () => {
  const run = runChild(`
    (async () => {
      const before = require(LIB).liveHandles();
      for (let i = 0; i < 60; i++) {
        const w = startWorker('loop');
        await w.holding;
        await sleep(i % 7);
        await w.worker.terminate();
      }
      for (let i = 0; i < 50; i++) { global.gc(); await sleep(10); }
      console.log(JSON.stringify({ before, after: require(LIB).liveHandles() }));
    })();
  `, ['--expose-gc']);
  assertSurvived(run, 0, 'terminate() during native calls');
  const out = JSON.parse(run.stdout) as { before: object; after: object };
  assert.deepEqual(out.after, out.before, 'live handles after the workers were terminated');
});

test('worker.terminate() while the worker forgets handles and its finalizers run under gc() never aborts the process', () => {
  const run = runChild(`
    (async () => {
      for (let i = 0; i < 30; i++) {
        const w = startWorker('gc');
        await w.holding;
        await sleep(1 + (i % 5) * 3);
        await w.worker.terminate();
      }
      console.log('"done"');
    })();
  `, ['--expose-gc']);
  assertSurvived(run, 0, 'terminate() during finalizers');
});

test('the main thread calling process.exit() while workers hold handles and run native calls ends with its own exit code', () => {
  for (let attempt = 0; attempt < 8; attempt++) {
    const run = runChild(`
      (async () => {
        const ws = [startWorker('loop'), startWorker('loop'), startWorker('gc')];
        await Promise.all(ws.map((w) => w.holding));
        await sleep(${attempt * 3});
        process.exit(7);
      })();
    `, ['--expose-gc']);
    assertSurvived(run, 7, `main-thread process.exit() with busy workers (attempt ${attempt})`);
  }
});

test('the main thread returning while workers run native calls ends the process normally', () => {
  const run = runChild(`
    (async () => {
      const ws = [startWorker('loop'), startWorker('loop')];
      await Promise.all(ws.map((w) => w.holding));
      await sleep(20);
      // Nothing keeps the main thread alive but the workers: unref them and return.
      for (const w of ws) w.worker.unref();
    })();
  `);
  assertSurvived(run, 0, 'main thread ends with unref()d busy workers');
});

test('process.exit() on the main thread with live mappings, buffers and heap blocks ends with its own exit code', () => {
  const run = runChild(`
    const v = require(LIB);
    const keep = [];
    for (let i = 0; i < 50; i++) {
      const m = v.map({ sizeBytes: 4 * v.pageSizeBytes() });
      m.touch({ mode: 'write' });
      keep.push(m, m.asArrayBuffer(), v.malloc({ sizeBytes: 500 + i }));
    }
    globalThis.keep = keep;
    process.exit(5);
  `);
  assertSurvived(run, 5, 'main-thread process.exit() with live handles');
});

test('gc() under load on the main thread and in workers at once (--expose-gc) never aborts, and every handle is released after', () => {
  const run = runChild(`
    (async () => {
      const v = require(LIB);
      const before = v.liveHandles();
      const ws = [startWorker('gc'), startWorker('gc')];
      await Promise.all(ws.map((w) => w.holding));
      // In its own function: a suspended async frame can keep its last \`m\` reachable.
      await (async function load() {
        for (let i = 0; i < 300; i++) {
          const m = v.map({ sizeBytes: 4 * v.pageSizeBytes() });
          m.touch({ mode: 'write' });
          if (i % 2) m.asArrayBuffer();
          v.malloc({ sizeBytes: 1000 + i }).touch();
          if (i % 25 === 0) { global.gc(); await sleep(1); }
        }
      })();
      await Promise.all(ws.map((w) => w.worker.terminate()));
      for (let i = 0; i < 50; i++) { global.gc(); await sleep(10); }
      console.log(JSON.stringify({ before, after: v.liveHandles() }));
    })();
  `, ['--expose-gc']);
  assertSurvived(run, 0, 'gc() under load');
  const out = JSON.parse(run.stdout) as { before: object; after: object };
  assert.deepEqual(out.after, out.before, 'live handles after gc and terminate');
});
