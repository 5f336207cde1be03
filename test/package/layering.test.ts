// The import rules of lib/ (issue 13), checked by parsing every import statement of
// lib/**/*.ts: renderers measure nothing, /proc parsers never load the addon, the
// `vmprobe` entry carries no experiment, experiments reach the addon only through the
// probe API (or lib/native/child-only.ts, the calls a vmprobe child may make).
// Type-only imports (`import type`) are erased at compile time and are not edges.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const LIB = path.join(ROOT, 'lib');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Module id relative to lib/ without extension, e.g. 'memory/mapping'. */
const idOf = (file: string): string => path.relative(LIB, file).replace(/\.ts$/, '');

/** The runtime (not type-only) relative imports and re-exports of one file, as module ids. */
function runtimeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'(\.[^']+)'|(?:^|\n)\s*import\s+'(\.[^']+)'|require\('(\.[^']+)'\)/g;
  for (const m of text.matchAll(re)) {
    if (m[2] !== undefined) continue;
    // `import { type A, type B } from` is type-only too.
    const names = m[3] ?? '';
    if (/^\{[^}]*\}$/.test(names.trim()) && names.replace(/[{}\s]/g, '').split(',').filter(Boolean).every((n) => n.startsWith('type'))) continue;
    const spec = m[4] ?? m[5] ?? m[6];
    if (spec === undefined) continue;
    const base = path.resolve(path.dirname(file), spec);
    const target = [`${base}.ts`, path.join(base, 'index.ts')].find((p) => fs.existsSync(p));
    if (target !== undefined && target.startsWith(LIB)) out.push(idOf(target));
  }
  return out;
}

const FILES = sources(LIB);
const GRAPH = new Map(FILES.map((f) => [idOf(f), runtimeImports(f)]));

/** Every module `from` loads at run time, with the chain that reaches it. */
function reachable(from: string): Map<string, string[]> {
  const seen = new Map<string, string[]>([[from, [from]]]);
  const queue = [from];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const next of GRAPH.get(id) ?? []) {
      if (seen.has(next)) continue;
      seen.set(next, [...(seen.get(id) ?? []), next]);
      queue.push(next);
    }
  }
  return seen;
}

function violations(fromIds: readonly string[], forbidden: (id: string) => boolean): string[] {
  const out = new Set<string>();
  for (const from of fromIds) {
    for (const [id, chain] of reachable(from)) if (forbidden(id)) out.add(chain.join(' -> '));
  }
  return [...out].sort();
}

/** Modules that call the addon or make syscalls to measure. */
const MEASURING = (id: string): boolean =>
  id.startsWith('native/') || id.startsWith('memory/') || id.startsWith('pages/') || id.startsWith('child/') ||
  ['malloc/control', 'system/usage', 'system/live', 'system/host', 'system/kernel-settings', 'proc/read', 'layout/probes', 'stack/probes'].includes(id);

test('the import graph of lib/ was read: every entry point and the addon loader are in it', () => {
  for (const id of ['index', 'experiments/index', 'render/index', 'native/loader', 'native/child-only']) assert.ok(GRAPH.has(id), `no lib/${id}.ts`);
  assert.ok((GRAPH.get('index') ?? []).includes('memory/mapping'), `lib/index.ts imports: ${(GRAPH.get('index') ?? []).join(', ')}`);
  // The checks below can fail: the lazy experiment does reach the addon (through the probe API).
  assert.ok(reachable('experiments/lazy/index').has('native/loader'), 'experiments/lazy/index reaches native/loader');
  assert.ok(!reachable('render/index').has('native/loader'), 'render/index does not');
});

test('renderers load no measuring module (addon, memory, pages, malloc controls, /proc readers, children)', () => {
  const renderers = [...GRAPH.keys()].filter((id) => id.startsWith('render/'));
  assert.ok(renderers.length >= 10, `${renderers.length} renderer modules`);
  assert.deepEqual(violations(renderers, MEASURING), []);
});

test('the /proc parsers load nothing native', () => {
  const proc = [...GRAPH.keys()].filter((id) => id.startsWith('proc/'));
  assert.deepEqual(violations(proc, (id) => id.startsWith('native/')), []);
});

test('the vmprobe entry loads no experiment, report runner or renderer', () => {
  assert.deepEqual(violations(['index'], (id) => id.startsWith('experiments/') || id === 'report/run' || id.startsWith('render/') || id.startsWith('cli/')), []);
});

test('experiments import lib/native/ only through child-only.ts', () => {
  const direct: string[] = [];
  for (const [id, imports] of GRAPH) {
    if (!id.startsWith('experiments/')) continue;
    for (const target of imports) if (target.startsWith('native/') && target !== 'native/child-only') direct.push(`${id} -> ${target}`);
  }
  assert.deepEqual(direct, []);
});

test('only lib/native/ and the probe API modules import the addon loader', () => {
  const importers = [...GRAPH].filter(([, imports]) => imports.includes('native/loader')).map(([id]) => id).sort();
  const allowed = (id: string): boolean => id.startsWith('native/') || id.startsWith('memory/') || id.startsWith('pages/') || id.startsWith('malloc/') ||
    id.startsWith('system/') || id.startsWith('layout/') || id.startsWith('stack/');
  assert.deepEqual(importers.filter((id) => !allowed(id)), [], `importers of native/loader: ${importers.join(', ')}`);
});

test('vmprobe/prometheus loads no experiment, renderer or CLI; no other entry loads it; only it requires prom-client, at call time', () => {
  assert.ok(GRAPH.has('explain/prometheus'), 'no lib/explain/prometheus.ts');
  assert.deepEqual(violations(['explain/prometheus'], (id) => id.startsWith('experiments/') || id.startsWith('render/') || id.startsWith('cli/')), []);
  assert.deepEqual(violations(['index', 'experiments/index', 'render/index', 'explain/agent', 'explain/agent-ipc', 'cli/main'], (id) => id === 'explain/prometheus'), []);
  // prom-client is an optional peer: a static (non-type) import of it anywhere would make every entry need it.
  const staticImports = FILES.filter((f) => /^\s*import\s+(?!type\b)[^;]*from\s*'prom-client'/m.test(fs.readFileSync(f, 'utf8'))).map(idOf);
  const requirers = FILES.filter((f) => fs.readFileSync(f, 'utf8').includes("require('prom-client')")).map(idOf);
  assert.deepEqual(staticImports, []);
  assert.deepEqual(requirers, ['explain/prometheus']);
});
