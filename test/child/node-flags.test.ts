// Tests for lib/child/node-flags.ts and its use: the node/V8 flags of the parent reach
// vmprobe's children (minus those that would stop a child running its task), plus those
// of VMPROBE_NODE_FLAGS / `vmprobe --node-flags`; they are recorded in the result; and the
// stack experiment shows what a --stack-size above RLIMIT_STACK does (nodejs/node#33090).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { NODE_FLAGS_ENV, childNodeFlags, isDeniedNodeFlag, parseNodeFlags, passThroughNodeFlags } from '../../lib/child/node-flags';
import { runChild } from '../../lib/child/spawn';
import { getrlimit } from '../../lib/index';
import { runV8StackSizeStep, V8_STEP_RLIMIT_BYTES } from '../../lib/experiments/stack/v8-stack-size';
import { limitWrapperKind } from '../../lib/experiments/stack/wrapper';
import type { LazyResult, StackResult } from '../../lib/experiments/index';
import { CLI, cli } from '../helpers/cli';

const TASKS = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'child', 'tasks.js');

test('passThroughNodeFlags keeps V8 and runtime flags, drops debugger, eval, test-runner and print-and-exit flags (with their separate values)', () => {
  const cases: Array<[string[], string[]]> = [
    [['--stack-size=10240'], ['--stack-size=10240']],
    [['--max-old-space-size=512', '--expose-gc', '--require', '/x/hook.js'], ['--max-old-space-size=512', '--expose-gc', '--require', '/x/hook.js']],
    [['--inspect', '--stack-size=2000'], ['--stack-size=2000']],
    [['--inspect-brk=9230', '--inspect-port', '9231', '--jitless'], ['--jitless']],
    [['--eval', 'process.exit(3)', '--stack-size=2000'], ['--stack-size=2000']],
    [['-e', 'x', '-p', 'y'], []],
    [['--test-concurrency=1', '--test-reporter', 'tap', '--test'], []],
    [['--watch', '--watch-path', 'lib', '--v8-options'], []],
    [['--stack_size=3000', '--inspect_brk'], ['--stack_size=3000']],
  ];
  for (const [input, expected] of cases) assert.deepEqual(passThroughNodeFlags(input), expected, input.join(' '));
  assert.equal(isDeniedNodeFlag('--stack-size=1'), false);
  assert.equal(isDeniedNodeFlag('--debug-port=1'), true);
});

test('parseNodeFlags splits on whitespace and refuses non-flags and denied flags with ERR_INVALID_ARG_VALUE naming the source', () => {
  assert.deepEqual(parseNodeFlags('  --stack-size=4000   --expose-gc '), ['--stack-size=4000', '--expose-gc']);
  assert.deepEqual(parseNodeFlags(''), []);
  assert.throws(() => parseNodeFlags('stack-size=4000', '--node-flags'), { code: 'ERR_INVALID_ARG_VALUE', message: /'--node-flags' must be node flags.*Received 'stack-size=4000'/ });
  assert.throws(() => parseNodeFlags('--inspect=0'), { code: 'ERR_INVALID_ARG_VALUE', message: new RegExp(`'${NODE_FLAGS_ENV}' must not hold --inspect`) });
});

test('childNodeFlags is the pass-through part of execArgv, then VMPROBE_NODE_FLAGS', () => {
  assert.deepEqual(childNodeFlags(['--inspect', '--stack-size=2000'], { [NODE_FLAGS_ENV]: '--max-old-space-size=300' }), ['--stack-size=2000', '--max-old-space-size=300']);
  assert.deepEqual(childNodeFlags([], {}), []);
  assert.throws(() => childNodeFlags([], { [NODE_FLAGS_ENV]: '--eval' }), { code: 'ERR_INVALID_ARG_VALUE' });
});

test('a child of a parent started with --stack-size runs with it, then VMPROBE_NODE_FLAGS, then runChild\'s own execArgv (last wins)', () => {
  // A fresh parent, so this test runner's own flags do not count.
  const script = `const { runChild } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'lib', 'child', 'spawn.js'))});
runChild(${JSON.stringify(TASKS)}, 'execArgv', null, { execArgv: ['--max-old-space-size=200'] }).then((o) => process.stdout.write(JSON.stringify(o.result)));`;
  const r = spawnSync(process.execPath, ['--stack-size=2000', '--inspect-port=0', '-e', script], {
    encoding: 'utf8', env: { ...process.env, [NODE_FLAGS_ENV]: '--expose-gc' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), ['--stack-size=2000', '--expose-gc', '--max-old-space-size=200'], `child execArgv: ${r.stdout}`);
});

test('runChild in this process passes no test-runner flag to its child', async () => {
  const outcome = await runChild<string[]>(TASKS, 'execArgv', null);
  assert.deepEqual(outcome.result, passThroughNodeFlags(process.execArgv));
  assert.ok(!(outcome.result ?? []).some((f) => f.startsWith('--test')), JSON.stringify(outcome.result));
});

test('`vmprobe lazy --node-flags …` records the flags in host.nodeFlags; a flag node refuses is a usage error (exit 2)', () => {
  const r = cli(['lazy', '--json', '--size', '1MiB', '--node-flags', '--max-old-space-size=300 --expose-gc']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual((JSON.parse(r.stdout) as LazyResult).host.nodeFlags, ['--max-old-space-size=300', '--expose-gc']);
  const bad = cli(['lazy', '--size', '1MiB', '--node-flags=--no-such-flag-at-all']);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /^vmprobe: --node-flags '--no-such-flag-at-all' are not flags this node accepts: .*bad option/);
  const env = cli(['lazy', '--size', '1MiB'], { [NODE_FLAGS_ENV]: '--inspect' });
  assert.equal(env.status, 2, env.stderr);
  assert.match(env.stderr, new RegExp(`^vmprobe: ${NODE_FLAGS_ENV} must not hold --inspect`));
});

test('V8 --stack-size above RLIMIT_STACK: RangeError under the limit, SIGSEGV above it (nodejs/node#33090), measured in children', async (t) => {
  const hard = getrlimit('stack').hard;
  if (hard < 1024 * 1024) {
    t.skip(`the hard RLIMIT_STACK is ${hard} bytes, below the 1 MiB node needs to start`);
    return;
  }
  const step = await runV8StackSizeStep(hard, limitWrapperKind(), 20_000);
  assert.ok(step !== null);
  const limit = Math.min(V8_STEP_RLIMIT_BYTES, hard);
  const show = JSON.stringify(step);
  assert.equal(step.rlimitBytes, limit);
  assert.equal(step.under.outcome, 'range-error', show);
  assert.ok(step.under.stackSizeKiB * 1024 < limit && step.over.stackSizeKiB * 1024 > limit, show);
  // V8 counts --stack-size from the stack pointer when the isolate starts, which node's
  // startup frames have already moved down from the stack top: 64 KiB of slack for them.
  const sizeBytes = step.under.stackSizeKiB * 1024;
  assert.ok(step.under.depthBytes !== null && step.under.depthBytes > sizeBytes * 0.5 && step.under.depthBytes < sizeBytes + 64 * 1024,
    `RangeError at ${step.under.depthBytes} bytes of stack, --stack-size ${step.under.stackSizeKiB} KiB`);
  assert.deepEqual(step.under.execArgv.slice(-1), [`--stack-size=${step.under.stackSizeKiB}`]);
  assert.equal(step.over.outcome, 'signal', show);
  assert.equal(step.over.signal, 'SIGSEGV', show);
  // It got most of the way to the limit (the last report comes at most 256 frames before death) and never past it.
  assert.ok(step.over.depthBytes !== null && step.over.depthBytes <= limit && step.over.depthBytes > limit * 0.75,
    `died after ${step.over.depthBytes} bytes of stack under RLIMIT_STACK ${limit}`);
});

test('`node --stack-size=N vmprobe stack` passes the flag to the children and reports what it did, with the finding of step 6', (t) => {
  const soft = getrlimit('stack').soft;
  if (!Number.isFinite(soft)) {
    t.skip('RLIMIT_STACK is unlimited here: no --stack-size can exceed it');
    return;
  }
  // V8's limit twice the inherited RLIMIT_STACK: JS recursion in the growth child must die of SIGSEGV.
  const kib = Math.ceil((2 * soft) / 1024);
  const r = spawnSync(process.execPath, [`--stack-size=${kib}`, CLI, 'stack', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout) as StackResult;
  assert.deepEqual(result.host.nodeFlags, [`--stack-size=${kib}`]);
  const js = result.measurements.jsDepth;
  assert.ok(js !== null);
  assert.deepEqual(js.execArgv, [`--stack-size=${kib}`], 'the growth child ran with the parent\'s flag');
  assert.equal(js.rangeError, false, `JS recursion under --stack-size=${kib} with RLIMIT_STACK ${soft}: ${JSON.stringify(js)}`);
  assert.equal(js.signal, 'SIGSEGV');
  const v8 = result.measurements.v8StackSize;
  assert.ok(v8 !== null && v8.over.outcome === 'signal' && v8.under.outcome === 'range-error', JSON.stringify(v8));
  const text = spawnSync(process.execPath, [`--stack-size=${kib}`, CLI, 'stack'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`JS never reached V8's RangeError \\(node flags --stack-size=${kib}\\): the child died of SIGSEGV`));
  assert.match(text.stdout, /nodejs\/node#33090/);
  assert.match(text.stdout, /--stack-size=\d+ \([^)]*\): the process died of SIGSEGV after at least [\d,]+ frames/);
});
