/**
 * Benchmark of `vmprobe report`: the whole report at default sizes, run as a user runs
 * it (a fresh `node dist/lib/cli.js report --json`), wall time against the issue's
 * target of 30 s on a 2-core machine; plus the page rendering alone (text and HTML from
 * that run's JSON), which must be negligible next to the measuring.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ReportResult } from '../lib/report/result';
import { renderHtml } from '../lib/render/html/page';
import { renderReport } from '../lib/render/text';
import { makeStyle } from '../lib/render/style';

import type { BenchRow } from './bench-row';

const TARGET_NS = 30e9;
const RENDER_REPS = 20;

/** Runs the report once and times it; times rendering its JSON as text and as the page. */
export async function runReportBench(): Promise<BenchRow[]> {
  const cli = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, 'report', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  const elapsedNs = Number(process.hrtime.bigint() - start);
  if (r.status !== 0) throw new Error(`report exited ${r.status}: ${r.stderr.slice(-500)}`);
  const report = JSON.parse(r.stdout) as ReportResult;
  const cpus = os.availableParallelism();
  const renderStart = process.hrtime.bigint();
  for (let i = 0; i < RENDER_REPS; i++) {
    renderReport(report, makeStyle(false));
    renderHtml(report);
  }
  const renderNs = Number(process.hrtime.bigint() - renderStart) / RENDER_REPS;
  return [
    {
      benchmark: `report: whole run (${report.experiments.map((e) => e.experiment).join(', ')}; ${cpus} CPUs)`,
      vmprobe: `${(elapsedNs / 1e9).toFixed(1)} s`,
      reference: '30 s target',
      ratio: elapsedNs / TARGET_NS,
      target: '< 30 s on 2 cores',
      pass: cpus <= 2 ? elapsedNs < TARGET_NS : null,
    },
    { benchmark: 'report: render text + page', vmprobe: `${(renderNs / 1e6).toFixed(1)} ms`, reference: '–', ratio: null, target: 'info', pass: null },
  ];
}

if (require.main === module) {
  runReportBench().then((rows) => { for (const row of rows) console.log(`${row.benchmark}: ${row.vmprobe} (${row.target}) ${row.pass === null ? '' : row.pass ? 'PASS' : 'MISS'}`); }, (err: unknown) => { console.error(err); process.exitCode = 1; });
}
