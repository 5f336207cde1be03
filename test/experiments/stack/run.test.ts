import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { main } from '../../../lib/cli/main';
import { CLAIMS } from '../../../lib/report/claims';
import { renderExperiment } from '../../../lib/render/text';
import { makeStyle } from '../../../lib/render/style';
import type { StackResult } from '../../../lib/experiments/stack/index';

function sink(): Writable & { text: string } {
  const w = new Writable({ write(chunk: Buffer, _enc, cb) { w.text += chunk.toString(); cb(); } }) as Writable & { text: string };
  w.text = '';
  return w;
}

test('`vmprobe stack --json --limit 2MiB --frame 1KiB`: one JSON document, the flags in force, every claim once', async () => {
  const stdout = sink();
  const stderr = sink();
  const code = await main(['stack', '--json', '--limit', '2MiB', '--frame', '1KiB'], { stdout, stderr } as never);
  assert.equal(code, 0, stderr.text);
  const result = JSON.parse(stdout.text) as StackResult;
  const m = result.measurements;
  assert.equal(result.schema, 1);
  assert.equal(result.experiment, 'stack');
  assert.equal(m.rlimitBytes, 2 * 1024 * 1024);
  assert.equal(m.frameBytes, 1024);
  assert.equal(m.signal, 'SIGSEGV', m.problems.join('; '));
  assert.ok(m.deathDepthBytes !== null && m.deathDepthBytes <= 2 * 1024 * 1024, String(m.deathDepthBytes));
  assert.ok(m.samples.length > 10, `${m.samples.length} samples`);
  for (const s of m.samples) assert.equal(typeof s.stackPointer, 'string');
  assert.ok(m.byLimit.length === 7 && m.byLimit.at(-1)?.rlimitBytes === null, JSON.stringify(m.byLimit.map((r) => r.rlimitBytes)));
  const expected = new Set(CLAIMS.filter((c) => c.experiment === 'stack').map((c) => c.id));
  assert.deepEqual(new Set(result.claims.map((c) => c.id)), expected);
  assert.equal(result.claims.length, expected.size);
  const text = renderExperiment(result as never, makeStyle(false));
  for (const heading of ['1. Growth to the limit', '4. By limit', '5. Thread stacks', '7. Stack vs heap']) assert.ok(text.includes(heading), heading);
});

test('`vmprobe stack --limit 1` is a usage error (exit 2): a stack limit is at least a page', async () => {
  const stdout = sink();
  const stderr = sink();
  const code = await main(['stack', '--limit', '1'], { stdout, stderr } as never);
  assert.equal(code, 2, stderr.text);
  assert.match(stderr.text, /^vmprobe: --limit must be at least \d+ bytes \(.*the page size\).*Received '1'\n/);
  assert.equal(stdout.text, '');
});
