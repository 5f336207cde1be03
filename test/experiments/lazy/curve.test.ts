// Tests for the lazy experiment's sampled curve (lib/experiments/lazy/curve.ts): the
// counts the report's chart draws, read then written chunk by chunk.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { pageSizeBytes, readHostInfo } from '../../../lib/index';
import { CURVE_CHUNKS, runLazyCurve } from '../../../lib/experiments/lazy/curve';

const THP_ALWAYS = readHostInfo().thp?.enabled === 'always';

test('the curve reads then writes every page in CURVE_CHUNKS chunks; counts only grow; each first read maps the zero page, each write a private page', () => {
  const page = pageSizeBytes();
  const pages = 1000;
  const curve = runLazyCurve(pages * page, page);
  assert.equal(curve.pages, pages);
  assert.equal(curve.chunks, CURVE_CHUNKS);
  assert.equal(curve.points.length, 1 + 2 * CURVE_CHUNKS);
  const [start] = curve.points;
  assert.deepEqual(start && [start.pagesTouched, start.minorFaults, start.zeroPages, start.privatePages], [0, 0, 0, 0], JSON.stringify(start));
  for (const pass of ['read', 'write'] as const) {
    const pts = curve.points.filter((p, i) => i > 0 && p.pass === pass);
    assert.equal(pts.length, CURVE_CHUNKS);
    for (let i = 1; i < pts.length; i++) {
      assert.ok(pts[i]!.pagesTouched > pts[i - 1]!.pagesTouched && pts[i]!.minorFaults >= pts[i - 1]!.minorFaults, `${pass} point ${i}: ${JSON.stringify(pts.slice(i - 1, i + 1))}`);
    }
    const last = pts[pts.length - 1]!;
    assert.equal(last.pagesTouched, pages, `${pass}: ${JSON.stringify(last)}`);
    if (!THP_ALWAYS) assert.equal(last.minorFaults, pages, `${pass}: ${last.minorFaults} faults for ${pages} fresh pages`);
    // Under THP 'always' the read maps the huge zero page where a whole aligned block fits: still zero pages.
    if (pass === 'read') assert.deepEqual([last.zeroPages, last.privatePages], [pages, 0], `after reading: ${JSON.stringify(last)}`);
    if (pass === 'write') assert.deepEqual([last.zeroPages, last.privatePages], [0, pages], `after writing: ${JSON.stringify(last)}`);
  }
});

test('a mapping smaller than CURVE_CHUNKS pages gets one chunk per page', () => {
  const page = pageSizeBytes();
  const curve = runLazyCurve(3 * page, page);
  assert.equal(curve.chunks, 3);
  assert.deepEqual(curve.points.map((p) => p.pagesTouched), [0, 1, 2, 3, 1, 2, 3]);
});

test('a size that is not a page multiple: the curve touches the partial last page too', () => {
  const page = pageSizeBytes();
  const curve = runLazyCurve(40 * page + 123, page);
  assert.equal(curve.pages, 41);
  const last = curve.points[curve.points.length - 1];
  assert.deepEqual(last && [last.pass, last.pagesTouched, last.privatePages], ['write', 41, 41], JSON.stringify(last));
});
