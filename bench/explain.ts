/**
 * Benchmark of `vmprobe explain --pid`: capture + attribute of a process with ≥ 10,000
 * mappings (bench/mapping-holder.ts), against psutil's memory_maps(grouped=False) on the
 * same pid in the same run. Both are timed inside their own process (no interpreter
 * start-up), median of REPS; the ratio is vmprobe / psutil (target < 1: vmprobe faster).
 * Without python3-psutil the row says so.
 */
import { spawnSync } from 'node:child_process';
import { captureMemory } from '../lib/explain/capture';
import { explainCapture } from '../lib/explain/index';
import type { BenchRow } from './bench-row';
import { findPython, startMappingHolder } from './mapping-holder';

const REPS = 7;

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

/** Runs the benchmark; returns one row. */
export async function runExplainBench(): Promise<BenchRow[]> {
  const py = findPython('psutil');
  if (py === null) {
    return [{ benchmark: 'explain --pid (10k mappings)', vmprobe: '—', reference: 'psutil missing (apt-get install python3-psutil)', ratio: null, target: '< 1× psutil', pass: null }];
  }
  const holder = await startMappingHolder(py);
  try {
    const pid = holder.pid;
    const vmprobeNs: number[] = [];
    let vmaCount = 0;
    for (let i = 0; i < REPS; i++) {
      const start = process.hrtime.bigint();
      const c = captureMemory({ pid });
      explainCapture(c);
      vmprobeNs.push(Number(process.hrtime.bigint() - start));
      vmaCount = c.vmas.length;
    }
    const r = spawnSync(py, ['-c', `import psutil, time, json
p = psutil.Process(${pid})
out = []
n = 0
for _ in range(${REPS}):
    t = time.perf_counter_ns()
    n = len(p.memory_maps(grouped=False))
    out.append(time.perf_counter_ns() - t)
print(json.dumps({'ns': out, 'n': n}))`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`psutil failed: ${r.stderr}`);
    const ps = JSON.parse(r.stdout) as { ns: number[]; n: number };
    const v = median(vmprobeNs);
    const p = median(ps.ns);
    console.log(`explain: ${vmaCount} VMAs; vmprobe capture+attribute median ${(v / 1e6).toFixed(1)} ms, psutil memory_maps(grouped=False) ${(p / 1e6).toFixed(1)} ms (${ps.n} rows)`);
    return [{
      benchmark: `explain --pid (${vmaCount} mappings)`, vmprobe: `${(v / 1e6).toFixed(1)} ms`,
      reference: `${(p / 1e6).toFixed(1)} ms (psutil memory_maps)`, ratio: v / p, target: '< 1× psutil', pass: v < p,
    }];
  } finally {
    holder.stop();
  }
}
