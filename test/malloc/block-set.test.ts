// Block sets (lib/malloc/block-set.ts): N blocks in one call, freed by selection, classified
// together, with tables outside the measured heap — and the issue-10 scenario: 200,000
// blocks of 1 KiB, all freed but the last, then malloc_trim(0), in a child process.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as v from '../../lib/index';
import { expectCode } from '../helpers/expect-code';

const libc = v.readHostInfo().libc;
const glibcMalloc = libc.name === 'glibc' && libc.replacementAllocator === null;

test('mallocBlocks: count, bytes, a size pattern, and free by index, range and pattern', () => {
  const set = v.mallocBlocks({ count: 12, sizesBytes: [16, 100, 1000] });
  try {
    assert.equal(set.count, 12);
    assert.equal(set.bytes, 4 * (16 + 100 + 1000));
    assert.deepEqual([set.block(0).sizeBytes, set.block(1).sizeBytes, set.block(5).sizeBytes], [16, 100, 1000]);
    assert.deepEqual(pick(set.free({ index: 3 })), { freedBlocks: 1, freedBytes: 16 });
    assert.equal(set.block(3).address, null);
    assert.deepEqual(pick(set.free({ index: 3 })), { freedBlocks: 0, freedBytes: 0 }, 'an already freed block is skipped');
    // every 3rd from 0: indices 0, 3 (gone), 6, 9
    assert.deepEqual(pick(set.free({ every: 3 })), { freedBlocks: 3, freedBytes: 48 });
    // all but one in 3 over [1, 7): frees 2, 5 (keeps 1, 4)
    assert.deepEqual(pick(set.free({ start: 1, end: 7, every: 3, except: true })), { freedBlocks: 2, freedBytes: 2000 });
    assert.equal(set.liveCount, 12 - 6);
    assert.equal(set.liveBytes, set.bytes - 16 * 4 - 2000);
    assert.deepEqual(pick(set.free('all')), { freedBlocks: 6, freedBytes: 3 * 100 + 2 * 1000 + 100 });
    assert.equal(set.liveCount, 0);
  } finally {
    set.close();
  }
});

function pick(r: v.BlockSetFreeResult): { freedBlocks: number; freedBytes: number } {
  return { freedBlocks: r.freedBlocks, freedBytes: r.freedBytes };
}

test('mallocBlocks: every bad input is a coded error; close is idempotent; use after close is ERR_VMPROBE_CLOSED', () => {
  expectCode(() => v.mallocBlocks({ count: 0, sizeBytes: 8 }), 'ERR_OUT_OF_RANGE');
  expectCode(() => v.mallocBlocks({ count: 2 ** 26 + 1, sizeBytes: 8 }), 'ERR_OUT_OF_RANGE');
  expectCode(() => v.mallocBlocks({ count: 1 } as v.MallocBlocksOptions), 'ERR_INVALID_ARG_TYPE');
  expectCode(() => v.mallocBlocks({ count: 1, sizeBytes: 8, sizesBytes: [8] }), 'ERR_INVALID_ARG_VALUE');
  expectCode(() => v.mallocBlocks({ count: 1, sizesBytes: [] }), 'ERR_OUT_OF_RANGE');
  expectCode(() => v.mallocBlocks({ count: 1, sizesBytes: [8, 0] }), 'ERR_OUT_OF_RANGE');
  expectCode(() => v.mallocBlocks({ count: 1, sizeBytes: 1.5 }), 'ERR_OUT_OF_RANGE');
  expectCode(() => v.mallocBlocks({ count: 1, sizeBytes: 8, extra: 1 } as v.MallocBlocksOptions), 'ERR_INVALID_ARG_VALUE');
  const set = v.mallocBlocks({ count: 4, sizeBytes: 32 });
  expectCode(() => set.free({ index: 4 }), 'ERR_OUT_OF_RANGE');
  expectCode(() => set.free({ start: 3, end: 2 }), 'ERR_OUT_OF_RANGE');
  expectCode(() => set.free({ every: 2, phase: 2 }), 'ERR_OUT_OF_RANGE');
  expectCode(() => set.free({ every: 0 }), 'ERR_OUT_OF_RANGE');
  expectCode(() => set.block(-1), 'ERR_OUT_OF_RANGE');
  expectCode(() => set.summary({ arenaHeapBytes: 3 }), 'ERR_INVALID_ARG_VALUE');
  const live = v.liveHandles().blockSets;
  set.close();
  set.close();
  assert.equal(v.liveHandles().blockSets, live - 1);
  assert.equal(set.closed, true);
  expectCode(() => set.free('all'), 'ERR_VMPROBE_CLOSED');
  expectCode(() => set.summary(), 'ERR_VMPROBE_CLOSED');
});

test('mallocBlocks: small blocks come from brk and mmap-sized ones from mmap, by both witnesses at once', (t) => {
  if (!glibcMalloc) return t.skip('needs glibc malloc (chunk headers)');
  const big = 64 * 1024 * 1024; // above any dynamic threshold glibc allows (32 MiB max on 64-bit)
  const set = v.mallocBlocks({ count: 6, sizesBytes: [64, big] });
  try {
    const s = set.summary();
    assert.deepEqual(s.flags, { brk: 3, mmap: 3, threadArena: 0 }, JSON.stringify(s.flags));
    assert.deepEqual(s.agreed, s.flags, 'address witness agrees with the flags');
    assert.equal(s.disputed, 0);
    assert.ok(s.usableBytes >= set.bytes, `usable ${s.usableBytes} >= requested ${set.bytes}`);
  } finally {
    set.close();
  }
});

test('the apparatus allocates nothing between the blocks: 1 KiB blocks sit one chunk apart, unlike one HeapBlock per block', (t) => {
  if (!glibcMalloc) return t.skip('needs glibc malloc (chunk layout)');
  const n = 1000;
  const set = v.mallocBlocks({ count: n, sizeBytes: 1024 });
  const blocks = Array.from({ length: n }, () => v.malloc({ sizeBytes: 1024 }));
  try {
    const chunk = BigInt((set.block(0).usableSizeBytes ?? 0) + 8);
    let setAdjacent = 0;
    let handleAdjacent = 0;
    for (let i = 1; i < n; i++) {
      if ((set.block(i).address ?? 0n) - (set.block(i - 1).address ?? 0n) === chunk) setAdjacent++;
      if (((blocks[i] as v.HeapBlock).address ?? 0n) - ((blocks[i - 1] as v.HeapBlock).address ?? 0n) === chunk) handleAdjacent++;
    }
    // A few gaps differ where a request was served from a free chunk of this busy test
    // process's bins; a HeapBlock's wrapper and reference are malloc'd between blocks.
    assert.ok(setAdjacent >= 0.95 * (n - 1), `block set: ${setAdjacent} of ${n - 1} neighbours one ${chunk} B chunk apart`);
    assert.ok(handleAdjacent < 0.5 * (n - 1), `HeapBlocks: ${handleAdjacent} of ${n - 1} neighbours adjacent (the wrappers should sit between them)`);
  } finally {
    set.close();
    for (const b of blocks) b.free();
  }
});

// Tolerance: the 199,999 freed blocks are one run of 199,999 × 1,040 B chunks that
// coalesce into one free chunk; malloc_trim(0) (glibc malloc.c mtrim) madvises away
// every whole page inside it. What stays: the partial pages at the run's two ends, the
// last block's page, and whatever Node's own allocations (the smaps reads' buffers)
// hold in the run — a few pages. Measured on the development machine (Node 20/24,
// glibc 2.36): [heap] Rss 210.6 MiB → 2.5 MiB, a drop of 101.6 % of the 204.8 MB freed
// (the drop includes the fill's pages of free chunks' headers). We assert >= 90 % of the
// freed bytes come back, and compare with the C figure of the issue (~3 MB left).
test('200,000 × 1 KiB, all freed but the last: malloc_trim(0) returns most of the freed bytes ([heap] smaps Rss, in a child)', (t) => {
  if (!glibcMalloc) return t.skip('needs glibc malloc (malloc_trim)');
  const lib = path.join(__dirname, '..', '..', 'lib', 'index.js');
  const script = `
    const v = require(${JSON.stringify(lib)});
    const heapRss = () => v.readSmaps('self').find((e) => e.path === '[heap]')?.rssBytes ?? 0;
    const set = v.mallocBlocks({ count: 200000, sizeBytes: 1024, fill: true });
    const loaded = heapRss();
    const freed = set.free({ end: 199999 });
    const before = heapRss();
    const trimmed = v.mallocTrim(0);
    const after = heapRss();
    console.log(JSON.stringify({ loaded, before, after, trimmed, freedBytes: freed.freedBytes, live: set.liveCount }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as
    { loaded: number; before: number; after: number; trimmed: boolean; freedBytes: number; live: number };
  const numbers = JSON.stringify(out);
  assert.equal(out.live, 1, numbers);
  assert.equal(out.freedBytes, 199_999 * 1024, numbers);
  assert.ok(out.loaded >= out.freedBytes, `the filled blocks were resident: ${numbers}`);
  assert.equal(out.trimmed, true, `malloc_trim(0) returned memory: ${numbers}`);
  const returned = out.before - out.after;
  assert.ok(returned >= 0.9 * out.freedBytes, `malloc_trim(0) returned ${returned} B of ${out.freedBytes} B freed (>= 90 % expected): ${numbers}`);
});
