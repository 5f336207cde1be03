/**
 * Benchmark of `vmprobe allocators` at the report's scale: wall time per configuration
 * (the sum of its children: node start-up, allocator proof, workload, samples) and the
 * whole run, for the report's time budget. Information only: the speed target of the
 * experiment is the full run (scale 1) under about a minute on 2 cores.
 * Run alone: `node dist/bench/allocators.js`.
 */
import { ALLOCATORS_REPORT_REPETITIONS, ALLOCATORS_REPORT_SCALE, runAllocators } from '../lib/experiments/allocators/index';
import type { BenchRow } from './bench-row';

/** Runs the experiment once at report scale; one row per configuration plus the total. */
export async function runAllocatorsBench(): Promise<BenchRow[]> {
  const steps: { config: string; startNs: bigint }[] = [];
  const start = process.hrtime.bigint();
  const r = await runAllocators({
    scale: ALLOCATORS_REPORT_SCALE,
    repetitions: ALLOCATORS_REPORT_REPETITIONS,
    onStep: (what) => steps.push({ config: what.split(' × ')[0] ?? what, startNs: process.hrtime.bigint() }),
  });
  const end = process.hrtime.bigint();
  const perConfig = new Map<string, number>();
  steps.forEach((s, i) => {
    const next = steps[i + 1]?.startNs ?? end;
    perConfig.set(s.config, (perConfig.get(s.config) ?? 0) + Number(next - s.startNs));
  });
  const children = (id: string) => steps.filter((s) => s.config === id).length;
  const rows: BenchRow[] = [...perConfig].map(([config, ns]) => ({
    benchmark: `allocators @${ALLOCATORS_REPORT_SCALE}: ${config} (${children(config)} children)`,
    vmprobe: `${(ns / 1e9).toFixed(1)} s`,
    reference: `${(ns / 1e6 / Math.max(1, children(config))).toFixed(0)} ms/child`,
    ratio: null,
    target: 'info',
    pass: null,
  }));
  rows.push({
    benchmark: `allocators @${ALLOCATORS_REPORT_SCALE}: whole run (${r.measurements.threads} threads, ${ALLOCATORS_REPORT_REPETITIONS} repetitions)`,
    vmprobe: `${(Number(end - start) / 1e9).toFixed(1)} s`,
    reference: `${steps.length} children`,
    ratio: null,
    target: 'info',
    pass: null,
  });
  return rows;
}

if (require.main === module) {
  void runAllocatorsBench().then((rows) => {
    for (const row of rows) console.log(`${row.benchmark.padEnd(60)} ${row.vmprobe.padStart(8)}  ${row.reference}`);
  });
}
