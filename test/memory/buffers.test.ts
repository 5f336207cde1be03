// Tests for lib/memory/buffers.ts (native/residency.cc BufferRange, MincoreScan): "is this
// Buffer really in RAM?" for ArrayBuffers, Buffers, TypedArrays and DataViews.
//
// Node allocates a large ArrayBuffer with calloc, which glibc serves from a fresh mmap
// (above the 128 KiB mmap threshold) and does not memset: only the page holding
// malloc's 16-byte chunk header is written, so at most one page is resident until JS
// writes the buffer. Buffer.alloc(n, fill) writes every byte, so every page is resident.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { bufferPagemap, bufferResidency, bufferSpan, pageSizeBytes, readThpSettings } from '../../lib/index';
import { expectCode } from '../helpers/expect-code';

const page = pageSizeBytes();
const MiB = 1024 * 1024;

function spannedPages(address: bigint, length: number): number {
  return Number((address + BigInt(length) - 1n) / BigInt(page) - address / BigInt(page)) + 1;
}

test('Buffer.alloc(64 MiB, 1) is resident on every page it spans and none is the zero page', () => {
  const buf = Buffer.alloc(64 * MiB, 1);
  const r = bufferResidency(buf);
  assert.equal(r.byteLength, 64 * MiB);
  assert.equal(r.pages, spannedPages(r.address as bigint, 64 * MiB));
  assert.equal(r.residentPages, r.pages, `${r.residentPages} of ${r.pages} pages of a filled Buffer are resident`);
  assert.equal(r.runsTruncated, false);
  const pm = bufferPagemap(buf);
  assert.equal(pm.presentPages, pm.pages);
  assert.equal(pm.zeroPages, 0);
  assert.equal(pm.address, r.address);
});

test('new ArrayBuffer(64 MiB) has at most one resident page: the page of malloc\'s chunk header (its whole huge page under THP always)', () => {
  const ab = new ArrayBuffer(64 * MiB);
  const r = bufferResidency(ab);
  assert.equal(r.pages, spannedPages(r.address as bigint, 64 * MiB));
  // Under THP 'always' the header write faults in the header's whole huge page when that
  // PMD block lies inside the mapping: up to its pages are resident then, all at the start.
  const thp = readThpSettings();
  const headerPages = thp?.enabled === 'always' && thp.pmdSizeBytes !== null ? thp.pmdSizeBytes / page : 1;
  assert.ok(r.residentPages <= headerPages, `a never-written 64 MiB ArrayBuffer has ${r.residentPages} resident pages (at most ${headerPages})`);
  if (r.residentPages >= 1) assert.equal(r.runs[0]?.resident, true, 'the resident pages are the first ones, where the chunk header lives');
  const pm = bufferPagemap(ab);
  assert.ok(pm.presentPages - pm.zeroPages <= headerPages, `pagemap: ${pm.presentPages} present pages, ${pm.zeroPages} zero pages`);
  // Writing one byte per page makes every page resident.
  new Uint8Array(ab).fill(7, 0, 10 * page);
  assert.ok(bufferResidency(ab).residentPages >= 10);
});

test('a view with a byteOffset spans exactly its own pages', () => {
  // The written and the untouched view are 890 pages apart: never in one 2 MiB huge page, so this holds under THP 'always' too.
  // 64 MiB: above glibc's largest dynamic mmap threshold (32 MiB), so a fresh mapping.
  const ab = new ArrayBuffer(64 * MiB);
  const written = new Uint8Array(ab, 100 * page, 10 * page);
  const untouched = new Uint8Array(ab, 1000 * page + 123, 5 * page);
  written.fill(1);
  const spanW = bufferSpan(written);
  const spanAb = bufferSpan(ab);
  assert.equal(spanW.address, (spanAb.address as bigint) + BigInt(written.byteOffset));
  assert.equal(spanW.byteLength, 10 * page);
  const rw = bufferResidency(written);
  assert.equal(rw.pages, spannedPages(spanW.address as bigint, 10 * page));
  assert.equal(rw.residentPages, rw.pages, `the written view: ${rw.residentPages} of ${rw.pages} pages resident`);
  const ru = bufferResidency(untouched);
  assert.equal(bufferSpan(untouched).address, (spanAb.address as bigint) + BigInt(1000 * page + 123));
  assert.equal(ru.pages, spannedPages(ru.address as bigint, 5 * page));
  assert.equal(ru.residentPages, 0, `an untouched view has ${ru.residentPages} resident pages`);
  const dv = new DataView(ab, 100 * page, page);
  assert.equal(bufferSpan(dv).address, spanW.address);
  assert.equal(bufferResidency(dv).residentPages, bufferResidency(dv).pages);
  const pm = bufferPagemap(untouched, { entries: true });
  assert.equal(pm.entries?.length, ru.pages);
  assert.equal(pm.presentPages, 0);
});

test('a Buffer slice points into its parent: address = parent address + byteOffset', () => {
  const parent = Buffer.alloc(3 * page, 2);
  const slice = parent.subarray(page + 5, 2 * page);
  assert.equal(bufferSpan(slice).address, (bufferSpan(parent.buffer).address as bigint) + BigInt(slice.byteOffset));
  assert.equal(bufferSpan(slice).byteLength, page - 5);
  const small = Buffer.from('hi'); // pooled: shares a page with other buffers
  const r = bufferResidency(small);
  assert.equal(r.byteLength, 2);
  assert.equal(r.pages, 1);
  assert.equal(r.residentPages, 1);
});

test('an empty or detached buffer spans no pages: residency and pagemap are both empty', () => {
  const detached = new ArrayBuffer(4 * page);
  structuredClone(detached, { transfer: [detached] });
  assert.equal(detached.byteLength, 0);
  for (const [label, b] of [['detached', detached], ['empty', new ArrayBuffer(0)], ['empty view', new Uint8Array(0)]] as const) {
    assert.deepEqual(bufferSpan(b), { address: null, byteLength: 0 }, label);
    const r = bufferResidency(b);
    assert.equal(r.pages, 0, label);
    assert.equal(r.residentPages, 0, label);
    assert.equal(r.address, null, label);
    const pm = bufferPagemap(b);
    assert.deepEqual([pm.address, pm.pages, pm.presentPages, pm.zeroPages], [null, 0, 0, 0], label);
  }
  const parent = new ArrayBuffer(page);
  const view = new Uint8Array(parent, 10);
  structuredClone(parent, { transfer: [parent] });
  assert.deepEqual(bufferSpan(view), { address: null, byteLength: 0 }, 'a view over a detached buffer');
});

test('anything but an ArrayBuffer or a view is ERR_INVALID_ARG_TYPE', () => {
  const bad: unknown[] = ['buffer', 5, 5n, {}, null, undefined, [1, 2], Symbol('s'), () => 0, { buffer: new ArrayBuffer(8), byteLength: 8 }, new SharedArrayBuffer(8)];
  for (const value of bad) {
    for (const [name, fn] of [['bufferSpan', bufferSpan], ['bufferResidency', bufferResidency], ['bufferPagemap', bufferPagemap]] as const) {
      expectCode(() => fn(value as ArrayBuffer), 'ERR_INVALID_ARG_TYPE', { cls: TypeError, label: `${name}(${typeof value})` });
    }
  }
});

test('bad options are rejected with the right code', () => {
  const buf = Buffer.alloc(page);
  expectCode(() => bufferResidency(buf, { maxRuns: -1 }), 'ERR_OUT_OF_RANGE');
  expectCode(() => bufferResidency(buf, { maxRuns: 1.5 }), 'ERR_OUT_OF_RANGE');
  expectCode(() => bufferResidency(buf, { maxRuns: '2' as never }), 'ERR_INVALID_ARG_TYPE');
  expectCode(() => bufferResidency(buf, { maxruns: 2 } as never), 'ERR_INVALID_ARG_VALUE', { message: /maxruns/ });
  expectCode(() => bufferResidency(buf, 'x' as never), 'ERR_INVALID_ARG_TYPE');
  expectCode(() => bufferPagemap(buf, { entries: 1 as never }), 'ERR_INVALID_ARG_TYPE');
  expectCode(() => bufferPagemap(buf, { entry: true } as never), 'ERR_INVALID_ARG_VALUE');
  assert.equal(bufferResidency(buf, { maxRuns: 0 }).runs.length, 0);
});

test('a view over a SharedArrayBuffer is measured or refused with a coded error, never a bare Error', () => {
  const view = new Uint8Array(new SharedArrayBuffer(2 * page), page);
  for (const [name, fn] of [['bufferSpan', bufferSpan], ['bufferResidency', bufferResidency], ['bufferPagemap', bufferPagemap]] as const) {
    try {
      const r = fn(view);
      assert.equal(r.byteLength, page, `${name} of a ${page}-byte view`);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      assert.equal(code, 'ERR_INVALID_ARG_TYPE', `${name} threw ${String(code)}: ${(err as Error).message}`);
    }
  }
});
