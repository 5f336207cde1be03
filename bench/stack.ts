/**
 * Benchmarks of the stack experiment: how fast samples stream from a child that
 * recurses, and what one level of vmprobe's recursion costs next to a plain C
 * recursion with the same frame (bench/c/stack_recurse.c, compiled with cc -O2).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { recurseStack } from '../lib/stack/probes';
import { pageSizeBytes } from '../lib/system/usage';
import { runOverflow } from '../lib/experiments/stack/runs';
import { limitWrapperKind } from '../lib/experiments/stack/wrapper';

import type { BenchRow } from './bench-row';

const MiB = 1024 * 1024;
// Each sample makes the kernel print /proc/self/status and /proc/self/maps (tens of µs on
// their own): 1,000/s keeps a 64-sample growth run's sampling under 64 ms.
const MIN_SAMPLES_PER_SECOND = 1000;
const MAX_FRAME_RATIO = 1.5;
const REPS = 50;

function compileReference(): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-bench-stack-'));
  const out = path.join(dir, 'stack_recurse');
  try {
    execFileSync('cc', ['-O2', '-o', out, path.join(__dirname, '..', '..', 'bench', 'c', 'stack_recurse.c')], { stdio: 'pipe' });
    return out;
  } catch {
    return null;
  }
}

async function samplesPerSecond(): Promise<BenchRow> {
  const page = pageSizeBytes();
  // A sample every frame, capped (the child returns), so the stream rate is over the recursion alone.
  const { run, samples } = await runOverflow({
    limitBytes: Infinity, expectedRlimitBytes: null, frameBytes: page, variant: 'frame', sampleEveryFrames: 1, js: false,
    capBytes: 16 * MiB, timeoutMs: 30_000, wrapper: limitWrapperKind(), pageSizeBytes: page,
  });
  const seconds = (run.recursionNs ?? 0) / 1e9;
  const rate = seconds > 0 ? samples.length / seconds : 0;
  return {
    benchmark: 'samples streamed from a recursing child (each: /proc status + maps + mincore + write)',
    vmprobe: `${Math.round(rate).toLocaleString('en-US')} samples/s (${samples.length} samples)`,
    reference: '–', ratio: null, target: `>= ${MIN_SAMPLES_PER_SECOND.toLocaleString('en-US')} samples/s`, pass: run.fate === 'capped' ? rate >= MIN_SAMPLES_PER_SECOND : false,
  };
}

function frameCost(reference: string | null, frameBytes: number, depthBytes: number): BenchRow {
  let best = Infinity;
  for (let i = 0; i < REPS; i++) {
    const r = recurseStack({ depthBytes, frameBytes });
    best = Math.min(best, r.elapsedNs / r.frames);
  }
  const c = reference === null ? null : Number(execFileSync(reference, [String(frameBytes), String(depthBytes), String(REPS)], { encoding: 'utf8' }).trim());
  const ratio = c === null || c <= 0 ? null : best / c;
  return {
    benchmark: `one recursion level, ${frameBytes}-byte frame, to ${depthBytes / MiB} MiB`,
    vmprobe: `${best.toFixed(1)} ns/frame`, reference: c === null ? 'cc unavailable' : `C ${c.toFixed(1)} ns/frame`,
    ratio, target: `<= ${MAX_FRAME_RATIO}× C`, pass: ratio === null ? null : ratio <= MAX_FRAME_RATIO,
  };
}

/** Runs the stack benchmarks. */
export async function runStackBench(): Promise<BenchRow[]> {
  const reference = compileReference();
  return [await samplesPerSecond(), frameCost(reference, 64, 2 * MiB), frameCost(reference, pageSizeBytes(), 4 * MiB)];
}

if (require.main === module) {
  runStackBench().then((rows) => {
    for (const r of rows) console.log(`${r.benchmark}\n  vmprobe ${r.vmprobe} | ${r.reference} | ratio ${r.ratio === null ? '–' : r.ratio.toFixed(2)} | target ${r.target} | ${r.pass === null ? 'n/a' : r.pass ? 'pass' : 'FAIL'}`);
  }, (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
