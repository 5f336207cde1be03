#!/usr/bin/env node
// Builds the native addon when it is missing, and brings it up to date when it
// exists (`node-gyp build` is incremental: make only recompiles what changed).
// Used by `npm install` (install script), `npm run build`, `npm test`, `npm start`.
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
const script = findNodeGyp();
const gyp = script ? [process.execPath, [script, ...args]] : ['node-gyp', args];
const run = spawnSync(gyp[0], gyp[1], { cwd: root, stdio: 'inherit' });
if (run.error || run.status !== 0) {
  const why = run.error ? run.error.message : `exit code ${run.status}`;
  console.error(`vmprobe: building the native addon failed (${why}). ` +
    'It needs python3, make and a C++ compiler; rebuild with `npx node-gyp rebuild` in the package directory.');
  process.exit(1);
}
