/**
 * What `vmprobe explain --pid N --watch` (1 Hz) costs: the CPU time (utime + stime of
 * /proc/<pid>/stat, which the kernel scales to the scheduler's exact runtime) of the
 * watching CLI process over IDLE_MS, after its first sample and a warm-up, watching the
 * ≥ 10,000-mapping holder (bench/mapping-holder.ts) while it is idle: target < 1% of one
 * core (issue 11). Then the same while the holder changes a page every 0.25 s, so every
 * sample re-reads smaps in full: printed for information (no target).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sysconf } from '../lib/system/usage';
import type { BenchRow } from './bench-row';
import { findPython, startMappingHolder } from './mapping-holder';

const WARM_MS = 3000;
const IDLE_MS = 24_000;
const CHURN_MS = 10_000;
const TARGET_PERCENT = 1;
const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** utime + stime of `pid` in clock ticks (proc(5) fields 14 and 15). */
function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[14 - 3]) + Number(fields[15 - 3]);
}

/** One measured window: % of one core, and the samples printed in it (all, and re-read in full). */
interface Window { percent: number; samples: number; reread: number }

/** Runs the benchmark; returns two rows (idle: against the target; changing: information). */
export async function runExplainWatchBench(): Promise<BenchRow[]> {
  const py = findPython();
  if (py === null) {
    return [{ benchmark: 'explain --watch at 1 Hz', vmprobe: '—', reference: 'python3 (3.8+) missing', ratio: null, target: `< ${TARGET_PERCENT} % of a core`, pass: null }];
  }
  const clockTicks = sysconf().clockTicksPerSecond ?? 100;
  const holder = await startMappingHolder(py);
  const watcher = spawn(process.execPath, [CLI, 'explain', '--pid', String(holder.pid), '--watch', '--interval', '1s'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let samples = 0;
  let reread = 0;
  let pending = '';
  watcher.stdout.setEncoding('utf8');
  watcher.stdout.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!/^\d\d:\d\d:\d\d {2}pid /.test(line)) continue;
      samples++;
      if (!line.includes('unchanged since')) reread++;
    }
  });
  const measure = async (ms: number): Promise<Window> => {
    const pid = watcher.pid as number;
    const [s0, r0, c0, t0] = [samples, reread, cpuTicks(pid), process.hrtime.bigint()];
    await sleep(ms);
    const [c1, t1] = [cpuTicks(pid), process.hrtime.bigint()];
    const seconds = Number(t1 - t0) / 1e9;
    return { percent: ((c1 - c0) / clockTicks / seconds) * 100, samples: samples - s0, reread: reread - r0 };
  };
  try {
    while (samples === 0) {
      if (watcher.exitCode !== null) throw new Error(`explain --watch exited ${watcher.exitCode} before its first sample`);
      await sleep(100);
    }
    await sleep(WARM_MS);
    const mappings = holder.mappings();
    const idle = await measure(IDLE_MS);
    holder.churn();
    await sleep(1500);
    const busy = await measure(CHURN_MS);
    const pct = (w: Window): string => `${w.percent.toFixed(2)} %`;
    console.log(`explain --watch at 1 Hz on ${mappings} mappings: ${pct(idle)} of one core (target < ${TARGET_PERCENT} %); ` +
      `${idle.samples} samples in ${IDLE_MS / 1000} s, ${idle.reread} read smaps in full (clock ticks of ${(1000 / clockTicks).toFixed(0)} ms)`);
    console.log(`explain --watch at 1 Hz on ${mappings} mappings changing every 0.25 s: ${pct(busy)} of one core; ` +
      `${busy.samples} samples in ${CHURN_MS / 1000} s, ${busy.reread} read smaps in full`);
    return [
      { benchmark: `explain --watch 1 Hz (${mappings} mappings, idle)`, vmprobe: `${pct(idle)} of a core`, reference: `${idle.reread}/${idle.samples} samples re-read smaps`,
        ratio: null, target: `< ${TARGET_PERCENT} % of a core`, pass: idle.percent < TARGET_PERCENT },
      { benchmark: `explain --watch 1 Hz (${mappings} mappings, changing)`, vmprobe: `${pct(busy)} of a core`, reference: `${busy.reread}/${busy.samples} samples re-read smaps`,
        ratio: null, target: 'information', pass: null },
    ];
  } finally {
    watcher.kill();
    holder.stop();
  }
}
