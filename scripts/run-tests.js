#!/usr/bin/env node
// `npm test`: runs every compiled test file under dist/test/ with node's own test runner,
// one file at a time (the tests measure this process's and its children's memory, so
// two files at once would move each other's numbers).
//
// The files are listed here rather than handed to `node --test` as a directory: Node 22
// and later read a directory argument as a module path (MODULE_NOT_FOUND), and Node 20's
// runner does not expand globs. Extra arguments pass through to `node --test`
// (e.g. `npm test -- --test-name-pattern=lazy`); a first argument ending in .js, or
// several, replaces the file list. `--except=NAME[,NAME]` leaves out the files named by
// their path under test/ without .test.js (e.g. render/page; cli/ for a folder), and says so: CI uses it for the release-independent
// files on its second, third and fourth Node release (see scripts/test-groups.js).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** Every *.test.js below `dir`, sorted, as paths relative to `cwd`. */
function testFiles(dir, cwd) {
  const found = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(path.relative(cwd, full));
    }
  };
  walk(dir);
  return found.sort();
}

const cwd = process.cwd();
const args = process.argv.slice(2);
const except = new Set(args.filter((a) => a.startsWith('--except=')).flatMap((a) => a.slice('--except='.length).split(',')).filter(Boolean));
const explicit = args.filter((a) => a.endsWith('.js'));
const flags = args.filter((a) => !a.endsWith('.js') && !a.startsWith('--except='));
const testRoot = path.join(cwd, 'dist', 'test');
const nameOf = (f) => path.relative(testRoot, path.resolve(cwd, f)).replace(/\.test\.js$/, '');
const all = explicit.length > 0 ? explicit : testFiles(path.join(cwd, 'dist', 'test'), cwd);
// A name ending in '/' stands for every file under that folder.
const excepted = (f) => [...except].some((n) => (n.endsWith('/') ? nameOf(f).startsWith(n) : nameOf(f) === n));
const unknown = [...except].filter((n) => !all.some((f) => (n.endsWith('/') ? nameOf(f).startsWith(n) : nameOf(f) === n)));
if (unknown.length > 0) {
  console.error(`vmprobe: --except names no test file: ${unknown.join(', ')}`);
  process.exit(2);
}
const files = all.filter((f) => !excepted(f));
if (except.size > 0) console.log(`== not run here (--except): ${[...except].join(', ')}`);
if (files.length === 0) {
  console.error('vmprobe: no test files under dist/test/ (run `npm run build` first)');
  process.exit(1);
}
// One directory for what test files share within this run (test/helpers/cli.ts
// sharedReport: one whole report measured once, not once per file), removed at the end.
const sharedDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'vmprobe-tests-'));
let run;
try {
  run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...flags, ...files], { stdio: 'inherit', env: { ...process.env, VMPROBE_TEST_SHARED_DIR: sharedDir } });
} finally {
  fs.rmSync(sharedDir, { recursive: true, force: true });
}
if (run.error) throw run.error;
process.exit(run.status === null ? 1 : run.status);
