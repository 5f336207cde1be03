// Result objects holding bigint addresses serialise with JSON.stringify: their toJSON
// (lib/util/json-form.ts) writes each bigint as a "0x…" hex string and keeps the rest.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { bufferPagemap, bufferResidency, bufferSpan, readMaps, readSmaps, readSmapsRollup } from '../../lib/index';

const HEX = /^0x[0-9a-f]+$/;

test('bufferResidency, bufferPagemap and bufferSpan serialise, the address as a hex string equal to the bigint', () => {
  const buf = Buffer.alloc(3 * 4096, 1);
  for (const value of [bufferResidency(buf), bufferPagemap(buf), bufferSpan(buf)]) {
    const json = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
    assert.match(String(json['address']), HEX);
    assert.equal(BigInt(String(json['address'])), value.address);
    assert.equal(json['byteLength'], buf.byteLength);
    assert.deepEqual(Object.keys(json).sort(), Object.keys(value).sort(), 'the same fields, toJSON not among them');
  }
});

test('readMaps, readSmaps and readSmapsRollup serialise, start/end as hex strings equal to the bigints', (t) => {
  const maps = readMaps('self');
  const smaps = readSmaps('self');
  const first = [maps[0], smaps[0]];
  for (const entry of first) {
    assert.ok(entry);
    const json = JSON.parse(JSON.stringify(entry)) as Record<string, unknown>;
    assert.equal(BigInt(String(json['start'])), entry.start);
    assert.equal(BigInt(String(json['end'])), entry.end);
    assert.equal(json['sizeBytes'], entry.sizeBytes);
  }
  assert.equal((JSON.parse(JSON.stringify(smaps)) as unknown[]).length, smaps.length);
  let rollup;
  try {
    rollup = readSmapsRollup('self');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') {
      t.skip('no /proc/self/smaps_rollup on this kernel (Linux < 4.14)');
      return;
    }
    throw err;
  }
  const json = JSON.parse(JSON.stringify(rollup)) as Record<string, unknown>;
  assert.equal(BigInt(String(json['start'])), rollup.start);
  assert.equal(json['rssBytes'], rollup.rssBytes);
});
