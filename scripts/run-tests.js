#!/usr/bin/env node
// Runs the compiled test files (dist/test/**/*.test.js, or those under the directories
// and files given as arguments) one file at a time with node's test runner. A file list
// rather than `node --test dist/test/` (a directory: MODULE_NOT_FOUND on Node >= 22) or
// a glob (Node 20's --test does not expand globs): this works on Node 20, 22, 24 and 26.
// Extra node flags for the runner go before the paths, e.g. `--test-reporter=tap`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
function testFiles(at) {
  const stat = fs.statSync(at);
  if (stat.isFile()) return [at];
  return fs.readdirSync(at, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? testFiles(path.join(at, e.name)) : e.name.endsWith('.test.js') ? [path.join(at, e.name)] : []));
}

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const paths = args.filter((a) => !a.startsWith('--'));
const files = (paths.length > 0 ? paths : [path.join(root, 'dist', 'test')]).flatMap((p) => testFiles(path.resolve(p)));
if (files.length === 0) {
  console.error('run-tests: no *.test.js files found (run `npm run build` first)');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...flags, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
