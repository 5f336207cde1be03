/**
 * `npm run stability [-- --runs N] [--only LIST] [--keep DIR]`: runs the built CLI's
 * `report --json` N times in a row (default 20), prints the claim × verdict table and
 * exits 1 when any claim changed its verdict between runs (the standard: the same host
 * gives the same verdict). The CLI is found through package.json's "bin".vmprobe, so
 * this keeps working when the CLI moves. --keep DIR saves each run's JSON (run-N.json).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable, tabulate, type ReportVerdicts } from './stability-table';

const ROOT = path.join(__dirname, '..', '..');

/** The CLI's path, from package.json "bin" (a string or { vmprobe }). */
export function cliPath(root = ROOT): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.['vmprobe'];
  if (bin === undefined) throw new Error('package.json has no "bin".vmprobe');
  return path.join(root, bin);
}

function runReport(cli: string, only: string | undefined): Promise<string> {
  const args = [cli, 'report', '--json', ...(only === undefined ? [] : ['--only', only])];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, only: { type: 'string' }, keep: { type: 'string' } } });
  const runs = values.runs === undefined ? 20 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 2) {
    process.stderr.write(`stability: --runs must be an integer >= 2, got ${values.runs}\n`);
    return 2;
  }
  const cli = cliPath();
  if (values.keep !== undefined) fs.mkdirSync(values.keep, { recursive: true });
  const reports: ReportVerdicts[] = [];
  for (let i = 1; i <= runs; i++) {
    const started = Date.now();
    const text = await runReport(cli, values.only);
    if (values.keep !== undefined) fs.writeFileSync(path.join(values.keep, `run-${i}.json`), text);
    reports.push(JSON.parse(text) as ReportVerdicts);
    process.stderr.write(`run ${i}/${runs}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const rows = tabulate(reports);
  process.stdout.write(`${formatTable(rows, runs)}\n`);
  const changed = rows.filter((r) => r.changed);
  process.stdout.write(`\n${rows.length} claims, ${changed.length} changed verdict in ${runs} runs${changed.length > 0 ? `: ${changed.map((r) => r.id).join(', ')}` : ''}\n`);
  return changed.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main().then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`stability: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
