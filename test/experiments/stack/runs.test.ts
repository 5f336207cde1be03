// Real overflow runs: each child recurses until the kernel refuses to grow its stack.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runOverflow, runThreadStep, type OverflowPlan } from '../../../lib/experiments/stack/runs';
import { limitWrapperKind } from '../../../lib/experiments/stack/wrapper';
import { deathTolerance } from '../../../lib/experiments/stack/verdicts';
import { getrlimit, pageSizeBytes } from '../../../lib/system/usage';
import type { StackVariant } from '../../../lib/stack/probes';

const MiB = 1024 * 1024;
const PAGE = pageSizeBytes();
const HARD = getrlimit('stack').hard;

function plan(limitBytes: number | undefined, over: Partial<OverflowPlan> = {}): OverflowPlan {
  return {
    limitBytes, expectedRlimitBytes: limitBytes ?? null, frameBytes: PAGE, variant: 'frame' as StackVariant, sampleEveryFrames: 16, js: false,
    capBytes: null, timeoutMs: 20_000, wrapper: limitWrapperKind(), pageSizeBytes: PAGE, ...over,
  };
}

for (const limit of [1 * MiB, 2 * MiB, 4 * MiB]) {
  for (const variant of ['frame', 'alloca'] as const) {
    test(`at RLIMIT_STACK ${limit / MiB} MiB (${variant}) the child dies of SIGSEGV within one frame plus one page of the limit`, { skip: limit > HARD ? `hard RLIMIT_STACK ${HARD} is below ${limit}` : false }, async () => {
      const { run } = await runOverflow(plan(limit, { variant }));
      assert.equal(run.fate, 'signal', run.problem ?? '');
      assert.equal(run.signal, 'SIGSEGV');
      assert.equal(run.rlimitBytes, limit);
      const d = run.distanceToLimitBytes;
      assert.ok(d !== null && d >= 0 && d <= deathTolerance(PAGE, PAGE), `died at ${String(run.deathDepthBytes)} bytes, ${String(d)} from the ${limit}-byte limit (tolerance ${deathTolerance(PAGE, PAGE)})`);
    });
  }
}

test('samples stream from the dying child: deeper frames at lower addresses, VmStk follows the depth', async () => {
  const { run, samples } = await runOverflow(plan(2 * MiB, { sampleEveryFrames: 8 }));
  assert.equal(run.fate, 'signal');
  assert.ok(samples.length >= 10, `${samples.length} samples`);
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1], samples[i]];
    assert.ok(a && b && BigInt(b.stackPointer) < BigInt(a.stackPointer) && b.depthBytes > a.depthBytes, `sample ${i}: ${a?.stackPointer} -> ${b?.stackPointer}`);
    assert.ok(b.vmStkBytes !== null && b.vmStkBytes + PAGE >= b.depthBytes, `sample ${i}: VmStk ${String(b.vmStkBytes)} below depth ${b.depthBytes}`);
  }
});

test('an inherited limit is honoured: `ulimit -s 3000` shows up as 3000 KiB and bounds the growth', () => {
  const script = `require(${JSON.stringify(path.join(__dirname, '..', '..', '..', 'lib', 'experiments', 'stack', 'runs.js'))}).runOverflow(${JSON.stringify(plan(undefined))})` +
    '.then((r) => process.stdout.write(JSON.stringify(r.run)))';
  const out = spawnSync('/bin/sh', ['-c', `ulimit -s 3000 && exec "${process.execPath}" -e '${script}'`], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const run = JSON.parse(out.stdout) as { rlimitBytes: number; inherited: boolean; distanceToLimitBytes: number; signal: string };
  assert.equal(run.inherited, true);
  assert.equal(run.rlimitBytes, 3000 * 1024);
  assert.equal(run.signal, 'SIGSEGV');
  assert.ok(run.distanceToLimitBytes >= 0 && run.distanceToLimitBytes <= deathTolerance(PAGE, PAGE), `${run.distanceToLimitBytes} bytes short`);
});

test('JS stops at V8\'s RangeError well before the native recursion dies in the same child', async () => {
  const { run } = await runOverflow(plan(8 * MiB > HARD ? undefined : 8 * MiB, { js: true }));
  assert.ok(run.js !== null && run.js.rangeError, JSON.stringify(run.js));
  assert.ok(run.js.depthBytes !== null && run.deathDepthBytes !== null && run.js.depthBytes < run.deathDepthBytes,
    `JS ${String(run.js.depthBytes)} bytes, native ${String(run.deathDepthBytes)}`);
});

test('the parent is alive and well after 20 overflows in a row', async () => {
  const signals: Array<string | null> = [];
  for (let i = 0; i < 20; i++) signals.push((await runOverflow(plan(MiB, { sampleEveryFrames: 0 }))).run.signal);
  assert.deepEqual(signals, Array.from({ length: 20 }, () => 'SIGSEGV'));
  assert.equal(process.exitCode ?? 0, 0);
});

test('a hung child is killed at its timeout and reported as such, with what it sent first', async () => {
  const hang = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'stack', 'hang.js');
  const { run } = await runOverflow(plan(MiB, { taskModule: hang, timeoutMs: 1000 }));
  assert.equal(run.fate, 'timeout');
  assert.equal(run.signal, 'SIGKILL');
  assert.equal(run.deathDepthBytes, null);
  assert.equal(run.reachedBytes, 4096);
  assert.match(run.problem ?? '', /timeout/);
});

test('an unlimited stack grows past every finite limit to the cap, and moves the mmap area', { skip: HARD !== Infinity ? 'the hard RLIMIT_STACK is finite' : false }, async () => {
  const { run } = await runOverflow(plan(Infinity, { capBytes: 32 * MiB, sampleEveryFrames: 0 }));
  assert.equal(run.fate, 'capped', run.problem ?? '');
  assert.equal(run.rlimitBytes, null);
  assert.ok(run.reachedBytes !== null && run.reachedBytes >= 32 * MiB, `reached ${String(run.reachedBytes)}`);
  const finite = await runOverflow(plan(8 * MiB, { sampleEveryFrames: 0 }));
  const gap = (r: typeof run): number => r.layout?.gapBelowStackBytes ?? 0;
  assert.ok(gap(run) > gap(finite.run), `gap below the stack: unlimited ${gap(run)}, 8 MiB ${gap(finite.run)}`);
});

test('a worker thread\'s stack is a fixed mapping not bound by RLIMIT_STACK, and its overflow kills the process', async () => {
  const t = await runThreadStep({ stackSizeMb: 4, depthFraction: 0.75, frameBytes: PAGE }, 2 * MiB, limitWrapperKind(), 20_000);
  assert.equal(t.problem, null);
  assert.equal(t.childRlimitBytes, 2 * MiB);
  assert.ok(t.worker && t.worker.mappingSizeBytes !== null && t.worker.mappingSizeBytes >= 4 * MiB, JSON.stringify(t.worker));
  assert.equal(t.workerMappingAfterBytes, t.worker.mappingSizeBytes);
  assert.ok(t.workerDepthBytes !== null && t.workerDepthBytes > 2 * MiB, `worker used ${String(t.workerDepthBytes)} bytes`);
  assert.equal(t.worker.guardMappingBytes, t.worker.guardSizeBytes);
  assert.equal(t.overflow.signal, 'SIGSEGV');
  const d = t.overflow.deathDepthBytes;
  assert.ok(d !== null && d <= 4 * MiB && d >= 4 * MiB - deathTolerance(PAGE, PAGE), `worker died at ${String(d)}`);
});
