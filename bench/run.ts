/**
 * `npm run bench`: runs every benchmark (touch ns/page, fault-count error, mincore
 * scan) against its reference measured in this same run, then prints one table of
 * medians, ratios and PASS/MISS against the targets of issue 2. A miss or a failed
 * benchmark is a finding, printed as such: the exit code is always 0.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { pageSizeBytes, readThpSettings } from '../lib/index';
import { compileReferences, type References } from './compile';
import { measureTouch, type NsPerPageSamples } from './touch';
import { measureFaultAccuracy } from './fault-accuracy';
import { measureMincoreScan } from './mincore-scan';
import { runStackBench } from './stack';
import type { BenchRow } from './bench-row';
import { runMallocBench } from './malloc';
import { runReportBench } from './report';
import { runExplainBench } from './explain';
import { runExplainWatchBench } from './explain-watch';
import { runAllocatorsBench } from './allocators';

/** One line of the final table. */
interface Row {
  benchmark: string;
  vmprobe: string;
  reference: string;
  ratio: string;
  target: string;
  verdict: 'PASS' | 'MISS' | 'ERROR' | 'INFO';
}

const TOUCH_MAX_RATIO = 1.1;
const SCAN_MIN_RATIO = 0.8;
/** "Around 1 MiB of buffer": the 1 MiB mincore vector plus a quarter for the rest of the call. */
const SCAN_MAX_PEAK_DELTA_BYTES = 1.25 * 1024 * 1024;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? NaN;
  const lo = sorted[mid - 1] ?? NaN;
  return sorted.length % 2 === 1 ? hi : (lo + hi) / 2;
}
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const fmt = (value: number, digits = 1): string => value.toFixed(digits);
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
const spread = (values: readonly number[], digits = 1): string =>
  `${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)}`;

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    return m?.[1] ?? 'unknown (no "model name" in /proc/cpuinfo)';
  } catch {
    return 'unknown (/proc/cpuinfo unreadable)';
  }
}

function printHost(): void {
  const thp = readThpSettings();
  console.log('vmprobe benchmarks');
  console.log(`host: Linux ${os.release()} ${process.arch}, ${os.cpus().length} CPUs, ${cpuModel()}`);
  console.log(`      page size ${pageSizeBytes()} B, THP enabled=${thp?.enabled ?? 'n/a'}, node ${process.version}`);
  console.log('');
}

function touchRow(name: string, s: NsPerPageSamples): Row {
  const vmprobeNs = median(s.vmprobeNsPerPage);
  const cNs = median(s.cNsPerPage);
  const ratio = vmprobeNs / cNs;
  const loopNs = median(s.vmprobeLoopNsPerPage);
  console.log(`  ${name}: vmprobe call ${fmt(vmprobeNs, 2)} ns/page (spread ${spread(s.vmprobeNsPerPage, 2)}), ` +
    `its native loop ${fmt(loopNs, 2)} (${fmt(loopNs / cNs, 3)}× C); C ${fmt(cNs, 2)} (spread ${spread(s.cNsPerPage, 2)})`);
  return {
    benchmark: `touch ${name} (ns/page)`,
    vmprobe: fmt(vmprobeNs, 2),
    reference: `${fmt(cNs, 2)} (C)`,
    ratio: `${fmt(ratio, 3)}×`,
    target: `≤ ${fmt(TOUCH_MAX_RATIO, 2)}×`,
    verdict: ratio <= TOUCH_MAX_RATIO ? 'PASS' : 'MISS',
  };
}

function benchTouch(refs: References): Row[] {
  const s = measureTouch(refs);
  console.log(`touch: ${s.pages} pages (${mib(s.sizeBytes)}), ${s.repetitions} repetitions, medians; ` +
    `vmprobe fresh-pass faults ${spread(s.vmprobeFreshMinorFaults, 0)}`);
  return [touchRow('fresh', s.fresh), touchRow('resident', s.resident)];
}

function benchFaults(): Row[] {
  const s = measureFaultAccuracy();
  const vmprobeMax = Math.max(...s.vmprobeErrorPages);
  const peerMean = mean(s.resourceUsageErrorPages);
  const peerMax = Math.max(...s.resourceUsageErrorPages);
  console.log(`fault-count error: ${s.pages} fresh pages × ${s.repetitions}; vmprobe errors [${s.vmprobeErrorPages.join(' ')}], ` +
    `process.resourceUsage() errors [${s.resourceUsageErrorPages.join(' ')}]`);
  return [{
    benchmark: `fault error (pages, ${s.repetitions}×${s.pages})`,
    vmprobe: `max ${vmprobeMax}`,
    reference: `mean ${fmt(peerMean)} max ${peerMax} (resourceUsage)`,
    ratio: '—',
    target: 'vmprobe 0 every time',
    verdict: vmprobeMax === 0 ? 'PASS' : 'MISS',
  }];
}

function benchScan(refs: References): Row[] {
  const s = measureMincoreScan(refs);
  const vmprobeRate = median(s.vmprobePagesPerSecond);
  const cRate = median(s.cPagesPerSecond);
  const ratio = vmprobeRate / cRate;
  const perSecond = (v: number): string => `${fmt(v / 1e6)}M`;
  console.log(`mincore scan: ${s.pages} pages (${mib(s.sizeBytes)} NORESERVE), ${s.touchedPages} touched; resident counted: ` +
    `vmprobe ${s.vmprobeResidentPages}, C ${s.cResidentPages}`);
  console.log(`  pages/s: vmprobe ${perSecond(vmprobeRate)} (spread ${spread(s.vmprobePagesPerSecond.map((v) => v / 1e6))}M), ` +
    `C ${perSecond(cRate)} (spread ${spread(s.cPagesPerSecond.map((v) => v / 1e6))}M)`);
  const rows: Row[] = [{
    benchmark: 'mincore scan 64 GiB (pages/s)',
    vmprobe: perSecond(vmprobeRate),
    reference: `${perSecond(cRate)} (C)`,
    ratio: `${fmt(ratio, 3)}×`,
    target: `≥ ${fmt(SCAN_MIN_RATIO, 2)}×`,
    verdict: ratio >= SCAN_MIN_RATIO && s.vmprobeResidentPages === s.cResidentPages ? 'PASS' : 'MISS',
  }];
  if (s.peakError !== null || s.vmprobePeakDeltaBytes.length === 0) {
    console.log(`  peak memory: not measured: ${s.peakError ?? 'no sample'}`);
    rows.push({ benchmark: 'mincore scan peak RSS Δ', vmprobe: 'n/a', reference: 'n/a', ratio: '—', target: '≈ 1 MiB', verdict: 'ERROR' });
    return rows;
  }
  const peakMax = Math.max(...s.vmprobePeakDeltaBytes);
  const kib = (values: readonly number[]): string => values.length === 0 ? 'n/a' :
    `first ${(values[0] ?? NaN) / 1024}, median ${median(values) / 1024}, max ${Math.max(...values) / 1024} KiB`;
  console.log(`  peak RSS Δ per scan (VmHWM, reset by clear_refs=5): vmprobe ${kib(s.vmprobePeakDeltaBytes)} ` +
    `(${s.vmprobePeakDeltaBytes.length} scans); C ${kib(s.cPeakDeltaBytes)} (first scan of each of ${s.cPeakDeltaBytes.length} runs)`);
  rows.push({
    benchmark: 'mincore scan peak RSS Δ',
    vmprobe: `max ${mib(peakMax)}`,
    reference: s.cPeakDeltaBytes.length === 0 ? 'n/a' : `max ${mib(Math.max(...s.cPeakDeltaBytes))} (C)`,
    ratio: '—',
    target: `≤ ${mib(SCAN_MAX_PEAK_DELTA_BYTES)}`,
    verdict: peakMax <= SCAN_MAX_PEAK_DELTA_BYTES ? 'PASS' : 'MISS',
  });
  return rows;
}

/** Runs one benchmark; a throw becomes an ERROR row, never a crash. */
function attempt(name: string, bench: () => Row[]): Row[] {
  try {
    return bench();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.log(`${name}: failed: ${message}`);
    return [{ benchmark: name, vmprobe: 'n/a', reference: 'n/a', ratio: '—', target: '—', verdict: 'ERROR' }];
  }
}

function printTable(rows: readonly Row[]): void {
  const header: Row = { benchmark: 'benchmark', vmprobe: 'vmprobe', reference: 'reference', ratio: 'ratio', target: 'target', verdict: 'INFO' };
  const cells = (r: Row): string[] => [r.benchmark, r.vmprobe, r.reference, r.ratio, r.target, r === header ? 'result' : r.verdict];
  const all = [header, ...rows].map(cells);
  const widths = cells(header).map((_, col) => Math.max(...all.map((line) => [...(line[col] ?? '')].length)));
  const render = (line: string[]): string => line.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  ').trimEnd();
  console.log('');
  all.forEach((line, i) => {
    console.log(render(line));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  });
}

/** Converts an experiment bench's rows (bench/<experiment>.ts) into table rows. */
function fromExperimentRows(rows: readonly BenchRow[]): Row[] {
  return rows.map((r) => ({
    benchmark: r.benchmark, vmprobe: r.vmprobe, reference: r.reference,
    ratio: r.ratio === null ? '—' : `${fmt(r.ratio, 3)}×`, target: r.target,
    verdict: r.pass === null ? 'INFO' : r.pass ? 'PASS' : 'MISS',
  }));
}

/** Runs one experiment's async bench; a throw becomes an ERROR row. */
async function attemptExperiment(name: string, bench: () => Promise<BenchRow[]>): Promise<Row[]> {
  try {
    return fromExperimentRows(await bench());
  } catch (err) {
    console.log(`${name}: failed: ${err instanceof Error ? err.message : String(err)}`);
    return [{ benchmark: name, vmprobe: 'n/a', reference: 'n/a', ratio: '—', target: '—', verdict: 'ERROR' }];
  }
}

async function main(): Promise<void> {
  const startMs = Date.now();
  printHost();
  const rows: Row[] = [];
  let refs: References | null = null;
  try {
    refs = compileReferences();
  } catch (err) {
    console.log(`C references unavailable: ${err instanceof Error ? err.message : String(err)}`);
  }
  const withRefs = (name: string, bench: (r: References) => Row[]): Row[] =>
    attempt(name, () => {
      if (refs === null) throw new Error('no C reference (see above)');
      return bench(refs);
    });
  try {
    rows.push(...withRefs('touch', benchTouch));
    rows.push(...attempt('fault error', benchFaults));
    rows.push(...withRefs('mincore scan', benchScan));
  } finally {
    refs?.remove();
  }
  rows.push(...await attemptExperiment('malloc', runMallocBench));
  rows.push(...await attemptExperiment('stack', runStackBench));
  rows.push(...await attemptExperiment('allocators', runAllocatorsBench));
  rows.push(...await attemptExperiment('report', runReportBench));
  rows.push(...await attemptExperiment('explain', runExplainBench));
  rows.push(...await attemptExperiment('explain --watch', runExplainWatchBench));
  printTable(rows);
  console.log(`\n(${fmt((Date.now() - startMs) / 1000)} s; a MISS is a finding, not a failure)`);
}

void main();
