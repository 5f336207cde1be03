// The huge zero page (lib/pages/huge-zero-page.ts, lib/pages/summary.ts summarizePagemap): under every
// THP mode this host can switch to (always, madvise, never; use_zero_page 0 and 1),
// reading untouched PMD-aligned anonymous memory in a child, with PFNs readable (root)
// and hidden (the same child as uid nobody). Each mode is set only while its children
// run, and the host's settings are restored and verified after each mode (helpers/thp-switch.ts).
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { pageSizeBytes, readThpSettings } from '../../lib/index';
import { currentThpMode, thpSwitchUnavailable, withThpMode, type ThpMode } from '../helpers/thp-switch';

const CHILD = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'thp', 'read-untouched.js');
const PAGE = pageSizeBytes();
const THP = readThpSettings();
const PMD_BYTES = THP?.pmdSizeBytes ?? 0;
const SIZE_BYTES = 4 * PMD_BYTES;
const PAGES = SIZE_BYTES / PAGE;
const HUGE_PAGES = PMD_BYTES / PAGE;

interface ChildReading {
  uid: number; pages: number; readFaults: number; presentPages: number; zeroPages: number; hugeZeroPages: number;
  zeroPageMethod: string; pfnReadable: boolean; hugeZeroPageHeadPfn: string | null; rssBytes: number | null;
}

function readInChild(variant: 'plain' | 'hugepage', uid: number | undefined): ChildReading {
  const opts = uid === undefined ? {} : { uid, gid: uid };
  return JSON.parse(execFileSync(process.execPath, [CHILD, String(SIZE_BYTES), variant], { encoding: 'utf8', ...opts })) as ChildReading;
}

const unavailable = thpSwitchUnavailable();
const MODES: ThpMode[] = [];
for (const enabled of ['always', 'madvise', 'never'] as const) for (const useZeroPage of [1, 0] as const) MODES.push({ enabled, useZeroPage });

for (const mode of MODES) {
  test(`THP enabled=${mode.enabled} use_zero_page=${mode.useZeroPage}: reading untouched memory is counted as the zero page it maps, PFNs readable or not`, (t) => {
    if (unavailable !== null) return t.skip(unavailable);
    const readings = withThpMode(mode, () => (['plain', 'hugepage'] as const).flatMap((variant) =>
      [undefined, 65534].map((uid) => ({ variant, uid, r: readInChild(variant, uid) }))));
    for (const { variant, uid, r } of readings) {
      const label = `${variant}, ${uid === undefined ? 'root (PFNs readable)' : 'uid nobody (PFNs hidden)'}: ${JSON.stringify(r)}`;
      assert.equal(r.pfnReadable, uid === undefined, label);
      assert.equal(r.zeroPageMethod, uid === undefined ? 'pfn' : 'present-not-exclusive', label);
      assert.equal(r.presentPages, PAGES, label);
      const huge = mode.enabled === 'always' || (mode.enabled === 'madvise' && variant === 'hugepage');
      if (huge && mode.useZeroPage === 1) {
        // One PMD fault per huge page, each mapping the huge zero page: no memory.
        assert.deepEqual([r.readFaults, r.zeroPages, r.hugeZeroPages, r.rssBytes], [PAGES / HUGE_PAGES, PAGES, PAGES, 0], label);
        if (uid === undefined) assert.notEqual(r.hugeZeroPageHeadPfn, null, label);
      } else if (huge) {
        // use_zero_page=0: a read fault allocates (a huge page where one is free).
        assert.deepEqual([r.zeroPages, r.hugeZeroPages], [0, 0], label);
        assert.ok(r.rssBytes === null || r.rssBytes === SIZE_BYTES, label);
      } else {
        assert.deepEqual([r.readFaults, r.zeroPages, r.hugeZeroPages, r.rssBytes], [PAGES, PAGES, 0, 0], label);
      }
    }
  });
}

test('after the mode tests the host keeps its original THP settings', (t) => {
  if (unavailable !== null) return t.skip(unavailable);
  const now = currentThpMode();
  assert.ok(now !== null);
  assert.equal(now.enabled, THP?.enabled, 'enabled restored');
  assert.equal(now.useZeroPage === 1, THP?.useZeroPage, 'use_zero_page restored');
});
