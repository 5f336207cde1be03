/**
 * Benchmark of `vmprobe explain --pid`: capture + attribute of a process with ≥ 10,000
 * mappings (a python3 child mapping 12,000 one-page regions with alternating
 * protections, so the kernel cannot merge them), against psutil's
 * memory_maps(grouped=False) on the same pid in the same run. Both are timed inside their
 * own process (no interpreter start-up), median of REPS; the ratio is vmprobe / psutil
 * (target < 1: vmprobe faster). Without python3-psutil the row says so.
 */
import { spawn, spawnSync } from 'node:child_process';
import { captureMemory } from '../lib/explain/capture';
import { explainCapture } from '../lib/explain/index';
import type { BenchRow } from './bench-row';

const MAPPINGS = 12_000;
const REPS = 7;

function python(): string | null {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    if (spawnSync(candidate, ['-c', 'import psutil'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  return null;
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

/** Runs the benchmark; returns one row. */
export async function runExplainBench(): Promise<BenchRow[]> {
  const py = python();
  if (py === null) {
    return [{ benchmark: 'explain --pid (10k mappings)', vmprobe: '—', reference: 'psutil missing (apt-get install python3-psutil)', ratio: null, target: '< 1× psutil', pass: null }];
  }
  const holder = spawn(py, ['-c', `import mmap, sys
maps = [mmap.mmap(-1, 4096, prot=(mmap.PROT_READ if i % 2 else mmap.PROT_READ | mmap.PROT_WRITE)) for i in range(${MAPPINGS})]
print('ready', flush=True)
sys.stdin.read()`], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout.once('data', () => resolve());
      holder.once('exit', (code) => reject(new Error(`mapping holder exited ${code}`)));
    });
    const pid = holder.pid as number;
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
    holder.kill();
  }
}
