// Tests for the package as a user installs it: `npm pack` the repository, install the
// tarball into a scratch project, and use it from CommonJS, from an ES module, and
// through its `vmprobe` bin and `npx vmprobe`. The install first skips scripts
// (`--ignore-scripts`): the bin must then say how to build the addon from the app
// (`npm rebuild vmprobe`), and that very command builds it — through the package's
// `install` script, the one `npm install` runs, which must print one line, not gyp's.
//
// Slow (npm pack rebuilds dist/ through `prepack`; the install compiles the addon):
// VMPROBE_SKIP_PACK_TEST=1 skips it in quick local loops. CI must not set it.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';

const ROOT = path.join(__dirname, '..', '..', '..');
const SKIP = process.env['VMPROBE_SKIP_PACK_TEST'] === '1'
  ? 'VMPROBE_SKIP_PACK_TEST=1 is set (meant for quick local loops; CI must not set it)'
  : false;

/** The environment for nested npm commands: without the npm_* variables of an enclosing `npm test`. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && v !== undefined) env[k] = v;
  return env;
}

function npm(args: string[], cwd: string): string {
  const r = spawnSync('npm', args, { cwd, env: npmEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `npm ${args.join(' ')} in ${cwd} exited ${r.status}\n--- stdout:\n${r.stdout.slice(-3000)}\n--- stderr:\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

/** Runs `node file` in `cwd` and parses the one JSON line it prints. */
function runScript(cwd: string, file: string, source: string): Record<string, unknown> {
  fs.writeFileSync(path.join(cwd, file), source);
  const out = execFileSync(process.execPath, [file], { cwd, encoding: 'utf8' });
  return JSON.parse(out) as Record<string, unknown>;
}

const CJS = `'use strict';
const vmprobe = require('vmprobe');
const pages = 16;
const m = vmprobe.map({ sizeBytes: pages * vmprobe.pageSizeBytes() });
const t = m.touch({ mode: 'write' });
const present = m.pagemap().presentPages;
m.unmap();
const experiments = require('vmprobe/experiments');
const render = require('vmprobe/render');
let peer = 'returned';
try { require('vmprobe/prometheus').registerMemoryGauges(); } catch (e) { peer = e.code; }
process.stdout.write(JSON.stringify({ faults: t.minorFaults + t.majorFaults, pagesTouched: t.pagesTouched, present, exports: Object.keys(vmprobe).sort(),
  experimentExports: Object.keys(experiments).sort(), renderExports: Object.keys(render).sort(), peer }));
`;

const ESM = `import { map, pageSizeBytes } from 'vmprobe';
import { runLazy } from 'vmprobe/experiments';
import { renderJson } from 'vmprobe/render';
import vmprobe from 'vmprobe';
import { createRequire } from 'node:module';
const required = createRequire(import.meta.url)('vmprobe');
const requiredExperiments = createRequire(import.meta.url)('vmprobe/experiments');
const pages = 16;
const m = map({ sizeBytes: pages * pageSizeBytes() });
const t = m.touch({ mode: 'write' });
m.unmap();
const lazy = await runLazy({ sizeBytes: 1024 * 1024 });
process.stdout.write(JSON.stringify({
  faults: t.minorFaults + t.majorFaults,
  sameMap: map === required.map,
  sameRunLazy: runLazy === requiredExperiments.runLazy,
  json: renderJson({ address: 255n }),
  sameDefault: vmprobe === required,
  defaultMapIsNamedMap: vmprobe.map === map,
  lazyClaims: lazy.claims.map((c) => c.id),
}));
`;

test('the packed tarball installs into a scratch project and works from require, import and its bin', { skip: SKIP, timeout: 240_000 }, (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-pack-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  npm(['pack', '--pack-destination', tmp], ROOT);
  const tarballs = fs.readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
  assert.equal(tarballs.length, 1, `tarballs in ${tmp}: ${tarballs.join(', ')}`);
  const tarball = path.join(tmp, tarballs[0] ?? '');

  // What the tarball ships.
  const entries = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter((e) => e !== '');
  for (const wanted of ['package/package.json', 'package/dist/lib/index.js', 'package/dist/lib/index.mjs', 'package/dist/lib/index.d.ts',
    'package/dist/lib/cli/main.js', 'package/dist/lib/explain/prometheus.mjs', 'package/native/mapping.cc', 'package/binding.gyp', 'package/scripts/ensure-addon.js']) {
    assert.ok(entries.includes(wanted), `${wanted} missing from the tarball`);
  }
  const unwanted = entries.filter((e) => e.startsWith('package/build/') || /(^|\/)test\//.test(e) || /\.(o|node|tsbuildinfo)$/.test(e) || e.startsWith('package/lib/'));
  assert.deepEqual(unwanted, [], 'build intermediates, tests or TypeScript sources in the tarball');

  // A scratch project installs it (building the addon from source).
  const app = path.join(tmp, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'vmprobe-scratch', version: '1.0.0', private: true }));
  npm(['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], app);
  assert.ok(fs.existsSync(path.join(app, 'node_modules', 'vmprobe', 'dist', 'lib', 'index.d.ts')), 'types installed');
  const binPath = path.join(app, 'node_modules', '.bin', 'vmprobe');

  // Without its addon, the bin names the command that builds it from the app, in a message, not a stack trace.
  const missing = spawnSync(binPath, ['lazy', '--size', '1MiB'], { cwd: app, encoding: 'utf8' });
  assert.equal(missing.status, 1, `vmprobe without its addon: exit ${missing.status}\n${missing.stderr}`);
  assert.match(missing.stderr, /^vmprobe: .*native addon could not be loaded/);
  assert.match(missing.stderr, /`npm rebuild vmprobe`/);
  assert.doesNotMatch(missing.stderr, /npm run build|\n\s+at /, 'a clone\'s command or a stack trace');

  // That command builds it: the install script, with one line of output on success.
  const rebuild = npm(['rebuild', 'vmprobe', '--foreground-scripts'], app);
  const lines = rebuild.split('\n').filter((l) => l.trim() !== '');
  assert.deepEqual(lines.filter((l) => /gyp|CXX|SOLINK|make/.test(l)), [], `node-gyp output on a successful build:\n${rebuild.slice(0, 2000)}`);
  assert.equal(lines.filter((l) => /^vmprobe: native addon ready for node v\d+/.test(l)).length, 1, `no one-line build report:\n${rebuild}`);
  assert.ok(fs.existsSync(path.join(app, 'node_modules', 'vmprobe', 'build', 'Release', 'vmprobe.node')), 'the addon was built');

  const cjs = runScript(app, 'probe.cjs', CJS);
  assert.equal(cjs['faults'], 16, `require: writing 16 fresh pages took ${String(cjs['faults'])} faults`);
  assert.equal(cjs['pagesTouched'], 16);
  assert.equal(cjs['present'], 16);
  assert.ok((cjs['exports'] as string[]).includes('map'), 'vmprobe exports map');
  assert.ok(!(cjs['exports'] as string[]).includes('runLazy'), 'vmprobe exports no experiment');
  assert.ok((cjs['experimentExports'] as string[]).includes('runLazy'), 'vmprobe/experiments exports runLazy');
  assert.ok((cjs['renderExports'] as string[]).includes('renderReportHtml'), 'vmprobe/render exports renderReportHtml');
  // prom-client is an optional peer: npm does not install it, and vmprobe/prometheus says so with its code.
  assert.equal(fs.existsSync(path.join(app, 'node_modules', 'prom-client')), false, 'npm installed the optional peer prom-client');
  assert.equal(cjs['peer'], 'ERR_VMPROBE_PEER_MISSING', 'registerMemoryGauges() without prom-client');

  const esm = runScript(app, 'probe.mjs', ESM);
  assert.equal(esm['faults'], 16, `import: writing 16 fresh pages took ${String(esm['faults'])} faults`);
  assert.equal(esm['sameMap'], true, 'import { map } and require().map are one function');
  assert.equal(esm['sameRunLazy'], true, "import { runLazy } and require('vmprobe/experiments').runLazy are one function");
  assert.equal(esm['json'], '{\n  "address": "0xff"\n}');
  assert.equal(esm['sameDefault'], true, 'the default import is the CommonJS exports object');
  assert.equal(esm['defaultMapIsNamedMap'], true);
  assert.deepEqual(esm['lazyClaims'], ['lazy.mmap-virtual-only', 'lazy.first-touch-fault', 'lazy.malloc-virtual', 'lazy.swap-major']);

  const bin = spawnSync(binPath, ['--help'], { cwd: app, encoding: 'utf8' });
  assert.equal(bin.error, undefined);
  assert.equal(bin.status, 0, `node_modules/.bin/vmprobe --help exited ${bin.status}: ${bin.stderr}`);
  assert.match(bin.stdout, /Usage: vmprobe <experiment>/);
  assert.doesNotMatch(bin.stdout, /npm (run|start)|exp:/, '--help assumes a clone');

  // `npx vmprobe report` from the app (offline: npx must find the installed bin, not fetch one).
  const npx = spawnSync('npx', ['--offline', 'vmprobe', 'report', '--only', 'lazy', '--size', '1MiB', '--json'], { cwd: app, env: npmEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(npx.status, 0, `npx vmprobe report exited ${npx.status}: ${npx.stderr.slice(-2000)}`);
  const report = JSON.parse(npx.stdout) as { experiment: string; experiments: Array<{ experiment: string }> };
  assert.equal(report.experiment, 'report');
  assert.deepEqual(report.experiments.map((e) => e.experiment), ['lazy']);

  // A TypeScript consumer type-checks against the installed declarations under --strict,
  // with TypeScript's defaults otherwise and no @types/node of its own.
  fs.writeFileSync(path.join(app, 'consumer.ts'), CONSUMER_TS);
  fs.writeFileSync(path.join(app, 'bad-only.ts'), BAD_ONLY_TS);
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const ok = spawnSync(process.execPath, [tsc, '--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', 'consumer.ts'], { cwd: app, encoding: 'utf8' });
  assert.equal(ok.status, 0, `tsc --strict consumer.ts:\n${ok.stdout}${ok.stderr}`);
  const bad = spawnSync(process.execPath, [tsc, '--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', 'bad-only.ts'], { cwd: app, encoding: 'utf8' });
  assert.notEqual(bad.status, 0, 'runReport({ only: [\'bogus\'] }) must not type-check');
  assert.match(bad.stdout, /bogus/, bad.stdout);
});

/** A consumer of all three entries, typed strictly. */
const CONSUMER_TS = `import { map, malloc, readSmapsRollup, bufferResidency, type Residency, type SmapsRollup } from 'vmprobe';
import { runReport, runLazy, EXPERIMENT_NAMES, type ReportResult, type KnownExperimentResult, type ExperimentName } from 'vmprobe/experiments';
import { renderReportHtml, renderReportText, renderJson } from 'vmprobe/render';

export function residentPages(): number {
  const m = map({ sizeBytes: 4096 });
  const r: Residency = m.residency();
  m.unmap();
  const b = malloc({ sizeBytes: 64 });
  b.free();
  return r.residentPages;
}
export function rollup(): SmapsRollup { return readSmapsRollup('self'); }
export function residency(): string { return JSON.stringify(bufferResidency(new Uint8Array(16))); }
export async function page(): Promise<string> {
  const names: readonly ExperimentName[] = EXPERIMENT_NAMES;
  const report: ReportResult = await runReport({ only: ['lazy'] });
  const lazy = await runLazy({ sizeBytes: 1 << 20 });
  const known: KnownExperimentResult = lazy;
  if (known.experiment === 'lazy') known.measurements.steps.length;
  return renderReportHtml(report) + renderReportText(report) + renderJson(names);
}
`;

/** A consumer that names an experiment that does not exist: must fail to compile. */
const BAD_ONLY_TS = `import { runReport } from 'vmprobe/experiments';
export const p = runReport({ only: ['bogus'] });
`;
