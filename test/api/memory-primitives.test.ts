// No memory primitives (issue 7.5): enumerate everything the package exports, every
// method of the handle objects it returns, every function reachable from its constant
// exports and from what its measuring functions return, and the addon's own exports,
// and check each against the reviewed table in helpers/api-surface.ts: none reads or
// writes memory at a caller-given address. Then prove the two ways memory IS reached:
// handle methods refuse every out-of-bounds or address-like offset (ERR_OUT_OF_RANGE /
// ERR_INVALID_ARG_TYPE), and address queries (mincore, pagemap) never dereference —
// asked about unmapped and kernel addresses they answer instead of faulting.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as probe from '../../lib/index';
import * as experiments from '../../lib/experiments/index';
import * as render from '../../lib/render/index';
import * as prometheus from '../../lib/explain/prometheus';
import { native } from '../../lib/native/loader';
import { toJSON as jsonFormToJson } from '../../lib/util/json-form';
import { EXPORT_TABLE, METHOD_TABLE, NATIVE_TABLE, prototypeMembers } from '../helpers/api-surface';
import { expectCode, runChildJson } from '../helpers/expect-code';

/** Every export of the entry points (vmprobe, vmprobe/experiments, vmprobe/render, vmprobe/prometheus). */
const v = { ...probe, ...experiments, ...render, ...prometheus };

const page = v.pageSizeBytes();

test('every export and every handle member is classified, and none reaches memory at a caller-given address', () => {
  const names = Object.keys(v).sort();
  assert.deepEqual(names.filter((n) => EXPORT_TABLE[n] === undefined), [], 'unclassified exports (add them to test/helpers/api-surface.ts)');
  for (const name of names) {
    const entry = EXPORT_TABLE[name];
    const value = (v as Record<string, unknown>)[name];
    assert.equal(entry?.kind === 'constant', typeof value !== 'function', `${name}: classified ${entry?.kind} but is a ${typeof value}`);
    assert.ok(['none', 'kernel-query', 'own-handle', 'addon-arrays', 'own-stack'].includes(entry?.memory ?? ''), `${name}: memory ${entry?.memory}`);
  }
  assert.deepEqual(prototypeMembers(v.Mapping), Object.keys(METHOD_TABLE.Mapping).sort(), 'Mapping members vs METHOD_TABLE');
  assert.deepEqual(prototypeMembers(v.HeapBlock), Object.keys(METHOD_TABLE.HeapBlock).sort(), 'HeapBlock members vs METHOD_TABLE');
  assert.deepEqual(prototypeMembers(v.BlockSet), Object.keys(METHOD_TABLE.BlockSet).sort(), 'BlockSet members vs METHOD_TABLE');
  assert.deepEqual(Object.keys(native).sort(), Object.keys(NATIVE_TABLE).sort(), 'addon exports vs NATIVE_TABLE');
});

/** Every function reachable from `root` through own properties (arrays and plain objects), with its path. */
function functionsIn(root: unknown, at: string, seen = new Set<unknown>()): string[] {
  if (root === null || typeof root !== 'object' || seen.has(root)) return [];
  seen.add(root);
  const found: string[] = [];
  for (const key of Reflect.ownKeys(root)) {
    const value = (root as Record<string | symbol, unknown>)[key];
    const where = `${at}.${String(key)}`;
    // The shared toJSON of objects holding bigint addresses (lib/util/json-form.ts) returns data only.
    if (typeof value === 'function') {
      if (value !== jsonFormToJson) found.push(where);
    }
    else found.push(...functionsIn(value, where, seen));
  }
  return found;
}

test('the only functions inside constant exports and measuring results are the experiment descriptors\' runners, size bounds and option checks', () => {
  const found: string[] = [];
  for (const [name, entry] of Object.entries(EXPORT_TABLE)) {
    const value = (v as Record<string, unknown>)[name];
    if (entry.kind === 'constant') found.push(...functionsIn(value, name));
    // Results of the argument-free measuring and reading calls: plain data only.
    // (Those that need an argument throw a coded error here and are covered by the fuzz.)
    if ((entry.kind === 'measuring' || entry.kind === 'reader') && typeof value === 'function') {
      let result: unknown;
      try {
        result = (value as () => unknown)();
      } catch (err) {
        assert.equal(typeof (err as { code?: unknown }).code, 'string', `${name}() threw ${String(err)}`);
        continue;
      }
      found.push(...functionsIn(result, `${name}()`));
    }
  }
  // Each descriptor's runner, its size bounds (read from the host when asked) and, where it has one, its option check.
  const runners = v.EXPERIMENTS.flatMap((e, i) => [`EXPERIMENTS.${i}.run`, `EXPERIMENTS.${i}.sizeBounds`, ...(e.checkOptions ? [`EXPERIMENTS.${i}.checkOptions`] : [])]);
  assert.deepEqual(found.sort(), runners.sort(), `functions reachable from exported values: ${found.join(', ')}`);
  // Each runner is a child-runner: it refuses junk before it spawns anything.
  for (const e of v.EXPERIMENTS) assert.equal(typeof e.run, 'function');
});

test('handles return only data and handles: no method hands out a pointer or a raw accessor', () => {
  const m = v.map({ sizeBytes: 2 * page });
  const b = v.malloc({ sizeBytes: 3 * page });
  try {
    const results: Record<string, unknown> = {
      'Mapping.touch': m.touch({ mode: 'write' }), 'Mapping.residency': m.residency(), 'Mapping.pagemap': m.pagemap({ entries: true }),
      'Mapping.advise': m.advise('willneed'), 'Mapping.creation': m.creation,
      'HeapBlock.touch': b.touch(), 'HeapBlock.residency': b.residency(), 'HeapBlock.pagemap': b.pagemap(), 'HeapBlock.creation': b.creation,
    };
    for (const [where, r] of Object.entries(results)) assert.deepEqual(functionsIn(r, where), [], `${where} returned functions`);
    assert.equal(typeof m.address, 'bigint', 'addresses are display bigints, not numbers a typed array could use');
    // A bigint address is not usable as an offset anywhere.
    expectCode(() => m.touch({ offsetBytes: m.address as unknown as number }), 'ERR_INVALID_ARG_TYPE');
    expectCode(() => b.touch({ offsetBytes: b.address as unknown as number }), 'ERR_INVALID_ARG_TYPE');
  } finally {
    m.unmap();
    b.free();
  }
});

test('every touch, residency, pagemap and advise of a handle refuses out-of-bounds and address-like offsets', () => {
  const m = v.map({ sizeBytes: 3 * page });
  const b = v.malloc({ sizeBytes: 2 * page + 3 });
  try {
    for (const [label, h] of [['Mapping', m], ['HeapBlock', b]] as const) {
      const size = h.sizeBytes;
      const addressAsNumber = Number(h.address);
      const outside: Array<[Record<string, unknown>, string]> = [
        [{ offsetBytes: size, lengthBytes: 1 }, 'ERR_OUT_OF_RANGE'],
        [{ offsetBytes: size + 1 }, 'ERR_OUT_OF_RANGE'],
        [{ offsetBytes: 0, lengthBytes: size + 1 }, 'ERR_OUT_OF_RANGE'],
        [{ offsetBytes: size - 1, lengthBytes: 2 }, 'ERR_OUT_OF_RANGE'],
        [{ offsetBytes: addressAsNumber }, 'ERR_OUT_OF_RANGE'],
        [{ offsetBytes: -addressAsNumber }, 'ERR_OUT_OF_RANGE'],
        [{ offsetBytes: Number.MAX_SAFE_INTEGER }, 'ERR_OUT_OF_RANGE'],
        [{ offsetBytes: 2 ** 64 }, 'ERR_OUT_OF_RANGE'],
        [{ offsetBytes: -1 }, 'ERR_OUT_OF_RANGE'],
        [{ lengthBytes: addressAsNumber }, 'ERR_OUT_OF_RANGE'],
        [{ offsetBytes: h.address }, 'ERR_INVALID_ARG_TYPE'],
        [{ offsetBytes: String(h.address) }, 'ERR_INVALID_ARG_TYPE'],
      ];
      for (const [range, code] of outside) {
        const shown = JSON.stringify(range, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
        expectCode(() => h.touch({ ...range, mode: 'write' }), code, { label: `${label}.touch(${shown})` });
        expectCode(() => h.residency(range), code, { label: `${label}.residency(${shown})` });
        expectCode(() => h.pagemap(range), code, { label: `${label}.pagemap(${shown})` });
        if (h instanceof v.Mapping) expectCode(() => h.advise('dontneed', range), code, { label: `${label}.advise(${shown})` });
      }
    }
    // The native layer checks too, when called directly with the same values.
    const raw = new native.Mapping({ sizeBytes: page });
    try {
      expectCode(() => raw.touch(page, 1, 0, 'write'), 'ERR_OUT_OF_RANGE', { label: 'native touch past the end' });
      expectCode(() => raw.touch(Number(raw.address), 1, 0, 'write'), 'ERR_OUT_OF_RANGE', { label: 'native touch at its own address as an offset' });
      expectCode(() => raw.residency(0, page + 1, 1), 'ERR_OUT_OF_RANGE', { label: 'native residency past the end' });
      expectCode(() => raw.advise('dontneed', 2 * page, page), 'ERR_OUT_OF_RANGE', { label: 'native advise past the end' });
    } finally {
      raw.unmap(false);
    }
  } finally {
    m.unmap();
    b.free();
  }
});

test('a closed handle refuses every access, and its ArrayBuffer is detached (length 0, writes go nowhere)', () => {
  const m = v.map({ sizeBytes: 2 * page });
  const ab = m.asArrayBuffer();
  new Uint8Array(ab)[0] = 1;
  m.unmap();
  assert.equal(ab.byteLength, 0, 'the ArrayBuffer outlived unmap');
  assert.throws(() => new Uint8Array(ab), TypeError, 'a view over the detached buffer');
  for (const call of [() => m.touch(), () => m.residency(), () => m.pagemap(), () => m.advise('dontneed'), () => m.asArrayBuffer(), () => m.protect('read')]) {
    expectCode(call, 'ERR_VMPROBE_CLOSED');
  }
  const b = v.malloc({ sizeBytes: 64 });
  b.free();
  for (const call of [() => b.touch(), () => b.residency(), () => b.pagemap()]) expectCode(call, 'ERR_VMPROBE_CLOSED');
});

test('address queries never dereference: pagemap and mincore of unmapped, null and kernel addresses answer without a fault', () => {
  // In a child: if any of these dereferenced its address, the child would die of SIGSEGV.
  const out = runChildJson(`
    const v = require(LIB);
    const { native } = require(NATIVE);
    const page = v.pageSizeBytes();
    const m = v.map({ sizeBytes: 4 * page });
    m.touch({ mode: 'write' });
    const gone = m.address;
    m.unmap();
    const res = {};
    res.pagemapGone = v.summarizePagemap(gone, 4 * page, { privateAnonymous: true }).presentPages;
    res.pagemapNull = v.summarizePagemap(0n, 16 * page, { privateAnonymous: true }).presentPages;
    res.rawNull = Array.from(v.readPagemap(0n, 4), String);
    try { native.mincoreScan(gone, 4 * page, 4); res.mincoreGone = 'answered'; } catch (e) { res.mincoreGone = e.code; }
    try { native.mincoreScan(0n, page, 4); res.mincoreNull = 'answered'; } catch (e) { res.mincoreNull = e.code; }
    try { native.mincoreScan(0xffff800000000000n, page, 4); res.mincoreKernel = 'answered'; } catch (e) { res.mincoreKernel = e.code; }
    try { v.readPagemap(0xffff800000000000n, 1); res.pagemapKernel = 'answered'; } catch (e) { res.pagemapKernel = e.code; }
    console.log(JSON.stringify(res));
  `) as Record<string, unknown>;
  assert.equal(out['pagemapGone'], 0, 'an unmapped range has no present pages');
  assert.equal(out['pagemapNull'], 0, 'the null page is not present');
  assert.deepEqual(out['rawNull'], ['0', '0', '0', '0'], 'pagemap entries of page 0 are empty');
  assert.equal(out['mincoreGone'], 'ENOMEM', 'mincore of an unmapped range is ENOMEM (mincore(2))');
  assert.equal(out['mincoreNull'], 'ENOMEM');
  assert.ok(out['mincoreKernel'] === 'ENOMEM' || out['mincoreKernel'] === 'EINVAL', `mincore of a kernel address: ${String(out['mincoreKernel'])}`);
  assert.equal(out['pagemapKernel'], 'ERR_OUT_OF_RANGE', 'pagemap has no entries above the user address space');
});

test('touchSegmentPages reaches only the addon\'s own arrays, by page index', () => {
  const a = v.layoutAddresses();
  expectCode(() => v.touchSegmentPages('bss', { firstPage: a.bssPages }), 'ERR_OUT_OF_RANGE');
  expectCode(() => v.touchSegmentPages('data', { firstPage: 0, pages: a.dataPages + 1 }), 'ERR_OUT_OF_RANGE');
  expectCode(() => v.touchSegmentPages('bss', { firstPage: Number(a.bssArray) }), 'ERR_OUT_OF_RANGE');
  expectCode(() => v.touchSegmentPages('bss', { firstPage: a.bssArray as unknown as number }), 'ERR_INVALID_ARG_TYPE');
  expectCode(() => native.segmentTouch('bss', a.bssPages, 1, 'write'), 'ERR_OUT_OF_RANGE', { label: 'native segmentTouch past its array' });
  const r = v.touchSegmentPages('data', { firstPage: a.dataPages - 1, pages: 1, mode: 'write' });
  assert.equal(r.pagesTouched, 1);
  assert.ok(r.address >= a.data && r.address < a.data + BigInt(a.dataPages * page) + BigInt(page), 'the touched page is inside the .data array');
});
