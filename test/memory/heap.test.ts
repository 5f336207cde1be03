// Tests for lib/memory/heap.ts (native/heap.cc): malloc/calloc blocks owned by a handle,
// measured touches, residency and pagemap of the pages a block spans, and free().
//
// A block above glibc's mmap threshold (128 KiB by default, 64 MiB here) gets a mapping
// of its own: its first page holds malloc's chunk header (written by malloc), the rest
// is untouched until the program writes it. Blocks start 16 bytes past a page boundary
// there, so exact fault counts use ranges that start on the first page boundary inside.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { malloc, pageSizeBytes, readThpSettings, HeapBlock } from '../../lib/index';
import { native } from '../../lib/native/loader';
import { readSmaps, smapsFor } from '../../lib/index';
import { expectCode } from '../helpers/expect-code';
import * as path from 'node:path';
import { mallinfo2, mallocTrim, mallopt, programBreak, requireGlibc } from '../../lib/malloc/control';
import { requireResult, runChild } from '../../lib/child/spawn';

const page = pageSizeBytes();
const MiB = 1024 * 1024;
const BIG = 64 * MiB;

/** Bytes from the block's start to the first page boundary inside it. */
function toPageBoundary(block: HeapBlock): number {
  const into = Number((block.address as bigint) % BigInt(page));
  return into === 0 ? 0 : page - into;
}

/** Pages spanned by `[address + offset, address + offset + length)`. */
function spannedPages(address: bigint, offset: number, length: number): number {
  if (length === 0) return 0;
  const first = (address + BigInt(offset)) / BigInt(page);
  const last = (address + BigInt(offset + length - 1)) / BigInt(page);
  return Number(last - first) + 1;
}

test('malloc and calloc return open blocks with usableSizeBytes >= sizeBytes', () => {
  for (const sizeBytes of [1, 24, 100, 4095, page + 1, 200 * 1024, 3 * MiB + 5]) {
    for (const zeroed of [false, true]) {
      const b = malloc({ sizeBytes, zeroed });
      try {
        assert.equal(b.sizeBytes, sizeBytes);
        assert.ok(b.usableSizeBytes >= sizeBytes, `${zeroed ? 'calloc' : 'malloc'}(${sizeBytes}): usable ${b.usableSizeBytes} < requested`);
        assert.ok(b.usableSizeBytes < sizeBytes + page + 64, `usable size ${b.usableSizeBytes} is far above ${sizeBytes}`);
        assert.equal(typeof b.address, 'bigint');
        assert.equal((b.address as bigint) % 16n, 0n, `glibc aligns blocks to 16 bytes, got 0x${(b.address as bigint).toString(16)}`);
        assert.equal(b.closed, false);
        assert.deepEqual(Object.keys(b.creation).sort(), ['elapsedNs', 'majorFaults', 'minorFaults']);
      } finally {
        b.free();
      }
    }
  }
});

test('a large untouched malloc block has at most one resident page (the chunk header), and writing it makes all resident', () => {
  const b = malloc({ sizeBytes: BIG });
  try {
    const pages = spannedPages(b.address as bigint, 0, BIG);
    const res = b.residency();
    assert.equal(res.pages, pages);
    assert.ok(res.residentPages <= 1, `untouched ${BIG}-byte block: ${res.residentPages} pages resident, expected at most the header page`);
    const pm = b.pagemap();
    assert.ok(pm.presentPages - pm.zeroPages <= 1, `untouched block: ${pm.presentPages - pm.zeroPages} private pages present`);
    b.touch({ mode: 'write' });
    b.touch({ offsetBytes: BIG - 1, mode: 'write' }); // the last page holds only the final bytes
    const after = b.residency();
    assert.equal(after.residentPages, pages, `after writing every page: ${after.residentPages} of ${pages} resident`);
    assert.equal(b.pagemap().zeroPages, 0);
  } finally {
    b.free();
  }
});

const THP = readThpSettings();
const THP_ALWAYS = THP?.enabled === 'always';

/**
 * Under THP 'always', the pages of [address, address + pages * page) split into whole
 * PMD blocks that lie inside the VMA (one fault each, a huge page or the huge zero page)
 * and the rest (one fault per page). Returns both counts; `hugeBlocks` is 0 in other modes.
 */
function hugeGeometry(address: bigint, pages: number, vma: { start: bigint; end: bigint }): { hugeBlocks: number; pagesInHugeBlocks: number } {
  if (!THP_ALWAYS || THP?.pmdSizeBytes == null) return { hugeBlocks: 0, pagesInHugeBlocks: 0 };
  const pmd = BigInt(THP.pmdSizeBytes);
  const blocks = new Set<bigint>();
  let pagesInHugeBlocks = 0;
  for (let i = 0; i < pages; i++) {
    const a = address + BigInt(i * page);
    const block = a - (a % pmd);
    if (block >= vma.start && block + pmd <= vma.end) {
      blocks.add(block);
      pagesInHugeBlocks++;
    }
  }
  return { hugeBlocks: blocks.size, pagesInHugeBlocks };
}

function vmaOf(address: bigint): { start: bigint; end: bigint; anonHugePagesBytes: number } {
  const v = smapsFor(readSmaps('self'), address);
  assert.ok(v !== undefined, `no VMA holds 0x${address.toString(16)}`);
  return { start: v.start, end: v.end, anonHugePagesBytes: v.anonHugePagesBytes ?? 0 };
}

test('writing k fresh pages of a large malloc block faults exactly k times (once per huge page where THP always backs a whole one)', () => {
  const b = malloc({ sizeBytes: BIG });
  try {
    const start = toPageBoundary(b);
    for (const k of [1, 37, 1000]) {
      const offsetBytes = start + 2000 * page * (k === 1 ? 0 : k === 37 ? 1 : 2);
      const address = (b.address as bigint) + BigInt(offsetBytes);
      const before = vmaOf(address);
      const g = hugeGeometry(address, k, before);
      const r = b.touch({ offsetBytes, lengthBytes: k * page, mode: 'write' });
      assert.equal(r.pagesTouched, k);
      const newHugeBytes = vmaOf(address).anonHugePagesBytes - before.anonHugePagesBytes;
      const geometry = `${g.hugeBlocks} whole huge pages in range (${g.pagesInHugeBlocks} of its pages), AnonHugePages +${newHugeBytes}`;
      if (g.hugeBlocks === 0) assert.equal(r.minorFaults, k, `wrote ${k} fresh pages of a malloc block, got ${r.minorFaults} faults`);
      else if (newHugeBytes === g.hugeBlocks * (THP?.pmdSizeBytes ?? 0)) {
        assert.equal(r.minorFaults, g.hugeBlocks + (k - g.pagesInHugeBlocks), `wrote ${k} pages: ${r.minorFaults} faults; ${geometry}`);
      } else {
        // A huge page could not be allocated (fragmentation): those blocks fell back to one fault per page.
        assert.ok(r.minorFaults > g.hugeBlocks + (k - g.pagesInHugeBlocks) && r.minorFaults <= k, `wrote ${k} pages: ${r.minorFaults} faults; ${geometry}`);
      }
      assert.equal(b.residency({ offsetBytes, lengthBytes: k * page }).residentPages, k);
    }
  } finally {
    b.free();
  }
});

test('a large calloc block reads as zero pages: one fault per page (per huge zero page under THP always) and no private memory', (t) => {
  const b = malloc({ sizeBytes: BIG, zeroed: true });
  try {
    const k = 300;
    const offsetBytes = toPageBoundary(b);
    const address = (b.address as bigint) + BigInt(offsetBytes);
    const vma = vmaOf(address);
    const g = hugeGeometry(address, k, vma);
    const header = hugeGeometry(b.address as bigint, 1, vma);
    if (header.hugeBlocks > 0 && g.hugeBlocks > 0) return t.skip("THP always: malloc's header write backed the block's first huge page with memory");
    if (g.hugeBlocks > 0 && THP?.useZeroPage !== true) return t.skip('THP always with use_zero_page=0: a read allocates a huge page');
    const r = b.touch({ offsetBytes, lengthBytes: k * page });
    assert.equal(r.minorFaults, g.hugeBlocks + (k - g.pagesInHugeBlocks), `read ${k} fresh calloc pages, got ${r.minorFaults} faults (${g.hugeBlocks} whole huge pages in range)`);
    const pm = b.pagemap({ offsetBytes, lengthBytes: k * page });
    assert.equal(pm.presentPages, k);
    assert.equal(pm.zeroPages, k, `calloc skips memset on fresh mmap memory: ${pm.zeroPages} of ${k} read pages are the zero page`);
  } finally {
    b.free();
  }
});

test('pagemap of a block with entries: true returns one decoded entry per spanned page', () => {
  const b = malloc({ sizeBytes: 10 * page });
  try {
    const pm = b.pagemap({ entries: true });
    assert.equal(pm.pages, spannedPages(b.address as bigint, 0, 10 * page));
    assert.equal(pm.entries?.length, pm.pages);
  } finally {
    b.free();
  }
});

test('pagesTouched counts the pages a small-stride touch of an unaligned block really spans', () => {
  // A 64 MiB block is always mmapped by glibc and starts 16 bytes into its first page:
  // two pages' worth of bytes from its start span three pages.
  const b = malloc({ sizeBytes: BIG });
  try {
    const expected = spannedPages(b.address as bigint, 0, 2 * page);
    const r = b.touch({ lengthBytes: 2 * page, strideBytes: 1, mode: 'write' });
    assert.equal(b.residency({ lengthBytes: 2 * page }).residentPages, expected, 'every spanned page was written');
    assert.equal(r.pagesTouched, expected, `bytes [0, ${2 * page}) of the block at 0x${(b.address as bigint).toString(16)} span ${expected} pages, touch reported ${r.pagesTouched}`);
  } finally {
    b.free();
  }
});

test('malloc of a large block faults once, for the chunk header it writes', (t) => {
  const libc = native.libc();
  if (libc.name !== 'glibc') return t.skip(`the C library is ${libc.name}, not glibc, whose mmapped chunks have a 16-byte header`);
  for (const zeroed of [false, true]) {
    const b = malloc({ sizeBytes: BIG, zeroed });
    try {
      assert.equal(b.creation.minorFaults, 1, `${zeroed ? 'calloc' : 'malloc'}(${BIG}) faulted ${b.creation.minorFaults} times`);
      assert.equal(Number((b.address as bigint) % BigInt(page)), 16, 'an mmapped chunk starts after its 16-byte header');
    } finally {
      b.free();
    }
  }
});

test('touch stays inside the requested size: out-of-bounds ranges are ERR_OUT_OF_RANGE', () => {
  const b = malloc({ sizeBytes: 100 });
  try {
    assert.equal(b.touch({ strideBytes: 1, mode: 'write' }).pagesTouched >= 1, true);
    expectCode(() => b.touch({ offsetBytes: 101 }), 'ERR_OUT_OF_RANGE', { cls: RangeError });
    expectCode(() => b.touch({ lengthBytes: 101 }), 'ERR_OUT_OF_RANGE');
    expectCode(() => b.touch({ offsetBytes: 50, lengthBytes: 51 }), 'ERR_OUT_OF_RANGE');
    expectCode(() => b.touch({ lengthBytes: b.usableSizeBytes + 1 }), 'ERR_OUT_OF_RANGE');
    assert.equal(b.touch({ offsetBytes: 100 }).pagesTouched, 0);
    expectCode(() => b.residency({ offsetBytes: 101 }), 'ERR_OUT_OF_RANGE');
    expectCode(() => b.pagemap({ lengthBytes: 101 }), 'ERR_OUT_OF_RANGE');
    expectCode(() => b.touch({ mode: 'execute' as never }), 'ERR_INVALID_ARG_VALUE');
  } finally {
    b.free();
  }
});

test('free() is idempotent, nulls the address, and every later use throws ERR_VMPROBE_CLOSED', () => {
  const b = malloc({ sizeBytes: 1000 });
  b.free();
  assert.equal(b.closed, true);
  assert.equal(b.address, null);
  assert.equal(b.sizeBytes, 1000);
  b.free();
  b.free();
  for (const [name, call] of Object.entries({ touch: () => b.touch(), write: () => b.touch({ mode: 'write' }), residency: () => b.residency(), pagemap: () => b.pagemap() })) {
    expectCode(call, 'ERR_VMPROBE_CLOSED', { label: name, message: /free\(\)/ });
  }
});

test('malloc of an impossible size fails with ENOMEM from malloc, calloc from calloc', () => {
  const m = expectCode(() => malloc({ sizeBytes: 2 ** 52 }), 'ENOMEM');
  assert.equal(m.syscall, 'malloc');
  assert.equal(m.errno, -12);
  const c = expectCode(() => malloc({ sizeBytes: 2 ** 52, zeroed: true }), 'ENOMEM');
  assert.equal(c.syscall, 'calloc');
});

// --- HeapBlock alignment, realloc and glibc's malloc controls (formerly malloc-heap.test.ts) ---
const TASKS = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'malloc', 'tasks.js');
const glibc = native.libc().name === 'glibc';
const skipNoGlibc = glibc ? false : `needs glibc (this C library is ${native.libc().name})`;

test('posix_memalign: the block starts on the requested alignment', () => {
  const page = pageSizeBytes();
  const b = malloc({ sizeBytes: 100, alignBytes: page });
  assert.equal((b.address as bigint) % BigInt(page), 0n, `address 0x${(b.address as bigint).toString(16)}`);
  assert.ok(b.usableSizeBytes >= 100);
  b.free();
});

test('alignBytes must be a power of two, and not combined with zeroed', () => {
  assert.throws(() => malloc({ sizeBytes: 8, alignBytes: 24 }), { code: 'ERR_INVALID_ARG_VALUE', message: /power of two/ });
  assert.throws(() => malloc({ sizeBytes: 8, alignBytes: 16, zeroed: true }), { code: 'ERR_INVALID_ARG_VALUE', message: /zeroed/ });
  assert.throws(() => new native.HeapBlock({ sizeBytes: 8, alignBytes: 12 }), { code: 'ERR_INVALID_ARG_VALUE', message: /multiple of/ });
  assert.throws(() => malloc({ sizeBytes: 8, drainTop: 'yes' as unknown as boolean }), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('realloc resizes the block, reports whether it moved, and keeps the old block on bad input', () => {
  const b = malloc({ sizeBytes: 24 });
  const before = b.address;
  const grown = b.realloc(64 * 1024);
  assert.equal(b.sizeBytes, 64 * 1024);
  assert.ok(b.usableSizeBytes >= 64 * 1024, `usable ${b.usableSizeBytes}`);
  assert.equal(grown.moved, b.address !== before);
  b.touch({ mode: 'write' });
  assert.throws(() => b.realloc(0), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => b.realloc(1.5), { code: 'ERR_OUT_OF_RANGE' });
  assert.equal(b.sizeBytes, 64 * 1024, 'a refused realloc leaves the block as it was');
  b.free();
  assert.throws(() => b.realloc(10), { code: 'ERR_VMPROBE_CLOSED' });
});

test('chunkHeader decodes the size word: chunk = usable + one word, PREV_INUSE/IS_MMAPPED/NON_MAIN_ARENA as bits', { skip: skipNoGlibc }, () => {
  const b = malloc({ sizeBytes: 212 });
  const h = b.chunkHeader();
  assert.equal(h.chunkSizeBytes, b.usableSizeBytes + h.headerWordBytes, JSON.stringify(h));
  assert.equal(BigInt(h.rawSizeField) & ~7n, BigInt(h.chunkSizeBytes));
  assert.equal((BigInt(h.rawSizeField) & 1n) === 1n, h.prevInuse);
  assert.equal((BigInt(h.rawSizeField) & 2n) === 2n, h.isMmapped);
  assert.equal((BigInt(h.rawSizeField) & 4n) === 4n, h.nonMainArena);
  assert.equal(h.isMmapped, false);
  assert.equal(h.mmapOffsetBytes, null);
  b.free();
  assert.throws(() => b.chunkHeader(), { code: 'ERR_VMPROBE_CLOSED' });
});

test('drainTop: the fillers that used up the top chunk are owned and freed with the block', { skip: skipNoGlibc }, () => {
  const b = malloc({ sizeBytes: 4096, drainTop: true });
  assert.ok(b.drainedTopBytes >= 0);
  assert.ok(mallinfo2().topReleasableBytes >= 0);
  b.free();
  b.free();
  assert.equal(b.closed, true);
});

test('programBreak and mallinfo2 read the process without changing it', { skip: skipNoGlibc }, () => {
  const brk = programBreak();
  assert.equal(typeof brk, 'bigint');
  assert.ok(brk > 0n);
  const info = mallinfo2();
  for (const [k, v] of Object.entries(info)) assert.ok(Number.isInteger(v) && v >= 0, `${k} = ${v}`);
  assert.ok(info.arenaBytes > 0, 'the main arena has memory from the system');
});

test('mallopt and malloc_trim validate their arguments in TypeScript and in native code', { skip: skipNoGlibc }, () => {
  assert.throws(() => mallopt('M_NOPE' as 'M_TOP_PAD', 1), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => mallopt('M_TOP_PAD', 2 ** 31), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => mallopt('M_TOP_PAD', 1.5), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => native.mallopt('M_TOP_PAD', Number.NaN), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => native.mallopt('nope' as 'M_TOP_PAD', 1), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => mallocTrim(-1), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => native.mallocTrim(-1), { code: 'ERR_OUT_OF_RANGE' });
});

test('the glibc-only calls throw ERR_VMPROBE_UNSUPPORTED naming the C library on another libc', () => {
  assert.throws(() => requireGlibc('mallopt', { name: 'musl', version: '1.2.4' }), { code: 'ERR_VMPROBE_UNSUPPORTED', message: /mallopt .*musl 1\.2\.4/ });
  assert.doesNotThrow(() => requireGlibc('mallopt', { name: 'glibc', version: '2.36' }));
});

test('in a fresh child a 1 KiB block is brk and a 1 MiB block is mmap, all three witnesses agreeing', { skip: skipNoGlibc }, async () => {
  const r = requireResult(await runChild<{ small: { source: string; agree: boolean; witnesses: unknown }; large: { source: string; agree: boolean; witnesses: unknown; header: { mmapOffsetBytes: number | null; chunkSizeBytes: number }; usableSizeBytes: number } }>(TASKS, 'fresh', null), 'fresh blocks');
  assert.equal(r.small.source, 'brk', JSON.stringify(r.small));
  assert.equal(r.small.agree, true);
  assert.equal(r.large.source, 'mmap', JSON.stringify(r.large));
  assert.equal(r.large.agree, true);
  assert.equal(r.large.header.mmapOffsetBytes, 0, 'malloc places an mmapped chunk at the start of its mapping');
  assert.equal(r.large.header.chunkSizeBytes % pageSizeBytes(), 0, 'an mmapped chunk spans whole pages');
});

test('in a child: mallopt(M_MMAP_THRESHOLD) is accepted and moves where requests go; malloc_trim returns memory', { skip: skipNoGlibc }, async () => {
  const r = requireResult(await runChild<{ acceptedThreshold: boolean; belowMmapped: boolean; aboveMmapped: boolean; trimmed: boolean }>(TASKS, 'controls', null), 'malloc controls');
  assert.equal(r.acceptedThreshold, true);
  assert.equal(r.belowMmapped, false, '200 KiB under a 256 KiB threshold comes from brk');
  assert.equal(r.aboveMmapped, true, '300 KiB over a 256 KiB threshold comes from mmap');
  assert.equal(r.trimmed, true, 'malloc_trim(0) after freeing 63 touched 60 KiB blocks below the top');
});

test('no leak: 5,000 rounds of malloc/realloc/chunkHeader/free and the statistics calls leave the heap as it was (±2 MiB)', { skip: skipNoGlibc }, () => {
  const inUse = (): number => mallinfo2().inUseBytes;
  const before = inUse();
  for (let i = 0; i < 5000; i++) {
    const b = malloc({ sizeBytes: 64 + (i % 512), drainTop: i % 100 === 0 });
    b.realloc(1024 + (i % 4096));
    b.chunkHeader();
    b.free();
    programBreak();
    if (i % 500 === 0) native.mallocInfo();
  }
  const grownBytes = inUse() - before;
  // The JS wrappers' small native objects wait for V8's GC, hence the tolerance.
  assert.ok(grownBytes < 2 * 1024 * 1024, `in-use bytes grew by ${grownBytes}`);
});
