import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseVmStkLine, toStackSample, deepestMark } from '../../../lib/experiments/stack/records';
import { limitWrapper, findOnPath } from '../../../lib/experiments/stack/wrapper';
import { maskHasSignal } from '../../../lib/experiments/stack/child-tasks';
import { runOverflow } from '../../../lib/experiments/stack/runs';
import { deathTolerance } from '../../../lib/experiments/stack/verdicts';
import { pageSizeBytes } from '../../../lib/system/usage';

test('parseVmStkLine reads the kernel\'s "VmStk:\\t  132 kB" as bytes and nothing else', () => {
  assert.equal(parseVmStkLine('VmStk:\t     132 kB'), 132 * 1024);
  assert.equal(parseVmStkLine(''), null);
  assert.equal(parseVmStkLine('VmRSS:\t  132 kB'), null);
});

test('toStackSample turns the raw [stack] line and resident pages into bytes', () => {
  const s = toStackSample({
    kind: 'sample', depthFrames: 10, stackPointer: '0x7ffd0000f000', depthBytes: 40960, vmStkLine: 'VmStk:\t 136 kB',
    stackMapLine: '7ffd00000000-7ffd00022000 rw-p 00000000 00:00 0                          [stack]', stackResidentPages: 30,
  }, 4096);
  assert.deepEqual(s, { depthFrames: 10, depthBytes: 40960, stackPointer: '0x7ffd0000f000', vmStkBytes: 136 * 1024, stackMapStart: '0x7ffd00000000', stackMapSizeBytes: 0x22000, stackRssBytes: 30 * 4096 });
  assert.equal(toStackSample({ kind: 'sample', depthFrames: 1, stackPointer: '0x1', depthBytes: 1, vmStkLine: '', stackMapLine: '', stackResidentPages: -1 }, 4096).stackRssBytes, null);
});

test('deepestMark picks the deepest mark among other records', () => {
  assert.deepEqual(deepestMark([{ kind: 'start' }, { kind: 'mark', depthFrames: 2, depthBytes: 8192 }, { kind: 'mark', depthFrames: 1, depthBytes: 4096 }, { unparsed: 'x' }]),
    { kind: 'mark', depthFrames: 2, depthBytes: 8192 });
  assert.equal(deepestMark([]), null);
});

test('maskHasSignal reads one bit of a /proc status signal mask', () => {
  assert.equal(maskHasSignal('0000000000000400', 11), true);
  assert.equal(maskHasSignal('0000000000000200', 11), false);
  assert.equal(maskHasSignal(undefined, 11), null);
  assert.equal(maskHasSignal('zz', 11), null);
});

test('limitWrapper: prlimit takes bytes and leaves the hard limit; sh takes KiB; both turn core dumps off', () => {
  assert.deepEqual(limitWrapper(2097152, 'prlimit').slice(1), ['--core=0', '--stack=2097152:']);
  assert.deepEqual(limitWrapper(Infinity, 'prlimit').slice(1), ['--core=0', '--stack=unlimited:']);
  assert.deepEqual(limitWrapper(undefined, 'prlimit').slice(1), ['--core=0']);
  assert.match(limitWrapper(2097152, 'sh')[2] ?? '', /ulimit -c 0 && ulimit -S -s 2048 && exec "\$@"/);
  assert.equal(findOnPath('sh', '/nonexistent-dir'), null);
});

test('the sh wrapper (no prlimit) sets the limit before exec just as well', async () => {
  const page = pageSizeBytes();
  const { run } = await runOverflow({
    limitBytes: 2 * 1024 * 1024, expectedRlimitBytes: 2 * 1024 * 1024, frameBytes: page, variant: 'frame', sampleEveryFrames: 0, js: false,
    capBytes: null, timeoutMs: 20_000, wrapper: 'sh', pageSizeBytes: page,
  });
  assert.equal(run.signal, 'SIGSEGV', run.problem ?? '');
  assert.equal(run.rlimitBytes, 2 * 1024 * 1024);
  assert.ok(run.distanceToLimitBytes !== null && run.distanceToLimitBytes <= deathTolerance(page, page), String(run.distanceToLimitBytes));
});
