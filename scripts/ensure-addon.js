#!/usr/bin/env node
// Builds the native addon when it is missing, and brings it up to date when it
// exists (`node-gyp build` is incremental: make only recompiles what changed).
// Used by `npm install` (install script), `npm run build`, `npm test`, `npm start`.
// node-gyp's output is kept and printed only when the build fails; a build that
// succeeds prints one line (VMPROBE_VERBOSE_BUILD=1 streams everything as it comes).
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const configured = existsSync(path.join(root, 'build', 'Makefile'));
const args = configured ? ['build'] : ['rebuild'];
if (process.env.VMPROBE_DEBUG_BUILD) args.push('--debug');
// Build against the headers installed with this very node binary when they exist, so
// no header tarball has to be downloaded (and an offline machine can build).
const prefix = path.join(path.dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${path.resolve(prefix)}`);
}
// npm tells lifecycle scripts where its node-gyp is; outside npm, use ours (a dev
// dependency) or the one bundled with npm beside this node binary.
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  try { candidates.push(require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] })); } catch { /* not installed */ }
  candidates.push(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => c && existsSync(c));
}
const verbose = process.env.VMPROBE_VERBOSE_BUILD === '1';
const script = findNodeGyp();
const gyp = script ? [process.execPath, [script, ...args]] : ['node-gyp', args];
const started = Date.now();
const run = spawnSync(gyp[0], gyp[1], {
  cwd: root,
  stdio: verbose ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
});
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (run.error || run.status !== 0) {
  if (!verbose) process.stderr.write(`${run.stdout ?? ''}${run.stderr ?? ''}`);
  const why = run.error ? run.error.message : `exit code ${run.status}`;
  console.error(`vmprobe: building the native addon failed (${why}). ` +
    'It needs python3, make and a C++ compiler: install them, then run `npm rebuild vmprobe` in your project ' +
    '(in a clone of vmprobe: `npm run build`). VMPROBE_VERBOSE_BUILD=1 shows node-gyp\'s output as it runs.');
  process.exit(1);
}
console.log(`vmprobe: native addon ready for node ${process.version} (${path.join('build', 'Release', 'vmprobe.node')}, ${seconds} s)`);
