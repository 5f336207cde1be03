import { execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { addressWitness, arenaHeapReserve, classifyBlock, flagsWitness, mapsWitness } from '../../lib/malloc/classify';
import { parseMaps } from '../../lib/proc/maps';
import { readMaps } from '../../lib/proc/maps';
import { classifyRegions } from '../../lib/layout/regions';
import { arenaHeapReserveAt, heapMaxSizeBytes } from '../../lib/malloc/arena-heap';
import { renderSourceChart } from '../../lib/render/malloc-chart';

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

test('a thread-arena heap filled until its PROT_NONE tail is gone is still a thread-arena heap (real worker threads, classified from the live maps)', () => {
  const child = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'malloc', 'fill-arenas.js');
  const threads = 3;
  const out = JSON.parse(execFileSync(process.execPath, [child, String(threads), String(heapMaxSizeBytes())], { encoding: 'utf8', timeout: 60_000 })) as {
    results: Array<{ full: boolean; heapStart: string; start: string; end: string; sizeBytes: number; perms: string; nextPerms: string | null; source: string; witnesses: unknown; arenaHeapReserveBytes: number | null }>;
  };
  const heapMax = heapMaxSizeBytes();
  assert.equal(out.results.length, threads);
  for (const r of out.results) {
    const label = JSON.stringify(r);
    assert.equal(r.full, true, `the heap filled up: ${label}`);
    // glibc made it: the read-write mapping covers the whole HEAP_MAX_SIZE window, starting
    // at a HEAP_MAX_SIZE boundary (that checks heapMaxSizeBytes too), possibly merged with the next heap.
    assert.equal(BigInt(r.start) % BigInt(heapMax), 0n, label);
    assert.ok(BigInt(r.start) <= BigInt(r.heapStart) && BigInt(r.end) >= BigInt(r.heapStart) + BigInt(heapMax), label);
    assert.deepEqual([r.source, r.arenaHeapReserveBytes], ['thread-arena', heapMax], label);
  }
});

test('from maps alone, a full heap (one rw-p HEAP_MAX_SIZE mapping at a HEAP_MAX_SIZE boundary) is a thread-arena heap; a misaligned or shorter one is not', () => {
  const maps = parseMaps([
    '7f0004000000-7f0008000000 rw-p 00000000 00:00 0 ',
    '7f0008000000-7f0008021000 rw-p 00000000 00:00 0 ',
    '7f0008021000-7f000c000000 ---p 00000000 00:00 0 ',
    '7f1000001000-7f1004001000 rw-p 00000000 00:00 0 ',
    '7f2000000000-7f2003fff000 rw-p 00000000 00:00 0 ',
    '7f3000000000-7f3004024000 rw-p 00000000 00:00 0 ',
    '7f3004024000-7f3008000000 ---p 00000000 00:00 0 ',
  ].join('\n'));
  const heapMax = 64 * 1024 * 1024;
  // The last pair: a full heap merged with the next heap's used part, then that heap's tail: 64 MiB heaps, not one of 128.
  assert.deepEqual(maps.map((_, i) => arenaHeapReserveAt(maps, i, heapMax)), [heapMax, heapMax, null, null, null, heapMax, null]);
  assert.deepEqual(mapsWitness(0x7f0004000100n, maps), { witness: 'thread-arena', arenaHeapReserveBytes: heapMaxSizeBytes() === heapMax ? heapMax : null });
});

test('classifyRegions of another process (by pid) marks its full and partly used thread-arena heaps arena-heap, not anonymous', async () => {
  const fixture = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'malloc', 'fill-arenas.js');
  const threads = 2;
  const child = spawn(process.execPath, [fixture, String(threads), String(heapMaxSizeBytes()), 'hold'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (d: Buffer) => { text += d.toString(); if (text.includes('\n')) resolve(text.split('\n')[0] ?? ''); });
      child.once('exit', (code) => reject(new Error(`fill-arenas exited ${String(code)} before printing`)));
    });
    const out = JSON.parse(line) as { pid: number; results: Array<{ full: boolean; heapStart: string }> };
    const regions = classifyRegions(readMaps(out.pid));
    const heapMax = BigInt(heapMaxSizeBytes());
    for (const r of out.results) {
      assert.equal(r.full, true, JSON.stringify(r));
      const start = BigInt(r.heapStart);
      const covering = regions.filter((x) => x.start < start + heapMax && x.end > start);
      assert.ok(covering.length > 0, `nothing maps the heap at ${r.heapStart}`);
      for (const x of covering) assert.equal(x.kind, 'arena-heap', `heap ${r.heapStart}: region ${x.start.toString(16)}-${x.end.toString(16)} ${x.perms} is ${x.kind}`);
    }
    const arenaBytes = regions.filter((x) => x.kind === 'arena-heap').reduce((n, x) => n + x.sizeBytes, 0);
    assert.ok(arenaBytes >= threads * Number(heapMax), `arena heaps of process ${out.pid}: ${arenaBytes} bytes, at least ${threads} full heaps expected`);
  } finally {
    child.stdin.end();
    child.kill('SIGKILL');
  }
});
