// Tests for lib/native/loader.ts loadAddon: the only place that loads the addon. Off Linux it
// says so (ERR_VMPROBE_UNSUPPORTED); a missing or stale binary is ERR_VMPROBE_BUILD with
// the command that rebuilds it. `platform` and `load` are parameters for these tests.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ADDON_ABI, loadAddon, native, rebuildHint } from '../../lib/native/loader';
import { expectCode, runChildJson } from '../helpers/expect-code';

test('loadAddon off Linux throws ERR_VMPROBE_UNSUPPORTED naming the platform, without trying to load', () => {
  for (const platform of ['darwin', 'win32', 'freebsd']) {
    let loaded = false;
    const err = expectCode(() => loadAddon(platform, () => {
      loaded = true;
      return native;
    }), 'ERR_VMPROBE_UNSUPPORTED', { message: new RegExp(`\\b${platform}\\b`) });
    assert.match(err.message, /Linux/);
    assert.equal(loaded, false, `loadAddon('${platform}') called the loader`);
  }
});

test('a missing addon is ERR_VMPROBE_BUILD telling to run npm run build, with the loader error as cause', () => {
  const cause = new Error("Cannot find module 'vmprobe.node'");
  const err = expectCode(() => loadAddon('linux', () => {
    throw cause;
  }), 'ERR_VMPROBE_BUILD', { message: /npm run build/ });
  assert.match(err.message, /Cannot find module/);
  assert.equal(err.cause, cause);
  const odd = expectCode(() => loadAddon('linux', () => {
    throw 'a string, not an Error'; // eslint-disable-line no-throw-literal
  }), 'ERR_VMPROBE_BUILD');
  assert.match(odd.message, /a string, not an Error/);
});

test('an addon with the wrong ABI is ERR_VMPROBE_BUILD saying it is stale', () => {
  for (const fake of [{ abi: ADDON_ABI - 1 }, { abi: ADDON_ABI + 1 }, {}, { abi: String(ADDON_ABI) }]) {
    const err = expectCode(() => loadAddon('linux', () => fake), 'ERR_VMPROBE_BUILD', { message: /stale/, label: JSON.stringify(fake) });
    assert.match(err.message, /npm run build/);
    assert.match(err.message, new RegExp(`needs ${ADDON_ABI}`));
  }
});

test('loadAddon asks its loader for "vmprobe" and returns a matching addon as is', () => {
  const names: string[] = [];
  const fake = { abi: ADDON_ABI };
  assert.equal(loadAddon('linux', (name) => {
    names.push(name);
    return fake;
  }), fake);
  assert.deepEqual(names, ['vmprobe']);
});

test('the real addon loads with the ABI this JavaScript expects and exports the documented surface', () => {
  assert.equal(native.abi, ADDON_ABI);
  const again = loadAddon();
  assert.equal(again.abi, ADDON_ABI);
  for (const name of ['Mapping', 'HeapBlock', 'mincoreScan', 'bufferRange', 'getrusage', 'getrlimit', 'setrlimit', 'sysconf', 'libc', 'fadvise'] as const) {
    assert.equal(typeof native[name], 'function', `native.${name}`);
  }
});

test('requiring the package from a fresh process loads the addon once from build/Release', () => {
  const out = runChildJson(`
    const v = require(LIB);
    const { native } = require(NATIVE);
    const loaded = Object.keys(require.cache).concat(process.moduleLoadList ?? []).filter((k) => k.endsWith('.node'));
    console.log(JSON.stringify({ abi: native.abi, page: v.pageSizeBytes(), loaded }));
  `) as { abi: number; page: number; loaded: string[] };
  assert.equal(out.abi, ADDON_ABI);
  assert.ok(out.page > 0);
  const expected = path.resolve(__dirname, '..', '..', '..', 'build', 'Release', 'vmprobe.node');
  assert.ok(out.loaded.includes(expected), `loaded ${out.loaded.join(', ')}; expected ${expected}`);
});

test('the rebuild command fits where vmprobe is: `npm rebuild vmprobe` when installed in an app, `npm run build` in a clone', () => {
  for (const root of ['/srv/app/node_modules/vmprobe', '/srv/app/node_modules/@scope/vmprobe', '/srv/app/node_modules/.pnpm/vmprobe@0.1.0/node_modules/vmprobe']) {
    const hint = rebuildHint(root);
    assert.match(hint, /`npm rebuild vmprobe`/, root);
    assert.doesNotMatch(hint, /npm run build/, root);
  }
  for (const root of ['/home/me/vmprobe', '/work/wt/cli']) assert.match(rebuildHint(root), /`npm run build`/, root);
  // This checkout is a clone: the messages below name `npm run build`.
  assert.match(rebuildHint(), /`npm run build`/);
});
