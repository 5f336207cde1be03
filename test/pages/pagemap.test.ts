// Tests for lib/pages/pagemap.ts, lib/pages/summary.ts and lib/pages/zero-page.ts: decoding pagemap entries
// bit by bit, finding the zero page's PFN, and summarising live ranges.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { decodePagemapEntry, map, pageSizeBytes, readPagemap, summarizePagemap, zeroPagePfn } from '../../lib/index';
import { expectCode } from '../helpers/expect-code';

const page = pageSizeBytes();
const PRESENT = 1n << 63n;
const SWAPPED = 1n << 62n;
const FILE_OR_SHARED = 1n << 61n;
const UFFD_WP = 1n << 57n;
const EXCLUSIVE = 1n << 56n;
const SOFT_DIRTY = 1n << 55n;

const NOTHING = { present: false, swapped: false, exclusive: false, softDirty: false, fileOrShared: false, uffdWriteProtected: false, pfn: null, swap: null };

test('decodePagemapEntry: an all-zero entry is a page that is not there', () => {
  assert.deepEqual(decodePagemapEntry(0n), NOTHING);
});

test('decodePagemapEntry reads each flag bit on its own', () => {
  assert.deepEqual(decodePagemapEntry(SOFT_DIRTY), { ...NOTHING, softDirty: true });
  assert.deepEqual(decodePagemapEntry(EXCLUSIVE), { ...NOTHING, exclusive: true });
  assert.deepEqual(decodePagemapEntry(UFFD_WP), { ...NOTHING, uffdWriteProtected: true });
  assert.deepEqual(decodePagemapEntry(FILE_OR_SHARED), { ...NOTHING, fileOrShared: true });
  // Bits 58-60 are unused: they change nothing.
  assert.deepEqual(decodePagemapEntry((1n << 58n) | (1n << 59n) | (1n << 60n)), NOTHING);
});

test('decodePagemapEntry: a present entry carries its PFN in bits 0-54, and PFN 0 means hidden', () => {
  assert.deepEqual(decodePagemapEntry(PRESENT | 0x1234n), { ...NOTHING, present: true, pfn: 0x1234n });
  assert.deepEqual(decodePagemapEntry(PRESENT), { ...NOTHING, present: true, pfn: null });
  const maxPfn = (1n << 55n) - 1n;
  assert.equal(decodePagemapEntry(PRESENT | maxPfn).pfn, maxPfn);
  const all = decodePagemapEntry(PRESENT | EXCLUSIVE | SOFT_DIRTY | FILE_OR_SHARED | UFFD_WP | 5n);
  assert.deepEqual(all, { present: true, swapped: false, exclusive: true, softDirty: true, fileOrShared: true, uffdWriteProtected: true, pfn: 5n, swap: null });
  // A PFN without the present bit is not a PFN.
  assert.equal(decodePagemapEntry(0x1234n).pfn, null);
});

test('decodePagemapEntry: a swapped entry carries the swap type in bits 0-4 and the offset in bits 5-54', () => {
  const raw = SWAPPED | (0x100n << 5n) | 3n;
  assert.deepEqual(decodePagemapEntry(raw), { ...NOTHING, swapped: true, swap: { type: 3, offset: 0x100n } });
  const big = SWAPPED | (((1n << 50n) - 1n) << 5n) | 31n;
  assert.deepEqual(decodePagemapEntry(big).swap, { type: 31, offset: (1n << 50n) - 1n });
});

test('zeroPagePfn() is the PFN of a freshly read anonymous page, stable, and unlike a written page', (t) => {
  const uid = process.getuid?.();
  if (uid !== 0) return t.skip(`not running as root (uid ${String(uid)}): pagemap hides PFNs without CAP_SYS_ADMIN`);
  const pfn = zeroPagePfn();
  assert.notEqual(pfn, null, 'as root, the zero page PFN is readable');
  assert.equal(zeroPagePfn(), pfn, 'measured once, then the same');
  const m = map({ sizeBytes: 3 * page });
  try {
    m.touch({ lengthBytes: 2 * page });
    m.touch({ offsetBytes: 2 * page, mode: 'write' });
    const s = m.pagemap({ entries: true });
    assert.equal(s.pfnReadable, true);
    assert.equal(s.zeroPageMethod, 'pfn');
    const [a, b, c] = s.entries ?? [];
    assert.equal(a?.pfn, pfn);
    assert.equal(b?.pfn, pfn, 'every read-only-touched page maps the same zero page');
    assert.equal(a?.exclusive, false, 'the zero page is not exclusively mapped');
    assert.notEqual(c?.pfn, pfn, 'a written page has a frame of its own');
    assert.equal(c?.exclusive, true);
    assert.equal(s.zeroPages, 2);
  } finally {
    m.unmap();
  }
});

test('summarizePagemap with entries: true returns one entry per page spanned, also for an unaligned range', () => {
  const m = map({ sizeBytes: 8 * page });
  try {
    m.touch({ offsetBytes: page, lengthBytes: 2 * page, mode: 'write' });
    const address = m.address as bigint;
    const s = summarizePagemap(address + 100n, 3 * page, { privateAnonymous: true, entries: true });
    assert.equal(s.pages, 4, 'an unaligned 3-page range spans 4 pages');
    assert.equal(s.entries?.length, 4);
    assert.deepEqual(s.entries?.map((e) => e.present), [false, true, true, false]);
    assert.equal(s.presentPages, 2);
    assert.equal(s.exclusivePages, 2);
    const without = summarizePagemap(address, 8 * page, { privateAnonymous: true });
    assert.equal(without.entries, undefined, 'entries only when asked for');
    assert.equal(without.pages, 8);
    const empty = summarizePagemap(address, 0, { privateAnonymous: true, entries: true });
    assert.equal(empty.pages, 0);
    assert.deepEqual(empty.entries, []);
  } finally {
    m.unmap();
  }
});

test('summarizePagemap of an unmapped range reports nothing present and never faults', () => {
  const m = map({ sizeBytes: 4 * page });
  m.touch({ mode: 'write' });
  const address = m.address as bigint;
  m.unmap();
  const s = summarizePagemap(address, 4 * page, { privateAnonymous: true });
  assert.equal(s.pages, 4);
  assert.equal(s.presentPages, 0);
});

test('readPagemap returns one raw entry per page; bit 63 set for a written page only', () => {
  const m = map({ sizeBytes: 3 * page });
  try {
    m.touch({ offsetBytes: 2 * page, mode: 'write' });
    const raw = readPagemap(m.address as bigint, 3);
    assert.equal(raw.length, 3);
    assert.deepEqual([...raw].map((v) => (v & PRESENT) !== 0n), [false, false, true]);
    assert.equal(readPagemap(m.address as bigint, 0).length, 0);
    expectCode(() => readPagemap(m.address as bigint, 1.5), 'ERR_OUT_OF_RANGE');
  } finally {
    m.unmap();
  }
});

test('soft-dirty is set on a page written since the bits were last cleared', (t) => {
  const m = map({ sizeBytes: page });
  try {
    m.touch({ mode: 'write' });
    const s = m.pagemap();
    if (s.softDirtyPages === 0) return t.skip('this kernel does not track soft-dirty bits (CONFIG_MEM_SOFT_DIRTY off)');
    assert.equal(s.softDirtyPages, 1);
  } finally {
    m.unmap();
  }
});

test('pagemap over 70000 pages reads in chunks and keeps each entry at its own page', () => {
  // 65536 entries per read in lib/pages/pagemap.ts: 70000 pages need two reads.
  const pages = 70000;
  const m = map({ sizeBytes: pages * page, noreserve: true });
  try {
    // One page per write, in every THP mode (under 'always' a write would fault in a whole huge page).
    m.advise('nohugepage');
    m.touch({ offsetBytes: 65536 * page + 3 * page, lengthBytes: 1, mode: 'write' });
    m.touch({ offsetBytes: (pages - 1) * page, mode: 'write' });
    const s = m.pagemap({ entries: true });
    assert.equal(s.pages, pages);
    assert.equal(s.presentPages, 2);
    assert.equal(s.entries?.[65539]?.present, true);
    assert.equal(s.entries?.[pages - 1]?.present, true);
    assert.equal(s.entries?.[65538]?.present, false);
  } finally {
    m.unmap();
  }
});

test('readPagemap and summarizePagemap reject bad arguments with vmprobe codes', () => {
  const cases: [string, () => unknown, string][] = [
    ['readPagemap(address, -1)', () => readPagemap(4096n, -1), 'ERR_OUT_OF_RANGE'],
    ['readPagemap(number address)', () => readPagemap(4096 as never, 1), 'ERR_INVALID_ARG_TYPE'],
    ['readPagemap(-4096n)', () => readPagemap(-4096n, 1), 'ERR_OUT_OF_RANGE'],
    ['readPagemap past the address space', () => readPagemap(1n << 62n, 1), 'ERR_OUT_OF_RANGE'],
    ['summarizePagemap(number address)', () => summarizePagemap(4096 as never, 1, { privateAnonymous: true }), 'ERR_INVALID_ARG_TYPE'],
    ['summarizePagemap(lengthBytes -1)', () => summarizePagemap(4096n, -1, { privateAnonymous: true }), 'ERR_OUT_OF_RANGE'],
    ['summarizePagemap(lengthBytes 1.5)', () => summarizePagemap(4096n, 1.5, { privateAnonymous: true }), 'ERR_OUT_OF_RANGE'],
    ['summarizePagemap(null options)', () => summarizePagemap(4096n, 1, null as never), 'ERR_INVALID_ARG_TYPE'],
  ];
  const wrong: string[] = [];
  for (const [label, call, code] of cases) {
    try {
      const r = call();
      wrong.push(`${label}: returned ${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
    } catch (err) {
      const got = (err as { code?: unknown }).code;
      if (got !== code) wrong.push(`${label}: ${String(got)} (${(err as Error).message}), expected ${code}`);
    }
  }
  assert.deepEqual(wrong, []);
});
