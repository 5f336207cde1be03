// Comments that name a file of this repository name one that exists. Files move (issue
// 13 regrouped lib/ by concern); a comment pointing at the old place sends a reader
// nowhere. Checked: the comments of the sources under lib/, native/, test/, bench/ and
// scripts/ (lines that start a comment, and what follows a trailing `//`), and all text
// of docs/*.md. Only repository-relative paths count: a token starting with one of
// those six folders and ending in .ts, .cc, .h, .js or .md, not glued to a longer path
// (so a compiled `dist/...` path or a URL never matches). String literals are not
// read: tests build paths in temporary folders.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const CODE_DIRS = ['lib', 'native', 'test', 'bench', 'scripts'];
const CODE_FILE = /\.(ts|js|cc|h|c)$/;
const REPO_PATH = /(?<![\w/.@-])((?:lib|native|test|bench|scripts|docs)\/[\w./-]*?\.(?:ts|cc|h|js|md))(?![\w/])/g;

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name.startsWith('.') ? [] : filesUnder(p, keep);
    return e.isFile() && keep(e.name) ? [p] : [];
  });
}

/** The comment text of one source line: the whole line when it starts a comment (`//`, `/*`, `*`), else what follows a `//` that stands after code. */
function commentOf(line: string): string {
  const trimmed = line.trimStart();
  if (trimmed.startsWith('//') || trimmed.startsWith('/*') || trimmed.startsWith('*')) return trimmed;
  const at = line.search(/[\s;,)]\/\/\s/);
  return at < 0 ? '' : line.slice(at + 1);
}

/** Repository paths named in `text`. */
function namedPaths(text: string): string[] {
  return [...text.matchAll(REPO_PATH)].map((m) => m[1] as string);
}

test('the path scanner finds repository paths in comments and nothing glued to a longer path', () => {
  assert.deepEqual(namedPaths(commentOf('  x = 1; // see lib/memory/handle.ts and native/errors.h.')), ['lib/memory/handle.ts', 'native/errors.h']);
  assert.deepEqual(namedPaths(commentOf(' * (`docs/api.md`, test/helpers/api-surface.ts)')), ['docs/api.md', 'test/helpers/api-surface.ts']);
  assert.deepEqual(namedPaths('run dist/test/x.test.js or https://example.org/lib/a.ts or test/malloc-*.test.ts'), []);
  assert.equal(commentOf("const glob = 'dist/test/**/*.test.js';"), '', 'a string is not a comment');
});

test('every repository path named in a comment of lib/, native/, test/, bench/, scripts/ or in docs/ exists', () => {
  const named: { where: string; target: string }[] = [];
  for (const dir of CODE_DIRS) {
    for (const file of filesUnder(path.join(ROOT, dir), (n) => CODE_FILE.test(n))) {
      fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        for (const target of namedPaths(commentOf(line))) named.push({ where: `${path.relative(ROOT, file)}:${i + 1}`, target });
      });
    }
  }
  for (const file of filesUnder(path.join(ROOT, 'docs'), (n) => n.endsWith('.md'))) {
    fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      for (const target of namedPaths(line)) named.push({ where: `${path.relative(ROOT, file)}:${i + 1}`, target });
    });
  }
  assert.ok(named.length >= 20, `the scan found only ${named.length} named paths: is the pattern still right?`);
  const stale = named.filter((n) => !fs.existsSync(path.join(ROOT, n.target)));
  assert.deepEqual(stale.map((s) => `${s.where} names ${s.target}`), [], `${stale.length} of ${named.length} named paths do not exist`);
});
