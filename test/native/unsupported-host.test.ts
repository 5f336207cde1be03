// Unsupported hosts and broken builds, seen from the package entry itself (issue 7.6).
// A child node process is told it runs on another platform by a `-r` preload script
// that overrides process.platform before the package is required: importing vmprobe
// (require or import) then throws ERR_VMPROBE_UNSUPPORTED naming the platform, without
// loading the addon. A temp copy of the package with no addon, a stale addon, or a
// corrupt one throws ERR_VMPROBE_BUILD telling the user the command that rebuilds it.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ADDON_ABI } from '../../lib/native/loader';
import { LIB_ENTRY } from '../helpers/expect-code';

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');

interface Outcome { code: string | null; message: string; nativeLoaded: string[] }

/** Requires (or imports) `entry` in a fresh node, with `preload` run first; reports what was thrown. */
function tryImport(entry: string, opts: { preload?: string; esm?: boolean } = {}): Outcome {
  const report = `(e) => console.log(JSON.stringify({ code: e && e.code || null, message: String(e && e.message),
    nativeLoaded: (process.moduleLoadList || []).filter((m) => m.endsWith('.node')).concat(Object.keys(require('node:module')._cache || {}).filter((k) => k.endsWith('.node'))) }))`;
  const script = opts.esm
    ? `import(${JSON.stringify(entry.replace(/index\.js$/, 'index.mjs'))}).then(() => console.log('{"code":null,"message":"imported","nativeLoaded":[]}'), ${report});`
    : `try { require(${JSON.stringify(entry)}); console.log('{"code":null,"message":"loaded","nativeLoaded":[]}'); } catch (e) { (${report})(e); }`;
  const args = [...(opts.preload ? ['-r', opts.preload] : []), '-e', script];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 20_000 });
  const line = child.stdout.trim().split('\n').find((l) => l.startsWith('{'));
  assert.ok(line, `the child printed no report: status ${child.status}\nstdout: ${child.stdout}\nstderr: ${child.stderr}`);
  return JSON.parse(line) as Outcome;
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-host-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

for (const platform of ['darwin', 'win32', 'freebsd', 'android']) {
  test(`importing vmprobe on ${platform} (simulated in a preload) throws ERR_VMPROBE_UNSUPPORTED naming it, and loads no addon`, (t) => {
    const preload = path.join(tempDir(t), 'platform.js');
    fs.writeFileSync(preload, `Object.defineProperty(process, 'platform', { value: ${JSON.stringify(platform)} });\n`);
    for (const esm of [false, true]) {
      const out = tryImport(LIB_ENTRY, { preload, esm });
      const how = esm ? 'import()' : 'require()';
      assert.equal(out.code, 'ERR_VMPROBE_UNSUPPORTED', `${how}: ${out.message}`);
      assert.match(out.message, new RegExp(`runs only on Linux; this is ${platform}$`), `${how} message`);
      assert.deepEqual(out.nativeLoaded, [], `${how} loaded a native module off Linux`);
    }
  });
}

test('the same package loads normally when the platform is linux (the preload itself changes nothing else)', (t) => {
  const preload = path.join(tempDir(t), 'platform.js');
  fs.writeFileSync(preload, "Object.defineProperty(process, 'platform', { value: 'linux' });\n");
  assert.equal(tryImport(LIB_ENTRY, { preload }).message, 'loaded');
});

/** A copy of the built package (package.json, dist/lib, node_modules linked) with `build` as given. */
function packageCopy(t: { after: (fn: () => void) => void }, build: 'none' | 'copy'): string {
  const root = tempDir(t);
  fs.copyFileSync(path.join(PACKAGE_ROOT, 'package.json'), path.join(root, 'package.json'));
  fs.cpSync(path.join(PACKAGE_ROOT, 'dist', 'lib'), path.join(root, 'dist', 'lib'), { recursive: true });
  fs.symlinkSync(path.join(PACKAGE_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  if (build === 'copy') {
    fs.mkdirSync(path.join(root, 'build', 'Release'), { recursive: true });
    fs.copyFileSync(path.join(PACKAGE_ROOT, 'build', 'Release', 'vmprobe.node'), path.join(root, 'build', 'Release', 'vmprobe.node'));
  }
  return root;
}

test('a package copy without its addon throws ERR_VMPROBE_BUILD with the rebuild command and the paths tried', (t) => {
  const root = packageCopy(t, 'none');
  const out = tryImport(path.join(root, 'dist', 'lib', 'index.js'));
  assert.equal(out.code, 'ERR_VMPROBE_BUILD', out.message);
  assert.match(out.message, /npm run build/);
  assert.match(out.message, /node-gyp rebuild/);
  assert.ok(out.message.includes(path.join(root, 'build')), `the message lists the paths tried under ${root}/build: ${out.message}`);
});

test('a package copy whose addon is older than its JavaScript throws ERR_VMPROBE_BUILD saying it is stale', (t) => {
  const root = packageCopy(t, 'copy');
  const nativeJs = path.join(root, 'dist', 'lib', 'native', 'loader.js');
  const text = fs.readFileSync(nativeJs, 'utf8');
  const bumped = text.replace(`exports.ADDON_ABI = ${ADDON_ABI};`, `exports.ADDON_ABI = ${ADDON_ABI + 1};`);
  assert.notEqual(bumped, text, 'dist/lib/native/loader.js sets exports.ADDON_ABI');
  fs.writeFileSync(nativeJs, bumped);
  const out = tryImport(path.join(root, 'dist', 'lib', 'index.js'));
  assert.equal(out.code, 'ERR_VMPROBE_BUILD', out.message);
  assert.match(out.message, new RegExp(`stale \\(ABI ${ADDON_ABI}, this JavaScript needs ${ADDON_ABI + 1}\\)`));
  assert.match(out.message, /npm run build/);
});

test('a corrupt addon file throws ERR_VMPROBE_BUILD with the loader error and the rebuild command', (t) => {
  const root = packageCopy(t, 'copy');
  fs.writeFileSync(path.join(root, 'build', 'Release', 'vmprobe.node'), 'not an ELF file\n');
  const out = tryImport(path.join(root, 'dist', 'lib', 'index.js'));
  assert.equal(out.code, 'ERR_VMPROBE_BUILD', out.message);
  assert.match(out.message, /could not be loaded/);
  assert.match(out.message, /npm run build/);
});
