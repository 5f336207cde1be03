import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { runChild, requireResult } from '../../lib/child/spawn';

const TASKS = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'child', 'tasks.js');

test('a child task receives its payload, streams records and returns its result', async () => {
  const outcome = await runChild<{ doubled: number }>(TASKS, 'echo', { n: 21 });
  assert.equal(outcome.exitCode, 0, outcome.stderr);
  assert.deepEqual(outcome.result, { doubled: 42 });
  assert.deepEqual(outcome.records, [{ got: { n: 21 } }]);
});

test('a child killed by a signal is reported with the signal and the records it sent first', async () => {
  const outcome = await runChild(TASKS, 'crash', null);
  assert.equal(outcome.signal, 'SIGSEGV');
  assert.equal(outcome.result, null);
  assert.deepEqual(outcome.records, [{ before: 'crash' }]);
  assert.throws(() => requireResult(outcome, 'a crash'), { code: 'ERR_VMPROBE_CHILD', message: /died of SIGSEGV/ });
});

test('a hung child is killed after its timeout and reported as timed out', async () => {
  const outcome = await runChild(TASKS, 'hang', null, { timeoutMs: 500 });
  assert.equal(outcome.timedOut, true);
  assert.equal(outcome.signal, 'SIGKILL');
  assert.ok(outcome.elapsedMs >= 500 && outcome.elapsedMs < 10_000, `took ${outcome.elapsedMs} ms`);
  assert.throws(() => requireResult(outcome, 'a hang'), { code: 'ERR_VMPROBE_CHILD', message: /timeout/ });
});

test('the timeout counts from when the task began: a slow start-up (here 1.5 s of wrapper before node) is not the task running late', async () => {
  // A malloc setting can slow node's own start-up a hundredfold (MALLOC_MMAP_THRESHOLD_=0: seconds); the task's timeout is for the task.
  const outcome = await runChild<{ doubled: number }>(TASKS, 'echo', { n: 2 }, { timeoutMs: 1000, wrapper: ['sh', '-c', 'sleep 1.5; exec "$@"', 'sh'] });
  assert.equal(outcome.timedOut, false, `killed after ${outcome.elapsedMs} ms; stderr: ${outcome.stderr}`);
  assert.deepEqual(outcome.result, { doubled: 4 });
  assert.ok(outcome.startupMs !== null && outcome.startupMs >= 1500 && outcome.startupMs <= outcome.elapsedMs, `startupMs ${outcome.startupMs} of ${outcome.elapsedMs}`);
});

test('a hung task reports how long it ran after starting; a child that never starts reports that instead', async () => {
  const hung = await runChild(TASKS, 'hang', null, { timeoutMs: 500 });
  assert.ok(hung.startupMs !== null);
  assert.throws(() => requireResult(hung, 'a hang'), { code: 'ERR_VMPROBE_CHILD', message: /was killed after its timeout \(\d+ ms after it started\)/ });
  const never = { ...hung, startupMs: null, elapsedMs: 120_000 };
  assert.throws(() => requireResult(never, 'a start'), { code: 'ERR_VMPROBE_CHILD', message: /did not start within 120000 ms and was killed/ });
});

test('a task that throws is reported with its message and code', async () => {
  const outcome = await runChild(TASKS, 'fail', null);
  assert.equal(outcome.exitCode, 70);
  assert.equal(outcome.error?.code, 'EFAKE');
  assert.match(outcome.error?.message ?? '', /task failed on purpose/);
});

test('the child gets the environment it is given', async () => {
  const outcome = await runChild<string>(TASKS, 'env', null, { env: { ...process.env, VMPROBE_CHILD_TEST_VALUE: 'x1' } });
  assert.equal(outcome.result, 'x1');
});
