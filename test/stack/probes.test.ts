import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import { threadStack, recurseStack, allocationCost, STACK_STOP_HEADROOM_BYTES } from '../../lib/stack/probes';
import { native } from '../../lib/native/loader';
import { pageSizeBytes } from '../../lib/system/usage';
import { readMaps, findMapping } from '../../lib/proc/maps';

test('threadStack on the main thread: the stack pointer lies inside the bounds, in the [stack] mapping', () => {
  const s = threadStack();
  assert.equal(s.mainThread, true);
  assert.ok(s.stackLow < s.stackPointer && s.stackPointer < s.stackTop, `${s.stackLow} < ${s.stackPointer} < ${s.stackTop}`);
  assert.equal(Number(s.stackTop - s.stackLow), s.stackSizeBytes);
  assert.equal(Number(s.stackTop - s.stackPointer), s.inUseBytes);
  assert.equal(findMapping(readMaps(), s.stackPointer)?.path, '[stack]');
});

test('threadStack in a worker: its own fixed-size stack of resourceLimits.stackSizeMb, with a guard', async () => {
  const mod = path.join(__dirname, '..', '..', 'lib', 'stack', 'probes.js');
  const code = `const { parentPort } = require('node:worker_threads'); const s = require(${JSON.stringify(mod)}).threadStack();
    parentPort.postMessage({ ...s, stackPointer: String(s.stackPointer), stackLow: String(s.stackLow), stackTop: String(s.stackTop) });`;
  const w = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const worker = new Worker(code, { eval: true, resourceLimits: { stackSizeMb: 2 } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  assert.equal(w['mainThread'], false);
  assert.equal(w['stackSizeBytes'], 2 * 1024 * 1024, `worker stack ${String(w['stackSizeBytes'])} bytes`);
  assert.ok((w['guardSizeBytes'] as number) >= pageSizeBytes(), `guard ${String(w['guardSizeBytes'])}`);
  assert.notEqual(w['stackTop'], String(threadStack().stackTop));
});

test('recursing again to the same depth takes no page fault: the stack kept its pages', () => {
  const depthBytes = 512 * 1024;
  const first = recurseStack({ depthBytes, frameBytes: 1024 });
  const again = recurseStack({ depthBytes, frameBytes: 1024 });
  assert.ok(first.deepestBytes >= depthBytes, `reached ${first.deepestBytes}`);
  assert.equal(again.minorFaults + again.majorFaults, 0, `second recursion took ${again.minorFaults} minor + ${again.majorFaults} major faults`);
});

test('the alloca variant reaches the same depth with frames of the chosen size', () => {
  const r = recurseStack({ depthBytes: 256 * 1024, frameBytes: 4096, variant: 'alloca' });
  assert.ok(r.deepestBytes >= 256 * 1024 && r.deepestBytes < 256 * 1024 + 2 * 4096, `deepest ${r.deepestBytes}`);
  // Each level takes its frame plus the call's own overhead (return address, saved registers, alignment).
  const perFrame = (r.deepestBytes - threadStack().inUseBytes) / r.frames;
  assert.ok(perFrame >= 4096 && perFrame <= 4096 + 1024, `${r.frames} frames, ${perFrame} bytes each`);
});

test('recurseStack refuses a depth that does not fit the stack, before recursing', () => {
  const s = threadStack();
  assert.throws(() => recurseStack({ depthBytes: s.stackSizeBytes }), { code: 'ERR_OUT_OF_RANGE', message: /headroom/ });
  assert.throws(() => recurseStack({ depthBytes: s.stackSizeBytes - STACK_STOP_HEADROOM_BYTES }), { code: 'ERR_OUT_OF_RANGE' });
});

test('native stackRecurse repeats the checks: depth beyond the stack, bad fd, bad frame', () => {
  const s = threadStack();
  assert.throws(() => native.stackRecurse({ frameBytes: 4096, variant: 'frame', stopAtDepthBytes: s.stackSizeBytes * 2 }), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => native.stackRecurse({ frameBytes: 4096, variant: 'frame', stopAtDepthBytes: 4096, fd: 1_000_000 }), { code: 'EBADF', syscall: 'fcntl' });
  assert.throws(() => native.stackRecurse({ frameBytes: 8, variant: 'frame', stopAtDepthBytes: 4096 }), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => native.stackRecurse({ frameBytes: 4096, variant: 'heap' as 'frame', stopAtDepthBytes: 4096 }), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => native.stackRecurse({ frameBytes: 4096, variant: 'frame' }), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('recurseStack and allocationCost validate their options', () => {
  assert.throws(() => recurseStack({} as never), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => recurseStack({ depthBytes: -1 }), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => recurseStack({ depthBytes: 4096, frameBytes: 1.5 }), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => recurseStack({ depthBytes: 4096, depth: 1 } as never), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => allocationCost({ kind: 'stack' as 'frame', sizeBytes: 64 }), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => allocationCost({ kind: 'alloca', sizeBytes: 1e12 }), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => allocationCost({ kind: 'malloc', sizeBytes: 64, iterations: 0 }), { code: 'ERR_OUT_OF_RANGE' });
});

test('allocationCost times every kind and malloc of a small block takes no fault once warm', () => {
  for (const kind of ['frame', 'alloca', 'malloc'] as const) {
    const r = allocationCost({ kind, sizeBytes: 256, iterations: 1000 });
    assert.equal(r.iterations, 1000);
    assert.ok(r.elapsedNs > 0 && r.nsPerOp === r.elapsedNs / 1000, `${kind}: ${r.elapsedNs} ns`);
  }
  const warm = allocationCost({ kind: 'malloc', sizeBytes: 256, iterations: 1000 });
  assert.equal(warm.minorFaults, 0, `${warm.minorFaults} faults`);
});
