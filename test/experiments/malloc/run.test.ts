import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { runMalloc, thresholdOrigin, type MallocResult } from '../../../lib/experiments/malloc/index';
import type { MallocMeasurements, SourcesChildResult } from '../../../lib/experiments/malloc/measurements';
import { requireResult, runChild } from '../../../lib/child/spawn';
import { native } from '../../../lib/native/loader';
import { renderExperiment } from '../../../lib/render/text';
import { makeStyle } from '../../../lib/render/style';
import { CLAIMS } from '../../../lib/report/claims';

const glibc = native.libc().name === 'glibc';
const skipNoGlibc = glibc ? false : `needs glibc (this C library is ${native.libc().name})`;
const TASKS = path.join(__dirname, '..', '..', '..', 'lib', 'experiments', 'malloc', 'child-task.js');
// Small loads: the assertions are about where blocks come from, not about how many.
const OPTIONS = { workers: 2, blocksPerWorker: 512 } as const;
// The environment the default run expects: no malloc settings inherited from the test runner.
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('MALLOC_')) delete env[k];
  delete env['GLIBC_TUNABLES'];
  return { ...env, ...extra };
}

let cached: Promise<MallocResult> | null = null;
function defaultRun(): Promise<MallocResult> {
  cached ??= runMalloc({ ...OPTIONS, env: cleanEnv() });
  return cached;
}
async function measured(): Promise<MallocMeasurements> {
  const m = (await defaultRun()).measurements;
  assert.ok(!('skipped' in m), 'glibc host: the experiment measured');
  return m as MallocMeasurements;
}

test('the result has one verdict for each malloc.* claim, and survives JSON', { skip: skipNoGlibc }, async () => {
  const r = await defaultRun();
  assert.equal(r.experiment, 'malloc');
  assert.deepEqual(r.claims.map((c) => c.id), CLAIMS.filter((c) => c.experiment === 'malloc').map((c) => c.id));
  const json = JSON.parse(JSON.stringify({ claims: r.claims, measurements: r.measurements })) as unknown;
  assert.deepEqual(json, { claims: r.claims, measurements: r.measurements });
  const m = r.measurements as MallocMeasurements;
  const e = m.sweep[0];
  assert.ok(e && typeof e.address === 'string' && e.address.startsWith('0x'));
  assert.deepEqual(Object.keys(m.thresholdInForce).sort(), ['bytes', 'dynamic', 'origin', 'setting']);
});

test('sweep: the three witnesses agree on every block, and brk gives way to mmap exactly once', { skip: skipNoGlibc }, async () => {
  const m = await measured();
  assert.deepEqual(m.disagreements, [], JSON.stringify(m.disagreements));
  const big = m.sweep.filter((e) => m.crossoverLater.crossoverBytes !== null && e.sizeBytes >= m.crossoverLater.crossoverBytes);
  assert.ok(big.length > 0);
  for (const e of big) assert.equal(e.source, 'mmap', `${e.sizeBytes} B came from ${e.source} above the threshold in force`);
  assert.ok(m.sweep.some((e) => e.source === 'brk'), 'some sweep block came from brk');
  assert.ok(m.sweep.every((e) => e.usableBytes >= e.sizeBytes));
});

test('the crossover is the first request whose chunk reaches the threshold: the last brk chunk is one granule below it', { skip: skipNoGlibc }, async () => {
  const m = await measured();
  const c = m.crossover;
  assert.ok(c.crossoverBytes !== null && c.largestBrkBytes !== null && c.largestBrkChunkBytes !== null);
  assert.equal(c.crossoverBytes, c.largestBrkBytes + 1);
  assert.equal(c.thresholdChunkBytes, c.largestBrkChunkBytes + m.rounding.granularityBytes);
  assert.equal(m.thresholdInForce.bytes, c.thresholdChunkBytes);
  assert.equal(m.crossoverBytes, c.crossoverBytes);
});

test('the break rises with the heap, and [heap] grows by exactly as much', { skip: skipNoGlibc }, async () => {
  const b = (await measured()).breakStep;
  assert.ok(b.breakDeltaBytes > 0, `break moved ${b.breakDeltaBytes}`);
  assert.equal(b.heapSizeDeltaBytes, b.breakDeltaBytes);
});

test('the dynamic threshold rises after an mmapped chunk is freed, and stops rising at a measured maximum', { skip: skipNoGlibc }, async () => {
  const d = (await measured()).dynamicThreshold;
  assert.equal(d.rose, true, JSON.stringify(d.trials));
  const first = d.trials[0];
  assert.ok(first);
  assert.equal(first.first, 'mmap');
  assert.equal(first.afterFree, 'brk', 'the same request after the free came from brk');
  assert.ok(d.largestRaisingChunkBytes !== null && d.smallestNonRaisingChunkBytes !== null);
  assert.ok(d.largestRaisingChunkBytes < d.smallestNonRaisingChunkBytes);
});

test('mallopt(M_MMAP_THRESHOLD) moves the crossover to the value set and stops the dynamic rise', { skip: skipNoGlibc }, async () => {
  const o = (await measured()).mallopt;
  assert.equal(o.accepted, true);
  assert.equal(o.crossover.thresholdChunkBytes, o.requestedThresholdBytes);
  assert.equal(o.dynamicTrial.first, 'mmap');
  assert.equal(o.dynamicTrial.afterFree, 'mmap', 'no rise after mallopt');
});

test('a request above the threshold is carved from a big enough top chunk', { skip: skipNoGlibc }, async () => {
  const c = (await measured()).carve;
  assert.equal(c.topPadAccepted, true);
  assert.ok(c.topBeforeBytes > c.requestBytes, `top ${c.topBeforeBytes} vs request ${c.requestBytes}`);
  assert.equal(c.source, 'brk');
});

test('rounding and the size header: usable sizes step by the measured granule and the word before holds chunk size + flags', { skip: skipNoGlibc }, async () => {
  const m = await measured();
  const r = m.rounding;
  const oversized = new Map(r.oversized.map((o) => [o.sizeBytes, o]));
  const classOf = (i: number): number => oversized.get(i + 1)?.regularUsableBytes ?? (r.usableBytes[i] as number);
  for (let i = 1; i < r.usableBytes.length; i++) {
    const step = classOf(i) - classOf(i - 1);
    assert.ok(step === 0 || step === r.granularityBytes, `request ${i + 1}: class step ${step}`);
  }
  const minimumChunkBytes = r.minimumUsableBytes + m.sizeHeader.headerWordBytes;
  for (const o of r.oversized) {
    assert.ok(o.usableBytes - o.regularUsableBytes < minimumChunkBytes, `${o.sizeBytes} B got ${o.usableBytes}, class ${o.regularUsableBytes}: more than a minimum chunk extra`);
  }
  const h = m.sizeHeader;
  assert.equal(h.consistentWithUsable, h.samples.length, JSON.stringify(h.samples));
  for (const s of h.samples) assert.equal(s.flagBits & 2, s.source === 'mmap' ? 2 : 0, `${s.sizeBytes} B`);
});

test('free: the break falls when the top is freed, not for the middle; malloc_trim returns the middle; a freed mmapped block is unmapped', { skip: skipNoGlibc }, async () => {
  const t = (await measured()).trim;
  assert.ok(t.breakDropTopBytes > 0, `top free moved the break by ${t.breakDropTopBytes}`);
  assert.ok(t.breakDropMiddleBytes <= 0, `middle free moved the break by ${t.breakDropMiddleBytes}`);
  assert.equal(t.trimReturned, true);
  assert.equal(t.mmapBlockWasMmapped, true);
  assert.equal(t.mmapMappedAfterFree, false);
  assert.equal(t.mmapResidentAfterFreeBytes, 0);
});

test('worker threads allocate from thread arenas (NON_MAIN_ARENA, arena-shaped heaps); with MALLOC_ARENA_MAX=1 from the main arena', { skip: skipNoGlibc }, async () => {
  const [normal, single] = (await measured()).arenas;
  assert.ok(normal && single);
  for (const w of normal.workerBlocks) {
    assert.deepEqual(w.sources, { 'thread-arena': OPTIONS.blocksPerWorker }, `worker ${w.worker}`);
    assert.ok(w.arenaHeapReserveBytes !== null && w.arenaHeapReserveBytes > 0);
  }
  assert.ok(normal.arenasAfter > normal.arenasBefore, `arenas ${normal.arenasBefore} → ${normal.arenasAfter}`);
  assert.equal(single.arenaMax, '1');
  assert.equal(single.arenasAfter, 1);
  // One arena, the main one: every block's flags say so. Its address is in the brk heap —
  // unless a mapping sat right at the break (V8 places its pages at random addresses), so
  // that sbrk failed and glibc grew the main arena with mmap (malloc.c sysmalloc: the
  // non-contiguous main arena); the address witness then disagrees ("disputed"; seen once
  // on Node 22: 510 of 512 blocks). No block may come from a thread arena or be mmapped.
  for (const w of single.workerBlocks) {
    const { brk = 0, disputed = 0, ...other } = w.sources;
    assert.deepEqual(other, {}, `worker ${w.worker}: ${JSON.stringify(w.sources)}`);
    assert.equal(brk + disputed, OPTIONS.blocksPerWorker, `worker ${w.worker}: ${JSON.stringify(w.sources)}`);
  }
  assert.ok(normal.heapsResidentBytes.afterTrim < normal.heapsResidentBytes.afterFree, JSON.stringify(normal.heapsResidentBytes));
});

test('a large malloc is not resident until touched, and calloc of a fresh mmap does not touch it', { skip: skipNoGlibc }, async () => {
  const l = (await measured()).lazy;
  assert.equal(l.mallocSource, 'mmap');
  assert.ok(l.mallocResidentBefore <= 1, `${l.mallocResidentBefore} resident before`);
  assert.equal(l.mallocResidentAfter, l.mallocResidentBefore + l.touchMinorFaults, 'each write fault made exactly one page resident');
  assert.ok(l.touchMinorFaults >= l.pages - 2, `${l.touchMinorFaults} faults for ${l.pages} pages`);
  assert.ok(l.callocResidentAfterCreation <= 1, `${l.callocResidentAfterCreation} resident after calloc`);
});

test('the text rendering shows the chart and every step', { skip: skipNoGlibc }, async () => {
  const text = renderExperiment((await defaultRun()) as never, makeStyle(false));
  for (const s of ['1 Sources', 'request size (log scale)', '2 The break', '3 The threshold', '4 Rounding', '5 The size header', '6 Free and trim', '7 Thread arenas', '8 Lazy', 'malloc.threshold-128k']) {
    assert.ok(text.includes(s), `missing "${s}"`);
  }
});

test('MALLOC_MMAP_THRESHOLD_=65536 moves the measured crossover, and the same for GLIBC_TUNABLES', { skip: skipNoGlibc }, async () => {
  const payload = { maxSweepBytes: 64 * 1024 * 1024, maxRoundingBytes: 64, denseSteps: 4, lazyBytes: 1 << 20 };
  const run = async (env: NodeJS.ProcessEnv): Promise<SourcesChildResult> => requireResult(await runChild<SourcesChildResult>(TASKS, 'measureSources', payload, { env }), 'sources');
  const plain = await run(cleanEnv());
  const byEnv = await run(cleanEnv({ MALLOC_MMAP_THRESHOLD_: '65536' }));
  const byTunable = await run(cleanEnv({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=65536' }));
  assert.equal(byEnv.crossover.thresholdChunkBytes, 65536, JSON.stringify(byEnv.crossover));
  assert.equal(byTunable.crossover.thresholdChunkBytes, 65536, JSON.stringify(byTunable.crossover));
  assert.notEqual(plain.crossover.thresholdChunkBytes, byEnv.crossover.thresholdChunkBytes);
  assert.equal(byEnv.crossoverLater.thresholdChunkBytes, 65536, 'a threshold set by the environment does not rise');
});

test('under MALLOC_MMAP_THRESHOLD_=65536 the whole experiment follows what it measured: origin env, no rise, 128k refuted', { skip: skipNoGlibc }, async () => {
  const r = await runMalloc({ ...OPTIONS, arenaMaxVariant: false, env: cleanEnv({ MALLOC_MMAP_THRESHOLD_: '65536' }) });
  const m = r.measurements as MallocMeasurements;
  assert.deepEqual(m.thresholdInForce, { bytes: 65536, origin: 'env', setting: 'MALLOC_MMAP_THRESHOLD_=65536', dynamic: false });
  const claim = r.claims.find((c) => c.id === 'malloc.threshold-128k');
  assert.equal(claim?.verdict, 'refuted', claim?.summary);
  assert.match(claim?.summary ?? '', /64\.0 KiB of chunk \(set by MALLOC_MMAP_THRESHOLD_=65536\)/, 'the summary names the setting that refuted the claim');
});

test('thresholdOrigin reads the environment the children run with', () => {
  assert.equal(thresholdOrigin({}), 'default');
  assert.equal(thresholdOrigin({ MALLOC_MMAP_THRESHOLD_: '1' }), 'env');
  assert.equal(thresholdOrigin({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=1' }), 'tunable');
  assert.equal(thresholdOrigin({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=1' }), 'default');
});

test('on a C library other than glibc the experiment measures nothing and says not-applicable for every claim', async () => {
  const r = await runMalloc({ libc: { name: 'musl', version: '1.2.4' } });
  assert.ok('skipped' in r.measurements);
  assert.equal(r.claims.length, 7);
  for (const c of r.claims) {
    assert.equal(c.verdict, 'not-applicable');
    assert.match(c.summary, /musl/);
  }
});

test('runMalloc validates its options', async () => {
  await assert.rejects(runMalloc({ workers: 0 }), { code: 'ERR_OUT_OF_RANGE' });
  await assert.rejects(runMalloc({ bogus: 1 } as never), { code: 'ERR_INVALID_ARG_VALUE' });
});

test('the CLI knows the malloc experiment (help lists it and its --size)', async () => {
  const { main } = await import('../../../lib/cli/main');
  let out = '';
  const sink = { write: (s: string) => { out += s; return true; }, isTTY: false };
  const io = { stdout: sink, stderr: sink } as unknown as NonNullable<Parameters<typeof main>[1]>;
  assert.equal(await main(['malloc', '--help'], io), 0);
  assert.match(out, /Usage: vmprobe malloc/);
  assert.match(out, /--size SIZE {3}largest size of the sweep/);
});

test('the carving step with a crossover of 1 B (MALLOC_MMAP_THRESHOLD_=0: no request below the threshold) runs instead of asking malloc for 0 bytes', { skip: skipNoGlibc }, async () => {
  const payload = { crossoverBytes: 1, thresholdChunkBytes: 64 * 1024 * 1024, granularityBytes: 16, maxBytes: 64 * 1024 * 1024 };
  const carve = requireResult(await runChild<{ requestBytes: number; source: string }>(TASKS, 'measureCarve', payload, { env: cleanEnv() }), 'carving');
  assert.equal(carve.requestBytes, 2);
  assert.ok(['brk', 'mmap', 'thread-arena', 'disputed'].includes(carve.source), carve.source);
});
