// The terminal report at 80 and 160 columns: long summaries (up to ~330 characters, as
// the experiments write them) wrap under the verdict column's hanging indent, no line is
// wider than the width (ANSI colour codes not counted), every word of every summary is
// still there, and the report ends with its provenance and the --details/--html hints.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CLAIMS, type ReportResult } from '../../lib/experiments/index';
import type { ExperimentResult } from '../../lib/report/result';
import { unmeasuredClaims } from '../../lib/report/run';
import { renderReport, renderReportFooter } from '../../lib/render/text';
import { makeStyle } from '../../lib/render/style';
import { displayWidth, terminalWidth, wrapHanging } from '../../lib/render/wrap';
import { reportProvenance, vmprobeVersion } from '../../lib/render/provenance';

const LONG = 'cold file of 1,024 pages: 1 major + 64 minor faults (1024 pages entered the page cache per major fault): readahead turns most would-be major faults into minor ones; swap not measured: no swap is configured on this host (SwapTotal: 0 kB); over 7 repeats of 4.0 MiB inside one native call the spread was 0.0% → 3.2% — well inside the noise';

function fakeHost(): ReportResult['host'] {
  return {
    hostname: 'h', kernelRelease: '6.1.0', arch: 'x64', nodeVersion: 'v20.0.0', libc: { name: 'glibc', version: '2.36', replacementAllocator: null, replacementAllocatorVersion: null }, pageSizeBytes: 4096,
    physicalMemoryBytes: 1 << 30, onlineCpus: 2, thp: null, overcommit: { mode: 0, modeName: 'heuristic', ratioPercent: 50, kbytes: 0 }, aslr: 2,
    stackLimit: { softBytes: 8 << 20, hardBytes: Infinity }, malloc: { glibcTunables: { 'glibc.malloc.arena_max': '2', 'glibc.malloc.mmap_threshold': '131072', 'glibc.malloc.trim_threshold': '262144' }, environment: { MALLOC_ARENA_MAX: '2' } },
    swap: null, cpuAddressBits: null, mmapMinAddrBytes: 4096,
  };
}

function longReport(): ReportResult {
  const byExperiment = new Map<string, string[]>();
  for (const c of CLAIMS) byExperiment.set(c.experiment, [...(byExperiment.get(c.experiment) ?? []), c.id]);
  const experiments: ExperimentResult[] = [...byExperiment].filter(([name]) => name !== 'malloc').map(([experiment, ids]) => ({
    schema: 1, experiment, host: fakeHost(), measurements: {},
    claims: ids.map((id, i) => ({ id, verdict: i % 2 === 0 ? 'qualified' : 'holds', summary: `${id}: ${LONG}`.slice(0, 330), evidence: {} })),
  }));
  const registered = experiments.map((e) => e.experiment);
  return { schema: 1, experiment: 'report', generatedAt: '2026-12-01T00:00:00.000Z', vmprobeVersion: '0.1.0', host: fakeHost(), experiments, notMeasured: unmeasuredClaims(experiments, registered) };
}

const words = (s: string): string[] => s.split(/\s+/).filter((w) => w.length > 0);

for (const widthColumns of [80, 160]) {
  for (const colour of [false, true]) {
    test(`at ${widthColumns} columns (${colour ? 'coloured' : 'plain'}) no report line is wider than the terminal and every summary word is kept`, () => {
      const report = longReport();
      const text = renderReport(report, makeStyle(colour), { widthColumns, provenance: { generatedAt: '2026-12-01T00:00:00.000Z', vmprobeVersion: '9.9.9' } });
      const lines = text.split('\n');
      const wide = lines.filter((l) => displayWidth(l) > widthColumns);
      assert.deepEqual(wide, [], `${wide.length} lines wider than ${widthColumns}: ${wide.map((l) => `${displayWidth(l)}: ${JSON.stringify(l)}`).join('\n')}`);
      // eslint-disable-next-line no-control-regex
      const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
      assert.equal(colour, plain !== text, 'colour codes are present exactly when colour is on');
      const flowing = words(plain).join(' ');
      for (const e of report.experiments) {
        for (const c of e.claims) assert.ok(flowing.includes(words(c.summary).join(' ')), `summary of ${c.id} lost words when wrapped`);
      }
      // Continuation lines hang under the summary column: 18 spaces (2 + verdict column 14 + 2).
      const firstId = report.experiments[0]?.claims[0]?.id ?? '';
      const at = lines.findIndex((l) => l.replace(/\x1b\[[0-9;]*m/g, '').includes(`  ${firstId}`));
      assert.ok(at >= 0, `claim ${firstId} heading not found`);
      const summaryLines = lines.slice(at + 1, at + 4).map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));
      for (const l of summaryLines) assert.match(l, /^ {18}\S/, `a wrapped summary line does not hang under the summary column: ${JSON.stringify(l)}`);
      if (widthColumns === 80) assert.ok(summaryLines.every((l) => l.length <= 80) && lines.length > 3 * CLAIMS.length, 'long summaries take several lines at 80 columns');
      assert.match(plain, /Made by vmprobe 9\.9\.9 at 2026-12-01T00:00:00\.000Z\./);
      assert.match(plain, /vmprobe report --details/);
      assert.match(plain, /vmprobe report --html /);
      assert.ok(plain.trimEnd().split('\n').slice(-4).join('\n').includes('--html'), 'the --html hint is among the last lines');
    });
  }
}

test('--details leaves out the --details hint (the tables are shown already)', () => {
  const text = renderReportFooter({ generatedAt: 'g', vmprobeVersion: 'v' }, makeStyle(false), { widthColumns: 80, details: true });
  assert.doesNotMatch(text, /vmprobe report --details/);
  assert.match(text, /vmprobe report --html /);
});

test('wrapHanging: breaks words longer than the line, keeps colour open across a break, and refuses a width leaving under 10 columns', () => {
  const long = 'x'.repeat(50);
  assert.deepEqual(wrapHanging(long, '    ', 24).split('\n').map((l) => l.length), [24, 24, 14]);
  const coloured = wrapHanging(`\x1b[2m${'word '.repeat(20).trim()}\x1b[0m`, '  ', 30);
  for (const line of coloured.split('\n')) assert.ok(displayWidth(line) <= 30, `line ${JSON.stringify(line)} is ${displayWidth(line)} columns`);
  assert.ok(coloured.split('\n').slice(1).every((l) => l.startsWith('  \x1b[2m')), `dim reopened on every continuation line: ${JSON.stringify(coloured)}`);
  assert.throws(() => wrapHanging('a', ' '.repeat(20), 25), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => wrapHanging(42 as unknown as string, '', 80), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('terminalWidth: the TTY columns, 80 when not a TTY, never under 40', () => {
  assert.equal(terminalWidth({ isTTY: true, columns: 160 }), 160);
  assert.equal(terminalWidth({ isTTY: false, columns: 160 }), 80);
  assert.equal(terminalWidth({}), 80);
  assert.equal(terminalWidth({ isTTY: true, columns: 20 }), 40);
});

test('reportProvenance: the report\'s own fields when present, else now and the package.json version', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require('../../../package.json') as { version: string };
  assert.equal(vmprobeVersion(), pkg.version);
  const now = new Date('2026-01-02T03:04:05.000Z');
  assert.deepEqual(reportProvenance({}, now), { generatedAt: '2026-01-02T03:04:05.000Z', vmprobeVersion: pkg.version });
  assert.deepEqual(reportProvenance({ generatedAt: 'g', vmprobeVersion: 'v' }, now), { generatedAt: 'g', vmprobeVersion: 'v' });
});
