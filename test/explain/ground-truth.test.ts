// Ground truth for `vmprobe explain`: the fixture app (test/fixtures/explain/app.js) owns
// known amounts — 96 MiB of JS arrays, 192 MiB of filled Buffers, 8 workers that each
// wrote 64 MiB in their malloc arena and freed all but the top block, a WebAssembly.Memory
// reserving gigabytes with 1 MiB touched — and explain must find each, in-process and via
// --pid, with rows summing exactly to the kernel's totals; psutil and /proc cross-check.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { explainCli, startApp, EXPLAIN_APP, DIST_LIB, type RunningApp } from '../helpers/explain-app';
import type { MemoryBreakdown, OwnerRow, MemoryFigures } from '../../lib/explain/types';

const MiB = 1024 * 1024;
const FIELDS: (keyof MemoryFigures)[] = ['virtualBytes', 'rssBytes', 'pssBytes', 'privateBytes', 'sharedBytes', 'swapBytes', 'anonHugePagesBytes'];

interface AjvError { instancePath: string; message?: string }
type Validate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv2020 = require('ajv/dist/2020') as new (opts: { allErrors: boolean; strict: boolean }) => { compile(schema: unknown): Validate };
const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'schema', 'explain.schema.json'), 'utf8')) as unknown;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

function find(rows: readonly OwnerRow[], id: string): OwnerRow {
  for (const r of rows) {
    if (r.id === id) return r;
    try { return find(r.children, id); } catch { /* not below this one */ }
  }
  throw new Error(`no owner ${id}`);
}
const num = (r: OwnerRow, key: string): number => {
  const v = r.detail?.[key];
  assert.equal(typeof v, 'number', `${r.id}.detail.${key}`);
  return v as number;
};
const mib = (b: number): string => `${(b / MiB).toFixed(1)} MiB`;

function assertSumsExactly(b: MemoryBreakdown): void {
  for (const f of FIELDS) {
    const sum = b.owners.reduce((n, o) => n + o[f], 0);
    assert.equal(sum, b.totals[f], `top-level ${f} sums to ${sum}, totals say ${b.totals[f]}`);
  }
  const walk = (r: OwnerRow): void => {
    if (r.children.length === 0) return;
    for (const f of FIELDS) {
      const sum = r.children.reduce((n, c) => n + c[f], 0);
      assert.equal(sum, r[f], `${r.id}: children's ${f} sum to ${sum}, the row says ${r[f]}`);
    }
    r.children.forEach(walk);
  };
  b.owners.forEach(walk);
}

function python(): string | null {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(candidate, ['-c', 'import psutil'], { encoding: 'utf8' });
    if (r.status === 0) return candidate;
  }
  return null;
}

let app: RunningApp;
let self: MemoryBreakdown;
let viaPid: MemoryBreakdown;

before(async () => {
  app = await startApp();
  self = await app.ask('self') as MemoryBreakdown;
  const r = explainCli(['--pid', String(app.facts.pid), '--json']);
  assert.equal(r.status, 0, r.stderr);
  viaPid = JSON.parse(r.stdout) as MemoryBreakdown;
}, { timeout: 300_000 });

after(async () => { await app?.stop(); });

test('in-process: top-level rows (and every parent\'s children) sum exactly to the kernel\'s totals', () => {
  assert.equal(self.totalsFrom, 'smaps_rollup');
  assertSumsExactly(self);
});

test('via --pid: rows sum exactly to the totals, and the document matches schema/explain.schema.json', () => {
  assertSumsExactly(viaPid);
  assert.ok(validate(viaPid), JSON.stringify(validate.errors));
  assert.ok(validate(self), JSON.stringify(validate.errors));
});

// JS heap: 96 MiB of double arrays, plus what an idle node's heap holds (≈ 5–10 MiB) and up to a
// young generation (16 MiB semi-spaces on 64-bit): within [96 MiB, 96 MiB + 40 MiB].
test('in-process: the JS heap row holds the app\'s 96 MiB of JS arrays (tolerance +40 MiB for node\'s own heap)', () => {
  const js = find(self.owners, 'js-heap');
  assert.ok(js.rssBytes >= app.facts.jsBytes && js.rssBytes <= app.facts.jsBytes + 40 * MiB,
    `JS heap RSS ${mib(js.rssBytes)}, the app owns ${mib(app.facts.jsBytes)}`);
  assert.ok(num(js, 'usedBytes') >= app.facts.jsBytes, `used ${mib(num(js, 'usedBytes'))}`);
});

// Buffers: 192 × 1 MiB filled; node's own small buffers add well under 2 MiB.
test('in-process: the ArrayBuffer/Buffer row holds the app\'s 192 MiB of filled Buffers (±2 MiB)', () => {
  const ext = find(self.owners, 'external');
  assert.ok(Math.abs(ext.rssBytes - app.facts.bufferBytes) <= 2 * MiB, `external RSS ${mib(ext.rssBytes)}, the app owns ${mib(app.facts.bufferBytes)}`);
});

// Arenas: each worker wrote 64 MiB in 64 KiB blocks and freed all but the top one, so at least
// 90% of 8 × 64 MiB is free but resident (the rest: the kept blocks, chunk headers, trimmed top);
// at most that plus 64 MiB of other threads' free chunks.
test('in-process: malloc\'s free-but-resident memory is the workers\' freed 8 × 64 MiB, in ≥ 8 thread-arena heaps', () => {
  const malloc = find(self.owners, 'malloc');
  const expected = app.facts.workers * app.facts.arenaBytes;
  const free = num(malloc, 'freeResidentBytes');
  assert.ok(free >= 0.9 * expected && free <= expected + 64 * MiB, `free resident ${mib(free)}, the workers freed ${mib(expected)}`);
  assert.ok(num(malloc, 'threadArenaHeaps') >= app.facts.workers, `heaps ${num(malloc, 'threadArenaHeaps')}`);
  assert.ok(self.findings.some((f) => f.id === 'malloc-free-resident'), JSON.stringify(self.findings));
});

test('via --pid: the thread-arena heaps are found from the maps alone, as many and as resident as in-process (±2%)', () => {
  const a = find(viaPid.owners, 'malloc.thread-arenas');
  const b = find(self.owners, 'malloc.thread-arenas');
  assert.equal(a.children.length, b.children.length);
  assert.ok(a.rssBytes >= app.facts.workers * app.facts.arenaBytes * 0.9, `thread arenas ${mib(a.rssBytes)}`);
  assert.ok(Math.abs(a.rssBytes - b.rssBytes) <= 0.02 * b.rssBytes, `via pid ${mib(a.rssBytes)}, in-process ${mib(b.rssBytes)}`);
  assert.ok(viaPid.findings.some((f) => f.id === 'malloc-thread-arenas'), JSON.stringify(viaPid.findings));
});

test('via --pid: JS heap and the rest of the anonymous memory together hold the JS arrays and the Buffers', () => {
  const anon = find(viaPid.owners, 'js-heap').rssBytes + find(viaPid.owners, 'anonymous').rssBytes;
  assert.ok(anon >= app.facts.jsBytes + app.facts.bufferBytes, `anonymous ${mib(anon)} < ${mib(app.facts.jsBytes + app.facts.bufferBytes)}`);
  assert.equal(find(viaPid.owners, 'js-heap').basis, 'inferred');
});

test('via --pid: the JS heap by page shape holds the JS arrays, and matches in-process JS heap + other isolates', () => {
  const shaped = find(viaPid.owners, 'js-heap').rssBytes;
  assert.ok(shaped >= app.facts.jsBytes, `JS heap by page shape ${mib(shaped)} < the ${mib(app.facts.jsBytes)} of arrays the app holds`);
  // The same V8 pages, split in-process by V8's own statistics. The reads are seconds
  // apart, and the in-process one allocates (a CapturedVma per mapping): the main
  // isolate's young generation can grow to its 2 × 16 MiB semi-spaces in between, within
  // the 40 MiB young-generation allowance of the in-process JS heap test above.
  const split = find(self.owners, 'js-heap').rssBytes + find(self.owners, 'other-isolates').rssBytes;
  assert.ok(shaped >= split - 8 * MiB && shaped <= split + 40 * MiB, `by page shape ${mib(shaped)}, in-process JS heap + other isolates ${mib(split)}`);
});

test('the WebAssembly reservation is PROT_NONE address space with nothing resident, and advise says so', () => {
  for (const b of [self, viaPid]) {
    const reserved = find(b.owners, 'reserved');
    assert.equal(reserved.rssBytes, 0);
    // The memory's declared maximum is 4 GiB (65536 pages): V8 reserves at least that.
    assert.ok(num(reserved, 'largestBytes') >= 4 * 1024 * MiB, `largest reservation ${mib(num(reserved, 'largestBytes'))}`);
    assert.ok(b.findings.some((f) => f.id === 'reserved-not-memory'));
  }
});

test('stacks: the main thread and every worker are located by stack pointer, named from task comm', () => {
  for (const b of [self, viaPid]) {
    const stacks = find(b.owners, 'stacks');
    assert.ok(stacks.children.length >= app.facts.workers + 1, `${stacks.children.length} stacks located`);
    assert.ok(stacks.children.some((c) => c.label.startsWith('main thread')));
    // Node gives a worker a 4 MiB stack: at least eight stacks of ≥ 1 MiB.
    assert.ok(stacks.children.filter((c) => c.virtualBytes >= MiB).length >= app.facts.workers);
  }
});

test('page tables are reported outside RSS, equal to /proc/<pid>/status VmPTE at the time', () => {
  const pte = viaPid.outsideRss.find((r) => r.id === 'page-tables');
  assert.ok(pte !== undefined && pte.bytes > 0);
  const now = Number(/^VmPTE:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${app.facts.pid}/status`, 'utf8'))?.[1]) * 1024;
  assert.ok(Math.abs(now - pte.bytes) <= 256 * 1024, `VmPTE now ${now}, reported ${pte.bytes}`);
});

test('cross-check with /proc and psutil: totals, [heap], [stack] and the node executable agree (1% + 256 KiB; the app is idle)', (t) => {
  const status = fs.readFileSync(`/proc/${app.facts.pid}/status`, 'utf8');
  const vmRss = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]) * 1024;
  const close = (a: number, b: number, what: string): void =>
    assert.ok(Math.abs(a - b) <= 0.01 * Math.max(a, b) + 256 * 1024, `${what}: vmprobe ${a}, reference ${b}`);
  close(viaPid.totals.rssBytes, vmRss, 'RSS vs /proc status VmRSS');
  const py = python();
  if (py === null) { t.skip('python3-psutil is not installed (apt-get install python3-psutil)'); return; }
  const script = `import psutil, json, sys
p = psutil.Process(${app.facts.pid})
m = p.memory_full_info()
maps = {}
for g in p.memory_maps(grouped=True):
    maps[g.path] = {'rss': g.rss, 'pss': g.pss}
print(json.dumps({'rss': m.rss, 'pss': m.pss, 'uss': m.uss, 'swap': m.swap, 'maps': maps}))`;
  const r = spawnSync(py, ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const ps = JSON.parse(r.stdout) as { rss: number; pss: number; uss: number; swap: number; maps: Record<string, { rss: number; pss: number }> };
  close(viaPid.totals.rssBytes, ps.rss, 'RSS vs psutil rss');
  close(viaPid.totals.pssBytes, ps.pss, 'PSS vs psutil pss');
  close(viaPid.totals.privateBytes, ps.uss, 'private vs psutil uss');
  assert.equal(viaPid.totals.swapBytes, ps.swap);
  close(find(viaPid.owners, 'malloc.main-arena').rssBytes, ps.maps['[heap]']?.rss ?? -1, '[heap]');
  const mainStack = find(viaPid.owners, 'stacks').children.find((c) => c.label.startsWith('main thread'));
  close(mainStack?.rssBytes ?? -1, ps.maps['[stack]']?.rss ?? -1, '[stack]');
  const exe = fs.realpathSync(`/proc/${app.facts.pid}/exe`);
  const ours = find(viaPid.owners, 'code.executable').rssBytes + (viaPid.owners.find((o) => o.id === 'files')?.children.find((c) => c.label === exe)?.rssBytes ?? 0);
  close(ours, ps.maps[exe]?.rss ?? -1, `${exe} (image + remapped builtins)`);
});

test('--baseline then --diff: each owner\'s change, the top-level deltas summing to the totals\' delta; nothing written on failure', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-test-'));
  const file = path.join(dir, 'base.json');
  const base = explainCli(['--pid', String(app.facts.pid), '--baseline', file]);
  assert.equal(base.status, 0, base.stderr);
  const d = explainCli(['--pid', String(app.facts.pid), '--diff', file, '--json']);
  assert.equal(d.status, 0, d.stderr);
  const doc = JSON.parse(d.stdout) as MemoryBreakdown & { diff: { totals: { rssDeltaBytes: number }; owners: { rssDeltaBytes: number }[] } };
  assert.ok(validate(doc), JSON.stringify(validate.errors));
  assert.equal(doc.diff.owners.reduce((n, o) => n + o.rssDeltaBytes, 0), doc.diff.totals.rssDeltaBytes);
  const text = explainCli(['--pid', String(app.facts.pid), '--diff', file]);
  assert.match(text.stdout, /RSS Δ/);
  const bad = path.join(dir, 'never.json');
  const r = explainCli(['--pid', '2', '--baseline', bad]);
  assert.equal(r.status, 1);
  assert.equal(fs.existsSync(bad), false);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['base.json']);
  fs.rmSync(dir, { recursive: true });
});

test('--watch --count 2 --jsonl FILE --html PAGE: two samples printed, two breakdowns appended (each valid, each summing exactly), a timeline page', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-watch-'));
  const file = path.join(dir, 'samples.jsonl');
  const page = path.join(dir, 'timeline.html');
  const r = explainCli(['--pid', String(app.facts.pid), '--watch', '--interval', '100ms', '--count', '2', '--jsonl', file, '--html', page]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal((r.stdout.match(/ pid \d+ {2}RSS /g) ?? []).length, 2, r.stdout);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 2);
  for (const line of lines) {
    const b = JSON.parse(line) as MemoryBreakdown;
    assert.ok(validate(b), JSON.stringify(validate.errors));
    assertSumsExactly(b);
  }
  const html = fs.readFileSync(page, 'utf8');
  assert.match(html, /<svg[^>]*aria-label="RSS by owner over time"/);
  assert.match(html, /2 samples/);
  assert.ok((html.match(/<polygon /g) ?? []).length >= 5, 'one area per top-level owner');
  assert.doesNotMatch(html, /<script/);
  fs.rmSync(dir, { recursive: true });
});

test('text output: nested owners with human sizes and the findings', () => {
  const r = explainCli(['--pid', String(app.facts.pid)]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /JS heap/);
  assert.match(r.stdout, /thread arenas \(\d+ heaps\)/);
  assert.match(r.stdout, /PROT_NONE/);
  assert.match(r.stdout, /Findings:/);
  assert.match(r.stdout, /MiB/);
});

test('-- node app.js: the app runs as a child with the agent; breakdowns at peak RSS and at exit carry runtime figures', () => {
  const env = { ...process.env, EXPLAIN_JS_MIB: '32', EXPLAIN_BUFFER_MIB: '64', EXPLAIN_WORKERS: '2', EXPLAIN_ARENA_MIB: '16', EXPLAIN_EXIT_AFTER_MS: '1500' };
  const r = explainCli(['--json', '--interval', '100', '--', process.execPath, EXPLAIN_APP, DIST_LIB], { env });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { exitCode: number; peak: MemoryBreakdown | null; exit: MemoryBreakdown | null; peakRssBytes: number };
  assert.ok(validate(doc), JSON.stringify(validate.errors));
  assert.equal(doc.exitCode, 0);
  assert.ok(doc.peak !== null && doc.exit !== null);
  for (const b of [doc.peak, doc.exit]) {
    assertSumsExactly(b);
    assert.equal(b.self, true, 'captured in the child by the agent');
  }
  // At exit every Buffer is still referenced: 64 MiB (±2 MiB) in the external row.
  const ext = find(doc.exit.owners, 'external').rssBytes;
  assert.ok(Math.abs(ext - 64 * MiB) <= 2 * MiB, `external at exit ${mib(ext)}`);
  assert.ok(doc.peakRssBytes >= (32 + 64) * MiB, `peak ${mib(doc.peakRssBytes)}`);
});
