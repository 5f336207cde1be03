/** Test helper: run the built `vmprobe` command in a child, the way a user runs it (pipes, no TTY). */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The built CLI script. */
export const CLI = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.js');

/** Exit status and output of one CLI run. */
export interface CliRun { status: number | null; stdout: string; stderr: string }

/** Runs the CLI with `args`; the environment has no colour settings unless `env` adds them. */
export function cli(args: string[], env: Record<string, string> = {}): CliRun {
  const base = { ...process.env };
  delete base['NO_COLOR'];
  delete base['FORCE_COLOR'];
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...base, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The arguments of the shared whole report (see sharedReport); FILE is the page's path. */
export const SHARED_REPORT_ARGS = ['report', '--json', '--size', '4MiB', '--html', 'FILE'] as const;

/**
 * `vmprobe report --json --size 4MiB --html FILE`, run once per `npm test` and read by every
 * test file that needs a whole real report and its page (cli/main, report/schema,
 * render/page, render/page-views): scripts/run-tests.js sets VMPROBE_TEST_SHARED_DIR,
 * where the first caller keeps the run (status, stdout, stderr) and the page; later files
 * read it instead of measuring the same report again (about 25 s each). A file run on its
 * own (no such directory) runs the report itself, into a fresh temporary directory.
 * Returns the run and the page's path (read-only: copy it to change it).
 */
export function sharedReport(): { run: CliRun; pageFile: string } {
  const shared = process.env['VMPROBE_TEST_SHARED_DIR'];
  const dir = shared !== undefined && shared !== '' && fs.existsSync(shared) ? shared : fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-report-'));
  const pageFile = path.join(dir, 'shared-report.html');
  const runFile = path.join(dir, 'shared-report.json');
  if (fs.existsSync(runFile) && fs.existsSync(pageFile)) return { run: JSON.parse(fs.readFileSync(runFile, 'utf8')) as CliRun, pageFile };
  const run = cli(SHARED_REPORT_ARGS.map((a) => (a === 'FILE' ? pageFile : a)));
  if (run.status === 0) {
    fs.writeFileSync(`${runFile}.tmp`, JSON.stringify(run));
    fs.renameSync(`${runFile}.tmp`, runFile);
  }
  return { run, pageFile };
}
