// Tests for the `vmprobe` command (lib/cli/main.ts), run as a real child process the way a
// user runs it (`node dist/lib/cli.js …`, stdout and stderr piped: no TTY), and for the
// size parser it uses (lib/util/size.ts).
//
// Exit codes (lib/cli/main.ts): 0 the run completed, 1 an experiment could not run, 2 bad usage.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { pageSizeBytes } from '../../lib/index';
import { CLAIMS, EXPERIMENTS, VERDICTS, type LazyResult, type ReportResult } from '../../lib/experiments/index';
import { parseLimit, parseSize } from '../../lib/util/size';
import { cli, sharedReport, type CliRun } from '../helpers/cli';

const PACKAGE_JSON = path.join(__dirname, '..', '..', '..', 'package.json');
const LAZY_CLAIM_IDS = CLAIMS.filter((c) => c.experiment === 'lazy').map((c) => c.id);
const SIZE_ARG = '4MiB';
const SIZE_BYTES = 4 * 1024 * 1024;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[/;

type Run = CliRun;

function describe(r: Run): string {
  return `exit ${r.status}\n--- stdout (${r.stdout.length} chars):\n${r.stdout.slice(0, 400)}\n--- stderr:\n${r.stderr.slice(0, 800)}`;
}

test('`lazy --json --size 4MiB` prints exactly one JSON document on stdout, nothing on stderr, exit 0', () => {
  // FORCE_COLOR would colour text output: --json must stay plain anyway.
  const r = cli(['lazy', '--json', '--size', SIZE_ARG], { FORCE_COLOR: '1' });
  assert.equal(r.status, 0, describe(r));
  assert.equal(r.stderr, '', describe(r));
  assert.doesNotMatch(r.stdout, ANSI);
  const doc = JSON.parse(r.stdout) as LazyResult;
  assert.equal(doc.schema, 1);
  assert.equal(doc.experiment, 'lazy');
  assert.equal(doc.host.pageSizeBytes, pageSizeBytes());
  assert.equal(doc.measurements.sizeBytes, SIZE_BYTES);
  assert.equal(doc.measurements.pages, SIZE_BYTES / pageSizeBytes());
  assert.deepEqual(doc.claims.map((c) => c.id), LAZY_CLAIM_IDS);
  for (const c of doc.claims) assert.ok(VERDICTS.includes(c.verdict), `${c.id}: '${c.verdict}'`);
});

test('`report --json --size 4MiB` prints one report document holding every registered experiment, lazy first', () => {
  const r = sharedReport().run; // `report --json --size 4MiB --html FILE`, measured once per npm test
  assert.equal(r.status, 0, describe(r));
  assert.equal(r.stderr, '', describe(r));
  const doc = JSON.parse(r.stdout) as ReportResult;
  assert.deepEqual(Object.keys(doc).sort(), ['experiment', 'experiments', 'generatedAt', 'host', 'notMeasured', 'schema', 'vmprobeVersion']);
  assert.equal(doc.schema, 1);
  assert.equal(doc.experiment, 'report');
  assert.equal(doc.host.pageSizeBytes, pageSizeBytes());
  assert.deepEqual(doc.experiments.map((e) => e.experiment), EXPERIMENTS.map((e) => e.name));
  const lazy = doc.experiments.find((e) => e.experiment === 'lazy');
  assert.ok(lazy);
  assert.equal(lazy.schema, 1);
  assert.equal((lazy.measurements as { sizeBytes?: number }).sizeBytes, SIZE_BYTES);
  assert.deepEqual(lazy.claims.map((c) => c.id), LAZY_CLAIM_IDS);
});

test('`report --only lazy` text names every lazy claim, tallies the verdicts, and with NO_COLOR has no ANSI escape', () => {
  // FORCE_COLOR=1 would turn colour on; NO_COLOR must win (https://no-color.org).
  const r = cli(['report', '--only', 'lazy', '--size', SIZE_ARG], { NO_COLOR: '1', FORCE_COLOR: '1' });
  assert.equal(r.status, 0, describe(r));
  for (const id of LAZY_CLAIM_IDS) assert.ok(r.stdout.includes(id), `claim ${id} missing from the report text`);
  const tally = /^Verdicts over (\d+) claims: (\d+) holds · (\d+) qualified · (\d+) refuted · (\d+) not-applicable$/m.exec(r.stdout);
  assert.ok(tally, `no "Verdicts over N claims" tally line in:\n${r.stdout.slice(-600)}`);
  const [total, ...counts] = tally.slice(1).map(Number);
  assert.equal(total, LAZY_CLAIM_IDS.length);
  assert.equal(counts.reduce((a, b) => a + b, 0), total, `tally ${tally[0]}`);
  assert.doesNotMatch(r.stdout, ANSI, 'ANSI escape in NO_COLOR output');
  assert.doesNotMatch(r.stderr, ANSI, 'ANSI escape (progress) on stderr without a TTY');
});

test('`lazy` text output without a TTY has no ANSI escape, and FORCE_COLOR=1 turns colour on', () => {
  const plain = cli(['lazy', '--size', SIZE_ARG]);
  assert.equal(plain.status, 0, describe(plain));
  assert.match(plain.stdout, /^Verdicts: \d+ holds · \d+ qualified · \d+ refuted · \d+ not-applicable$/m);
  for (const id of LAZY_CLAIM_IDS) assert.ok(plain.stdout.includes(id), `claim ${id} missing`);
  assert.doesNotMatch(plain.stdout, ANSI);
  assert.equal(plain.stderr, '', 'no progress output without a TTY');
  const coloured = cli(['lazy', '--size', SIZE_ARG], { FORCE_COLOR: '1' });
  assert.equal(coloured.status, 0, describe(coloured));
  assert.match(coloured.stdout, ANSI, 'FORCE_COLOR=1 output has no colour: the NO_COLOR test above would prove nothing');
});

test('`--help` exits 0 and lists the experiments and the options', () => {
  const r = cli(['--help']);
  assert.equal(r.status, 0, describe(r));
  for (const word of ['Usage: vmprobe', 'lazy', 'report', '--json', '--only', '--help', '--version', '64MiB']) {
    assert.ok(r.stdout.includes(word), `'${word}' missing from --help:\n${r.stdout}`);
  }
  assert.equal(cli(['-h']).stdout, r.stdout, '-h prints the same help');
});

test('`lazy --help` exits 0 and names --size with its default and --json', () => {
  const r = cli(['lazy', '--help']);
  assert.equal(r.status, 0, describe(r));
  assert.match(r.stdout, /Usage: vmprobe lazy/);
  assert.match(r.stdout, /--size SIZE .*default 64MiB/);
  assert.match(r.stdout, /--json/);
});

test('`report --help` exits 0 and names --only, --json and the pass-through options', () => {
  const r = cli(['report', '--help']);
  assert.equal(r.status, 0, describe(r));
  for (const word of ['Usage: vmprobe report', '--only', '--json', '--size', 'lazy']) assert.ok(r.stdout.includes(word), `'${word}' missing:\n${r.stdout}`);
});

test('no experiment at all is a usage error (exit 2) that prints the usage', () => {
  const r = cli([]);
  assert.equal(r.status, 2, describe(r));
  assert.match(r.stdout + r.stderr, /Usage: vmprobe <experiment>/);
});

test('`--size banana` exits 2 with a message naming --size and the value', () => {
  const r = cli(['lazy', '--size', 'banana']);
  assert.equal(r.status, 2, describe(r));
  assert.match(r.stderr, /--size/);
  assert.match(r.stderr, /banana/);
  assert.equal(r.stdout, '');
});

test('`--size 0` and a fractional `--size 1.5` exit 2 naming --size', () => {
  for (const size of ['0', '1.5']) {
    const r = cli(['lazy', '--size', size]);
    assert.equal(r.status, 2, `--size ${size}: ${describe(r)}`);
    assert.match(r.stderr, /--size/, `--size ${size}`);
    assert.equal(r.stdout, '');
  }
});

test('an unknown experiment exits 2 naming it', () => {
  const r = cli(['frobnicate']);
  assert.equal(r.status, 2, describe(r));
  assert.match(r.stderr, /unknown experiment 'frobnicate'/);
});

test('`report --only nosuch` exits 2 (usage) naming the unknown experiment and the known ones', () => {
  const r = cli(['report', '--only', 'nosuch', '--size', SIZE_ARG]);
  assert.equal(r.status, 2, describe(r));
  assert.match(r.stderr, /only/);
  assert.match(r.stderr, /unknown experiment 'nosuch'/);
  assert.match(r.stderr, /Known: lazy/);
  assert.equal(r.stdout, '');
});

test('an unknown option, --only outside report, and a second positional exit 2 naming the culprit', () => {
  const cases: Array<[string[], RegExp]> = [
    [['lazy', '--bogus'], /--bogus/],
    [['lazy', '--only', 'lazy'], /--only applies to `vmprobe report`/],
    [['lazy', 'extra'], /unexpected argument 'extra'/],
  ];
  for (const [args, message] of cases) {
    const r = cli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${describe(r)}`);
    assert.match(r.stderr, message, args.join(' '));
  }
});

test('`--version` prints package.json\'s version and exits 0', () => {
  const { version } = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string };
  const r = cli(['--version']);
  assert.equal(r.status, 0, describe(r));
  assert.equal(r.stdout, `${version}\n`);
});

// lib/util/size.ts

test('parseSize reads binary units in any spelling, decimals that make whole bytes, and plain bytes', () => {
  const cases: Array<[string, number]> = [
    ['64MiB', 64 * 1024 ** 2],
    ['128k', 128 * 1024],
    ['1.5G', 1.5 * 1024 ** 3],
    ['4096', 4096],
    [' 2 mb ', 2 * 1024 ** 2],
    ['1KB', 1024],
    ['3b', 3],
    ['0.5k', 512],
    ['2TiB', 2 * 1024 ** 4],
  ];
  for (const [text, bytes] of cases) assert.equal(parseSize(text), bytes, `parseSize('${text}')`);
});

test('parseSize rejects empty, negative, fractional-byte, non-numeric, unknown-unit and too-large sizes with ERR_INVALID_ARG_VALUE', () => {
  for (const text of ['', '-1', '1.5', 'abc', '64XB', 'k', '1.2.3M', '8 P', '9007199254740992']) {
    assert.throws(() => parseSize(text, '--size'), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'ERR_INVALID_ARG_VALUE', `parseSize('${text}'): ${err.code}`);
      assert.match(err.message, /'--size'/, `parseSize('${text}') names the argument`);
      return true;
    }, `parseSize('${text}') did not throw`);
  }
});

test('parseSize rejects a non-string with ERR_INVALID_ARG_TYPE', () => {
  assert.throws(() => parseSize(4096 as unknown as string), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('parseLimit reads `unlimited` as Infinity and anything else as a size', () => {
  assert.equal(parseLimit('unlimited'), Infinity);
  assert.equal(parseLimit(' Infinity '), Infinity);
  assert.equal(parseLimit('8MiB'), 8 * 1024 ** 2);
  assert.throws(() => parseLimit('lots', '--limit'), { code: 'ERR_INVALID_ARG_VALUE', message: /'--limit'/ });
});

test('an experiment option the experiment does not use is a usage error naming the option and the experiment (exit 2, nothing measured)', () => {
  for (const e of EXPERIMENTS) {
    for (const [flag, value] of [['--size', '1MiB'], ['--limit', '1MiB'], ['--frame', '4096'], ['--pid', String(process.pid)]] as const) {
      if (e.accepts.includes(flag.slice(2) as (typeof e.accepts)[number])) continue;
      const r = cli([e.name, flag, value, '--json']);
      assert.equal(r.status, 2, `${e.name} ${flag}: ${describe(r)}`);
      assert.equal(r.stdout, '', `${e.name} ${flag}: nothing printed on stdout`);
      const first = r.stderr.split('\n')[0] ?? '';
      assert.match(first, new RegExp(`^vmprobe: ${flag} does not apply to \`vmprobe ${e.name}\``), `${e.name} ${flag}: ${r.stderr}`);
    }
  }
});
