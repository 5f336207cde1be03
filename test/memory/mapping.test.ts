// Tests for lib/memory/mapping.ts (and native/mapping.cc, native/touch.cc, native/residency.cc)
// on the real kernel: fault counts, residency, pagemap and smaps of anonymous and file
// mappings, huge pages, madvise, mprotect, closed handles, and the ArrayBuffer view.
//
// Counts are exact where the kernel is exact: one minor fault per fresh anonymous page
// (RUSAGE_THREAD, measured inside the native call), one per huge page with THP. RSS from
// /proc/self/statm is process-wide, so it gets a stated tolerance.
import { test } from 'node:test';
import { native } from '../../lib/native/loader';
import { execFileSync } from 'node:child_process';
import * as assert from 'node:assert/strict';
import { constants as bufferConstants } from 'node:buffer';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ADVICE, map, mapFile, pageSizeBytes, readMaps, readSmaps, readStatm, readThpSettings, smapsFor, type Mapping, type SmapsEntry } from '../../lib/index';
import { expectCode, runChildJson } from '../helpers/expect-code';

const page = pageSizeBytes();
const MiB = 1024 * 1024;
const thp = readThpSettings();

/** With THP `always`, a large aligned region may get huge pages; ask for base pages where the test counts them. */
function basePages(m: Mapping): Mapping {
  if (thp?.enabled === 'always') m.advise('nohugepage');
  return m;
}

/** The smaps entry of exactly this mapping, or undefined when the kernel merged it with a neighbour. */
function ownVma(m: Mapping): SmapsEntry | undefined {
  const address = m.address as bigint;
  const vma = smapsFor(readSmaps(), address);
  if (vma === undefined) return assert.fail(`no smaps entry contains the mapping at 0x${address.toString(16)}`);
  return vma.start === address && vma.end === address + BigInt(m.pages * page) ? vma : undefined;
}

function withTempDir(fn: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-mapping-'));
  try {
    fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Bytes whose value depends on the position, so an offset mix-up shows. */
function patternBytes(length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 7 + (i >> 12)) & 0xff;
  return b;
}

const SIZES: { label: string; sizeBytes: number; pages: number }[] = [
  { label: '1 byte', sizeBytes: 1, pages: 1 },
  { label: '1 page + 1 byte', sizeBytes: page + 1, pages: 2 },
  { label: '37 pages', sizeBytes: 37 * page, pages: 37 },
  { label: '1000 pages', sizeBytes: 1000 * page, pages: 1000 },
];

for (const { label, sizeBytes, pages } of SIZES) {
  test(`writing a fresh ${label} mapping faults exactly once per page and leaves every page resident and private`, () => {
    const m = basePages(map({ sizeBytes }));
    try {
      assert.equal(m.pages, pages, `${sizeBytes} bytes should span ${pages} pages of ${page} bytes`);
      assert.equal(m.sizeBytes, sizeBytes);
      assert.equal(m.kind, 'anonymous');
      const r = m.touch({ mode: 'write' });
      assert.equal(r.pagesTouched, pages, `touched ${r.pagesTouched} pages of ${pages}`);
      assert.equal(r.minorFaults, pages, `wrote ${pages} fresh pages, got ${r.minorFaults} minor faults`);
      assert.equal(r.majorFaults, 0, `anonymous memory never faults from disk, got ${r.majorFaults} major faults`);
      assert.ok(r.elapsedNs > 0, `elapsedNs ${r.elapsedNs} should be positive`);
      const res = m.residency();
      assert.equal(res.pages, pages);
      assert.equal(res.residentPages, pages, `mincore: ${res.residentPages} of ${pages} written pages resident`);
      assert.deepEqual(res.runs, [{ startPage: 0, pages, resident: true }]);
      const pm = m.pagemap();
      assert.equal(pm.presentPages, pages, `pagemap: ${pm.presentPages} of ${pages} written pages present`);
      assert.equal(pm.zeroPages, 0, `written pages are not the zero page, got ${pm.zeroPages}`);
      assert.equal(pm.exclusivePages, pages, `written private pages are exclusive, got ${pm.exclusivePages} of ${pages}`);
      const vma = ownVma(m);
      if (vma !== undefined) assert.equal(vma.rssBytes, pages * page, `smaps Rss ${vma.rssBytes} after writing ${pages} pages`);
      // A second write of the same pages costs nothing.
      const again = m.touch({ mode: 'write' });
      assert.equal(again.minorFaults, 0, `rewriting resident pages faulted ${again.minorFaults} times`);
    } finally {
      m.unmap();
    }
  });

  test(`reading a fresh ${label} mapping faults once per page but maps only the shared zero page`, () => {
    const m = basePages(map({ sizeBytes }));
    try {
      const r = m.touch();
      assert.equal(r.pagesTouched, pages);
      assert.equal(r.minorFaults, pages, `read ${pages} fresh pages, got ${r.minorFaults} minor faults`);
      const pm = m.pagemap();
      assert.equal(pm.presentPages, pages, `pagemap: ${pm.presentPages} of ${pages} read pages present`);
      assert.equal(pm.zeroPages, pages, `pagemap: ${pm.zeroPages} of ${pages} read pages are the zero page (${pm.zeroPageMethod})`);
      // mincore counts the zero page as resident: the witnesses disagree on purpose.
      assert.equal(m.residency().residentPages, pages, 'mincore reports zero-page mappings as resident');
      const vma = ownVma(m);
      if (vma !== undefined) {
        assert.equal(vma.rssBytes, 0, `smaps Rss of a read-only-touched mapping is ${vma.rssBytes} bytes, expected 0`);
      } else {
        assert.equal(pm.presentPages - pm.zeroPages, 0, 'merged VMA: fall back to pagemap, no private page may be present');
      }
      // Writing after reading: one copy-on-write fault per page.
      const w = m.touch({ mode: 'write' });
      assert.equal(w.minorFaults, pages, `writing ${pages} zero-page-mapped pages, got ${w.minorFaults} faults`);
      assert.equal(m.pagemap().zeroPages, 0);
    } finally {
      m.unmap();
    }
  });
}

test('an untouched mapping has no resident page, no present page and no RSS', () => {
  const m = map({ sizeBytes: 50 * page });
  try {
    assert.equal(m.residency().residentPages, 0);
    assert.deepEqual(m.residency().runs, [{ startPage: 0, pages: 50, resident: false }]);
    assert.equal(m.pagemap().presentPages, 0);
    const vma = ownVma(m);
    if (vma !== undefined) assert.equal(vma.rssBytes, 0);
  } finally {
    m.unmap();
  }
});

// Issue 10: this used to read the process-wide RSS (statm) around the write and the
// MADV_DONTNEED, ±8 MiB, which V8's own threads move. The mapping's own memory is exact:
// pagemap's private pages over the range, and smaps Rss of its VMA when the kernel did not
// merge it with a neighbour.
test('writing 64 MiB makes 64 MiB of the mapping resident, and MADV_DONTNEED gives it all back (pagemap and its VMA: exact)', () => {
  const size = 64 * MiB;
  const m = basePages(map({ sizeBytes: size }));
  try {
    const w = m.touch({ mode: 'write' });
    assert.equal(w.minorFaults, size / page);
    const written = m.pagemap();
    assert.equal((written.presentPages - written.zeroPages) * page, size, `private pages ${written.presentPages - written.zeroPages} after writing ${size / page}`);
    const vmaWritten = ownVma(m);
    if (vmaWritten !== undefined) assert.equal(vmaWritten.rssBytes, size, `smaps Rss ${vmaWritten.rssBytes} after writing ${size}`);
    const a = m.advise('dontneed');
    assert.equal(a.majorFaults, 0);
    assert.equal(m.pagemap().presentPages, 0);
    const vmaDropped = ownVma(m);
    if (vmaDropped !== undefined) assert.equal(vmaDropped.rssBytes, 0, `smaps Rss ${vmaDropped.rssBytes} after MADV_DONTNEED`);
    assert.equal(m.residency().residentPages, 0);
  } finally {
    m.unmap();
  }
});

test('with transparent huge pages, writing faults once per huge page actually used and once per base page otherwise', (t) => {
  if (thp === null) return t.skip('THP is not built into this kernel (no /sys/kernel/mm/transparent_hugepage)');
  if (thp.enabled === 'never') return t.skip('THP mode is never');
  if (thp.pmdSizeBytes === null) return t.skip('THP has no hpage_pmd_size on this kernel');
  const huge = thp.pmdSizeBytes;
  const sizeBytes = 8 * huge;
  const m = map({ sizeBytes, hugePages: true });
  try {
    assert.equal((m.address as bigint) % BigInt(huge), 0n, `hugePages mapping at 0x${(m.address as bigint).toString(16)} is not ${huge}-aligned`);
    const r = m.touch({ mode: 'write' });
    assert.equal(r.pagesTouched, sizeBytes / page);
    const vma = smapsFor(readSmaps(), m.address as bigint);
    assert.ok(vma !== undefined, 'the mapping has an smaps entry');
    assert.equal(vma.start, m.address, 'a MADV_HUGEPAGE mapping stands alone in smaps (VmFlags hg)');
    const anonHuge = vma.anonHugePagesBytes ?? 0;
    assert.ok(anonHuge > 0, `smaps AnonHugePages is ${anonHuge}: no huge page was used for an ${sizeBytes}-byte MADV_HUGEPAGE write`);
    const expected = anonHuge / huge + (sizeBytes - anonHuge) / page;
    assert.equal(r.minorFaults, expected, `AnonHugePages ${anonHuge} of ${sizeBytes} bytes: expected ${anonHuge / huge} huge + ${(sizeBytes - anonHuge) / page} base-page faults = ${expected}, got ${r.minorFaults}`);
    assert.equal(m.residency().residentPages, sizeBytes / page);
  } finally {
    m.unmap();
  }
});

test('populate: true faults every page in during mmap and a following write faults nothing', () => {
  for (const pages of [1, 37, 300]) {
    const m = basePages(map({ sizeBytes: pages * page, populate: true }));
    try {
      assert.equal(m.creation.minorFaults, pages, `MAP_POPULATE of ${pages} pages counted ${m.creation.minorFaults} faults at creation`);
      assert.equal(m.residency().residentPages, pages);
      const r = m.touch({ mode: 'write' });
      assert.equal(r.pagesTouched, pages);
      assert.equal(r.minorFaults, 0, `write after MAP_POPULATE faulted ${r.minorFaults} times`);
    } finally {
      m.unmap();
    }
  }
});

test('a mapping made without populate costs no fault at creation', () => {
  const m = map({ sizeBytes: 100 * page });
  try {
    assert.equal(m.creation.minorFaults, 0, `mmap without MAP_POPULATE faulted ${m.creation.minorFaults} times`);
    assert.equal(m.creation.majorFaults, 0);
  } finally {
    m.unmap();
  }
});

test("advise('dontneed') drops every page and the next read faults each one in again as a zero page", () => {
  const pages = 123;
  const m = basePages(map({ sizeBytes: pages * page }));
  try {
    m.touch({ mode: 'write' });
    const c = m.advise('dontneed');
    assert.deepEqual(Object.keys(c).sort(), ['elapsedNs', 'majorFaults', 'minorFaults']);
    assert.equal(m.residency().residentPages, 0, 'MADV_DONTNEED left pages resident');
    assert.equal(m.pagemap().presentPages, 0);
    const r = m.touch();
    assert.equal(r.minorFaults, pages, `reading ${pages} dropped pages faulted ${r.minorFaults} times`);
    assert.equal(m.pagemap().zeroPages, pages, 'dropped private anonymous pages read back as the zero page');
  } finally {
    m.unmap();
  }
});

test("advise('dontneed') over a page-aligned window drops exactly that window", () => {
  const m = basePages(map({ sizeBytes: 20 * page }));
  try {
    m.touch({ mode: 'write' });
    m.advise('dontneed', { offsetBytes: 5 * page, lengthBytes: 3 * page + 1 }); // rounded up to 4 pages
    const res = m.residency();
    assert.equal(res.residentPages, 16);
    assert.deepEqual(res.runs, [
      { startPage: 0, pages: 5, resident: true },
      { startPage: 5, pages: 4, resident: false },
      { startPage: 9, pages: 11, resident: true },
    ]);
  } finally {
    m.unmap();
  }
});

test('strideBytes 1 over 3 pages touches 3 pages with 3 faults', () => {
  const m = basePages(map({ sizeBytes: 3 * page }));
  try {
    const r = m.touch({ strideBytes: 1, mode: 'write' });
    assert.equal(r.pagesTouched, 3);
    assert.equal(r.minorFaults, 3, `stride 1 over 3 pages faulted ${r.minorFaults} times`);
  } finally {
    m.unmap();
  }
});

test('strideBytes of two pages over 10 pages touches every other page: 5 pages, 5 faults, alternating residency', () => {
  const m = basePages(map({ sizeBytes: 10 * page }));
  try {
    const r = m.touch({ strideBytes: 2 * page, mode: 'write' });
    assert.equal(r.pagesTouched, 5);
    assert.equal(r.minorFaults, 5, `stride 2 pages over 10 pages faulted ${r.minorFaults} times`);
    const res = m.residency();
    assert.equal(res.residentPages, 5);
    assert.equal(res.runCount, 10);
    assert.deepEqual(res.runs.map((x) => x.resident), [true, false, true, false, true, false, true, false, true, false]);
    const truncated = m.residency({ maxRuns: 3 });
    assert.equal(truncated.runs.length, 3);
    assert.equal(truncated.runCount, 10);
    assert.equal(truncated.runsTruncated, true);
    assert.equal(res.runsTruncated, false);
  } finally {
    m.unmap();
  }
});

test('a stride smaller than a page but not dividing it still touches every page in the range', () => {
  const m = basePages(map({ sizeBytes: 10 * page }));
  try {
    const stride = Math.floor(page * 0.73);
    const r = m.touch({ strideBytes: stride, mode: 'write' });
    assert.equal(r.pagesTouched, 10);
    assert.equal(r.minorFaults, 10, `stride ${stride} over 10 pages faulted ${r.minorFaults} times`);
  } finally {
    m.unmap();
  }
});

test('offsetBytes/lengthBytes windows touch and count exactly the pages they cover', () => {
  const m = basePages(map({ sizeBytes: 20 * page }));
  try {
    // 5 pages of bytes starting 100 bytes into page 3 span pages 3..8: the default
    // touch writes one byte in each of those 6 pages.
    const r = m.touch({ offsetBytes: 3 * page + 100, lengthBytes: 5 * page, mode: 'write' });
    assert.equal(r.pagesTouched, 6);
    assert.equal(r.minorFaults, 6, `a window spanning 6 pages faulted ${r.minorFaults} times`);
    assert.deepEqual(m.residency().runs, [
      { startPage: 0, pages: 3, resident: false },
      { startPage: 3, pages: 6, resident: true },
      { startPage: 9, pages: 11, resident: false },
    ]);
    assert.equal(m.residency({ offsetBytes: 3 * page, lengthBytes: 5 * page }).residentPages, 5);
    const w = m.residency({ offsetBytes: 2 * page + 1, lengthBytes: 2 * page });
    assert.equal(w.pages, 3, 'a window starting mid-page spans the pages it touches');
    assert.equal(w.residentPages, 2);
    // Two bytes straddling a page boundary: two pages.
    const s = m.touch({ offsetBytes: 12 * page - 1, lengthBytes: 2, strideBytes: 1, mode: 'write' });
    assert.equal(s.pagesTouched, 2);
    assert.equal(s.minorFaults, 2, `two bytes across a page boundary faulted ${s.minorFaults} times`);
    // An empty window at the very end touches nothing.
    const e = m.touch({ offsetBytes: 20 * page, mode: 'write' });
    assert.equal(e.pagesTouched, 0);
    assert.equal(e.minorFaults, 0);
    assert.equal(m.pagemap({ offsetBytes: 3 * page, lengthBytes: 5 * page }).presentPages, 5);
  } finally {
    m.unmap();
  }
});

test('a shared anonymous mapping faults once per page and its pages are shared memory in pagemap', () => {
  const pages = 40;
  const m = map({ sizeBytes: pages * page, shared: true });
  try {
    assert.equal(m.shared, true);
    const r = m.touch({ mode: 'write' });
    assert.equal(r.minorFaults, pages, `writing ${pages} shared pages faulted ${r.minorFaults} times`);
    const pm = m.pagemap();
    assert.equal(pm.presentPages, pages);
    assert.equal(pm.fileOrSharedPages, pages, `shared anonymous pages carry bit 61, got ${pm.fileOrSharedPages}`);
    assert.equal(pm.zeroPages, 0);
  } finally {
    m.unmap();
  }
});

test('alignBytes aligns the start address', () => {
  for (const alignBytes of [page, 64 * 1024, MiB]) {
    if (alignBytes < page) continue;
    const m = map({ sizeBytes: 3 * page, alignBytes });
    try {
      assert.equal((m.address as bigint) % BigInt(alignBytes), 0n, `0x${(m.address as bigint).toString(16)} is not aligned to ${alignBytes}`);
      assert.equal(m.touch({ mode: 'write' }).minorFaults, 3);
    } finally {
      m.unmap();
    }
  }
});

test('every advice in ADVICE works on a private anonymous mapping, or fails with a documented code', () => {
  // free (Linux 4.5+), cold and pageout (Linux 5.4+) are EINVAL on older kernels,
  // hugepage/nohugepage are EINVAL without CONFIG_TRANSPARENT_HUGEPAGE, and all five are
  // ERR_VMPROBE_UNSUPPORTED when the addon's headers did not know them.
  const mayFail: Record<string, readonly string[]> = { free: ['EINVAL', 'ERR_VMPROBE_UNSUPPORTED'], cold: ['EINVAL', 'ERR_VMPROBE_UNSUPPORTED'], pageout: ['EINVAL', 'ERR_VMPROBE_UNSUPPORTED'], hugepage: ['EINVAL', 'ERR_VMPROBE_UNSUPPORTED'], nohugepage: ['EINVAL', 'ERR_VMPROBE_UNSUPPORTED'] };
  assert.deepEqual([...ADVICE].sort(), ['cold', 'dontneed', 'free', 'hugepage', 'nohugepage', 'normal', 'pageout', 'random', 'sequential', 'willneed']);
  for (const advice of ADVICE) {
    const m = map({ sizeBytes: 8 * page });
    try {
      m.touch({ mode: 'write' });
      try {
        const c = m.advise(advice);
        assert.equal(typeof c.minorFaults, 'number', `${advice}: counters returned`);
        assert.ok(Number.isInteger(c.elapsedNs) && c.elapsedNs >= 0, `${advice}: elapsedNs ${c.elapsedNs}`);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        assert.ok(typeof code === 'string' && (mayFail[advice] ?? []).includes(code), `advise('${advice}') threw ${String(code)}: ${(err as Error).message}`);
      }
    } finally {
      m.unmap();
    }
  }
});

test("advise rejects an unaligned offset with ERR_INVALID_ARG_VALUE and an unknown advice by name", () => {
  const m = map({ sizeBytes: 4 * page });
  try {
    expectCode(() => m.advise('dontneed', { offsetBytes: 1 }), 'ERR_INVALID_ARG_VALUE', { cls: TypeError, message: /offsetBytes/ });
    expectCode(() => m.advise('dontneed', { offsetBytes: page + 7 }), 'ERR_INVALID_ARG_VALUE');
    expectCode(() => m.advise('forget' as never), 'ERR_INVALID_ARG_VALUE', { message: /'dontneed'/ });
    expectCode(() => m.advise('dontneed', { offsetBytes: 5 * page }), 'ERR_OUT_OF_RANGE', { cls: RangeError });
  } finally {
    m.unmap();
  }
});

test('after unmap() every method throws ERR_VMPROBE_CLOSED, unmap() again is a no-op, and the ArrayBuffer is detached', () => {
  const m = map({ sizeBytes: 3 * page });
  const ab = m.asArrayBuffer();
  new Uint8Array(ab).fill(9);
  const address = m.address as bigint;
  m.unmap();
  assert.equal(m.closed, true);
  assert.equal(m.address, null);
  assert.equal(ab.byteLength, 0, `the ArrayBuffer still has ${ab.byteLength} bytes after unmap()`);
  assert.throws(() => new Uint8Array(ab), TypeError, 'a view over the detached buffer cannot be made');
  const calls: Record<string, () => unknown> = {
    touch: () => m.touch(),
    'touch(write)': () => m.touch({ mode: 'write' }),
    residency: () => m.residency(),
    pagemap: () => m.pagemap(),
    advise: () => m.advise('dontneed'),
    protect: () => m.protect('read'),
    sync: () => m.sync(),
    asArrayBuffer: () => m.asArrayBuffer(),
    fileSizeBytes: () => m.fileSizeBytes(),
  };
  for (const [name, call] of Object.entries(calls)) expectCode(call, 'ERR_VMPROBE_CLOSED', { label: name, message: /unmap/ });
  m.unmap();
  m.unmap();
  // The buffer may still be reachable (a same-thread transfer could have moved its
  // memory to a buffer vmprobe cannot detach), so unmap() swapped the pages for fresh
  // zero memory: none of the written pages is resident any more. The range itself
  // goes when the buffer is collected (see the finalizer test).
  const after = native.mincoreScan(address, 3 * page, 0);
  assert.equal(after.residentPages, 0, `${after.residentPages} of 3 written pages still resident after unmap()`);
});

test('unmap() of a mapping never exposed as a buffer removes it from /proc/self/maps at once', () => {
  const m = map({ sizeBytes: 3 * page });
  m.touch({ mode: 'write' });
  const address = m.address as bigint;
  m.unmap();
  assert.equal(readMaps().some((e) => e.start <= address && address < e.end), false, 'the region is gone from /proc/self/maps');
});

test('a forgotten mapping is unmapped by its finalizer once it and its ArrayBuffer are unreachable', () => {
  // In a child with --expose-gc: the parent's heap state does not matter.
  const out = runChildJson(`
    const v = require(LIB);
    const fs = require('node:fs');
    const size = 48 * 1024 * 1024;
    const has = (a) => fs.readFileSync('/proc/self/maps', 'utf8').split('\\n').some((l) => l.startsWith(a.toString(16) + '-'));
    let m = v.map({ sizeBytes: size }); m.touch({ mode: 'write' });
    let ab = m.asArrayBuffer();
    const address = m.address;
    const mappedBefore = has(address);
    m = null;
    globalThis.gc();
    const mappedWhileBufferLives = has(address) && ab.byteLength === size;
    ab = null;
    (async () => {
      for (let i = 0; i < 20 && has(address); i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
      console.log(JSON.stringify({ mappedBefore, mappedWhileBufferLives, mappedAfter: has(address) }));
    })();
  `, { nodeArgs: ['--expose-gc'] });
  assert.deepEqual(out, { mappedBefore: true, mappedWhileBufferLives: true, mappedAfter: false });
});

test("protect() refuses to take rights away while an ArrayBuffer may reach the mapping", () => {
  const m = map({ sizeBytes: 4 * page });
  try {
    const ab = m.asArrayBuffer();
    new Uint8Array(ab)[0] = 42;
    expectCode(() => m.protect('read'), 'ERR_INVALID_ARG_VALUE', { message: /ArrayBuffer/ });
    expectCode(() => m.protect('none'), 'ERR_INVALID_ARG_VALUE', { message: /ArrayBuffer/ });
    assert.equal(m.protection, 'read-write');
    assert.equal(ab.byteLength, 4 * page, 'the buffer stays attached and usable');
    assert.equal(new Uint8Array(ab)[0], 42);
    m.protect('read-write'); // keeping the rights is allowed
  } finally {
    m.unmap();
  }
});

test("without a buffer, protect('read') refuses write touches, 'none' refuses reads, and contents survive", () => {
  const m = map({ sizeBytes: 4 * page });
  try {
    m.touch({ mode: 'write' }); // writes 1 at the start of each page
    m.protect('read');
    assert.equal(m.protection, 'read');
    expectCode(() => m.asArrayBuffer(), 'ERR_INVALID_ARG_VALUE', { message: /read-write/ });
    expectCode(() => m.touch({ mode: 'write' }), 'ERR_INVALID_ARG_VALUE', { message: /SIGSEGV/ });
    assert.equal(m.touch().pagesTouched, 4, 'reading a read-only mapping is allowed');
    m.protect('none');
    assert.equal(m.protection, 'none');
    expectCode(() => m.touch(), 'ERR_INVALID_ARG_VALUE', { message: /'read' is not allowed/ });
    expectCode(() => m.touch({ mode: 'write' }), 'ERR_INVALID_ARG_VALUE');
    assert.equal(m.residency().residentPages, 4, 'mincore still sees the pages under PROT_NONE');
    m.protect('read-write');
    const back = new Uint8Array(m.asArrayBuffer());
    assert.deepEqual([back[0], back[1], back[3 * page]], [1, 0, 1], 'contents survive the protection changes');
    expectCode(() => m.protect('rw' as never), 'ERR_INVALID_ARG_VALUE');
  } finally {
    m.unmap();
  }
});

test('a mapping created read-only or inaccessible refuses the forbidden touches', () => {
  const r = map({ sizeBytes: 2 * page, protection: 'read' });
  const n = map({ sizeBytes: 2 * page, protection: 'none' });
  try {
    expectCode(() => r.touch({ mode: 'write' }), 'ERR_INVALID_ARG_VALUE');
    const t = r.touch();
    assert.equal(t.minorFaults, 2, `reading a fresh read-only mapping faulted ${t.minorFaults} times`);
    expectCode(() => n.touch(), 'ERR_INVALID_ARG_VALUE');
    expectCode(() => n.asArrayBuffer(), 'ERR_INVALID_ARG_VALUE');
  } finally {
    r.unmap();
    n.unmap();
  }
});

test('asArrayBuffer covers the requested bytes, returns the same buffer while attached, and writes are page faults', () => {
  const m = basePages(map({ sizeBytes: 5 * page + 3 }));
  try {
    const ab = m.asArrayBuffer();
    assert.equal(ab.byteLength, 5 * page + 3);
    assert.equal(m.asArrayBuffer(), ab);
    new Uint8Array(ab)[2 * page] = 1;
    assert.deepEqual(m.residency().runs, [
      { startPage: 0, pages: 2, resident: false },
      { startPage: 2, pages: 1, resident: true },
      { startPage: 3, pages: 3, resident: false },
    ]);
    assert.equal(m.pagemap().presentPages, 1);
  } finally {
    m.unmap();
  }
});

test('the ArrayBuffer cannot be transferred away: structuredClone and postMessage either throw or copy, and it stays attached', async () => {
  // Node 21+ throws DataCloneError for an untransferable buffer in a transfer list;
  // Node 20 ignores it there and clones. Either way the mapping's buffer must stay attached.
  const m = map({ sizeBytes: 2 * page });
  try {
    const ab = m.asArrayBuffer();
    const u = new Uint8Array(ab);
    u[0] = 5;
    let clone: ArrayBuffer | undefined;
    try {
      clone = structuredClone(ab, { transfer: [ab] });
    } catch (err) {
      assert.equal((err as Error).name, 'DataCloneError', `structuredClone threw ${String(err)}`);
    }
    assert.equal(ab.byteLength, 2 * page, 'structuredClone with transfer detached the mapping buffer');
    if (clone !== undefined) {
      new Uint8Array(clone)[0] = 99;
      assert.equal(u[0], 5, 'the clone must be a copy, not the mapped memory');
    }
    const { port1, port2 } = new MessageChannel();
    try {
      const received = new Promise<unknown>((resolve) => port2.once('message', resolve));
      let threw = false;
      try {
        port1.postMessage(ab, [ab]);
      } catch (err) {
        threw = true;
        assert.equal((err as Error).name, 'DataCloneError', `postMessage threw ${String(err)}`);
      }
      assert.equal(ab.byteLength, 2 * page, 'postMessage with a transfer list detached the mapping buffer');
      if (!threw) {
        const got = (await received) as ArrayBuffer;
        new Uint8Array(got)[0] = 77;
        assert.equal(u[0], 5, 'the receiver must get a copy, not the mapped memory');
      }
    } finally {
      port1.close();
      port2.close();
    }
    u[1] = 6;
    assert.equal(m.asArrayBuffer(), ab, 'the mapping still hands out the same, attached buffer');
    assert.equal(m.pagemap({ lengthBytes: page }).zeroPages, 0, 'the write through the buffer landed in the mapping');
  } finally {
    m.unmap();
  }
});

test('file mapping: reads see the file, fileSizeBytes reports it, and each fault may bring in several cached pages', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'data.bin');
    const size = 5 * page + 100;
    const bytes = patternBytes(size);
    fs.writeFileSync(file, bytes);
    const m = mapFile(file);
    try {
      assert.equal(m.kind, 'file');
      assert.equal(m.path, file);
      assert.equal(m.shared, false);
      assert.equal(m.protection, 'read');
      assert.equal(m.sizeBytes, size);
      assert.equal(m.pages, 6);
      assert.equal(m.fileSizeBytes(), size);
      const r = m.touch();
      assert.equal(r.pagesTouched, 6);
      // Fault-around maps several cached pages per fault: between 1 and 6 faults.
      assert.ok(r.minorFaults + r.majorFaults >= 1 && r.minorFaults + r.majorFaults <= 6, `6 file pages read with ${r.minorFaults} minor + ${r.majorFaults} major faults`);
      assert.equal(m.pagemap().fileOrSharedPages, m.pagemap().presentPages, 'present file pages carry bit 61');
      expectCode(() => m.asArrayBuffer(), 'ERR_INVALID_ARG_VALUE', { message: /read-write/ });
      expectCode(() => m.touch({ mode: 'write' }), 'ERR_INVALID_ARG_VALUE');
    } finally {
      m.unmap();
    }
  });
});

test('private read-write file mapping: writes stay private, and no ArrayBuffer is handed out over a file', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'private.bin');
    const bytes = patternBytes(3 * page + 17);
    fs.writeFileSync(file, bytes);
    const m = mapFile(file, { protection: 'read-write' });
    try {
      const w = m.touch({ mode: 'write' });
      assert.equal(w.pagesTouched, 4);
      m.sync();
      assert.ok(fs.readFileSync(file).equals(bytes), 'a MAP_PRIVATE write reached the file');
      // A buffer over a file would die of SIGBUS if the file shrank: refused, with the reason.
      expectCode(() => m.asArrayBuffer(), 'ERR_VMPROBE_UNSUPPORTED', { message: /SIGBUS/ });
    } finally {
      m.unmap();
    }
  });
});

test('fileOffsetBytes maps the file from that page on; an unaligned offset is ERR_INVALID_ARG_VALUE', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'offset.bin');
    const bytes = patternBytes(4 * page);
    fs.writeFileSync(file, bytes);
    const m = mapFile(file, { fileOffsetBytes: 2 * page, shared: true, protection: 'read-write' });
    try {
      assert.equal(m.sizeBytes, 2 * page);
      m.touch({ mode: 'write' }); // one byte (value 1) at the start of each mapped page
      m.sync();
      const back = fs.readFileSync(file);
      assert.deepEqual([back[0], back[page], back[2 * page], back[3 * page], back[2 * page + 1]],
        [bytes[0], bytes[page], 1, 1, bytes[2 * page + 1]], 'only the pages from fileOffsetBytes on were written');
    } finally {
      m.unmap();
    }
    expectCode(() => mapFile(file, { fileOffsetBytes: 100 }), 'ERR_INVALID_ARG_VALUE', { message: /fileOffsetBytes/ });
  });
});

test('shared read-write file mapping: writes by touch() reach the file after sync()', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'shared.bin');
    const size = 2 * page + 50;
    fs.writeFileSync(file, Buffer.alloc(size, 0x11));
    const m = mapFile(file, { shared: true, protection: 'read-write' });
    try {
      assert.equal(m.shared, true);
      const w = m.touch({ mode: 'write', offsetBytes: page + 1, lengthBytes: size - page - 1 });
      assert.equal(w.pagesTouched, 2);
      assert.equal(w.majorFaults, 0);
      m.sync();
      const back = fs.readFileSync(file);
      assert.equal(back.length, size, 'the file size must not change');
      // touch writes 1 at the range's first byte and at each following page start.
      assert.deepEqual([back[0], back[page], back[page + 1], back[2 * page], back[size - 1]], [0x11, 0x11, 1, 1, 0x11]);
    } finally {
      m.unmap();
    }
  });
});

test('touching past the end of a file is ERR_OUT_OF_RANGE, not SIGBUS; the tail of the last page is fine', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'short.bin');
    fs.writeFileSync(file, patternBytes(page + 10));
    const m = mapFile(file, { sizeBytes: 5 * page });
    try {
      assert.equal(m.pages, 5);
      expectCode(() => m.touch(), 'ERR_OUT_OF_RANGE', { cls: RangeError, message: /SIGBUS/ });
      expectCode(() => m.touch({ offsetBytes: 2 * page, lengthBytes: 1 }), 'ERR_OUT_OF_RANGE');
      assert.equal(m.touch({ lengthBytes: 2 * page }).pagesTouched, 2, 'the page holding EOF is backed');
      assert.equal(m.touch({ offsetBytes: 2 * page - 1, lengthBytes: 1 }).pagesTouched, 1);
      assert.equal(m.residency().pages, 5, 'residency of the whole range never dereferences it');
    } finally {
      m.unmap();
    }
    const rw = mapFile(file, { sizeBytes: 5 * page, protection: 'read-write' });
    try {
      expectCode(() => rw.asArrayBuffer(), 'ERR_VMPROBE_UNSUPPORTED', { message: /file/ });
    } finally {
      rw.unmap();
    }
  });
});

test('a file truncated after mapping: touching the lost pages is ERR_OUT_OF_RANGE', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'shrinks.bin');
    fs.writeFileSync(file, patternBytes(4 * page));
    const m = mapFile(file);
    try {
      assert.equal(m.touch().pagesTouched, 4);
      fs.truncateSync(file, page);
      assert.equal(m.fileSizeBytes(), page);
      expectCode(() => m.touch(), 'ERR_OUT_OF_RANGE', { message: /SIGBUS/ });
      expectCode(() => m.touch({ offsetBytes: 3 * page }), 'ERR_OUT_OF_RANGE');
      assert.equal(m.touch({ lengthBytes: page }).pagesTouched, 1);
    } finally {
      m.unmap();
    }
  });
});

test('mapping a directory or a device is ERR_INVALID_ARG_VALUE; a missing file is ENOENT from stat', () => {
    // Directories are refused whatever the options (stat first), not EISDIR from open.
  withTempDir((dir) => {
    expectCode(() => mapFile(dir), 'ERR_INVALID_ARG_VALUE', { message: /regular file/ });
    expectCode(() => mapFile(dir, { shared: true, protection: 'read-write' }), 'ERR_INVALID_ARG_VALUE', { message: /regular file/ });
    expectCode(() => mapFile('/dev/zero', { sizeBytes: page }), 'ERR_INVALID_ARG_VALUE', { message: /regular file/ });
    const missing = path.join(dir, 'missing.bin');
    const err = expectCode(() => mapFile(missing), 'ENOENT');
    assert.equal(err.syscall, 'stat', 'the path is checked with stat(2) before open(2), so FIFOs and devices are never opened');
    assert.equal(err.errno, -2);
    assert.match(err.message, /missing\.bin/);
    const empty = path.join(dir, 'empty.bin');
    fs.writeFileSync(empty, '');
    expectCode(() => mapFile(empty), 'ERR_INVALID_ARG_VALUE', { message: /no bytes/ });
  });
});

test('a shared file mapping opened read-only cannot be made writable (EACCES from mprotect)', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'ro.bin');
    fs.writeFileSync(file, patternBytes(page));
    const m = mapFile(file, { shared: true });
    try {
      const err = expectCode(() => m.protect('read-write'), 'EACCES');
      assert.equal(err.syscall, 'mprotect');
      assert.equal(m.protection, 'read');
    } finally {
      m.unmap();
    }
  });
});

test('mapping a FIFO is refused promptly instead of blocking in open()', () => {
  withTempDir((dir) => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // In a child with a timeout: in this process the hang would stop the test runner.
    const out = runChildJson(`
      const v = require(LIB);
      try { v.mapFile(${JSON.stringify(fifo)}); console.log(JSON.stringify({ code: 'no error' })); }
      catch (e) { console.log(JSON.stringify({ code: e.code })); }
    `, { timeoutMs: 2000 });
    assert.deepEqual(out, { code: 'ERR_INVALID_ARG_VALUE' });
  });
});

test('an ArrayBuffer over a file mapping cannot kill the process when the file shrinks: none is handed out', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'shrinks-under-buffer.bin');
    fs.writeFileSync(file, Buffer.alloc(4 * page, 1));
    // In a child: if a buffer were handed out, reading the lost page would be SIGBUS.
    const out = runChildJson(`
      const v = require(LIB);
      const fs = require('node:fs');
      const m = v.mapFile(${JSON.stringify(file)}, { shared: true, protection: 'read-write' });
      let code = 'no error';
      try { const u = new Uint8Array(m.asArrayBuffer()); fs.truncateSync(${JSON.stringify(file)}, 0); u[3 * ${page}]; }
      catch (e) { code = e.code; }
      console.log(JSON.stringify({ survived: true, code }));
    `);
    assert.deepEqual(out, { survived: true, code: 'ERR_VMPROBE_UNSUPPORTED' });
  });
});

test('an ArrayBuffer longer than the runtime allows is refused with ERR_VMPROBE_UNSUPPORTED; the process lives on and unmap() still frees the range', (t) => {
  const maxLength = bufferConstants.MAX_LENGTH;
  const sizeBytes = maxLength + page;
  if (!Number.isSafeInteger(sizeBytes)) return t.skip(`this runtime's buffer.constants.MAX_LENGTH is ${maxLength}: no mapping can be longer`);
  // In a child: Node calls the buffer's finalizer even when it refuses the length, and
  // freeing its hint a second time killed the process (SIGSEGV on Node 20).
  const out = runChildJson(`
    const v = require(LIB);
    let m;
    try { m = v.map({ sizeBytes: ${sizeBytes}, noreserve: true }); }
    catch (e) { console.log(JSON.stringify({ mapped: false, code: e.code })); process.exit(0); }
    const address = m.address;
    let code = 'no error', message = '';
    try { m.asArrayBuffer(); } catch (e) { code = e.code; message = e.message; }
    m.unmap();
    globalThis.gc();
    setImmediate(() => setImmediate(() => {
      const stillMapped = v.readMaps().some((e) => e.start <= address && address < e.end);
      console.log(JSON.stringify({ mapped: true, code, message, stillMapped }));
    }));
  `, { nodeArgs: ['--expose-gc'] }) as { mapped: boolean; code: string; message?: string; stillMapped?: boolean };
  if (!out.mapped) return t.skip(`this host will not map ${sizeBytes} bytes even with MAP_NORESERVE (${out.code})`);
  assert.equal(out.code, 'ERR_VMPROBE_UNSUPPORTED', `asArrayBuffer() of ${sizeBytes} bytes: ${out.message}`);
  assert.match(out.message ?? '', new RegExp(`ArrayBuffer of ${sizeBytes} bytes`));
  assert.equal(out.stillMapped, false, 'the range is gone from /proc/self/maps once unmapped and the refused buffer finalized');
});
