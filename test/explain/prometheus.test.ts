// registerMemoryGauges (vmprobe/prometheus): one gauge series per explain owner in the
// app's own prom-client registry, filled at scrape time; idempotent on the same registry;
// ERR_VMPROBE_PEER_MISSING when prom-client cannot be resolved (a child whose resolver
// looks for it in an empty directory: Node's own MODULE_NOT_FOUND, nothing imitated).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Gauge, Registry, register } from 'prom-client';
import { registerMemoryGauges } from '../../lib/explain/prometheus';
import { explainMemory } from '../../lib/explain/index';
import { expectCode } from '../helpers/expect-code';
import { DIST_LIB } from '../helpers/explain-app';

const MiB = 1024 * 1024;

/** The series of `name` in Prometheus text exposition format: owner label → value. */
function parseSeries(text: string, name: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{owner="([^"]*)"\} (-?[0-9.e+]+)$/.exec(line);
    assert.ok(m !== null, `unexpected exposition line: ${line}`);
    const [, metric = '', owner = '', value = ''] = m;
    if (metric !== name) continue;
    assert.ok(!series.has(owner), `owner ${owner} appears twice:\n${text}`);
    series.set(owner, Number(value));
  }
  return series;
}

test('one vmprobe_rss_bytes series per top-level owner; they sum to explain\'s total RSS within the noise of a second read', async () => {
  const registry = new Registry();
  const gauge = registerMemoryGauges(registry);
  assert.ok(gauge instanceof Gauge);
  await registry.metrics(); // loads prom-client's and explain's code once: the reads below are warm
  const before = explainMemory();
  const text = await registry.metrics();
  const after = explainMemory();
  assert.match(text, /^# TYPE vmprobe_rss_bytes gauge$/m);
  const series = parseSeries(text, 'vmprobe_rss_bytes');
  assert.deepEqual([...series.keys()].sort(), after.owners.map((o) => o.id).sort(), 'one series per top-level owner of explainMemory()');
  const sum = [...series.values()].reduce((n, v) => n + v, 0);
  // The series of one scrape are one breakdown, which sums exactly to smaps_rollup's Rss
  // of that scrape; the scrape sits between two explainMemory() reads of this process,
  // whose RSS moves with what the reads allocate. Allowed: the range of the two reads,
  // widened by their own difference (the noise of a second read, measured here) or 1 MiB.
  const t1 = before.totals.rssBytes;
  const t2 = after.totals.rssBytes;
  const noise = Math.max(MiB, Math.abs(t2 - t1));
  assert.ok(sum >= Math.min(t1, t2) - noise && sum <= Math.max(t1, t2) + noise,
    `scrape sum ${sum} B vs explain totals ${t1} B before and ${t2} B after (allowed ±${noise} B around them)`);
  const js = series.get('js-heap') ?? 0;
  assert.ok(js > 0, `js-heap series ${js} B`);
});

test('registering again into the same registry is idempotent: the same gauge, still one series per owner', async () => {
  const registry = new Registry();
  const first = registerMemoryGauges(registry);
  const again = registerMemoryGauges(registry, { prefix: 'vmprobe_' });
  assert.equal(again, first);
  assert.equal(registry.getMetricsAsArray().length, 1);
  const series = parseSeries(await registry.metrics(), 'vmprobe_rss_bytes');
  assert.equal(series.size, explainMemory().owners.length);
  // Another prefix is another metric in the same registry.
  const other = registerMemoryGauges(registry, { prefix: 'app_' });
  assert.notEqual(other, first);
  const text = await registry.metrics();
  assert.equal(parseSeries(text, 'app_rss_bytes').size, series.size);
});

test('without a registry the gauge goes to prom-client\'s global register', async (t) => {
  t.after(() => register.removeSingleMetric('vmprobe_rss_bytes'));
  const gauge = registerMemoryGauges();
  assert.equal(register.getSingleMetric('vmprobe_rss_bytes'), gauge);
  assert.ok(parseSeries(await register.metrics(), 'vmprobe_rss_bytes').size > 0);
});

test('bad arguments: coded errors naming them; a foreign metric of the same name is not taken over', () => {
  const registry = new Registry();
  expectCode(() => registerMemoryGauges({} as Registry), 'ERR_INVALID_ARG_TYPE', { message: /"registry"/ });
  expectCode(() => registerMemoryGauges(null as unknown as Registry), 'ERR_INVALID_ARG_TYPE', { message: /"registry"/ });
  expectCode(() => registerMemoryGauges(registry, { prefix: 'my-app_' }), 'ERR_INVALID_ARG_VALUE', { message: /options\.prefix/ });
  expectCode(() => registerMemoryGauges(registry, { prefix: 1 } as unknown as { prefix: string }), 'ERR_INVALID_ARG_TYPE', { message: /options\.prefix/ });
  expectCode(() => registerMemoryGauges(registry, { interval: 1 } as unknown as { prefix: string }), 'ERR_INVALID_ARG_VALUE', { message: /options\.interval/ });
  new Gauge({ name: 'vmprobe_rss_bytes', help: 'the app\'s own', registers: [registry] });
  expectCode(() => registerMemoryGauges(registry), 'ERR_INVALID_ARG_VALUE', { message: /already has a metric named vmprobe_rss_bytes/ });
});

/**
 * Runs `script` in a node child whose resolver looks for each module named in `hide`
 * only in an empty directory (so Node itself fails to find it), and returns its JSON line.
 */
function withHidden(hide: string[], script: string): Record<string, unknown> {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-no-peer-'));
  try {
    const hook = path.join(empty, 'hide.js');
    fs.writeFileSync(hook, `'use strict';
const Module = require('node:module');
const hidden = new Set(${JSON.stringify(hide)});
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  return resolve.call(this, request, parent, isMain, hidden.has(request) ? { paths: [${JSON.stringify(path.join(empty, 'nothing-here'))}] } : options);
};
`);
    const r = spawnSync(process.execPath, ['--require', hook, '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
    assert.equal(r.status, 0, `child exited ${r.status ?? r.signal}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
}

const TRY_REGISTER = `
const { registerMemoryGauges } = require(${JSON.stringify(path.join(DIST_LIB, 'explain', 'prometheus.js'))});
try { registerMemoryGauges(); console.log(JSON.stringify({ returned: true })); }
catch (e) { console.log(JSON.stringify({ code: e.code, peer: e.peer, message: e.message, causeCode: e.cause && e.cause.code })); }`;

test('prom-client not resolvable: ERR_VMPROBE_PEER_MISSING naming it, with Node\'s MODULE_NOT_FOUND as cause', () => {
  const out = withHidden(['prom-client'], TRY_REGISTER);
  assert.equal(out['code'], 'ERR_VMPROBE_PEER_MISSING', JSON.stringify(out));
  assert.equal(out['peer'], 'prom-client');
  assert.equal(out['causeCode'], 'MODULE_NOT_FOUND');
  assert.match(String(out['message']), /npm install prom-client/);
  // The same hook without hiding anything finds prom-client: the error above is its absence.
  assert.deepEqual(withHidden([], TRY_REGISTER), { returned: true });
});

test('prom-client present but broken (its dependency tdigest missing): Node\'s own MODULE_NOT_FOUND, not "peer missing"', () => {
  const out = withHidden(['tdigest'], TRY_REGISTER);
  assert.equal(out['code'], 'MODULE_NOT_FOUND', JSON.stringify(out));
  assert.match(String(out['message']), /Cannot find module 'tdigest'/);
});
