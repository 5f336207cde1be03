import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  CLAIMED_THRESHOLD_BYTES, judgeBrkMoves, judgeFreeReturns, judgeMalloc, judgePow2Rounding, judgeSizeHeader, judgeThreshold128k,
  judgeThresholdTunable, judgeTwoSources,
} from '../../../lib/experiments/malloc/verdicts';
import { CLAIMS, type ClaimResult } from '../../../lib/report/claims';
import type { MallocMeasurements } from '../../../lib/experiments/malloc/measurements';
import { syntheticMalloc, syntheticSweepEntry } from '../../fixtures/malloc/synthetic';

function verdictOf(judge: (m: MallocMeasurements) => ClaimResult, bend: (m: MallocMeasurements) => void): string {
  const m = syntheticMalloc();
  bend(m);
  return judge(m).verdict;
}

const MUSL = (m: MallocMeasurements): void => { m.libc = { name: 'musl', version: null }; };

test('every judge says not-applicable on a C library other than glibc, naming it', () => {
  const m = syntheticMalloc();
  MUSL(m);
  for (const c of judgeMalloc(m)) {
    assert.equal(c.verdict, 'not-applicable', c.id);
    assert.match(c.summary, /musl/, c.id);
  }
  const skipped = judgeMalloc({ libc: { name: 'musl', version: '1.2.4' }, pageSizeBytes: 4096, skipped: 'not glibc' });
  assert.deepEqual(skipped.map((c) => c.verdict), Array(7).fill('not-applicable'));
});

test('judgeMalloc returns each malloc.* claim of the catalogue exactly once, in order', () => {
  const ids = judgeMalloc(syntheticMalloc()).map((c) => c.id);
  assert.deepEqual(ids, CLAIMS.filter((c) => c.experiment === 'malloc').map((c) => c.id));
});

test('malloc.two-sources reaches holds, qualified and refuted', () => {
  assert.equal(verdictOf(judgeTwoSources, (m) => { m.arenas = []; }), 'holds');
  assert.equal(verdictOf(judgeTwoSources, () => {}), 'qualified');
  assert.equal(verdictOf(judgeTwoSources, (m) => { m.sweep = [syntheticSweepEntry(1 << 20, 'mmap')]; }), 'refuted');
});

test('malloc.brk-moves reaches holds, qualified and refuted', () => {
  assert.equal(verdictOf(judgeBrkMoves, () => {}), 'holds');
  assert.equal(verdictOf(judgeBrkMoves, (m) => { m.breakStep.heapSizeDeltaBytes = 0; }), 'qualified');
  assert.equal(verdictOf(judgeBrkMoves, (m) => { m.breakStep.breakDeltaBytes = 0; }), 'refuted');
});

test('malloc.threshold-128k compares the measured threshold with the claim, and qualifies a moving one', () => {
  assert.equal(CLAIMED_THRESHOLD_BYTES, 131072);
  const fixed = (m: MallocMeasurements): void => {
    m.crossover.crossoverBytes = 131072;
    m.startingThreshold.crossover.crossoverBytes = 131072;
    m.dynamicThreshold.rose = false;
    m.carve.source = 'mmap';
  };
  assert.equal(verdictOf(judgeThreshold128k, fixed), 'holds');
  assert.equal(verdictOf(judgeThreshold128k, () => {}), 'qualified');
  // The same judge on a host whose threshold the environment set to 64 KiB.
  assert.equal(verdictOf(judgeThreshold128k, (m) => { m.crossover.thresholdChunkBytes = 65536; m.startingThreshold.crossover.thresholdChunkBytes = 65536; m.thresholdInForce.origin = 'env'; }), 'refuted');
  assert.equal(verdictOf(judgeThreshold128k, (m) => { m.crossover.thresholdChunkBytes = null; m.startingThreshold.crossover.thresholdChunkBytes = null; }), 'refuted');
});

test('malloc.threshold-tunable reaches holds, qualified and refuted', () => {
  assert.equal(verdictOf(judgeThresholdTunable, () => {}), 'holds');
  assert.equal(verdictOf(judgeThresholdTunable, (m) => { m.mallopt.dynamicTrial.afterFree = 'brk'; }), 'qualified');
  assert.equal(verdictOf(judgeThresholdTunable, (m) => { m.mallopt.accepted = false; }), 'refuted');
  assert.equal(verdictOf(judgeThresholdTunable, (m) => { m.mallopt.crossover.thresholdChunkBytes = 131072; }), 'refuted');
});

test('malloc.pow2-rounding reaches holds, qualified and refuted', () => {
  assert.equal(verdictOf(judgePow2Rounding, () => {}), 'refuted');
  assert.equal(verdictOf(judgePow2Rounding, (m) => { m.rounding.pow2Matches = m.rounding.usableBytes.length; }), 'holds');
  assert.equal(verdictOf(judgePow2Rounding, (m) => { m.rounding.pow2Matches = m.rounding.usableBytes.length - 1; }), 'qualified');
});

test('malloc.size-header reaches holds, qualified and refuted', () => {
  assert.equal(verdictOf(judgeSizeHeader, () => {}), 'qualified');
  assert.equal(verdictOf(judgeSizeHeader, (m) => { m.sizeHeader.equalsRequest = 1; }), 'holds');
  assert.equal(verdictOf(judgeSizeHeader, (m) => { m.sizeHeader.consistentWithUsable = 0; }), 'refuted');
});

test('malloc.free-returns reaches holds, qualified and refuted', () => {
  assert.equal(verdictOf(judgeFreeReturns, () => {}), 'qualified');
  assert.equal(verdictOf(judgeFreeReturns, (m) => { m.trim.breakDropMiddleBytes = 4096; }), 'holds');
  assert.equal(verdictOf(judgeFreeReturns, (m) => { m.trim.breakDropTopBytes = 0; m.trim.mmapMappedAfterFree = true; }), 'refuted');
});

test('every verdict is JSON-serialisable with no undefined', () => {
  const claims = judgeMalloc(syntheticMalloc());
  assert.deepEqual(JSON.parse(JSON.stringify(claims)), claims);
});

test('MALLOC_MMAP_THRESHOLD_=0 (every request mmapped): threshold-128k says so and names the setting; brk-moves and pow2-rounding name it too', () => {
  const m = syntheticMalloc();
  m.crossover.crossoverBytes = 1;
  m.crossover.thresholdChunkBytes = null;
  m.startingThreshold.crossover.crossoverBytes = 1;
  m.startingThreshold.crossover.thresholdChunkBytes = null;
  m.thresholdInForce.setting = 'MALLOC_MMAP_THRESHOLD_=0';
  m.settings = ['MALLOC_MMAP_THRESHOLD_=0'];
  m.breakStep.breakDeltaBytes = 0;
  const claims = judgeMalloc(m);
  const t = claims.find((c) => c.id === 'malloc.threshold-128k');
  assert.equal(t?.verdict, 'refuted');
  assert.match(t?.summary ?? '', /^every request from 1 B up was served by mmap: the threshold here is at or below the smallest chunk \(set by MALLOC_MMAP_THRESHOLD_=0\)/);
  for (const id of ['malloc.brk-moves', 'malloc.pow2-rounding']) {
    assert.match(claims.find((c) => c.id === id)?.summary ?? '', /settings in force: MALLOC_MMAP_THRESHOLD_=0/, id);
  }
});
