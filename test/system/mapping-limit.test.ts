// The largest mapping the overcommit policy grants (lib/system/mapping-limit.ts), from
// synthetic /proc/meminfo text for each vm.overcommit_memory mode, and the malloc sweep's
// --size bound derived from it (lib/experiments/malloc/descriptor.ts).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { largestGrantableMapping, readLargestGrantableMapping } from '../../lib/system/mapping-limit';
import { largestSweepBytes } from '../../lib/experiments/malloc/descriptor';
import { logSweepSizes } from '../../lib/experiments/malloc/sources';

const MEMINFO = 'MemTotal:       24683656 kB\nMemFree:        1000 kB\nSwapTotal:       2097152 kB\nCommitLimit:    14439980 kB\nCommitted_AS:    4439980 kB\n';

test('mode 0 (heuristic): RAM + swap, for each mapping on its own', () => {
  assert.deepEqual(largestGrantableMapping(0, MEMINFO), {
    bytes: (24683656 + 2097152) * 1024, applies: 'each', reason: 'vm.overcommit_memory=0 refuses one mapping larger than RAM + swap',
  });
});

test('mode 2 (strict): CommitLimit − Committed_AS, for all new mappings together, never below 0', () => {
  assert.deepEqual(largestGrantableMapping(2, MEMINFO), {
    bytes: 10_000_000 * 1024, applies: 'together', reason: 'vm.overcommit_memory=2 grants up to CommitLimit − Committed_AS',
  });
  assert.equal(largestGrantableMapping(2, 'CommitLimit: 10 kB\nCommitted_AS: 20 kB\n')?.bytes, 0);
});

test('mode 1, an unknown mode and missing fields: no limit (null)', () => {
  assert.equal(largestGrantableMapping(1, MEMINFO), null);
  assert.equal(largestGrantableMapping(7, MEMINFO), null);
  assert.equal(largestGrantableMapping(null, MEMINFO), null);
  assert.equal(largestGrantableMapping(0, 'MemTotal: 1 kB\n'), null);
  assert.equal(largestGrantableMapping(2, 'CommitLimit: 1 kB\n'), null);
});

test('the sweep bound: the limit itself per mapping; under strict accounting the whole live sweep fits the limit', () => {
  const each = largestGrantableMapping(0, MEMINFO);
  assert.deepEqual(largestSweepBytes(each), each);
  const together = largestGrantableMapping(2, MEMINFO);
  const bound = largestSweepBytes(together);
  assert.ok(together !== null && bound !== null);
  const total = logSweepSizes(16, bound.bytes).reduce((a, b) => a + b, 0);
  assert.ok(total <= together.bytes, `a sweep to ${bound.bytes} maps ${total} bytes, more than the ${together.bytes} left`);
  const oneMore = logSweepSizes(16, bound.bytes + 1).reduce((a, b) => a + b, 0);
  assert.ok(oneMore > together.bytes, `a sweep to ${bound.bytes + 1} maps ${oneMore} bytes, still within the ${together.bytes} left: the bound is not the largest`);
  assert.match(bound.reason, /the whole sweep counts against/);
  assert.equal(largestSweepBytes(null), null);
});

test('this host: the mode read from /proc/sys/vm/overcommit_memory decides whether there is a limit', () => {
  const mode = Number(fs.readFileSync('/proc/sys/vm/overcommit_memory', 'utf8'));
  const limit = readLargestGrantableMapping();
  assert.equal(limit === null, mode === 1, `mode ${mode}, limit ${JSON.stringify(limit)}`);
  if (limit !== null) assert.equal(limit.applies, mode === 0 ? 'each' : 'together');
});
