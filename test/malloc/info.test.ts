import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseMallocInfo } from '../../lib/malloc/info';
import { mallocInfo, mallocInfoXml } from '../../lib/malloc/control';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'malloc', 'malloc-info.xml');

test('parseMallocInfo reads arenas, size classes, free totals and the mmapped total (recorded glibc 2.36 output)', () => {
  const info = parseMallocInfo(fs.readFileSync(FIXTURE, 'utf8'));
  assert.equal(info.version, 1);
  assert.equal(info.arenas.length, 7);
  const main = info.arenas[0];
  assert.ok(main);
  assert.equal(main.index, 0);
  assert.equal(main.subheaps, null);
  assert.equal(main.sizeClasses.length, 6);
  assert.deepEqual(main.sizeClasses[5], { kind: 'unsorted', fromBytes: 9329, toBytes: 9329, totalBytes: 9329, count: 1 });
  assert.deepEqual(main.restFree, { count: 7, bytes: 307446 });
  assert.equal(main.systemCurrentBytes, 2908160);
  assert.equal(info.arenas[1]?.subheaps, 1);
  assert.equal(info.arenas[1]?.systemCurrentBytes, 135168);
  assert.deepEqual(info.totals.mmapped, { count: 2, bytes: 270336 });
  assert.equal(info.totals.systemCurrentBytes, 4395008);
  assert.deepEqual(info.totals.restFree, { count: 19, bytes: 1032508 });
});

test('parseMallocInfo rejects text that is not malloc_info output, with ERR_INVALID_ARG_VALUE', () => {
  assert.throws(() => parseMallocInfo('<html></html>'), { code: 'ERR_INVALID_ARG_VALUE', message: /malloc_info/ });
  assert.throws(() => parseMallocInfo('<malloc version="1"><heap nr="0"><total type="rest" count="x" size="1"/></heap></malloc>'), { code: 'ERR_INVALID_ARG_VALUE', message: /count/ });
  assert.throws(() => parseMallocInfo(42 as unknown as string), { code: 'ERR_INVALID_ARG_VALUE' });
});

test('mallocInfo() of this process parses, and its main arena is arena 0', () => {
  const xml = mallocInfoXml();
  assert.match(xml, /^<malloc version="\d+">/);
  const info = mallocInfo();
  assert.ok(info.arenas.length >= 1, `arenas: ${info.arenas.length}`);
  assert.equal(info.arenas[0]?.index, 0);
  assert.ok(info.totals.systemCurrentBytes > 0);
});
