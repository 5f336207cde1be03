// The documentation cannot rot: every js/ts/mjs snippet of README.md and docs/*.md runs
// in a child node process against this build, every relative link and #anchor resolves,
// every public export of each entry point is documented in docs/api.md, every claim id
// and every experiment has its place in docs/, and nothing links outside the repository
// (the package ships README.md, CHANGELOG.md and docs/; ../shared is in neither).
//
// Skips, each with its reason: a `<!-- no-run: reason -->` snippet; a snippet importing
// an entry point this build lacks; a snippet calling glibc-malloc-only probes while a
// replacement allocator is loaded (test:asan, jemalloc), where they throw by design.
//
// A snippet runs with cwd = the repository root, so `require('vmprobe')` and
// `import 'vmprobe'` resolve by package self-reference (package.json "name" + "exports").
// `<!-- no-run: reason -->` on the line above a fence skips that snippet with the reason.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as ts from 'typescript';
import { anchors, fencedBlocks, links } from '../helpers/docs-markdown';
import { DOCUMENTED_CODES } from '../helpers/api-surface';

const ROOT = path.join(__dirname, '..', '..', '..');
const SNIPPET_TIMEOUT_MS = 180_000;
const RUN_LANGS = new Set(['js', 'javascript', 'mjs', 'ts', 'typescript']);
/** The entry points of the package and the build file each resolves to. */
const ENTRY_POINTS = [
  { spec: 'vmprobe', file: 'dist/lib/index.js' },
  { spec: 'vmprobe/experiments', file: 'dist/lib/experiments/index.js' },
  { spec: 'vmprobe/render', file: 'dist/lib/render/index.js' },
  { spec: 'vmprobe/prometheus', file: 'dist/lib/explain/prometheus.js' },
] as const;

/** Calls that need glibc's own malloc: under a replacement (jemalloc, a sanitizer runtime) they throw ERR_VMPROBE_UNSUPPORTED. */
const GLIBC_MALLOC_ONLY = /\b(mallopt|mallocTrim|mallinfo2|mallocInfo|mallocInfoXml|chunkHeader|drainTop)\b/;

/** The allocator that replaces glibc's in this process (and in the children, which inherit LD_PRELOAD), or null. */
function replacementAllocator(): string | null {
  const vmprobe = require(path.join(ROOT, ENTRY_POINTS[0].file)) as { readHostInfo(): { libc: { name: string; replacementAllocator: string | null } } };
  const { libc } = vmprobe.readHostInfo();
  return libc.name !== 'glibc' ? `the C library is ${libc.name}, not glibc` : libc.replacementAllocator === null ? null : `malloc is replaced by ${libc.replacementAllocator}`;
}

function docFiles(): string[] {
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

function read(rel: string): string {
  return fs.readFileSync(path.join(ROOT, rel), 'utf8');
}

/** Why an entry point cannot be imported from this build, or null when it can. */
function entryMissing(spec: string): string | null {
  const entry = ENTRY_POINTS.find((e) => e.spec === spec);
  const pkg = JSON.parse(read('package.json')) as { exports?: Record<string, unknown> };
  const key = spec === 'vmprobe' ? '.' : `./${spec.slice('vmprobe/'.length)}`;
  if (pkg.exports?.[key] === undefined) return `package.json "exports" has no "${key}" (entry point ${spec} not in this build)`;
  if (entry !== undefined && !fs.existsSync(path.join(ROOT, entry.file))) return `${entry.file} is absent (entry point ${spec} not built)`;
  return null;
}

/** The source a snippet runs as, and whether it is an ES module. */
function prepare(lang: string, code: string): { source: string; module: boolean } {
  if (lang === 'ts' || lang === 'typescript') {
    const out = ts.transpileModule(code, {
      reportDiagnostics: true,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    });
    const errors = (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(errors, [], 'the TypeScript snippet does not compile');
    return { source: out.outputText, module: true };
  }
  if (lang === 'mjs' || /^\s*(import|export)\s/m.test(code)) return { source: code, module: true };
  if (/\bawait\b/.test(code)) {
    return { source: `(async () => {\n${code}\n})().catch((e) => { console.error(e); process.exitCode = 1; });\n`, module: false };
  }
  return { source: code, module: false };
}

test('every js/ts/mjs snippet of README.md and docs/*.md runs against this build', async (t) => {
  // The snippets import 'vmprobe' by package self-reference: it must resolve to this build.
  assert.equal(require.resolve('vmprobe', { paths: [ROOT] }), path.join(ROOT, 'dist', 'lib', 'index.js'));
  let ran = 0;
  const skipped: string[] = [];
  const replaced = replacementAllocator();
  for (const file of docFiles()) {
    for (const block of fencedBlocks(read(file))) {
      if (!RUN_LANGS.has(block.lang)) continue;
      const name = `${file}:${block.line} (${block.lang})`;
      const missing = [...block.code.matchAll(/['"](vmprobe(?:\/[a-z-]+)?)['"]/g)]
        .map((m) => m[1] ?? '')
        .filter((spec) => ENTRY_POINTS.some((e) => e.spec === spec))
        .map(entryMissing)
        .find((r) => r !== null);
      const glibcCall = GLIBC_MALLOC_ONLY.exec(block.code);
      const skip = block.noRun !== null ? `no-run: ${block.noRun}`
        : missing !== undefined ? missing
        : replaced !== null && glibcCall !== null ? `calls ${glibcCall[1] ?? ''}, which needs glibc's own malloc: ${replaced} in this process`
        : null;
      if (skip !== null) {
        skipped.push(`${name}: ${skip}`);
        await t.test(name, { skip }, () => {});
        continue;
      }
      ran++;
      await t.test(name, () => {
        const { source, module } = prepare(block.lang, block.code);
        const r = spawnSync(process.execPath, [`--input-type=${module ? 'module' : 'commonjs'}`, '-'], {
          cwd: ROOT,
          input: source,
          encoding: 'utf8',
          timeout: SNIPPET_TIMEOUT_MS,
          env: { ...process.env, NO_COLOR: '1' },
          maxBuffer: 64 * 1024 * 1024,
        });
        if (r.error) throw r.error;
        assert.ok(r.signal === null && r.status === 0,
          `${name} exited ${r.status ?? r.signal}${r.signal === 'SIGTERM' ? ` (timeout ${SNIPPET_TIMEOUT_MS} ms?)` : ''}\n--- source:\n${source}\n--- stderr:\n${r.stderr.slice(-4000)}`);
      });
    }
  }
  t.diagnostic(`${ran} snippets ran, ${skipped.length} skipped`);
  for (const s of skipped) t.diagnostic(`skipped ${s}`);
  assert.ok(ran > 0, 'no snippet found to run');
});

test('every relative link and #anchor of README.md, CHANGELOG.md and docs/*.md resolves inside the repository', () => {
  const broken: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const files = [...docFiles(), 'CHANGELOG.md'];
  let checked = 0;
  for (const file of files) {
    for (const link of links(read(file))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue;
      checked++;
      const where = `${file}:${link.line} → ${link.target}`;
      const hashAt = link.target.indexOf('#');
      const rawPath = hashAt < 0 ? link.target : link.target.slice(0, hashAt);
      const hash = hashAt < 0 ? null : decodeURIComponent(link.target.slice(hashAt + 1));
      const target = rawPath === '' ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), decodeURIComponent(rawPath));
      const rel = path.relative(ROOT, target);
      if (rel.startsWith('..') || path.isAbsolute(rel)) { broken.push(`${where}: outside the repository`); continue; }
      if (!fs.existsSync(target)) { broken.push(`${where}: no such file`); continue; }
      if (hash === null || hash === '') continue;
      if (!target.endsWith('.md')) { broken.push(`${where}: an anchor into a file that is not Markdown`); continue; }
      let set = anchorCache.get(target);
      if (set === undefined) { set = anchors(fs.readFileSync(target, 'utf8')); anchorCache.set(target, set); }
      if (!set.has(hash)) broken.push(`${where}: no heading with anchor #${hash} in ${rel}`);
    }
  }
  assert.ok(checked > 20, `only ${checked} relative links found: the link reader is broken`);
  assert.deepEqual(broken, [], `${broken.length} broken links:\n${broken.join('\n')}`);
});

test('nothing in README.md, CHANGELOG.md or docs/ refers to ../shared (it exists neither in a clone nor in the package)', () => {
  const hits: string[] = [];
  for (const file of [...docFiles(), 'CHANGELOG.md']) {
    read(file).split('\n').forEach((l, i) => { if (l.includes('../shared')) hits.push(`${file}:${i + 1}: ${l.trim()}`); });
  }
  assert.deepEqual(hits, []);
});

for (const entry of ENTRY_POINTS) {
  test(`every export of ${entry.spec} is documented in docs/api.md`, (t) => {
    const missing = entryMissing(entry.spec);
    if (missing !== null) { t.skip(missing); return; }
    const api = read('docs/api.md');
      const mod = require(path.join(ROOT, entry.file)) as Record<string, unknown>;
    const names = Object.keys(mod).filter((n) => n !== '__esModule' && n !== 'default');
    const esc = (s: string): string => s.replace(/[$]/g, '\\$');
    const undocumented = names.filter((n) => !new RegExp('`' + esc(n) + '(?![A-Za-z0-9_$])[^`]*`').test(api));
    assert.deepEqual(undocumented, [], `${undocumented.length} of ${names.length} exports of ${entry.spec} are not mentioned in docs/api.md as \`name\`: ${undocumented.join(', ')}`);
  });
}

test('every claim id of the catalogue has a row in docs/claims.md', () => {
  const from = entryMissing('vmprobe/experiments') === null ? ENTRY_POINTS[1].file : ENTRY_POINTS[0].file;
  const { CLAIMS } = require(path.join(ROOT, from)) as { CLAIMS: ReadonlyArray<{ id: string }> };
  const doc = read('docs/claims.md');
  const absent = CLAIMS.map((c) => c.id).filter((id) => !doc.includes(`| \`${id}\` |`));
  assert.ok(CLAIMS.length > 0, `no CLAIMS in ${from}`);
  assert.deepEqual(absent, [], `claims of ${from} without a row in docs/claims.md: ${absent.join(', ')}`);
});

test('every experiment of this build has its page docs/<name>.md, linked from README.md', () => {
  const from = entryMissing('vmprobe/experiments') === null ? ENTRY_POINTS[1].file : ENTRY_POINTS[0].file;
  const { EXPERIMENTS } = require(path.join(ROOT, from)) as { EXPERIMENTS: ReadonlyArray<{ name: string }> };
  const readme = read('README.md');
  const lacking = [...EXPERIMENTS.map((e) => e.name), 'report']
    .filter((name) => !fs.existsSync(path.join(ROOT, 'docs', `${name}.md`)) || !readme.includes(`(docs/${name}.md)`));
  assert.ok(EXPERIMENTS.length > 0, `no EXPERIMENTS in ${from}`);
  assert.deepEqual(lacking, [], `experiments without a page in docs/ linked from README.md: ${lacking.join(', ')}`);
});

test('the package ships docs/ and CHANGELOG.md', () => {
  const pkg = JSON.parse(read('package.json')) as { files?: string[] };
  for (const f of ['docs', 'CHANGELOG.md', 'README.md']) {
    assert.ok((pkg.files ?? []).some((x) => x.replace(/\/$/, '') === f), `package.json "files" lacks ${f}: ${JSON.stringify(pkg.files)}`);
  }
});

test('every ERR_VMPROBE_* code thrown in lib/ has its row in docs/errors.md and is known to the fuzzer', () => {
  const codes = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.ts')) for (const m of fs.readFileSync(full, 'utf8').matchAll(/'(ERR_VMPROBE_[A-Z_]+)'/g)) codes.add(m[1] as string);
    }
  };
  walk(path.join(ROOT, 'lib'));
  const errorsPage = read('docs/errors.md');
  assert.ok(codes.size >= 5, `found only ${[...codes].join(', ')}`);
  const undocumented = [...codes].filter((c) => !errorsPage.includes(`| \`${c}\` |`));
  assert.deepEqual(undocumented, [], `codes without a row in docs/errors.md: ${undocumented.join(', ')}`);
  const unknown = [...codes].filter((c) => !DOCUMENTED_CODES.has(c));
  assert.deepEqual(unknown, [], `codes missing from DOCUMENTED_CODES (test/helpers/api-surface.ts): ${unknown.join(', ')}`);
});
