/**
 * The crash paths a review found, each closed: a buffer that escapes detach, a file
 * truncated during a touch, calls that end the process on purpose, in-process limits
 * that kill, results too large for V8's heap, and glibc-only decoding under another
 * allocator. Anything that could crash runs in a child.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native } from '../../lib/native/loader';
import { getrlimit, map, malloc, pageSizeBytes, setrlimit, MAX_RUNS, MAX_PAGEMAP_ENTRIES } from '../../lib/index';
import { expectCode, runChildJson } from '../helpers/expect-code';

const page = pageSizeBytes();

test('a buffer moved out of reach by a same-thread transfer cannot crash the process after unmap()', () => {
  // A byte ReadableStream transfers the enqueued chunk's buffer: ours is detached, a new
  // one shares the memory. unmap() must leave that memory mapped (as fresh zero pages).
  const out = runChildJson(`
    const v = require(LIB);
    (async () => {
      const m = v.map({ sizeBytes: 4 * ${page} });
      const ab = m.asArrayBuffer();
      new Uint8Array(ab).fill(7);
      const rs = new ReadableStream({ type: 'bytes', start(c) { c.enqueue(new Uint8Array(ab)); c.close(); } });
      const { value } = await rs.getReader().read();
      const before = value[0];
      m.unmap();
      value[3 * ${page}] = 1;           // would be SIGSEGV on unmapped memory
      console.log(JSON.stringify({ survived: true, before, after: value[0], closed: m.closed }));
    })();
  `);
  assert.deepEqual(out, { survived: true, before: 7, after: 0, closed: true });
});

test('unmap() of a buffer the app marked untransferable never aborts: it is detached, or stays attached over zero pages until collected', () => {
  // Node >= 24's markAsUntransferable() sets a V8 detach key on an ArrayBuffer, and
  // napi_detach_arraybuffer then aborts the process (FATAL ERROR: v8::FromJust), so
  // unmap() must not call it there. Node's own environment teardown also detaches every
  // live external buffer without a key and aborts on a keyed one, whoever made it (a
  // Node limitation, see docs): the child therefore lets the buffer be collected (gc()
  // after dropping it) and must then exit normally, with the mapping released.
  const out = runChildJson(`
    const v = require(LIB);
    const { markAsUntransferable } = require('node:worker_threads');
    const m = v.map({ sizeBytes: 4 * ${page} });
    let ab = m.asArrayBuffer();
    new Uint8Array(ab).fill(7);
    markAsUntransferable(ab);
    m.unmap();
    let view = ab.byteLength === 0 ? null : new Uint8Array(ab);
    if (view !== null) view[3 * ${page}] = 1;   // would be SIGSEGV on unmapped memory
    const result = { survived: true, byteLength: ab.byteLength, first: view === null ? null : view[0], closed: m.closed };
    ab = null; view = null;
    // Finalizers run on a later turn after gc(): poll (bounded) until the range is released.
    let rounds = 0;
    const poll = () => {
      gc();
      result.liveMappings = v.liveHandles().mappings;
      if (result.liveMappings === 0 || ++rounds >= 100) console.log(JSON.stringify(result));
      else setTimeout(poll, 10);
    };
    setImmediate(poll);
  `, { nodeArgs: ['--expose-gc'] }) as { survived: boolean; byteLength: number; first: number | null; closed: boolean; liveMappings: number };
  assert.equal(out.survived, true);
  assert.equal(out.closed, true);
  if (out.byteLength !== 0) {
    assert.equal(out.byteLength, 4 * page, 'an attached buffer keeps its length');
    assert.equal(out.first, 0, 'the attached buffer reads the zero pages that replaced the mapping, not the old data');
  }
  assert.equal(out.liveMappings, 0, 'the collected buffer released the range it kept mapped');
});

test('a file truncated by another thread while it is being touched gives coded errors, never SIGBUS', () => {
  const dir = fs.mkdtempSync(path.join(process.cwd(), '.vmprobe-sigbus-'));
  try {
    const file = path.join(dir, 'shrinking.bin');
    const size = 16 * 1024 * 1024;
    fs.writeFileSync(file, Buffer.alloc(size, 1));
    const out = runChildJson(`
      const v = require(LIB);
      const { Worker } = require('node:worker_threads');
      const file = ${JSON.stringify(file)};
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const w = new Worker(\`
        const fs = require('node:fs'); const { workerData } = require('node:worker_threads');
        const fd = fs.openSync(workerData.file, 'r+'); const flag = workerData.flag;
        while (Atomics.load(flag, 0) === 0) { fs.ftruncateSync(fd, 0); fs.ftruncateSync(fd, ${size}); }
        fs.closeSync(fd);
      \`, { eval: true, workerData: { file, flag } });
      const m = v.mapFile(file);
      const codes = {};
      let sigbusCaught = 0;
      const until = Date.now() + 1500;
      let touches = 0;
      while (Date.now() < until) {
        touches++;
        try { m.touch(); } catch (e) { codes[e.code] = (codes[e.code] || 0) + 1; if (/SIGBUS caught/.test(e.message)) sigbusCaught++; }
      }
      Atomics.store(flag, 0, 1);
      w.terminate().then(() => { m.unmap(); console.log(JSON.stringify({ survived: true, touches, codes: Object.keys(codes), sigbusCaught })); });
    `, { timeoutMs: 30_000 });
    const r = out as { survived: boolean; touches: number; codes: string[]; sigbusCaught: number };
    assert.equal(r.survived, true);
    assert.ok(r.touches > 0, 'the child touched the file');
    for (const code of r.codes) assert.equal(code, 'ERR_OUT_OF_RANGE', `a touch during truncation failed with ${code}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('calls that end the process on purpose refuse to run outside a vmprobe child process', () => {
  delete process.env['VMPROBE_CHILD_TASK'];
  expectCode(() => native.layoutFault('null'), 'ERR_VMPROBE_UNSUPPORTED', { message: /child process/ });
  expectCode(() => native.stackRecurse({ frameBytes: page, variant: 'frame', untilFault: true }), 'ERR_VMPROBE_UNSUPPORTED', { message: /child process/ });
});

test('setrlimit refuses to lower a limit that can kill this process, and allows raising it', () => {
  const stack = getrlimit('stack');
  const lower = Number.isFinite(stack.soft) ? Math.floor(stack.soft / 2) : 8 * 1024 * 1024;
  expectCode(() => setrlimit('stack', { soft: lower, hard: stack.hard }), 'ERR_INVALID_ARG_VALUE', { message: /child process/ });
  expectCode(() => setrlimit('as', { soft: 1024 * 1024 * 1024, hard: getrlimit('as').hard }), 'ERR_INVALID_ARG_VALUE');
  assert.deepEqual(getrlimit('stack'), stack, 'nothing changed');
  // Raising (here: keeping) a fatal-when-lowered limit is allowed, in a child to be safe.
  const out = runChildJson(`
    const v = require(LIB);
    const before = v.getrlimit('cpu');
    v.setrlimit('cpu', before);
    console.log(JSON.stringify({ same: JSON.stringify(v.getrlimit('cpu')) === JSON.stringify(before) }));
  `);
  assert.deepEqual(out, { same: true });
});

test('results that could exhaust the V8 heap are capped with ERR_OUT_OF_RANGE', () => {
  const m = map({ sizeBytes: (MAX_PAGEMAP_ENTRIES + 1) * page, noreserve: true });
  try {
    expectCode(() => m.residency({ maxRuns: MAX_RUNS + 1 }), 'ERR_OUT_OF_RANGE');
    expectCode(() => m.pagemap({ entries: true }), 'ERR_OUT_OF_RANGE', { message: /entries/ });
    assert.equal(m.pagemap().pages, MAX_PAGEMAP_ENTRIES + 1, 'without entries the summary covers any size');
  } finally {
    m.unmap();
  }
});

const JEMALLOC = ['/usr/lib/x86_64-linux-gnu/libjemalloc.so.2', '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2'].find((p) => fs.existsSync(p));

test('chunkHeader() and drainTop refuse under a preloaded jemalloc instead of reading a header that is not there', { skip: JEMALLOC ? false : 'libjemalloc2 is not installed on this host (apt-get install libjemalloc2)' }, () => {
  const out = runChildJson(`
    const v = require(LIB);
    const b = v.malloc({ sizeBytes: 4096 });
    let header = 'no error', drain = 'no error';
    try { b.chunkHeader(); } catch (e) { header = e.code + ': ' + e.message; }
    try { v.malloc({ sizeBytes: 64, drainTop: true }); } catch (e) { drain = e.code; }
    b.free();
    console.log(JSON.stringify({ header, drain }));
  `, { env: { ...process.env, LD_PRELOAD: JEMALLOC } });
  const r = out as { header: string; drain: string };
  assert.match(r.header, /^ERR_VMPROBE_UNSUPPORTED: .*jemalloc/);
  assert.equal(r.drain, 'ERR_VMPROBE_UNSUPPORTED');
  // Without the preload the same calls work.
  const b = malloc({ sizeBytes: 4096 });
  try {
    assert.ok(b.chunkHeader().chunkSizeBytes >= 4096);
  } finally {
    b.free();
  }
});
