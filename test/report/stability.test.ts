// The same host gives the same verdict (issue 10): the claim × verdict table of
// `npm run stability` on recorded verdicts, and a short real run — 3 reports of the lazy,
// stack, layout and allocators experiments (the allocators at the report's reduced scale)
// through the built CLI — in which no claim may change
// its verdict. The full run (20 reports of every experiment) is `npm run stability`.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatTable, tabulate, type ReportVerdicts } from '../../bench/stability-table';
import { cliPath } from '../../bench/stability';

const ROOT = path.join(__dirname, '..', '..', '..');
const report = (verdicts: Record<string, string>): ReportVerdicts => ({ experiments: [{ claims: Object.entries(verdicts).map(([id, verdict]) => ({ id, verdict })) }] });

test('tabulate counts each claim\'s verdicts and flags a claim that changed or went missing', () => {
  const rows = tabulate([
    report({ 'lazy.mmap-virtual-only': 'holds', 'stack.faster-than-heap': 'qualified', 'layout.order': 'holds' }),
    report({ 'lazy.mmap-virtual-only': 'qualified', 'stack.faster-than-heap': 'qualified', 'layout.order': 'holds' }),
    report({ 'lazy.mmap-virtual-only': 'holds', 'stack.faster-than-heap': 'qualified' }),
  ]);
  assert.deepEqual(rows.map((r) => [r.id, r.counts, r.missing, r.changed]), [
    ['lazy.mmap-virtual-only', { holds: 2, qualified: 1 }, 0, true],
    ['stack.faster-than-heap', { qualified: 3 }, 0, false],
    ['layout.order', { holds: 2 }, 1, true],
  ]);
  const table = formatTable(rows, 3);
  assert.match(table, /\| lazy\.mmap-virtual-only \| holds 2, qualified 1 \| \*\*yes\*\* \|/);
  assert.match(table, /\| stack\.faster-than-heap \| qualified 3 \| no \|/);
  assert.match(table, /\| layout\.order \| holds 2, missing 1 \| \*\*yes\*\* \|/);
});

test('the stability script finds the CLI through package.json "bin".vmprobe', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  const cli = cliPath(ROOT);
  assert.equal(cli, path.join(ROOT, pkg.bin['vmprobe'] as string));
  assert.ok(fs.existsSync(cli), `${cli} is not built`);
});

test('3 reports of lazy, stack, layout and allocators in a row: no claim changes its verdict', { timeout: 15 * 60_000 }, async () => {
  const script = path.join(ROOT, 'dist', 'bench', 'stability.js');
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [script, '--runs', '3', '--only', 'lazy,stack,layout,allocators'], { maxBuffer: 16 * 1024 * 1024 }, (_err, out, err) => resolve({ code: child.exitCode, stdout: out, stderr: err }));
  });
  assert.equal(code, 0, `stability exited ${code}:\n${stdout}\n${stderr}`);
  assert.match(stdout, /, 0 changed verdict in 3 runs/);
});
