/**
 * Benchmarks of the malloc experiment: a malloc+free round trip through a HeapBlock
 * next to the same in plain C (bench/c/malloc_roundtrip.c, compiled with cc -O2); the
 * same per block through a block set (mallocBlocks + free('all')) next to C doing N
 * mallocs then N frees (bench/c/malloc_blocks.c); and what classifying one live block
 * by its three witnesses costs.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { malloc, type HeapBlock } from '../lib/memory/heap';
import { classifyBlock } from '../lib/malloc/classify';
import { mallocBlocks } from '../lib/malloc/block-set';
import { readHeapContext } from '../lib/experiments/malloc/probe';

import type { BenchRow } from './bench-row';

const SIZE_BYTES = 64;
const ITERATIONS = 20_000;
const REPS = 5;
// A HeapBlock round trip is two N-API calls, one wrapped JS object with its finalizer,
// and the two getrusage(RUSAGE_THREAD) + clock_gettime pairs the constructor makes to
// measure the allocation's faults — microseconds where syscalls are slow (VMs); C's
// tcache path is tens of ns. The ratio is printed; the target bounds the absolute cost.
const MAX_ROUNDTRIP_NS = 10_000;
const CLASSIFY_BLOCKS = 2_000;
// Per block: one chunkHeader() call (an object with a bigint), a binary search of the
// maps, a few comparisons.
const MAX_CLASSIFY_NS = 20_000;

// The block set: allocate and free SET_COUNT blocks of SET_BLOCK_BYTES in two native
// calls; per block it must cost at most 3× what the same loops cost in C.
const SET_COUNT = 200_000;
const SET_BLOCK_BYTES = 1024;
const SET_MAX_RATIO = 3;

function compileReference(name = 'malloc_roundtrip'): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-bench-malloc-'));
  const out = path.join(dir, name);
  try {
    execFileSync('cc', ['-O2', '-o', out, path.join(__dirname, '..', '..', 'bench', 'c', `${name}.c`)], { stdio: 'pipe' });
    return out;
  } catch {
    return null;
  }
}

function blockSetRoundTrip(reference: string | null): BenchRow {
  let best = Infinity;
  for (let r = 0; r < REPS; r++) {
    const start = process.hrtime.bigint();
    const set = mallocBlocks({ count: SET_COUNT, sizeBytes: SET_BLOCK_BYTES });
    set.free('all');
    set.close();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / SET_COUNT);
  }
  const c = reference === null ? null : Number(execFileSync(reference, [String(SET_BLOCK_BYTES), String(SET_COUNT), String(REPS)], { encoding: 'utf8' }).trim());
  const ratio = c === null || c <= 0 ? null : best / c;
  console.log(`block set: ${SET_COUNT.toLocaleString('en-US')} × ${SET_BLOCK_BYTES} B malloc then free: vmprobe ${best.toFixed(1)} ns/block, C ${c === null ? 'n/a' : c.toFixed(1)} ns/block, ratio ${ratio === null ? 'n/a' : ratio.toFixed(2)}×`);
  return {
    benchmark: `block set malloc+free per block, ${SET_COUNT.toLocaleString('en-US')} × ${SET_BLOCK_BYTES} B`,
    vmprobe: `${best.toFixed(1)} ns (mallocBlocks + free('all'))`,
    reference: c === null ? 'cc unavailable' : `C ${c.toFixed(1)} ns`,
    ratio,
    target: `<= ${SET_MAX_RATIO}× C`,
    pass: ratio === null ? null : ratio <= SET_MAX_RATIO,
  };
}

function roundTrip(reference: string | null): BenchRow {
  let best = Infinity;
  for (let r = 0; r < REPS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ITERATIONS; i++) malloc({ sizeBytes: SIZE_BYTES }).free();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / ITERATIONS);
  }
  const c = reference === null ? null : Number(execFileSync(reference, [String(SIZE_BYTES), String(ITERATIONS * 10), String(REPS)], { encoding: 'utf8' }).trim());
  const ratio = c === null || c <= 0 ? null : best / c;
  return {
    benchmark: `malloc+free round trip, ${SIZE_BYTES} B`,
    vmprobe: `${best.toFixed(0)} ns (HeapBlock)`,
    reference: c === null ? 'cc unavailable' : `C ${c.toFixed(1)} ns`,
    ratio,
    target: `<= ${MAX_ROUNDTRIP_NS.toLocaleString('en-US')} ns (ratio printed, not judged)`,
    pass: best <= MAX_ROUNDTRIP_NS,
  };
}

function classification(): BenchRow[] {
  const blocks: HeapBlock[] = [];
  for (let i = 0; i < CLASSIFY_BLOCKS; i++) blocks.push(malloc({ sizeBytes: 16 << (i % 16) }));
  const ctxStart = process.hrtime.bigint();
  const ctx = readHeapContext();
  const ctxNs = Number(process.hrtime.bigint() - ctxStart);
  const start = process.hrtime.bigint();
  let agreed = 0;
  for (const b of blocks) if (classifyBlock(b.address as bigint, b.chunkHeader(), ctx).agree) agreed++;
  const perBlockNs = Number(process.hrtime.bigint() - start) / blocks.length;
  for (const b of blocks) b.free();
  return [
    {
      benchmark: `classify one live block by its three witnesses (${CLASSIFY_BLOCKS} blocks, 16 B–512 KiB; ${agreed} agreed)`,
      vmprobe: `${(perBlockNs / 1000).toFixed(2)} µs/block`, reference: '–', ratio: null,
      target: `<= ${MAX_CLASSIFY_NS / 1000} µs/block`, pass: perBlockNs <= MAX_CLASSIFY_NS,
    },
    {
      benchmark: `read the heap context once (sbrk(0) + /proc/self/maps, ${ctx.maps.length} mappings)`,
      vmprobe: `${(ctxNs / 1e6).toFixed(2)} ms`, reference: '–', ratio: null, target: 'reported', pass: null,
    },
  ];
}

/** Runs the malloc benchmarks. */
export async function runMallocBench(): Promise<BenchRow[]> {
  return [roundTrip(compileReference()), blockSetRoundTrip(compileReference('malloc_blocks')), ...classification()];
}

if (require.main === module) {
  runMallocBench().then((rows) => {
    for (const r of rows) console.log(`${r.benchmark}\n  vmprobe ${r.vmprobe} | ${r.reference} | ratio ${r.ratio === null ? '–' : r.ratio.toFixed(1)} | target ${r.target} | ${r.pass === null ? 'n/a' : r.pass ? 'pass' : 'FAIL'}`);
  }, (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
