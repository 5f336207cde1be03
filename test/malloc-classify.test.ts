import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { addressWitness, arenaHeapReserve, classifyBlock, flagsWitness, mapsWitness } from '../lib/malloc/classify';
import { parseMaps } from '../lib/proc/maps';
import { renderSourceChart } from '../lib/render/malloc-chart';

// A heap, a thread-arena heap (64 MiB reservation: 132 KiB rw + PROT_NONE rest, aligned),
// an mmapped chunk, and a file.
const MAPS = parseMaps([
  '55d0c0000000-55d0c0100000 rw-p 00000000 00:00 0                          [heap]',
  '7f0000000000-7f0000021000 rw-p 00000000 00:00 0 ',
  '7f0000021000-7f0004000000 ---p 00000000 00:00 0 ',
  '7f1000000000-7f1000101000 rw-p 00000000 00:00 0 ',
  '7f2000000000-7f2000001000 r--p 00000000 fd:01 1234                       /usr/lib/libc.so.6',
].join('\n'));
const CTX = { programBreak: 0x55d0c00f0000n, maps: MAPS };

test('the flags witness reads IS_MMAPPED and NON_MAIN_ARENA', () => {
  assert.equal(flagsWitness({ isMmapped: true, nonMainArena: false }), 'mmap');
  assert.equal(flagsWitness({ isMmapped: false, nonMainArena: true }), 'thread-arena');
  assert.equal(flagsWitness({ isMmapped: false, nonMainArena: false }), 'brk');
});

test('the address witness puts [heap start, break) in brk and the rest in the mmap area', () => {
  assert.equal(addressWitness(0x55d0c0001000n, CTX), 'brk');
  assert.equal(addressWitness(0x55d0c00f0000n, CTX), 'mmap-area', 'the break itself is outside');
  assert.equal(addressWitness(0x7f1000000010n, CTX), 'mmap-area');
});

test('the maps witness tells [heap], a thread-arena heap (with its reserve size), an own mapping, a file and a hole apart', () => {
  assert.deepEqual(mapsWitness(0x55d0c0000100n, MAPS), { witness: 'brk', arenaHeapReserveBytes: null });
  assert.deepEqual(mapsWitness(0x7f0000000900n, MAPS), { witness: 'thread-arena', arenaHeapReserveBytes: 64 * 1024 * 1024 });
  assert.deepEqual(mapsWitness(0x7f1000000010n, MAPS), { witness: 'mmap', arenaHeapReserveBytes: null });
  assert.equal(mapsWitness(0x7f2000000010n, MAPS).witness, 'other');
  assert.equal(mapsWitness(0x10n, MAPS).witness, 'unmapped');
  // A rw mapping followed by PROT_NONE but not aligned to their joint size is not an arena heap.
  const unaligned = parseMaps('7f1000001000-7f1000002000 rw-p 00000000 00:00 0 \n7f1000002000-7f1000005000 ---p 00000000 00:00 0 ');
  assert.equal(arenaHeapReserve(unaligned[0]!, unaligned), null);
});

test('classifyBlock agrees when the witnesses agree and reports "disputed" with all three when they do not', () => {
  const ok = classifyBlock(0x7f1000000010n, { isMmapped: true, nonMainArena: false }, CTX);
  assert.equal(ok.source, 'mmap');
  assert.equal(ok.agree, true);
  const bad = classifyBlock(0x55d0c0000100n, { isMmapped: true, nonMainArena: false }, CTX);
  assert.equal(bad.source, 'disputed');
  assert.equal(bad.agree, false);
  assert.deepEqual(bad.witnesses, { flags: 'mmap', address: 'brk', maps: 'brk' });
});

test('the source chart puts each size on a log axis in its source row and marks the crossover', () => {
  const chart = renderSourceChart([
    { sizeBytes: 16, source: 'brk' }, { sizeBytes: 1024, source: 'brk' }, { sizeBytes: 65536, source: 'mmap' }, { sizeBytes: 4194304, source: 'mmap' },
  ], 65536, 33);
  const lines = chart.split('\n');
  const brk = lines.find((l) => l.trimStart().startsWith('brk')) ?? '';
  const mmap = lines.find((l) => l.trimStart().startsWith('mmap')) ?? '';
  const cells = (l: string): string => l.slice(l.length - 33);
  // 16 B … 4 MiB is 18 octaves over 33 columns: 1 KiB is 6 octaves in, 64 KiB 12.
  assert.equal(cells(brk).indexOf('█'), 0, chart);
  assert.equal(cells(brk).lastIndexOf('█'), Math.round((6 / 18) * 32), chart);
  assert.equal(cells(mmap).indexOf('█'), Math.round((12 / 18) * 32), chart);
  assert.equal(cells(mmap).lastIndexOf('█'), 32, chart);
  assert.match(chart, /▲ 64\.0 KiB/);
  assert.ok(!chart.includes('thread-arena'), 'an empty thread-arena row is left out');
});
