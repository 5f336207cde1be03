// explain's errors: a pid that does not exist or exits mid-read (ESRCH), a process the user
// may not read (EACCES, tested by running the CLI as nobody against a root process), a
// kernel thread (no user address space), usage errors (exit 2) — clear codes, nothing
// half-written. And explainBuffer on views of known stores.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { explainMemory, explainBuffer, captureMemory } from '../../lib/explain/index';
import { explainCli } from '../helpers/explain-app';

function unusedPid(): number {
  const max = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  for (let pid = max - 1; pid > 1; pid--) if (!fs.existsSync(`/proc/${pid}`)) return pid;
  throw new Error('no free pid');
}

test('a pid that does not exist: ESRCH (errno 3), CLI exit 1 with the code on stderr', () => {
  const pid = unusedPid();
  assert.throws(() => explainMemory({ pid }), { code: 'ESRCH', errno: 3 });
  const r = explainCli(['--pid', String(pid)]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /ESRCH/);
});

test('a process that exited but was not reaped (a zombie, what a mid-read exit leaves): ESRCH', async () => {
  // sh starts "sleep 0" in the background and execs "sleep 5", which never reaps it.
  const sh = spawn('/bin/sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const zombie = Number(await new Promise<string>((resolve) => sh.stdout.once('data', (d: Buffer) => resolve(d.toString()))));
  for (let i = 0; i < 100 && !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${zombie}/status`, 'utf8')); i++) await new Promise((r) => setTimeout(r, 20));
  try {
    assert.throws(() => captureMemory({ pid: zombie }), { code: 'ESRCH' });
  } finally {
    sh.kill();
  }
});

test('a kernel thread (kthreadd, pid 2): ERR_INVALID_ARG_VALUE naming it, CLI exit 1', (t) => {
  if (!/^Name:\s+kthreadd/m.test(fs.readFileSync('/proc/2/status', 'utf8'))) { t.skip('pid 2 is not kthreadd here (a pid namespace)'); return; }
  assert.throws(() => explainMemory({ pid: 2 }), (e: Error & { code?: string }) => e.code === 'ERR_INVALID_ARG_VALUE' && /kernel thread/.test(e.message));
  const r = explainCli(['--pid', '2', '--json']);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /kernel thread/);
});

test('a process the user may not read: EACCES, CLI exit 1, nothing written', (t) => {
  if (process.getuid?.() !== 0) { t.skip('needs root to run the CLI as nobody against a root process'); return; }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-eacces-'));
  fs.chmodSync(dir, 0o777);
  const out = path.join(dir, 'base.json');
  const r = explainCli(['--pid', String(process.pid), '--baseline', out], { uid: 65534, gid: 65534 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /EACCES|EPERM/);
  assert.equal(fs.existsSync(out), false);
  assert.deepEqual(fs.readdirSync(dir), []);
  fs.rmSync(dir, { recursive: true });
});

test('usage errors: one error line on stderr, then the synopsis, exit 2', () => {
  for (const args of [['--pid', 'abc'], ['--bogus'], ['--pid', '0'], ['--'], ['--pid', '1', '--', 'true'], ['--jsonl', 'x'], ['--html', 'x'], ['--watch', '--interval', '5ms'], ['--watch', '--json']]) {
    const r = explainCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0] ?? '', /^vmprobe explain: /, r.stderr);
    assert.equal(lines.filter((l) => l.startsWith('vmprobe explain: ')).length, 1, `one error line: ${r.stderr}`);
    assert.match(lines[1] ?? '', /^Usage: vmprobe explain /, r.stderr);
  }
  assert.equal(explainCli(['--help']).status, 0);
});

test('--baseline, --capture and --html files are checked before measuring (exit 2 naming option, file and errno) and written whole', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-out-'));
  const missing = path.join(dir, 'no-such-dir', 'base.json');
  for (const [args, line] of [
    [['--baseline', missing], `vmprobe explain: --baseline cannot write '${missing}': ENOENT (`],
    [['--capture', dir], `vmprobe explain: --capture cannot write '${dir}': EISDIR (`],
    [['--watch', '--count', '1', '--html', ''], 'vmprobe explain: --html needs a file name (e.g. --html out.html)'],
  ] as Array<[string[], string]>) {
    const r = explainCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.startsWith(line), `${args.join(' ')}: ${r.stderr}`);
  }
  const base = path.join(dir, 'base.json');
  const capture = path.join(dir, 'capture.json');
  const ok = explainCli(['--baseline', base, '--capture', capture, '--json']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['base.json', 'capture.json'], 'no temporary file left');
  assert.deepEqual(JSON.parse(fs.readFileSync(base, 'utf8')).breakdown.totals, JSON.parse(ok.stdout).totals);
  fs.rmSync(dir, { recursive: true });
});

test('bad pid arguments of the API: coded errors', () => {
  assert.throws(() => explainMemory({ pid: -1 }), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => explainMemory({ pid: '1' as unknown as number }), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('explainBuffer: a 128 B slice of a 64 KiB filled store keeps all of the store alive and resident', () => {
  const store = Buffer.alloc(64 * 1024, 1);
  const view = store.subarray(1000, 1128);
  const e = explainBuffer(view);
  assert.equal(e.viewBytes, 128);
  assert.equal(e.storeBytes, 64 * 1024);
  assert.equal(e.retainedBeyondViewBytes, 64 * 1024 - 128);
  assert.ok(e.storeResidentBytes >= 64 * 1024, `store resident ${e.storeResidentBytes}`);
  assert.match(e.message, /128 B view keeps a 64\.0 KiB store/);
  const whole = explainBuffer(new Uint8Array(4096));
  assert.equal(whole.retainedBeyondViewBytes, 0);
  assert.throws(() => explainBuffer('x' as unknown as Uint8Array), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('explainMemory() of this process: owners sum to the totals and the JS heap row carries V8\'s figures', () => {
  const b = explainMemory();
  assert.equal(b.self, true);
  assert.equal(b.owners.reduce((n, o) => n + o.rssBytes, 0), b.totals.rssBytes);
  assert.ok(b.owners.some((o) => o.id === 'js-heap' && o.children.length > 0));
  JSON.stringify(b);
});
