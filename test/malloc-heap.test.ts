import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { malloc } from '../lib/memory/heap';
import { native } from '../lib/native/loader';
import { mallinfo2, mallocTrim, mallopt, programBreak, requireGlibc } from '../lib/malloc/control';
import { requireResult, runChild } from '../lib/child/spawn';
import { pageSizeBytes } from '../lib/system/usage';

const TASKS = path.join(__dirname, '..', '..', 'test', 'fixtures', 'malloc', 'tasks.js');
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
