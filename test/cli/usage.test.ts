// The `vmprobe` command's usage errors, driven through the built CLI (a child process, as
// a user runs it): every bad option value of every subcommand prints one line naming the
// option, the value and what is allowed, then that subcommand's usage line, and exits 2;
// never a stack trace, with or without --debug. And `--help` lists the exit codes the CLI
// uses (lib/cli/help.ts EXIT_CODES).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { EXPERIMENT_NAMES } from '../../lib/experiments/index';
import { EXIT_CODES } from '../../lib/cli/help';
import { getrlimit } from '../../lib/index';
import { CLI, cli } from '../helpers/cli';
import { largestSweepBytes } from '../../lib/experiments/malloc/descriptor';
import { readLargestGrantableMapping } from '../../lib/system/mapping-limit';

const run = promisify(execFile);

/** [subcommand for the usage line (null: the top-level one), argv, the words the error line must hold]. */
type Row = [string | null, string[], string[]];

const ROWS: Row[] = [
  ['lazy', ['lazy', '--size', '0'], ['--size', "'0'", 'at least 1 byte']],
  ['lazy', ['lazy', '--size', '-5'], ['--size', "'-5'", 'a size like']],
  ['lazy', ['lazy', '--size', 'banana'], ['--size', "'banana'"]],
  ['lazy', ['lazy', '--size', '1.5'], ['--size', "'1.5'", 'whole number of bytes']],
  ['lazy', ['lazy', '--size', '9P'], ['--size', "'9P'"]],
  ['lazy', ['lazy', '--size'], ['--size', 'needs a value']],
  ['lazy', ['lazy', '--json', '--size'], ['--size', 'needs a value']],
  ['lazy', ['lazy', '--bogus'], ["'--bogus'", 'unknown option']],
  ['lazy', ['lazy', '--limit', '1MiB'], ['--limit', 'does not apply to `vmprobe lazy`']],
  ['lazy', ['lazy', '--pid', '1'], ['--pid', 'does not apply']],
  ['lazy', ['lazy', '--html', 'x.html'], ['--html', 'report']],
  ['lazy', ['lazy', '--details'], ['--details', 'report']],
  ['lazy', ['lazy', '--only', 'lazy'], ['--only', 'report']],
  ['lazy', ['lazy', '--json=yes'], ['--json', 'takes no value']],
  ['lazy', ['lazy', 'extra'], ["'extra'", 'unexpected argument']],
  ['lazy', ['lazy', '--node-flags=--inspect'], ['--node-flags', '--inspect']],
  ['lazy', ['lazy', '--node-flags', 'stack-size=1'], ['--node-flags', "'stack-size=1'"]],
  ['malloc', ['malloc', '--size', '1'], ['--size', "'1'", 'at least 1024 bytes']],
  ['malloc', ['malloc', '--size', '1023'], ['--size', "'1023'"]],
  ['malloc', ['malloc', '--size', 'lots'], ['--size', "'lots'"]],
  ['malloc', ['malloc', '--frame', '4096'], ['--frame', 'does not apply to `vmprobe malloc`']],
  ['malloc', ['malloc', '--force'], ['--force', 'does not apply']],
  ['malloc', ['malloc', '--bogus=1'], ["'--bogus'", 'unknown option']],
  // 'unlimited' is offered only where the hard RLIMIT_STACK allows it (lib/experiments/stack/descriptor.ts).
  ['stack', ['stack', '--limit', '0'], ['--limit', "'0'", 'the page size', ...(getrlimit('stack').hard === Infinity ? ["'unlimited'"] : [])]],
  ['stack', ['stack', '--limit', '1'], ['--limit', "'1'"]],
  ['stack', ['stack', '--limit', 'lots'], ['--limit', "'lots'"]],
  ['stack', ['stack', '--limit', '-1'], ['--limit', "'-1'"]],
  ['stack', ['stack', '--frame', '1'], ['--frame', "'1'", 'at least 16 bytes', 'at most']],
  ['stack', ['stack', '--frame', '1G'], ['--frame', "'1G'"]],
  ['stack', ['stack', '--frame', 'unlimited'], ['--frame', "'unlimited'"]],
  ['stack', ['stack', '--size', '1MiB'], ['--size', 'does not apply to `vmprobe stack`']],
  ['layout', ['layout', '--pid', '0'], ['--pid', "'0'", 'positive process id']],
  ['layout', ['layout', '--pid', 'abc'], ['--pid', "'abc'"]],
  ['layout', ['layout', '--pid', '-3'], ['--pid', "'-3'"]],
  ['layout', ['layout', '--size', '1MiB'], ['--size', 'does not apply to `vmprobe layout`']],
  ['layout', ['layout', '--force'], ['--force', 'does not apply']],
  ['allocators', ['allocators', '--threads', '0'], ['--threads', "'0'", '1 to 64']],
  ['allocators', ['allocators', '--threads', '65'], ['--threads', "'65'"]],
  ['allocators', ['allocators', '--scale', '0'], ['--scale', "'0'"]],
  ['allocators', ['allocators', '--scale', 'x'], ['--scale', "'x'"]],
  ['allocators', ['allocators', '--only', 'bogus'], ['--only', "'bogus'", 'glibc']],
  ['allocators', ['allocators', '--size', '1MiB'], ['--size', 'does not apply']],
  ['report', ['report', '--only', 'nosuch'], ['--only', "'nosuch'", 'Known: lazy']],
  ['report', ['report', '--only', ''], ['--only']],
  ['report', ['report', '--html', ''], ['--html', 'file name']],
  ['report', ['report', '--html', '/nonexistent-dir/x.html'], ['--html', "'/nonexistent-dir/x.html'", 'ENOENT']],
  ['report', ['report', '--size', '0'], ['--size', "'0'", 'for lazy']],
  ['report', ['report', '--size', '1'], ['--size', "'1'", 'for malloc']],
  ['report', ['report', '--only', 'lazy', '--limit', '1MiB'], ['--limit', 'none of the experiments', 'stack']],
  ['report', ['report', '--only', 'layout', '--force'], ['--force', 'none of the experiments']],
  ['report', ['report', '--threads', '0'], ['--threads', "'0'"]],
  ['report', ['report', '--frame', '3'], ['--frame', "'3'", 'for stack']],
  ['report', ['report', '--bogus'], ["'--bogus'"]],
  ['report', ['report', 'lazy'], ["'lazy'", 'unexpected argument']],
  [null, ['frobnicate'], ["'frobnicate'", 'unknown experiment']],
  [null, ['--size', '1MiB', 'frobnicate'], ["'frobnicate'"]],
];

interface Outcome { status: number; stdout: string; stderr: string }

async function runCli(args: string[]): Promise<Outcome> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
    return { status: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { status: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Runs every row, a few at a time. */
async function runAll<T>(items: readonly T[], fn: (item: T) => Promise<void>, concurrency = 3): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

test('the table covers every subcommand with several bad inputs', () => {
  for (const name of [...EXPERIMENT_NAMES, 'report']) {
    const rows = ROWS.filter(([sub]) => sub === name).length;
    assert.ok(rows >= 5, `only ${rows} bad inputs for \`vmprobe ${name}\``);
  }
});

for (const debug of [false, true]) {
  test(`every bad input: exit 2, one error line naming the option and value, the subcommand's usage line, no stack trace${debug ? ' (with --debug)' : ''}`, { timeout: 600_000 }, async () => {
    const failures: string[] = [];
    await runAll(ROWS, async ([sub, args, words]) => {
      const argv = debug ? [...args, '--debug'] : args;
      const r = await runCli(argv);
      const shown = `\`vmprobe ${argv.join(' ')}\`: exit ${r.status}\n${r.stderr}`;
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      const problems = [
        r.status === 2 ? null : 'exit code is not 2',
        r.stdout === '' ? null : `stdout is not empty: ${r.stdout.slice(0, 200)}`,
        lines.length === 2 ? null : `${lines.length} lines on stderr, not 2 (the error and the usage)`,
        /^vmprobe: /.test(lines[0] ?? '') ? null : 'the first line does not start with "vmprobe: "',
        ...words.filter((w) => !(lines[0] ?? '').includes(w)).map((w) => `the error line lacks ${JSON.stringify(w)}`),
        (lines[1] ?? '').startsWith(sub === null ? 'Usage: vmprobe <experiment>' : `Usage: vmprobe ${sub} `) ? null : `the second line is not the usage of ${sub ?? 'vmprobe'}`,
        /^\s+at /m.test(r.stderr) || /Error:|Unhandled/.test(r.stderr) ? 'a stack trace or an error class name' : null,
      ].filter((p): p is string => p !== null);
      if (problems.length > 0) failures.push(`${shown}\n  → ${problems.join('; ')}`);
    });
    assert.deepEqual(failures, [], `\n${failures.join('\n\n')}`);
  });
}

test('`vmprobe explain` usage errors: exit 2, one line naming the option and value, then explain\'s synopsis, no stack trace', async () => {
  for (const [args, words] of [[['explain', '--depth', '0'], ['--depth', '0']], [['explain', '--bogus'], ['--bogus']], [['explain', '--pid', 'x'], ['--pid', 'x']]] as const) {
    const r = await runCli([...args]);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.equal(r.status, 2, r.stderr);
    assert.match(lines[0] ?? '', /^vmprobe explain: /, r.stderr);
    for (const w of words) assert.ok((lines[0] ?? '').includes(w), `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[1] ?? '', /^Usage: vmprobe explain /, r.stderr);
    assert.ok(lines.slice(2).every((l) => l.startsWith('       vmprobe explain ')), `only the synopsis follows: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  }
});

test('`--help` and `<experiment> --help` list the exit codes the CLI uses', () => {
  const codes = EXIT_CODES.map(([code]) => code);
  assert.deepEqual(codes, ['0', '1', '2', '141', '128+n']);
  for (const args of [['--help'], ['stack', '--help'], ['report', '--help']]) {
    const r = cli(args);
    assert.equal(r.status, 0, r.stderr);
    const section = r.stdout.slice(r.stdout.indexOf('Exit codes:'));
    assert.ok(r.stdout.includes('Exit codes:'), `${args.join(' ')}: no exit codes`);
    for (const [code, meaning] of EXIT_CODES) assert.ok(section.includes(`${code.padEnd(6)} ${meaning}`), `${args.join(' ')} lacks exit code ${code}`);
  }
});

test('the README\'s exit-code table lists the same codes as --help', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| exit code | meaning |'));
  const listed = [...table.matchAll(/^\| ([0-9][0-9 +n]*) \|/gm)].map((m) => (m[1] ?? '').replace(/ /g, ''));
  assert.deepEqual(listed, EXIT_CODES.map(([code]) => code));
});

test('an `--html` file that cannot be written names the errno once, with its description', () => {
  const r = cli(['report', '--only', 'lazy', '--html', '/nonexistent-dir/page.html']);
  assert.equal(r.status, 2, r.stderr);
  const first = r.stderr.split('\n')[0] ?? '';
  assert.equal(first, "vmprobe: --html cannot write '/nonexistent-dir/page.html': ENOENT (no such file or directory)");
  assert.equal(first.match(/ENOENT/g)?.length, 1);
  const dir = cli(['report', '--only', 'lazy', '--html', '/']);
  // libuv's description of EISDIR, whatever its wording: the code once, then words.
  assert.match(dir.stderr, /^vmprobe: --html cannot write '\/': EISDIR \([a-z ]+\)\n/);
});

test('`malloc --size` past what the kernel\'s overcommit policy grants: a usage error naming the policy, not ENOMEM in a child', async (t) => {
  const limit = largestSweepBytes(readLargestGrantableMapping());
  if (limit === null) { t.skip('vm.overcommit_memory is 1 (or /proc/meminfo is unreadable): the kernel sets no limit to refuse'); return; }
  const r = await runCli(['malloc', '--size', String(limit.bytes + 1)]);
  assert.equal(r.status, 2, r.stderr);
  const first = r.stderr.split('\n')[0] ?? '';
  assert.ok(first.includes(`at most ${limit.bytes} bytes`) && first.includes(limit.reason), first);
});
