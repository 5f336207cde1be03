// The JSON Schema of `vmprobe report --json` (schema/report.schema.json, shipped in the
// package): it is a valid draft 2020-12 schema, real output of this build validates
// against it, it rejects documents that break the contract, its claim ids are the
// catalogue's, and `npm pack` ships it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CLAIMS, EXPERIMENTS, type ReportResult } from '../../lib/experiments/index';
import { sharedReport } from '../helpers/cli';

const ROOT = path.join(__dirname, '..', '..', '..');
const SCHEMA_FILE = path.join(ROOT, 'schema', 'report.schema.json');

interface AjvError { instancePath: string; message?: string; params: unknown }
type Validate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv2020 = require('ajv/dist/2020') as new (opts: { allErrors: boolean; strict: boolean }) => { compile(schema: unknown): Validate };

const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as { $schema: string; $defs: { claimId: { enum: string[] } } };
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

function errorsOf(v: Validate): string {
  return (v.errors ?? []).slice(0, 15).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}

let realReport: ReportResult | undefined;
/** `vmprobe report --json --size 4MiB` (with --html, measured once per npm test: test/helpers/cli.ts sharedReport). */
function runRealReport(): ReportResult {
  if (realReport) return realReport;
  const r = sharedReport().run;
  assert.equal(r.status, 0, `report exited ${r.status}\n${r.stderr.slice(-2000)}`);
  realReport = JSON.parse(r.stdout) as ReportResult;
  return realReport;
}

test('the schema is draft 2020-12 and compiles in strict mode', () => {
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(typeof validate, 'function');
});

test('real output of `vmprobe report --json --size 4MiB` validates against the schema', () => {
  const doc = runRealReport();
  assert.deepEqual(doc.experiments.map((e) => e.experiment), EXPERIMENTS.map((e) => e.name));
  assert.ok(validate(doc), `report --json does not match schema/report.schema.json:\n${errorsOf(validate)}`);
});

test('the schema rejects a "not-measured" verdict, a missing notMeasured, a decimal address and an unknown claim id', () => {
  const doc = runRealReport();
  const firstClaim = (d: ReportResult): Record<string, unknown> => d.experiments[0]?.claims[0] as unknown as Record<string, unknown>;
  const broken: Array<[string, (d: ReportResult) => void]> = [
    ['verdict not-measured', (d) => { firstClaim(d)['verdict'] = 'not-measured'; }],
    ['no notMeasured', (d) => { delete (d as Partial<ReportResult>).notMeasured; }],
    ['decimal address', (d) => {
      const stack = d.experiments.find((e) => e.experiment === 'stack');
      assert.ok(stack, 'the stack experiment ran');
      const samples = (stack.measurements as { samples: Array<{ stackPointer: unknown }> }).samples;
      assert.ok(samples[0], 'the stack experiment has samples');
      samples[0].stackPointer = 140737488355328;
    }],
    ['unknown claim id', (d) => { firstClaim(d)['id'] = 'lazy.no-such-claim'; }],
    ['Infinity written as a string', (d) => { (d.host.stackLimit as unknown as Record<string, unknown>)['hardBytes'] = 'Infinity'; }],
  ];
  for (const [what, breakIt] of broken) {
    const copy = structuredClone(doc);
    breakIt(copy);
    assert.equal(validate(copy), false, `the schema accepted a document with ${what}`);
  }
});

test('the schema\'s claim ids are exactly the catalogue\'s (lib/report/claims.ts), in order', () => {
  assert.deepEqual(schema.$defs.claimId.enum, CLAIMS.map((c) => c.id));
});

test('package.json ships and exports the schema, and `npm pack` includes schema/report.schema.json', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[]; exports: Record<string, unknown> };
  assert.ok(pkg.files.includes('schema'), `package.json files: ${pkg.files.join(', ')}`);
  assert.equal(pkg.exports['./schema/report.schema.json'], './schema/report.schema.json', 'the schema is importable as vmprobe/schema/report.schema.json');
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const [packed] = JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>;
  assert.ok(packed?.files.some((f) => f.path === 'schema/report.schema.json'), `packed files: ${packed?.files.map((f) => f.path).filter((p) => !p.startsWith('dist/')).join(', ')}`);
});

test('a report whose malloc experiment measured nothing (the allocator is not glibc\'s) validates too', async () => {
  const doc = JSON.parse(JSON.stringify(runRealReport())) as ReportResult;
  const { runMalloc } = await import('../../lib/experiments/index');
  const notGlibc = JSON.parse(JSON.stringify(await runMalloc({ libc: { name: 'musl', version: null } }))) as ReportResult['experiments'][number];
  doc.experiments = doc.experiments.map((e) => (e.experiment === 'malloc' ? notGlibc : e));
  assert.ok(doc.experiments.some((e) => e.experiment === 'malloc' && 'skipped' in (e.measurements as object)), 'the malloc entry is the not-measured one');
  assert.equal(validate(doc), true, errorsOf(validate));
});
