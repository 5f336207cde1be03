// When a process has no brk heap, the layout claims that miss it say why, naming the
// setting or the replacement malloc (lib/experiments/layout/no-heap.ts). Synthetic inputs.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { explainMissingHeap, noHeapReason } from '../../../lib/experiments/layout/no-heap';
import type { ClaimResult } from '../../../lib/report/claims';
import type { LayoutMeasurements } from '../../../lib/experiments/layout/measurements';

const glibc = { name: 'glibc', version: '2.36', replacementAllocator: null, replacementAllocatorVersion: null };
const noSettings = { glibcTunables: {}, environment: {} };
const claims: ClaimResult[] = ['layout.order', 'layout.gaps', 'layout.aslr', 'layout.maps'].map((id) => ({ id, verdict: 'qualified', summary: 'as measured', evidence: {} }));

function measurements(mapHasHeap: boolean, childHeapStarts: number): Pick<LayoutMeasurements, 'regions' | 'aslr'> {
  const region = (kind: string): LayoutMeasurements['regions'][number] => ({ kind, start: '0x1000', end: '0x2000' }) as unknown as LayoutMeasurements['regions'][number];
  return {
    regions: [region('text'), ...(mapHasHeap ? [region('heap')] : []), region('stack')],
    aslr: { randomized: { spread: [{ landmark: 'heapStart', distinct: childHeapStarts }] } } as unknown as LayoutMeasurements['aslr'],
  };
}

test('the reason names the setting in force, else the replacement malloc, else says brk was not used', () => {
  assert.equal(noHeapReason({ libc: glibc, malloc: { glibcTunables: {}, environment: { MALLOC_MMAP_THRESHOLD_: '0' } } }),
    "glibc's malloc never extended the heap with brk (settings in force: MALLOC_MMAP_THRESHOLD_=0)");
  assert.equal(noHeapReason({ libc: { ...glibc, replacementAllocator: 'jemalloc' }, malloc: noSettings }), "jemalloc replaces glibc's malloc and does not grow a brk heap");
  assert.equal(noHeapReason({ libc: glibc, malloc: { glibcTunables: { 'glibc.malloc.mmap_threshold': '0' }, environment: {} } }),
    "glibc's malloc never extended the heap with brk (settings in force: GLIBC_TUNABLES glibc.malloc.mmap_threshold=0)");
  assert.equal(noHeapReason({ libc: glibc, malloc: noSettings }), "glibc's malloc has not extended the heap with brk");
});

test('order and gaps get the reason when the own map has no [heap]; aslr when no child had a heap start; other claims never', () => {
  const host = { libc: glibc, malloc: { glibcTunables: {}, environment: { MALLOC_MMAP_THRESHOLD_: '0' } } };
  const out = explainMissingHeap(claims, measurements(false, 0), host, true);
  const summary = (id: string): string => out.find((c) => c.id === id)?.summary ?? '';
  assert.match(summary('layout.order'), /^as measured; no \[heap\]: .*MALLOC_MMAP_THRESHOLD_=0\)$/);
  assert.match(summary('layout.gaps'), /; no \[heap\]: /);
  assert.match(summary('layout.aslr'), /; the children have no \[heap\]: .*MALLOC_MMAP_THRESHOLD_=0/);
  assert.equal(summary('layout.maps'), 'as measured');
  assert.deepEqual(out.map((c) => c.verdict), claims.map((c) => c.verdict), 'verdicts are not changed');
});

test('with a heap (or another process\'s map, whose settings are unknown) the summaries stay as they were', () => {
  const host = { libc: glibc, malloc: noSettings };
  assert.deepEqual(explainMissingHeap(claims, measurements(true, 8), host, true), claims);
  const other = explainMissingHeap(claims, measurements(false, 8), host, false);
  assert.deepEqual(other, claims);
});
