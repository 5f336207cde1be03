// The --watch sampler (lib/explain/watch-sampler.ts): smaps is re-read in full only when
// the process's fault counters, status, threads or smaps_rollup's own-page lines changed;
// otherwise the owners are kept and the totals follow the rollup, the rows still summing
// exactly. The target is a python3 process blocked on stdin that changes its memory only
// on command (test/fixtures/explain/watch-target.py). No timing is asserted.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createWatchSampler, readQuickKey, type WatchSample } from '../../lib/explain/watch-sampler';
import type { MemoryBreakdown, MemoryFigures } from '../../lib/explain/types';

const MiB = 1024 * 1024;
const TARGET = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'explain', 'watch-target.py');
const PYTHON = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import mmap; mmap.MADV_DONTNEED'], { encoding: 'utf8' }).status === 0);
const SKIP = PYTHON === undefined ? 'no python3 (3.8+, for mmap.madvise) on this host' : false;
const FIELDS: readonly (keyof MemoryFigures)[] = ['virtualBytes', 'rssBytes', 'pssBytes', 'privateBytes', 'sharedBytes', 'swapBytes', 'anonHugePagesBytes'];

interface Target { pid: number; send(cmd: 'grow' | 'drop'): Promise<void>; stop(): void }

async function startTarget(args: string[] = []): Promise<Target> {
  const child: ChildProcessWithoutNullStreams = spawn(PYTHON ?? 'python3', [TARGET, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiting: (() => void)[] = [];
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (let nl = out.indexOf('\n'); nl !== -1; nl = out.indexOf('\n')) {
      out = out.slice(nl + 1);
      waiting.shift()?.();
    }
  });
  const line = (): Promise<void> => new Promise((resolve, reject) => {
    waiting.push(resolve);
    child.once('exit', (code) => reject(new Error(`watch target exited ${code}: ${err}`)));
  });
  await line();
  return {
    pid: child.pid ?? 0,
    send: async (cmd) => { const ok = line(); child.stdin.write(`${cmd}\n`); await ok; },
    stop: () => { child.kill('SIGKILL'); },
  };
}

/** Asserts every top-level figure sums exactly to the totals. */
function assertSums(b: MemoryBreakdown, label: string): void {
  for (const f of FIELDS) {
    const sum = b.owners.reduce((n, o) => n + o[f], 0);
    assert.equal(sum, b.totals[f], `${label}: owners' ${f} sum ${sum} vs total ${b.totals[f]}`);
  }
}

const rowsBut = (b: MemoryBreakdown): unknown => b.owners.filter((o) => o.id !== 'changed-between-reads');
const rss = (s: WatchSample): number => s.breakdown.totals.rssBytes;

test('an idle process is read in full once: later samples keep its owners and still sum exactly to the rollup', { skip: SKIP }, async () => {
  const target = await startTarget();
  try {
    const sample = createWatchSampler(target.pid, { rollupCpuShare: 1 }); // the rollup on every sample
    const first = await sample();
    assert.equal(first.reread, true);
    assertSums(first.breakdown, 'first sample');
    for (let i = 2; i <= 4; i++) {
      const key = readQuickKey(target.pid);
      const s = await sample();
      assert.equal(s.reread, false, `sample ${i} of the idle process was re-read in full (its quick key now: ${key})`);
      assert.equal(s.readAtMs, first.breakdown.takenAtMs);
      assert.ok(s.breakdown.takenAtMs >= first.breakdown.takenAtMs);
      assert.deepEqual(rowsBut(s.breakdown), rowsBut(first.breakdown), `sample ${i}: owners changed without a full read`);
      assertSums(s.breakdown, `sample ${i}`);
    }
  } finally {
    target.stop();
  }
});

test('pages faulted in force a full read that shows them; pages dropped without a fault too', { skip: SKIP }, async () => {
  const target = await startTarget();
  try {
    const sample = createWatchSampler(target.pid, { rollupCpuShare: 1 });
    const before = await sample();
    await target.send('grow');
    const grown = await sample();
    assert.equal(grown.reread, true, 'writing 8 MiB of new pages did not force a full read');
    // Python's own allocations for the command move RSS by a few pages either way.
    const gained = rss(grown) - rss(before);
    assert.ok(Math.abs(gained - 8 * MiB) <= MiB, `RSS gained ${gained} B after writing 8 MiB`);
    assertSums(grown.breakdown, 'after grow');
    await target.send('drop');
    const dropped = await sample();
    assert.equal(dropped.reread, true, 'MADV_DONTNEED of 8 MiB did not force a full read');
    const lost = rss(grown) - rss(dropped);
    assert.ok(Math.abs(lost - 8 * MiB) <= MiB, `RSS lost ${lost} B after dropping 8 MiB`);
    assertSums(dropped.breakdown, 'after drop');
  } finally {
    target.stop();
  }
});

test('another process sharing the target\'s file pages moves only its PSS: no full read, the totals follow, the rows still sum', { skip: SKIP }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-watch-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'shared.bin');
  fs.writeFileSync(file, Buffer.alloc(8 * MiB, 7));
  const a = await startTarget([file]);
  let b: Target | null = null;
  try {
    const sample = createWatchSampler(a.pid, { rollupCpuShare: 1 });
    const alone = await sample();
    b = await startTarget([file]); // maps and reads the same 8 MiB of page cache (and python's own files)
    const shared = await sample();
    assert.equal(shared.reread, false, 'a PSS change caused by another process forced a full read');
    assert.equal(shared.breakdown.totals.rssBytes, alone.breakdown.totals.rssBytes);
    const pssDrop = alone.breakdown.totals.pssBytes - shared.breakdown.totals.pssBytes;
    // The 8 MiB file is now mapped by two processes: its PSS halves, at least 4 MiB less.
    assert.ok(pssDrop >= 4 * MiB - 64 * 1024, `PSS fell by ${pssDrop} B when a second process mapped the 8 MiB file`);
    const moved = shared.breakdown.owners.find((o) => o.id === 'changed-between-reads');
    const was = alone.breakdown.owners.find((o) => o.id === 'changed-between-reads');
    assert.ok(moved && was, 'no changed-between-reads row');
    assert.equal(moved.pssBytes - was.pssBytes, -pssDrop, 'the PSS change is in the changed-between-reads row');
    assertSums(shared.breakdown, 'after the second mapper');
  } finally {
    a.stop();
    b?.stop();
  }
});

/** `vmprobe explain --pid <this process> --watch --interval <interval> --html <page>`, run until it has printed `samples` samples. */
async function startWatcher(interval: string, page: string, samples: number): Promise<{ watcher: ReturnType<typeof spawn>; exited: Promise<[number | null, string | null]>; stderr: () => string }> {
  const cliJs = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.js');
  const watcher = spawn(process.execPath, [cliJs, 'explain', '--pid', String(process.pid), '--watch', '--interval', interval, '--html', page], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  watcher.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<[number | null, string | null]>((resolve) => watcher.once('exit', (code, signal) => resolve([code, signal])));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ${samples} sample(s) within 30 s; stdout: ${out}; stderr: ${err}`)), 30_000);
    watcher.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if ((out.match(/ pid \d+ {2}RSS /g) ?? []).length >= samples) { clearTimeout(timer); resolve(); }
    });
  });
  return { watcher, exited, stderr: () => err };
}

// Ctrl-C ends `explain --watch` the way docs/explain.md says: the watch stops, the
// --html timeline is written (atomically) and the exit code is 0 — the CLI's own signal
// handler (which kills children and exits 130) must not end it first.
test('SIGINT during `explain --watch --html FILE`: the page is written and the exit code is 0', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-watch-sigint-'));
  const page = path.join(dir, 'timeline.html');
  try {
    const { watcher, exited, stderr } = await startWatcher('200ms', page, 2);
    watcher.kill('SIGINT');
    const [code, signal] = await exited;
    assert.equal(signal, null, `killed by ${signal}; stderr: ${stderr()}`);
    assert.equal(code, 0, `exit ${code}; stderr: ${stderr()}`);
    const html = fs.readFileSync(page, 'utf8');
    assert.match(html, /^<!DOCTYPE html>/i);
    assert.ok(html.length > 1000, `a page of ${html.length} bytes`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The first Ctrl-C belongs to the watch (it ends at its next tick); a second one, before
// that tick, is the user insisting: the CLI exits 130 at once and leaves no temporary file.
test('a second SIGINT during `explain --watch` exits 130 at once, leaving no page and no temporary file', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-watch-sigint2-'));
  const page = path.join(dir, 'timeline.html');
  try {
    const { watcher, exited, stderr } = await startWatcher('30s', page, 1);
    const startedMs = Date.now();
    watcher.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    watcher.kill('SIGINT');
    const [code, signal] = await exited;
    const elapsedMs = Date.now() - startedMs;
    assert.equal(code, 130, `exit ${code} (signal ${signal}); stderr: ${stderr()}`);
    assert.ok(elapsedMs < 20_000, `ended ${elapsedMs} ms after the first SIGINT, not at once (the watch sleeps 30 s)`);
    assert.deepEqual(fs.readdirSync(dir), [], 'no page and no temporary file');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
