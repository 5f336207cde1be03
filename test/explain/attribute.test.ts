// attribute(), advise() and diffBreakdowns() on captured fixtures (test/fixtures/explain/
// app-self.json: the ground-truth app capturing itself — 16 MiB JS arrays, 32 MiB Buffers,
// 4 workers × 16 MiB freed in their arenas; app-pid.json: the same app read from outside),
// and on synthetic VMAs for the arena-heap shape rules.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { attribute, findArenaHeaps, ARENA_HEAP_BYTES } from '../../lib/explain/attribute';
import { advise } from '../../lib/explain/advise';
import { diffBreakdowns } from '../../lib/explain/diff';
import { explainCapture } from '../../lib/explain/index';
import { renderExplain } from '../../lib/render/explain';
import { isV8Shaped, V8_HINT_LIMIT, V8_PAGE_BYTES } from '../../lib/explain/v8-shape';
import { rebaseOnRollup } from '../../lib/explain/watch-sampler';
import type { CapturedVma, ExplainCapture, MemoryFigures, OwnerRow } from '../../lib/explain/types';

const MiB = 1024 * 1024;
const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'explain');
interface Facts { jsBytes: number; bufferBytes: number; workers: number; arenaBytes: number }
const load = (name: string): { facts: Facts; capture: ExplainCapture } =>
  JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as { facts: Facts; capture: ExplainCapture };
const FIELDS: (keyof MemoryFigures)[] = ['virtualBytes', 'rssBytes', 'pssBytes', 'privateBytes', 'sharedBytes', 'swapBytes', 'anonHugePagesBytes'];
const find = (rows: readonly OwnerRow[], id: string): OwnerRow | undefined => {
  for (const r of rows) {
    if (r.id === id) return r;
    const inner = find(r.children, id);
    if (inner) return inner;
  }
  return undefined;
};

function vma(startMiB: number, sizeMiB: number, perms: string, extra: Partial<CapturedVma> = {}): CapturedVma {
  const start = BigInt(startMiB) * BigInt(MiB);
  return {
    start: `0x${start.toString(16)}`, end: `0x${(start + BigInt(sizeMiB) * BigInt(MiB)).toString(16)}`, perms, offsetBytes: 0,
    dev: '00:00', inode: 0, path: null, deleted: false, pseudo: false, rssBytes: 0, pssBytes: 0, privateCleanBytes: 0,
    privateDirtyBytes: 0, sharedCleanBytes: 0, sharedDirtyBytes: 0, swapBytes: 0, anonHugePagesBytes: 0, ...extra,
  };
}

function capture(vmas: CapturedVma[], rollup: ExplainCapture['rollup'] = null): ExplainCapture {
  return {
    schema: 1, pid: 100, self: false, takenAtMs: 0, pageSizeBytes: 4096, command: 'node', executablePath: null, vmas, rollup,
    status: { vmRSSBytes: 0, vmSizeBytes: 0, vmPTEBytes: 0, vmSwapBytes: 0, vmHWMBytes: 0, threads: 1 }, threads: [], runtime: null,
  };
}

test('fixtures: top-level rows sum exactly to the totals, in-process and from outside', () => {
  for (const name of ['app-self.json', 'app-pid.json']) {
    const b = attribute(load(name).capture);
    for (const f of FIELDS) assert.equal(b.owners.reduce((n, o) => n + o[f], 0), b.totals[f], `${name} ${f}`);
  }
});

test('fixture (in-process): JS heap, Buffers and the workers\' freed arena memory are found', () => {
  const { facts, capture: c } = load('app-self.json');
  const b = attribute(c);
  const js = find(b.owners, 'js-heap');
  assert.ok(js && js.rssBytes >= facts.jsBytes && js.rssBytes <= facts.jsBytes + 40 * MiB, `js ${js?.rssBytes}`);
  const ext = find(b.owners, 'external');
  assert.ok(ext && Math.abs(ext.rssBytes - facts.bufferBytes) <= 2 * MiB, `external ${ext?.rssBytes}`);
  const free = find(b.owners, 'malloc')?.detail?.['freeResidentBytes'];
  assert.ok(typeof free === 'number' && free >= 0.9 * facts.workers * facts.arenaBytes, `free resident ${String(free)}`);
  assert.ok((find(b.owners, 'malloc.thread-arenas')?.children.length ?? 0) >= facts.workers);
});

test('fixture (from outside): no runtime figures, so the JS heap is inferred by V8 page shape and the rest stays "other anonymous"', () => {
  const b = attribute(load('app-pid.json').capture);
  assert.equal(find(b.owners, 'js-heap')?.basis, 'inferred');
  assert.equal(find(b.owners, 'external'), undefined);
  assert.equal(find(b.owners, 'anonymous')?.basis, 'measured');
});

test('attribute is pure: the same capture gives the same breakdown and is not modified', () => {
  const { capture: c } = load('app-self.json');
  const before = JSON.stringify(c);
  assert.deepEqual(attribute(c), attribute(JSON.parse(before) as ExplainCapture));
  assert.equal(JSON.stringify(c), before);
});

test('a difference between smaps and the later smaps_rollup goes to an explicit "changed between reads" row', () => {
  const vmas = [vma(1000, 1, 'rw-p', { rssBytes: MiB, pssBytes: MiB, privateDirtyBytes: MiB })];
  const b = attribute(capture(vmas, { rssBytes: MiB + 8192, pssBytes: MiB + 8192, privateBytes: MiB + 8192, sharedBytes: 0, swapBytes: 0, anonHugePagesBytes: 0 }));
  assert.equal(find(b.owners, 'changed-between-reads')?.rssBytes, 8192);
  assert.equal(b.totals.rssBytes, MiB + 8192);
  assert.equal(b.owners.reduce((n, o) => n + o.rssBytes, 0), MiB + 8192);
});

test('arena heaps: 64 MiB-aligned, full (no PROT_NONE tail) or rw then PROT_NONE, whatever the fill', () => {
  const heap = ARENA_HEAP_BYTES / MiB;
  const vmas = [
    vma(heap * 10, heap, 'rw-p', { rssBytes: 3 * MiB }), // full heap, barely resident
    vma(heap * 12, 2, 'rw-p'), vma(heap * 12 + 2, heap - 2, '---p'), // heap with a tail
    vma(heap * 14 + 1, heap, 'rw-p'), // not aligned
    vma(heap * 16, 1, 'rw-p'), vma(heap * 16 + 1, 10 * heap, '---p'), // WebAssembly-like: reservation runs past 64 MiB
    vma(heap * 30, 1, 'rw-p'), vma(heap * 30 + 1, heap - 2, '---p'), vma(heap * 31 - 1, 1, 'rw-p'), // rw again after PROT_NONE
  ];
  const heaps = findArenaHeaps(vmas);
  assert.deepEqual(heaps, [[0], [1, 2]]);
  const b = attribute(capture(vmas));
  assert.equal(find(b.owners, 'malloc.thread-arenas')?.rssBytes, 3 * MiB);
  assert.equal(find(b.owners, 'reserved')?.virtualBytes, (10 * heap + heap - 2) * MiB);
});

test('thread stacks are found by stack pointer with the guard below; unlocated threads are listed', () => {
  const vmas = [vma(5000, 1, '---p'), vma(5001, 8, 'rw-p', { rssBytes: 16384, pssBytes: 16384, privateDirtyBytes: 16384 }), vma(6000, 1, 'rw-p', { path: '[stack]', pseudo: true })];
  const c = capture(vmas);
  c.threads = [{ tid: 100, name: 'node', stackPointer: null }, { tid: 101, name: 'libuv-worker', stackPointer: `0x${(5004n * BigInt(MiB)).toString(16)}` }, { tid: 102, name: 'V8 Worker', stackPointer: null }];
  const b = attribute(c);
  const stacks = find(b.owners, 'stacks');
  assert.equal(stacks?.children.length, 2);
  const worker = stacks?.children.find((s) => s.label.includes('libuv-worker'));
  assert.equal(worker?.virtualBytes, 9 * MiB);
  assert.equal(worker?.vmaCount, 2);
  assert.equal(stacks?.detail?.['threadsNotLocated'], 1);
});

test('advise: no findings for a small process; each finding quotes its figures', () => {
  const small = attribute(capture([vma(1000, 1, 'rw-p', { rssBytes: MiB, pssBytes: MiB, privateDirtyBytes: MiB })]));
  assert.deepEqual(advise(small), []);
  const b = explainCapture(load('app-self.json').capture);
  const trim = b.findings.find((f) => f.id === 'malloc-free-resident');
  assert.ok(trim, JSON.stringify(b.findings));
  assert.ok(trim.message.includes('malloc_trim(0)'));
  assert.ok((trim.figures['freeResidentBytes'] ?? 0) > 0);
  assert.ok(b.findings.some((f) => f.id === 'reserved-not-memory'));
});

test('diff: owners\' deltas sum to the totals\' delta', () => {
  const a = explainCapture(load('app-pid.json').capture);
  const b = explainCapture(load('app-self.json').capture);
  const d = diffBreakdowns(a, b);
  assert.equal(d.owners.reduce((n, o) => n + o.rssDeltaBytes, 0), d.totals.rssDeltaBytes);
  assert.equal(d.totals.rssDeltaBytes, b.totals.rssBytes - a.totals.rssBytes);
});

test('render: the text table lists every top-level owner and the total', () => {
  const b = explainCapture(load('app-self.json').capture);
  const text = renderExplain(b);
  for (const o of b.owners) assert.ok(text.includes(o.label.slice(0, 40)) || text.includes(o.label.slice(-40)), o.label);
  assert.match(text, /total \(smaps_rollup\)/);
});

test('attribute rejects what is not a capture (ERR_INVALID_ARG_TYPE)', () => {
  assert.throws(() => attribute(null as unknown as ExplainCapture), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => attribute({} as ExplainCapture), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('the fast smaps reader agrees with lib/proc/smaps.ts on this process\'s smaps, field by field', async () => {
  const { parseSmaps } = await import('../../lib/proc/smaps');
  const { parseSmapsFast } = await import('../../lib/explain/smaps-fast');
  const text = fs.readFileSync('/proc/self/smaps', 'utf8');
  const strict = parseSmaps(text);
  const fast = parseSmapsFast(text);
  assert.equal(fast.length, strict.length);
  strict.forEach((e, i) => {
    const v = fast[i] as CapturedVma;
    assert.deepEqual(
      [v.start, v.end, v.perms, v.offsetBytes, v.dev, v.inode, v.path, v.deleted, v.pseudo, v.rssBytes, v.pssBytes, v.privateCleanBytes, v.privateDirtyBytes, v.sharedCleanBytes, v.sharedDirtyBytes, v.swapBytes, v.anonHugePagesBytes],
      [`0x${e.start.toString(16)}`, `0x${e.end.toString(16)}`, e.perms, e.offsetBytes, e.dev, e.inode, e.path, e.deleted, e.pseudo, e.rssBytes, e.pssBytes, e.privateCleanBytes ?? 0, e.privateDirtyBytes ?? 0, e.sharedCleanBytes ?? 0, e.sharedDirtyBytes ?? 0, e.swapBytes ?? 0, e.anonHugePagesBytes ?? 0],
      `mapping ${i}`);
  });
  assert.throws(() => parseSmapsFast('not smaps\n'), { code: 'ERR_INVALID_ARG_VALUE' });
});

test('V8 page shape: 256 KiB-aligned anonymous private mappings; any size below 2^46, whole pages above', () => {
  const at = (start: bigint, sizeBytes: bigint, perms = 'rw-p', extra: Partial<CapturedVma> = {}): CapturedVma =>
    ({ ...vma(0, 0, perms), start: `0x${start.toString(16)}`, end: `0x${(start + sizeBytes).toString(16)}`, ...extra });
  const low = 0x2a271d480000n; // where V8's hints put pages (< 2^46)
  const high = 0x7f63d4000000n; // where the kernel maps without a hint
  const page = BigInt(V8_PAGE_BYTES);
  assert.ok(low < V8_HINT_LIMIT && high > V8_HINT_LIMIT);
  assert.equal(isV8Shaped(at(low, page)), true, 'a regular page');
  assert.equal(isV8Shaped(at(low, 1032n * 1024n)), true, 'a large-object page (1 MiB + 8 KiB) placed by V8');
  assert.equal(isV8Shaped(at(high, 4n * page)), true, 'whole pages where the kernel maps');
  assert.equal(isV8Shaped(at(high, 1032n * 1024n)), false, 'a page-aligned odd size where the kernel maps (a malloc mmap could be)');
  assert.equal(isV8Shaped(at(low + 4096n, page)), false, 'not aligned');
  assert.equal(isV8Shaped(at(low, page, '---p')), false, 'a reservation');
  assert.equal(isV8Shaped(at(low, page, 'rw-s')), false, 'shared');
  assert.equal(isV8Shaped(at(low, page, 'rw-p', { path: '/tmp/f' })), false, 'file-backed');
  assert.equal(isV8Shaped(at(low, page, 'r-xp')), true, 'code pages');
});

test('rebaseOnRollup: new totals, "changed between reads" takes the difference, rows sum exactly, findings recomputed', () => {
  const b = explainCapture(load('app-self.json').capture);
  const rollup = { rssBytes: b.totals.rssBytes, pssBytes: b.totals.pssBytes - 3 * MiB, privateBytes: b.totals.privateBytes - MiB,
    sharedBytes: b.totals.sharedBytes + MiB, swapBytes: b.totals.swapBytes, anonHugePagesBytes: b.totals.anonHugePagesBytes };
  const r = rebaseOnRollup(b, rollup, b.takenAtMs + 1000);
  assert.equal(r.takenAtMs, b.takenAtMs + 1000);
  for (const f of FIELDS) assert.equal(r.owners.reduce((n, o) => n + o[f], 0), r.totals[f], `rebased ${f}`);
  assert.equal(r.totals.pssBytes, rollup.pssBytes);
  const changed = (x: typeof b): OwnerRow => x.owners.find((o) => o.id === 'changed-between-reads') as OwnerRow;
  assert.equal(changed(r).pssBytes - changed(b).pssBytes, -3 * MiB);
  assert.deepEqual(r.owners.filter((o) => o.id !== 'changed-between-reads'), b.owners.filter((o) => o.id !== 'changed-between-reads'));
  assert.deepEqual(r.findings, advise(r));
  assert.equal(changed(b).pssBytes, changed(explainCapture(load('app-self.json').capture)).pssBytes, 'the input is not modified');
});
