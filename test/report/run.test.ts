// Tests for `vmprobe report` (lib/report/run.ts, lib/render/report-claims.ts, the terminal
// report in lib/render/text.ts, the page in lib/render/html/*, the charts in
// lib/render/svg/*): a real full run (text and page together), usage errors of --html,
// progress only on a TTY, and the renderers on synthetic results (they never measure:
// a renderer fed made-up numbers is a fair test of the renderer).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CLAIMS, EXPERIMENTS, type ReportResult } from '../../lib/experiments/index';
import { main } from '../../lib/cli/main';
import { unmeasuredClaims } from '../../lib/report/run';
import { reportGroups } from '../../lib/render/report-claims';
import { reportFigures } from '../../lib/render/html/figures';
import { renderHtml } from '../../lib/render/html/page';
import { renderReport } from '../../lib/render/text';
import { makeStyle } from '../../lib/render/style';
import { hasMallocSweep, renderMallocSweepSvg, type MallocSweepPoint } from '../../lib/render/svg/malloc-sweep';
import { pow2StepTicks, niceTicks } from '../../lib/render/svg/scale';
import type { ExperimentResult } from '../../lib/report/result';
import { cli } from '../helpers/cli';

const REGISTERED = EXPERIMENTS.map((e) => e.name);
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[/;

/** How often `id` occurs as a whole token (not as part of a longer id). */
function occurrences(text: string, id: string): number {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return (text.match(new RegExp(`(?<![\\w.-])${escaped}(?![\\w-])`, 'g')) ?? []).length;
}

test('`report --size 4MiB --html FILE`: host first, every catalogue claim exactly once in the text and in the page, grouped by experiment, tally, exit 0', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-report-'));
  try {
    const file = path.join(dir, 'report.html');
    const r = cli(['report', '--size', '4MiB', '--html', file], { NO_COLOR: '1' });
    assert.equal(r.status, 0, `exit ${r.status}\n${r.stderr.slice(-2000)}`);
    assert.equal(r.stderr, '', 'no progress on stderr without a TTY');
    assert.doesNotMatch(r.stdout, ANSI);
    assert.match(r.stdout, /^Host\n {2}kernel {2,}Linux /, `the report starts with the host:\n${r.stdout.slice(0, 300)}`);
    for (const c of CLAIMS) assert.equal(occurrences(r.stdout, c.id), 1, `claim ${c.id} appears ${occurrences(r.stdout, c.id)} times in the text`);
    // Groups: each registered experiment, in report order, then the experiments not in this build.
    const headings = [...r.stdout.matchAll(/^━━ (\S+) ━━/gm)].map((m) => m[1]);
    const unregistered = [...new Set(CLAIMS.map((c) => c.experiment).filter((e) => !REGISTERED.includes(e)))];
    assert.deepEqual(headings, [...REGISTERED, ...unregistered]);
    for (const c of CLAIMS) {
      const group = r.stdout.lastIndexOf('\n━━ ', r.stdout.search(new RegExp(`  ${c.id.replace(/\./g, '\\.')}\\n`))) + 1;
      assert.ok(r.stdout.startsWith(`━━ ${c.experiment} ━━`, group), `claim ${c.id} is not under its experiment ${c.experiment}`);
    }
    const tally = /^Verdicts over (\d+) claims: (\d+) holds · (\d+) qualified · (\d+) refuted · (\d+) not-applicable$/m.exec(r.stdout);
    assert.ok(tally, `no tally line in:\n${r.stdout.slice(-500)}`);
    const judged = CLAIMS.filter((c) => REGISTERED.includes(c.experiment)).length;
    assert.equal(Number(tally[1]), judged, tally[0]);
    if (unregistered.length > 0) assert.match(r.stdout, /^Not measured: \d+ claims? \(experiment '\w+' is not available in this build/m);

    const page = fs.readFileSync(file, 'utf8');
    for (const c of CLAIMS) assert.equal(occurrences(page.replace(/id="claim-[^"]*"/g, ''), c.id), 2, `claim ${c.id}: expected once as data-claim and once as its <code> label`);
    assert.equal([...page.matchAll(/<tr id="claim-[^"]+" data-claim="/g)].length, CLAIMS.length);
    for (const chart of ['address-space', 'lazy-curve', 'stack-curve']) assert.ok(page.includes(`data-chart="${chart}"`), `chart ${chart} missing from the page`);
    assert.ok(!page.includes('data-chart="malloc-sweep"') || REGISTERED.includes('malloc'), 'a malloc chart without a malloc experiment');
    // Self-contained: no external resource of any kind; links only within the page, scripts only inline.
    assert.doesNotMatch(page, /<link|<img|@import|url\(|\ssrc=|\shref="(?!#)/i);
    assert.match(page, /@media print/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--html outside `report`, an empty --html and an unwritable --html path are usage errors (exit 2) naming the problem, before anything runs', () => {
  const outside = cli(['lazy', '--html', '/tmp/x.html']);
  assert.equal(outside.status, 2, outside.stderr);
  assert.match(outside.stderr, /--html applies to `vmprobe report`/);
  const empty = cli(['report', '--html', '']);
  assert.equal(empty.status, 2, empty.stderr);
  assert.match(empty.stderr, /--html needs a file name/);
  const bad = cli(['report', '--html', '/nonexistent-dir-vmprobe/report.html']);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--html cannot write '\/nonexistent-dir-vmprobe\/report\.html': ENOENT/);
  assert.equal(bad.stdout, '', 'nothing ran');
});

test('--html is written atomically: a report that fails leaves the previous page as it was and no temporary file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-html-atomic-'));
  try {
    const page = path.join(dir, 'report.html');
    fs.writeFileSync(page, 'the previous page');
    // 99999999 is above the kernel's largest pid_max: the layout experiment fails at run time.
    const r = cli(['report', '--only', 'layout', '--pid', '99999999', '--html', page]);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(fs.readFileSync(page, 'utf8'), 'the previous page');
    assert.deepEqual(fs.readdirSync(dir), ['report.html'], 'no temporary file left');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A stream stand-in that records what is written. */
function sink(isTTY: boolean): { isTTY: boolean; text: string; write(s: string): boolean } {
  return { isTTY, text: '', write(s: string) { this.text += s; return true; } };
}

test('progress goes to stderr only when stderr is a TTY, never with --json, and is cleared before the report', async () => {
  const runs: Array<[string[], boolean, boolean]> = [
    [['report', '--only', 'lazy', '--size', '1MiB'], true, true],
    [['report', '--only', 'lazy', '--size', '1MiB', '--json'], true, false],
    [['report', '--only', 'lazy', '--size', '1MiB'], false, false],
  ];
  for (const [args, tty, expectProgress] of runs) {
    const stdout = sink(false);
    const stderr = sink(tty);
    const code = await main(args, { stdout, stderr } as unknown as Parameters<typeof main>[1]);
    assert.equal(code, 0, stderr.text);
    assert.equal(stderr.text.includes('lazy:'), expectProgress, `${args.join(' ')} (stderr TTY ${tty}): stderr ${JSON.stringify(stderr.text.slice(0, 200))}`);
    if (expectProgress) assert.ok(stderr.text.endsWith('\r\x1b[K'), 'the progress line is cleared at the end');
    assert.ok(!stdout.text.includes('\r'), 'no progress on stdout');
  }
});

// --- renderers on synthetic results ---

function fakeHost(): ReportResult['host'] {
  return {
    hostname: 'h', kernelRelease: '6.1.0', arch: 'x64', nodeVersion: 'v20.0.0', libc: { name: 'glibc', version: '2.36', replacementAllocator: null, replacementAllocatorVersion: null }, pageSizeBytes: 4096,
    physicalMemoryBytes: 1 << 30, onlineCpus: 2, thp: null, overcommit: { mode: 0, modeName: 'heuristic', ratioPercent: 50, kbytes: 0 }, aslr: 2,
    stackLimit: { softBytes: 8 << 20, hardBytes: Infinity }, malloc: { glibcTunables: {}, environment: {} }, swap: null, cpuAddressBits: null, mmapMinAddrBytes: 4096,
  };
}

function fakeResult(experiment: string, ids: string[], measurements: Record<string, unknown> = {}): ExperimentResult {
  return { schema: 1, experiment, host: fakeHost(), claims: ids.map((id) => ({ id, verdict: 'holds', summary: 'measured', evidence: {} })), measurements };
}

test('unmeasuredClaims names the reason: not in this build, not selected, or ran without judging it', () => {
  const lazyIds = CLAIMS.filter((c) => c.experiment === 'lazy').map((c) => c.id);
  const ran = [fakeResult('lazy', lazyIds.slice(1))];
  const missing = unmeasuredClaims(ran, ['lazy', 'stack', 'layout']);
  assert.equal(missing.length, CLAIMS.length - lazyIds.length + 1);
  assert.equal(missing.find((m) => m.id === lazyIds[0])?.reason, "experiment 'lazy' ran but returned no verdict for it");
  assert.equal(missing.find((m) => m.id === 'stack.grows-down')?.reason, "experiment 'stack' was not selected (--only)");
  assert.equal(missing.find((m) => m.id === 'malloc.two-sources')?.reason, "experiment 'malloc' is not available in this build");
});

test('reportGroups shows a claim two experiments judged once (under the first), and every catalogue claim once', () => {
  const stackIds = CLAIMS.filter((c) => c.experiment === 'stack').map((c) => c.id);
  const layoutIds = CLAIMS.filter((c) => c.experiment === 'layout').map((c) => c.id);
  const experiments = [fakeResult('stack', stackIds), fakeResult('layout', [...layoutIds, 'seg.stack-no-shrink'])];
  const report: ReportResult = { schema: 1, experiment: 'report', generatedAt: '2026-12-01T00:00:00.000Z', vmprobeVersion: '0.1.0', host: fakeHost(), experiments, notMeasured: unmeasuredClaims(experiments, ['stack', 'layout']) };
  const groups = reportGroups(report);
  const ids = groups.flatMap((g) => g.claims.map((c) => c.id));
  assert.deepEqual([...ids].sort(), CLAIMS.map((c) => c.id).sort());
  assert.ok(groups.find((g) => g.experiment === 'stack')?.claims.some((c) => c.id === 'seg.stack-no-shrink'));
  assert.deepEqual(groups.map((g) => [g.experiment, g.ran]), [['stack', true], ['layout', true], ['lazy', false], ['malloc', false], ['allocators', false]]);
  const text = renderReport(report, makeStyle(false));
  for (const c of CLAIMS) assert.equal(occurrences(text, c.id), 1, `${c.id} in the text`);
  assert.match(text, /^━━ lazy ━━ not run: experiment 'lazy' is not available in this build$/m);
  const page = renderHtml(report);
  assert.equal([...page.matchAll(/data-claim="/g)].length, CLAIMS.length);
  assert.ok(page.includes('data-status="not-measured"') && !/class="badge v-not-measured">(holds|qualified|refuted|not-applicable)/.test(page));
});

function sweep(): MallocSweepPoint[] {
  const points: MallocSweepPoint[] = [];
  for (let size = 64; size <= 1 << 20; size *= 2) points.push({ sizeBytes: size, source: size >= 128 * 1024 ? 'mmap' : 'brk', usableBytes: size + 8, address: '0x5000' });
  return points;
}

test('the malloc sweep chart draws one dot per request and marks the measured threshold; the page has it only when malloc ran', () => {
  const points = sweep();
  const { svg, caption } = renderMallocSweepSvg({ sweep: points, crossoverBytes: 128 * 1024 });
  assert.equal([...svg.matchAll(/class="dot"/g)].length, points.length);
  assert.match(svg, /measured threshold 128 KiB</);
  assert.match(renderMallocSweepSvg({ sweep: points, crossoverBytes: 131049 }).svg, /measured threshold 131,049 B \(≈ 128 KiB\)</);
  assert.match(svg, /request size \(bytes, log₂ scale\)/);
  assert.match(caption, /from 128 KiB up/);
  const noCrossover = renderMallocSweepSvg({ sweep: points, crossoverBytes: null });
  assert.doesNotMatch(noCrossover.svg, /threshold/);

  const base: ReportResult = { schema: 1, experiment: 'report', generatedAt: '2026-12-01T00:00:00.000Z', vmprobeVersion: '0.1.0', host: fakeHost(), experiments: [], notMeasured: [] };
  assert.deepEqual(reportFigures(base), []);
  const withMalloc = { ...base, experiments: [fakeResult('malloc', [], { sweep: points, crossoverBytes: 131072 })] };
  assert.deepEqual(reportFigures(withMalloc).map((f) => f.id), ['malloc-sweep']);
  assert.ok(renderHtml(withMalloc).includes('data-chart="malloc-sweep"'));
  for (const bad of [{}, { sweep: [] }, { sweep: [{ sizeBytes: 'x', source: 'brk' }] }, null]) assert.equal(hasMallocSweep(bad), false, JSON.stringify(bad));
  const malformed = { ...base, experiments: [fakeResult('malloc', [], { other: 1 })] };
  assert.deepEqual(reportFigures(malformed), [], 'a malloc result without a sweep draws no chart and throws nothing');
});

test('a chart that cannot be drawn becomes a figure that says so, not a broken page', () => {
  const report: ReportResult = { schema: 1, experiment: 'report', generatedAt: '2026-12-01T00:00:00.000Z', vmprobeVersion: '0.1.0', host: fakeHost(), experiments: [fakeResult('stack', [], { samples: null })], notMeasured: [] };
  const figures = reportFigures(report);
  assert.equal(figures.length, 1);
  assert.equal(figures[0]?.svg, '');
  assert.match(figures[0]?.caption ?? '', /could not be drawn/);
});

test('axis ticks: 1-2-5 steps reach the maximum; power-of-two steps end exactly on a power-of-two maximum', () => {
  assert.deepEqual(niceTicks(9.3), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(8), [0, 2, 4, 6, 8]);
  assert.deepEqual(pow2StepTicks(8192), [0, 2048, 4096, 6144, 8192]);
  assert.deepEqual(pow2StepTicks(5000), [0, 2048, 4096, 6144]);
});

test('an experiment that cannot run makes the report exit 1 with a message naming it, and no stack trace', () => {
  // 99999999 is above the kernel's largest pid_max (2^22), so no such process exists; a
  // well-formed pid is not a usage error (the process could exit at any moment anyway).
  const r = cli(['report', '--only', 'layout', '--pid', '99999999']);
  assert.equal(r.status, 1, `exit ${r.status}\n${r.stderr}`);
  assert.match(r.stderr, /^vmprobe: experiment 'layout' could not run: /m);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  assert.equal(r.stdout, '', 'no partial report on stdout');
});
