// The allocators experiment's verdicts from synthetic cells: every verdict of each
// advice.* claim is reachable, the noise rule (ranges must not overlap) decides "lower",
// a missing configuration is not-applicable, and the best-per-workload summary says
// "within the noise" exactly when the two lowest ranges overlap.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  ALLOCATOR_CLAIMS, bestPerWorkload, combineVerdicts, compareSpreads, judgeAllocators, judgeArenaMax, judgeJemalloc, judgeMallocTrim,
  type WorkloadVerdict,
} from '../lib/experiments/allocators/verdicts';
import type { CellResult, Spread } from '../lib/experiments/allocators/measurements';
import type { AllocatorConfigId } from '../lib/experiments/allocators/configs';
import type { WorkloadId } from '../lib/experiments/allocators/workloads';

const MiB = 1024 * 1024;
const s = (min: number, median: number, max: number): Spread => ({ min: min * MiB, median: median * MiB, max: max * MiB });

function cell(config: AllocatorConfigId, workload: WorkloadId, retained: Spread | null, released: Spread | null = retained, status: CellResult['status'] = 'measured'): CellResult {
  return {
    config, workload, status, reason: status === 'measured' ? null : `${config} ${status}`, proof: null, repetitions: [],
    peakBytes: retained, retainedBytes: retained, releasedBytes: released, vszBytes: null, mappings: null, minorFaults: null, opsPerSecond: null,
  };
}

test('compareSpreads: lower only when the variant\'s max is below the baseline\'s min; overlap is within the noise', () => {
  assert.equal(compareSpreads(s(10, 11, 12), s(5, 6, 9.9)).outcome, 'lower');
  assert.equal(compareSpreads(s(10, 11, 12), s(5, 6, 10)).outcome, 'within-noise');
  assert.equal(compareSpreads(s(10, 11, 12), s(12.1, 13, 14)).outcome, 'higher');
  const c = compareSpreads(s(10, 11, 12), s(9, 10, 13));
  assert.equal(c.differenceBytes, -1 * MiB);
  assert.equal(c.noiseBytes, 4 * MiB);
});

test('advice.arena-max per workload: holds, refuted (within the noise, with the numbers), refuted (higher), not-applicable', () => {
  const cells = [
    cell('glibc', 'fragmentation', s(20, 21, 22)), cell('glibc-arena-max-2', 'fragmentation', s(10, 11, 12)),
    cell('glibc', 'steady', s(20, 21, 22)), cell('glibc-arena-max-2', 'steady', s(19, 20.5, 21)),
    cell('glibc', 'large-blocks', s(20, 21, 22)), cell('glibc-arena-max-2', 'large-blocks', s(30, 31, 32)),
    cell('glibc', 'worker-churn', s(20, 21, 22)), cell('glibc-arena-max-2', 'worker-churn', null, null, 'failed'),
  ];
  assert.equal(judgeArenaMax(cells, 'fragmentation').verdict, 'holds');
  const noise = judgeArenaMax(cells, 'steady');
  assert.equal(noise.verdict, 'refuted');
  assert.match(noise.summary, /within the noise: ARENA_MAX=2 20\.5 MiB vs default 21\.0 MiB .*spread 2\.0 MiB/);
  const higher = judgeArenaMax(cells, 'large-blocks');
  assert.equal(higher.verdict, 'refuted');
  assert.match(higher.summary, /^higher by 10\.0 MiB/);
  const na = judgeArenaMax(cells, 'worker-churn');
  assert.equal(na.verdict, 'not-applicable');
  assert.match(na.summary, /glibc-arena-max-2: failed/);
});

test('advice.malloc-trim compares the same glibc children before and after malloc_trim(0)', () => {
  assert.equal(judgeMallocTrim([cell('glibc', 'steady', s(20, 21, 22), s(5, 6, 7))], 'steady').verdict, 'holds');
  assert.equal(judgeMallocTrim([cell('glibc', 'steady', s(20, 21, 22), s(19, 20, 21))], 'steady').verdict, 'refuted');
  assert.equal(judgeMallocTrim([cell('glibc', 'steady', null, null, 'missing')], 'steady').verdict, 'not-applicable');
});

test('advice.jemalloc: holds when lower right after the load, qualified when only after its purge (naming the decay), refuted otherwise', () => {
  const glibc = cell('glibc', 'steady', s(20, 21, 22));
  assert.equal(judgeJemalloc([glibc, cell('jemalloc', 'steady', s(10, 11, 12))], 'steady').verdict, 'holds');
  const q = judgeJemalloc([glibc, cell('jemalloc', 'steady', s(24, 25, 26), s(5, 6, 7))], 'steady', 10000);
  assert.equal(q.verdict, 'qualified');
  assert.match(q.summary, /only after an explicit purge \(or after its dirty_decay_ms \(10000 ms\)\).*right after the load higher by 4\.0 MiB/);
  assert.equal(judgeJemalloc([glibc, cell('jemalloc', 'steady', s(24, 25, 26), s(21, 22, 23))], 'steady').verdict, 'refuted');
  const missing = judgeJemalloc([glibc, cell('jemalloc', 'steady', null, null, 'missing')], 'steady');
  assert.equal(missing.verdict, 'not-applicable');
  assert.match(missing.summary, /jemalloc: missing/);
});

test('combineVerdicts: all hold → holds, none → refuted, mixed → qualified, nothing measured → not-applicable', () => {
  const v = (workload: WorkloadId, verdict: WorkloadVerdict['verdict']): WorkloadVerdict => ({ workload, verdict, summary: 'x', comparison: null, afterRelease: null });
  assert.equal(combineVerdicts('advice.arena-max', [v('steady', 'holds'), v('fragmentation', 'holds'), v('worker-churn', 'not-applicable')]).verdict, 'holds');
  assert.equal(combineVerdicts('advice.arena-max', [v('steady', 'refuted'), v('fragmentation', 'refuted')]).verdict, 'refuted');
  const mixed = combineVerdicts('advice.arena-max', [v('steady', 'holds'), v('fragmentation', 'refuted')]);
  assert.equal(mixed.verdict, 'qualified');
  assert.match(mixed.summary, /on steady only/);
  assert.equal(combineVerdicts('advice.jemalloc', [v('steady', 'qualified')]).verdict, 'qualified');
  assert.equal(combineVerdicts('advice.jemalloc', [v('steady', 'not-applicable')]).verdict, 'not-applicable');
});

test('judgeAllocators returns the three advice.* claims with the catalogue ids, in order', () => {
  const claims = judgeAllocators([], ['steady'], null);
  assert.deepEqual(claims.map((c) => c.id), ALLOCATOR_CLAIMS.map((c) => c.id));
  assert.deepEqual(claims.map((c) => c.id), ['advice.arena-max', 'advice.malloc-trim', 'advice.jemalloc']);
  assert.ok(claims.every((c) => c.verdict === 'not-applicable'));
});

test('bestPerWorkload names the lowest median with its margin, or says within the noise when ranges overlap', () => {
  const clear = bestPerWorkload([cell('glibc', 'steady', s(20, 21, 22)), cell('jemalloc', 'steady', s(5, 6, 7)), cell('tcmalloc', 'steady', s(9, 10, 11))], ['steady']);
  assert.deepEqual(clear[0], { workload: 'steady', config: 'jemalloc', retainedBytes: 6 * MiB, runnerUp: 'tcmalloc', runnerUpRetainedBytes: 10 * MiB, marginBytes: 4 * MiB, withinNoise: false });
  const tie = bestPerWorkload([cell('glibc', 'steady', s(5, 6.5, 8)), cell('jemalloc', 'steady', s(5, 6, 7))], ['steady']);
  assert.equal(tie[0]?.withinNoise, true);
  const none = bestPerWorkload([cell('jemalloc', 'steady', null, null, 'missing')], ['steady']);
  assert.equal(none[0]?.config, null);
});
