// Tests for lib/system/usage.ts (native/usage.cc): getrusage shapes and units, getrlimit for
// every resource, setrlimit (only ever in a child process: a lowered limit cannot be
// raised back without privileges, and a wrong one can kill the test runner), sysconf.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { RLIMIT_NAMES, getrlimit, getrusage, map, pageSizeBytes, readStatm, sysconf } from '../../lib/index';
import { expectCode, runChildJson } from '../helpers/expect-code';

const page = pageSizeBytes();

const RUSAGE_KEYS = [
  'blockInputOps', 'blockOutputOps', 'involuntaryContextSwitches', 'majorFaults', 'maxRssBytes', 'minorFaults',
  'systemCpuUs', 'userCpuUs', 'voluntaryContextSwitches',
];

test("getrusage('self' | 'thread' | 'children') returns the nine counters as non-negative integers", () => {
  for (const who of ['self', 'thread', 'children'] as const) {
    const r = getrusage(who);
    assert.deepEqual(Object.keys(r).sort(), RUSAGE_KEYS, who);
    for (const [key, value] of Object.entries(r)) {
      assert.ok(Number.isSafeInteger(value) && value >= 0, `getrusage('${who}').${key} = ${value}`);
    }
  }
  assert.deepEqual(Object.keys(getrusage()).sort(), RUSAGE_KEYS, "the default is 'self'");
});

test('maxRssBytes is in bytes: at least the current RSS from statm (10% slack for the kernel\'s per-CPU RSS counters)', () => {
  const rss = readStatm('self', page).residentBytes;
  const self = getrusage('self');
  assert.ok(self.maxRssBytes >= rss * 0.9, `maxRssBytes ${self.maxRssBytes} is below the current RSS ${rss}`);
  assert.ok(self.maxRssBytes % 1024 === 0, 'the kernel reports KiB, vmprobe multiplies by 1024');
  assert.ok(self.maxRssBytes < os.totalmem(), `maxRssBytes ${self.maxRssBytes} exceeds physical memory ${os.totalmem()}: not bytes?`);
  assert.ok(getrusage('thread').maxRssBytes >= rss * 0.9, "RUSAGE_THREAD reports the process's peak RSS too");
});

test("thread and self fault counters grow by exactly the faults of a measured touch ('thread') and by at least that ('self')", () => {
  const pages = 500;
  const m = map({ sizeBytes: pages * page });
  try {
    const t0 = getrusage('thread');
    const s0 = getrusage('self');
    const r = m.touch({ mode: 'write' });
    const t1 = getrusage('thread');
    const s1 = getrusage('self');
    assert.equal(r.minorFaults, pages);
    // Between the two getrusage calls only vmprobe's touch and a few JS objects ran on this thread.
    const threadDelta = t1.minorFaults - t0.minorFaults;
    assert.ok(threadDelta >= pages && threadDelta < pages + 200, `thread minor faults grew by ${threadDelta} around a ${pages}-fault touch`);
    assert.ok(s1.minorFaults - s0.minorFaults >= pages, `process minor faults grew by ${s1.minorFaults - s0.minorFaults}`);
  } finally {
    m.unmap();
  }
});

test('CPU times are in microseconds: a 100 ms busy loop costs 10-120 ms of thread CPU', () => {
  const before = getrusage('thread');
  const start = process.hrtime.bigint();
  let x = 0;
  while (process.hrtime.bigint() - start < 100_000_000n) x += Math.sqrt(x + 1);
  const wallUs = Number(process.hrtime.bigint() - start) / 1000;
  const after = getrusage('thread');
  const cpuUs = after.userCpuUs + after.systemCpuUs - before.userCpuUs - before.systemCpuUs;
  assert.ok(x > 0);
  assert.ok(cpuUs >= 10_000 && cpuUs <= wallUs + 20_000, `a ${Math.round(wallUs)} µs busy loop used ${cpuUs} µs of thread CPU`);
});

test("getrusage('children') counts a waited-for child's faults and peak RSS", () => {
  const before = getrusage('children');
  const child = spawnSync(process.execPath, ['-e', 'Buffer.alloc(32 * 1024 * 1024, 1)'], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const after = getrusage('children');
  const faults = after.minorFaults - before.minorFaults;
  assert.ok(faults >= (32 * 1024 * 1024) / page, `a child that wrote 32 MiB added ${faults} minor faults to RUSAGE_CHILDREN`);
  assert.ok(after.maxRssBytes >= 32 * 1024 * 1024, `children maxRssBytes ${after.maxRssBytes} after a child with over 32 MiB RSS`);
});

test('getrlimit returns { soft, hard } with soft <= hard, whole numbers or Infinity, for every RLIMIT_NAMES entry', () => {
  assert.equal(RLIMIT_NAMES.length, 16);
  for (const name of RLIMIT_NAMES) {
    const l = getrlimit(name);
    assert.deepEqual(Object.keys(l).sort(), ['hard', 'soft'], name);
    for (const v of [l.soft, l.hard]) assert.ok(v === Infinity || (Number.isSafeInteger(v) && v >= 0), `${name}: ${v}`);
    assert.ok(l.soft <= l.hard, `${name}: soft ${l.soft} > hard ${l.hard}`);
  }
});

test('getrlimit agrees with the shell: nofile in descriptors, stack in bytes (ulimit -s is KiB)', () => {
  const sh = (flag: string): string => execFileSync('/bin/sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).trim();
  const asLimit = (text: string, unit: number): number => (text === 'unlimited' ? Infinity : Number(text) * unit);
  const nofile = getrlimit('nofile');
  assert.equal(nofile.soft, asLimit(sh('-n'), 1));
  assert.equal(nofile.hard, asLimit(sh('-Hn'), 1));
  const stack = getrlimit('stack');
  assert.equal(stack.soft, asLimit(sh('-s'), 1024), 'RLIMIT_STACK soft limit in bytes');
  assert.equal(stack.hard, asLimit(sh('-Hs'), 1024));
});

test('setrlimit in a child: lowering RLIMIT_NOFILE reads back, Infinity round-trips as unlimited, errors are coded', () => {
  const out = runChildJson(`
    const v = require(LIB);
    const result = {};
    const nofile = v.getrlimit('nofile');
    const lowered = Math.min(64, nofile.soft);
    v.setrlimit('nofile', { soft: lowered, hard: nofile.hard });
    result.lowered = lowered;
    result.nofileAfter = v.getrlimit('nofile');
    result.nofileHardBefore = nofile.hard;
    // Opening more files than the new soft limit allows fails with EMFILE.
    const fs = require('node:fs'); const fds = [];
    try { for (let i = 0; i < lowered + 5; i++) fds.push(fs.openSync('/dev/null', 'r')); result.emfile = null; }
    catch (e) { result.emfile = e.code; }
    for (const fd of fds) fs.closeSync(fd);
    // soft above hard: EINVAL from setrlimit.
    if (nofile.hard !== Infinity) {
      try { v.setrlimit('nofile', { soft: nofile.hard + 1, hard: nofile.hard }); result.aboveHard = 'no error'; }
      catch (e) { result.aboveHard = { code: e.code, errno: e.errno, syscall: e.syscall }; }
    }
    const core = v.getrlimit('core');
    const root = process.getuid() === 0;
    result.canRaise = root || core.hard === Infinity;
    if (result.canRaise) {
      v.setrlimit('core', { soft: Infinity, hard: Infinity });
      result.coreInfinity = v.getrlimit('core');
      v.setrlimit('core', { soft: 0, hard: Infinity });
      result.coreZero = v.getrlimit('core');
    }
    console.log(JSON.stringify(result, (k, x) => x === Infinity ? 'Infinity' : x));
  `) as Record<string, unknown>;
  const lowered = out['lowered'] as number;
  assert.deepEqual(out['nofileAfter'], { soft: lowered, hard: out['nofileHardBefore'] }, 'RLIMIT_NOFILE reads back as set');
  assert.equal(out['emfile'], 'EMFILE', `opening more than ${lowered} files under the lowered limit`);
  if (out['aboveHard'] !== undefined) assert.deepEqual(out['aboveHard'], { code: 'EINVAL', errno: -22, syscall: 'setrlimit' });
  if (out['canRaise'] === true) {
    assert.deepEqual(out['coreInfinity'], { soft: 'Infinity', hard: 'Infinity' }, 'Infinity in, Infinity out');
    assert.deepEqual(out['coreZero'], { soft: 0, hard: 'Infinity' });
  }
});

test('setrlimit argument errors, TypeScript and native layer (in a child, so no call that slipped through can harm this process)', () => {
  const out = runChildJson(`
    const v = require(LIB);
    const { native } = require(NATIVE);
    const before = JSON.stringify(v.RLIMIT_NAMES.map((n) => v.getrlimit(n)));
    const cases = [
      ['ts soft 1.5', () => v.setrlimit('stack', { soft: 1.5, hard: Infinity })],
      ['ts soft -1', () => v.setrlimit('stack', { soft: -1, hard: Infinity })],
      ['ts soft NaN', () => v.setrlimit('stack', { soft: NaN, hard: Infinity })],
      ['ts soft -Infinity', () => v.setrlimit('stack', { soft: -Infinity, hard: Infinity })],
      ['ts soft 2**53', () => v.setrlimit('stack', { soft: 2 ** 53, hard: Infinity })],
      ['ts hard 2**64', () => v.setrlimit('stack', { soft: 1, hard: 2 ** 64 })],
      ['ts soft string', () => v.setrlimit('stack', { soft: '1', hard: Infinity })],
      ['ts soft bigint', () => v.setrlimit('stack', { soft: 1n, hard: Infinity })],
      ['ts limit null', () => v.setrlimit('stack', null)],
      ['ts limit number', () => v.setrlimit('stack', 5)],
      ['ts resource unknown', () => v.setrlimit('heap', { soft: 1, hard: 1 })],
      ['ts resource number', () => v.setrlimit(1, { soft: 1, hard: 1 })],
      ['native soft 1.5', () => native.setrlimit('stack', 1.5, 2)],
      ['native hard NaN', () => native.setrlimit('stack', 1, NaN)],
      ['native soft -Infinity', () => native.setrlimit('stack', -Infinity, 2)],
      ['native soft -1', () => native.setrlimit('stack', -1, 2)],
      ['native soft 2**64', () => native.setrlimit('stack', 2 ** 64, 2)],
      ['native soft string', () => native.setrlimit('stack', '1', 2)],
      ['native soft bigint', () => native.setrlimit('stack', 1n, 2)],
      ['native hard missing', () => native.setrlimit('stack', 1)],
      ['native resource unknown', () => native.setrlimit('heap', 1, 2)],
      ['native resource symbol', () => native.setrlimit(Symbol('x'), 1, 2)],
    ];
    const codes = {};
    for (const [label, call] of cases) {
      try { call(); codes[label] = 'no error'; } catch (e) { codes[label] = e.code ?? ('uncoded ' + e.name + ': ' + e.message); }
    }
    const after = JSON.stringify(v.RLIMIT_NAMES.map((n) => v.getrlimit(n)));
    console.log(JSON.stringify({ codes, unchanged: before === after }));
  `) as { codes: Record<string, string>; unchanged: boolean };
  const R = 'ERR_OUT_OF_RANGE';
  const T = 'ERR_INVALID_ARG_TYPE';
  const V = 'ERR_INVALID_ARG_VALUE';
  assert.deepEqual(out.codes, {
    'ts soft 1.5': R, 'ts soft -1': R, 'ts soft NaN': R, 'ts soft -Infinity': R, 'ts soft 2**53': R, 'ts hard 2**64': R,
    'ts soft string': T, 'ts soft bigint': T, 'ts limit null': T, 'ts limit number': T, 'ts resource unknown': V, 'ts resource number': T,
    'native soft 1.5': R, 'native hard NaN': R, 'native soft -Infinity': R, 'native soft -1': R, 'native soft 2**64': R,
    'native soft string': T, 'native soft bigint': T, 'native hard missing': T, 'native resource unknown': V, 'native resource symbol': T,
  });
  assert.equal(out.unchanged, true, 'a rejected setrlimit changed a limit');
});

test('sysconf values are positive whole numbers, and the page size is what getconf PAGESIZE says', () => {
  const s = sysconf();
  assert.deepEqual(Object.keys(s).sort(), ['availablePhysicalPages', 'clockTicksPerSecond', 'onlineProcessors', 'pageSizeBytes', 'physicalPages']);
  for (const [key, value] of Object.entries(s)) {
    assert.ok(value === null || (Number.isSafeInteger(value) && value > 0), `sysconf ${key} = ${String(value)}`);
  }
  const getconf = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());
  assert.equal(s.pageSizeBytes, getconf);
  assert.equal(pageSizeBytes(), getconf);
  assert.equal(s.onlineProcessors, Number(execFileSync('getconf', ['_NPROCESSORS_ONLN'], { encoding: 'utf8' }).trim()));
  assert.equal((s.physicalPages as number) * getconf, os.totalmem(), 'physical pages × page size = total memory');
  assert.ok((s.availablePhysicalPages as number) <= (s.physicalPages as number));
  assert.equal(s.clockTicksPerSecond, Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()));
});

test('getrusage and getrlimit reject bad names with the right code', () => {
  expectCode(() => getrusage('all' as never), 'ERR_INVALID_ARG_VALUE', { message: /'thread'/ });
  expectCode(() => getrusage(0 as never), 'ERR_INVALID_ARG_TYPE');
  expectCode(() => getrlimit('heap' as never), 'ERR_INVALID_ARG_VALUE', { message: /'nofile'/ });
  expectCode(() => getrlimit('NOFILE' as never), 'ERR_INVALID_ARG_VALUE');
});
