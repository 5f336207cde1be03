// Argument validation of the probe API and, separately, of the native layer beneath it
// (native/args.h): every bad value must be rejected with a stable code and a message
// naming the argument, before any syscall, and nothing may crash the process.
//
//   wrong type (string, bigint, object, null, array, symbol, ...) -> ERR_INVALID_ARG_TYPE (TypeError)
//   NaN, ±Infinity, -1, 1.5, 2^53, 2^64, outside the handle       -> ERR_OUT_OF_RANGE (RangeError)
//   unknown choice, unknown option key, unaligned offset          -> ERR_INVALID_ARG_VALUE (TypeError)
// setrlimit's checks run in a child (test/system/usage.test.ts) so that nothing can lower a limit here.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bufferPagemap, bufferResidency, getrlimit, getrusage, malloc, map, mapFile, pageSizeBytes, readMaps } from '../../lib/index';
import { native } from '../../lib/native/loader';
import { expectCode } from '../helpers/expect-code';

const page = pageSizeBytes();
const MiB = 1024 * 1024;
const TYPE = 'ERR_INVALID_ARG_TYPE';
const RANGE = 'ERR_OUT_OF_RANGE';
const VALUE = 'ERR_INVALID_ARG_VALUE';
const CLASS_OF: Record<string, new (...args: never[]) => Error> = { [TYPE]: TypeError, [RANGE]: RangeError, [VALUE]: TypeError };

const NOT_NUMBERS: [string, unknown][] = [['string', '1'], ['bigint', 1n], ['object', {}], ['null', null], ['array', [1]], ['symbol', Symbol('s')], ['boolean', true]];
const NOT_OBJECTS: [string, unknown][] = [['string', 'x'], ['bigint', 1n], ['null', null], ['array', []], ['symbol', Symbol('s')], ['number', 1]];
const NOT_STRINGS: [string, unknown][] = [['number', 1], ['bigint', 1n], ['object', {}], ['null', null], ['array', ['read']], ['symbol', Symbol('read')]];
const NOT_BOOLEANS: [string, unknown][] = [['string', 'true'], ['number', 1], ['bigint', 1n], ['object', {}], ['null', null], ['array', [true]], ['symbol', Symbol('s')]];
const BAD_NUMBERS: [string, number][] = [['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['-1', -1], ['1.5', 1.5], ['2**53', 2 ** 53], ['2**64', 2 ** 64]];

/** What a call did: its error code, 'no error', or 'uncoded <name>'. Also checks class and that the message names `argument`. */
function outcome(call: () => unknown, argument: string | undefined): string {
  try {
    call();
    return 'no error';
  } catch (err) {
    if (!(err instanceof Error)) return `threw a non-Error ${String(err)}`;
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string') return `uncoded ${err.name}: ${err.message}`;
    const cls = CLASS_OF[code];
    if (cls !== undefined && !(err instanceof cls)) return `${code} but a ${(err as Error).constructor.name}, not a ${cls.name}`;
    if (argument !== undefined && !err.message.includes(argument)) return `${code} but the message does not name "${argument}": ${err.message}`;
    return code;
  }
}

interface Case { label: string; call: () => unknown; code: string; argument?: string }

/** Runs every case and asserts all of them at once, so one failure shows every wrong one. */
function checkAll(cases: Case[]): void {
  const wrong = cases.flatMap(({ label, call, code, argument }) => {
    const got = outcome(call, argument);
    return got === code ? [] : [`${label}: expected ${code}, got ${got}`];
  });
  assert.deepEqual(wrong, [], `${wrong.length} of ${cases.length} calls were not rejected as expected`);
}

function numberCases(label: string, argument: string, call: (v: unknown) => unknown): Case[] {
  return [
    ...NOT_NUMBERS.map(([what, v]): Case => ({ label: `${label} = ${what}`, call: () => call(v), code: TYPE, argument })),
    ...BAD_NUMBERS.map(([what, v]): Case => ({ label: `${label} = ${what}`, call: () => call(v), code: RANGE, argument })),
  ];
}
function objectCases(label: string, call: (v: unknown) => unknown, argument = 'options'): Case[] {
  return NOT_OBJECTS.map(([what, v]): Case => ({ label: `${label} = ${what}`, call: () => call(v), code: TYPE, argument }));
}
function choiceCases(label: string, argument: string, call: (v: unknown) => unknown, unknown = 'bogus'): Case[] {
  return [
    ...NOT_STRINGS.map(([what, v]): Case => ({ label: `${label} = ${what}`, call: () => call(v), code: TYPE, argument })),
    { label: `${label} = '${unknown}'`, call: () => call(unknown), code: VALUE, argument },
    { label: `${label} = ''`, call: () => call(''), code: VALUE, argument },
  ];
}
function booleanCases(label: string, argument: string, call: (v: unknown) => unknown): Case[] {
  return NOT_BOOLEANS.map(([what, v]): Case => ({ label: `${label} = ${what}`, call: () => call(v), code: TYPE, argument }));
}

const anyMap = map as (o: unknown) => unknown;
const anyMapFile = mapFile as (p: unknown, o?: unknown) => unknown;
const anyMalloc = malloc as (o: unknown) => unknown;

function withFixtures(fn: (f: { file: string; m: ReturnType<typeof map> }) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-validation-'));
  const file = path.join(dir, 'four-pages.bin');
  fs.writeFileSync(file, Buffer.alloc(4 * page, 3));
  const m = map({ sizeBytes: 4 * page });
  try {
    fn({ file, m });
  } finally {
    m.unmap();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('map() rejects bad options, sizes, alignments, choices and flags with the right code', () => {
  checkAll([
    ...objectCases('map(options)', (v) => anyMap(v)),
    { label: 'map()', call: () => anyMap(undefined), code: TYPE, argument: 'sizeBytes' },
    { label: 'map({})', call: () => anyMap({}), code: TYPE, argument: 'sizeBytes' },
    ...numberCases('map sizeBytes', 'sizeBytes', (v) => anyMap({ sizeBytes: v })),
    { label: 'map sizeBytes = 0', call: () => anyMap({ sizeBytes: 0 }), code: RANGE, argument: 'sizeBytes' },
    ...numberCases('map alignBytes', 'alignBytes', (v) => anyMap({ sizeBytes: page, alignBytes: v })),
    { label: 'map alignBytes = 3 pages', call: () => anyMap({ sizeBytes: page, alignBytes: 3 * page }), code: VALUE, argument: 'alignBytes' },
    { label: 'map alignBytes = half a page', call: () => anyMap({ sizeBytes: page, alignBytes: page / 2 }), code: RANGE, argument: 'alignBytes' },
    { label: 'map alignBytes = 2 GiB', call: () => anyMap({ sizeBytes: page, alignBytes: 2 ** 31 }), code: RANGE, argument: 'alignBytes' },
    ...choiceCases('map protection', 'protection', (v) => anyMap({ sizeBytes: page, protection: v }), 'rw'),
    ...booleanCases('map shared', 'shared', (v) => anyMap({ sizeBytes: page, shared: v })),
    ...booleanCases('map populate', 'populate', (v) => anyMap({ sizeBytes: page, populate: v })),
    ...booleanCases('map noreserve', 'noreserve', (v) => anyMap({ sizeBytes: page, noreserve: v })),
    ...booleanCases('map hugePages', 'hugePages', (v) => anyMap({ sizeBytes: page, hugePages: v })),
    { label: 'map unknown key size', call: () => anyMap({ sizeBytes: page, size: 1 }), code: VALUE, argument: 'options.size' },
    { label: 'map unknown key path', call: () => anyMap({ sizeBytes: page, path: '/etc/hostname' }), code: VALUE, argument: 'options.path' },
    { label: 'map unknown key fileOffsetBytes', call: () => anyMap({ sizeBytes: page, fileOffsetBytes: 0 }), code: VALUE, argument: 'fileOffsetBytes' },
  ]);
});

test('mapFile() rejects bad paths, options, sizes, offsets and choices with the right code', () => {
  withFixtures(({ file }) => {
    checkAll([
      ...NOT_STRINGS.map(([what, v]): Case => ({ label: `mapFile(path = ${what})`, call: () => anyMapFile(v), code: TYPE, argument: 'path' })),
      { label: 'mapFile(undefined)', call: () => anyMapFile(undefined), code: TYPE, argument: 'path' },
      { label: "mapFile('')", call: () => anyMapFile(''), code: VALUE, argument: 'path' },
      { label: 'mapFile(path with NUL)', call: () => anyMapFile(`${file}\0x`), code: VALUE, argument: 'path' },
      ...objectCases('mapFile(file, options)', (v) => anyMapFile(file, v)),
      ...numberCases('mapFile sizeBytes', 'sizeBytes', (v) => anyMapFile(file, { sizeBytes: v })),
      { label: 'mapFile sizeBytes = 0', call: () => anyMapFile(file, { sizeBytes: 0 }), code: RANGE, argument: 'sizeBytes' },
      ...numberCases('mapFile fileOffsetBytes', 'fileOffsetBytes', (v) => anyMapFile(file, { fileOffsetBytes: v })),
      { label: 'mapFile fileOffsetBytes unaligned', call: () => anyMapFile(file, { fileOffsetBytes: page + 1 }), code: VALUE, argument: 'fileOffsetBytes' },
      ...choiceCases('mapFile protection', 'protection', (v) => anyMapFile(file, { protection: v })),
      ...booleanCases('mapFile shared', 'shared', (v) => anyMapFile(file, { shared: v })),
      ...booleanCases('mapFile populate', 'populate', (v) => anyMapFile(file, { populate: v })),
      { label: 'mapFile unknown key offset', call: () => anyMapFile(file, { offset: 0 }), code: VALUE, argument: 'options.offset' },
      { label: 'mapFile unknown key hugePages', call: () => anyMapFile(file, { hugePages: true }), code: VALUE, argument: 'options.hugePages' },
    ]);
  });
});

test('touch(), residency(), pagemap(), advise() and protect() reject bad ranges, strides, choices and keys', () => {
  withFixtures(({ m }) => {
    const size = 4 * page;
    const touch = m.touch.bind(m) as (o?: unknown) => unknown;
    const residency = m.residency.bind(m) as (o?: unknown) => unknown;
    const pagemap = m.pagemap.bind(m) as (o?: unknown) => unknown;
    const advise = m.advise.bind(m) as (a: unknown, o?: unknown) => unknown;
    const protect = m.protect.bind(m) as (p: unknown) => unknown;
    checkAll([
      ...objectCases('touch(options)', (v) => touch(v)),
      ...numberCases('touch offsetBytes', 'offsetBytes', (v) => touch({ offsetBytes: v })),
      ...numberCases('touch lengthBytes', 'lengthBytes', (v) => touch({ lengthBytes: v })),
      ...numberCases('touch strideBytes', 'strideBytes', (v) => touch({ strideBytes: v })),
      { label: 'touch strideBytes = 0', call: () => touch({ strideBytes: 0 }), code: RANGE, argument: 'strideBytes' },
      ...choiceCases('touch mode', 'mode', (v) => touch({ mode: v }), 'readwrite'),
      { label: 'touch unknown key stride', call: () => touch({ stride: 1 }), code: VALUE, argument: 'options.stride' },
      { label: 'touch offset past the end', call: () => touch({ offsetBytes: size + 1 }), code: RANGE, argument: 'offsetBytes' },
      { label: 'touch length past the end', call: () => touch({ lengthBytes: size + 1 }), code: RANGE, argument: 'lengthBytes' },
      { label: 'touch window past the end', call: () => touch({ offsetBytes: page, lengthBytes: size - page + 1 }), code: RANGE, argument: 'lengthBytes' },

      ...objectCases('residency(options)', (v) => residency(v)),
      ...numberCases('residency offsetBytes', 'offsetBytes', (v) => residency({ offsetBytes: v })),
      ...numberCases('residency lengthBytes', 'lengthBytes', (v) => residency({ lengthBytes: v })),
      ...numberCases('residency maxRuns', 'maxRuns', (v) => residency({ maxRuns: v })),
      { label: 'residency maxRuns = 2^24 + 1', call: () => residency({ maxRuns: 2 ** 24 + 1 }), code: RANGE, argument: 'maxRuns' },
      { label: 'residency unknown key entries', call: () => residency({ entries: true }), code: VALUE, argument: 'options.entries' },
      { label: 'residency offset past the end', call: () => residency({ offsetBytes: size + 1 }), code: RANGE, argument: 'offsetBytes' },
      { label: 'residency window past the end', call: () => residency({ offsetBytes: 2 * page, lengthBytes: 3 * page }), code: RANGE, argument: 'lengthBytes' },

      ...objectCases('pagemap(options)', (v) => pagemap(v)),
      ...numberCases('pagemap offsetBytes', 'offsetBytes', (v) => pagemap({ offsetBytes: v })),
      ...numberCases('pagemap lengthBytes', 'lengthBytes', (v) => pagemap({ lengthBytes: v })),
      ...booleanCases('pagemap entries', 'entries', (v) => pagemap({ entries: v })),
      { label: 'pagemap unknown key maxRuns', call: () => pagemap({ maxRuns: 1 }), code: VALUE, argument: 'options.maxRuns' },
      { label: 'pagemap window past the end', call: () => pagemap({ lengthBytes: size + 1 }), code: RANGE, argument: 'lengthBytes' },

      ...choiceCases('advise(advice)', 'advice', (v) => advise(v), 'forget'),
      { label: 'advise(undefined)', call: () => advise(undefined), code: TYPE, argument: 'advice' },
      ...objectCases('advise(dontneed, options)', (v) => advise('dontneed', v)),
      ...numberCases('advise offsetBytes', 'offsetBytes', (v) => advise('dontneed', { offsetBytes: v })),
      ...numberCases('advise lengthBytes', 'lengthBytes', (v) => advise('dontneed', { lengthBytes: v })),
      { label: 'advise unaligned offset', call: () => advise('dontneed', { offsetBytes: 100 }), code: VALUE, argument: 'offsetBytes' },
      { label: 'advise unknown key strideBytes', call: () => advise('dontneed', { strideBytes: page }), code: VALUE, argument: 'options.strideBytes' },
      { label: 'advise window past the end', call: () => advise('dontneed', { offsetBytes: page, lengthBytes: size }), code: RANGE, argument: 'lengthBytes' },

      ...choiceCases('protect(protection)', 'protection', (v) => protect(v), 'write'),
      { label: 'protect(undefined)', call: () => protect(undefined), code: TYPE, argument: 'protection' },
    ]);
    assert.equal(m.protection, 'read-write', 'no rejected call changed the mapping');
    assert.equal(m.residency().residentPages, 0, 'no rejected call touched the mapping');
  });
});

test('malloc() and HeapBlock methods reject bad values with the right code', () => {
  const b = malloc({ sizeBytes: 100 });
  const touch = b.touch.bind(b) as (o?: unknown) => unknown;
  const residency = b.residency.bind(b) as (o?: unknown) => unknown;
  try {
    checkAll([
      ...objectCases('malloc(options)', (v) => anyMalloc(v)),
      { label: 'malloc({})', call: () => anyMalloc({}), code: TYPE, argument: 'sizeBytes' },
      ...numberCases('malloc sizeBytes', 'sizeBytes', (v) => anyMalloc({ sizeBytes: v })),
      { label: 'malloc sizeBytes = 0', call: () => anyMalloc({ sizeBytes: 0 }), code: RANGE, argument: 'sizeBytes' },
      ...booleanCases('malloc zeroed', 'zeroed', (v) => anyMalloc({ sizeBytes: 1, zeroed: v })),
      { label: 'malloc unknown key align', call: () => anyMalloc({ sizeBytes: 1, align: 16 }), code: VALUE, argument: 'options.align' },
      ...numberCases('block touch offsetBytes', 'offsetBytes', (v) => touch({ offsetBytes: v })),
      ...numberCases('block touch strideBytes', 'strideBytes', (v) => touch({ strideBytes: v })),
      ...choiceCases('block touch mode', 'mode', (v) => touch({ mode: v })),
      { label: 'block touch past the end', call: () => touch({ offsetBytes: 50, lengthBytes: 51 }), code: RANGE, argument: 'lengthBytes' },
      ...numberCases('block residency maxRuns', 'maxRuns', (v) => residency({ maxRuns: v })),
    ]);
  } finally {
    b.free();
  }
});

test('bufferResidency(), bufferPagemap(), getrlimit() and getrusage() reject bad values with the right code', () => {
  const buf = Buffer.alloc(page);
  const anyResidency = bufferResidency as (b: unknown, o?: unknown) => unknown;
  const anyPagemap = bufferPagemap as (b: unknown, o?: unknown) => unknown;
  const anyGetrlimit = getrlimit as (r: unknown) => unknown;
  const anyGetrusage = getrusage as (w: unknown) => unknown;
  checkAll([
    ...[...NOT_OBJECTS, ['object', {}] as [string, unknown], ['undefined', undefined] as [string, unknown]].map(([what, v]): Case => ({ label: `bufferResidency(${what})`, call: () => anyResidency(v), code: TYPE, argument: 'buffer' })),
    ...objectCases('bufferResidency(buf, options)', (v) => anyResidency(buf, v)),
    ...numberCases('bufferResidency maxRuns', 'maxRuns', (v) => anyResidency(buf, { maxRuns: v })),
    { label: 'bufferResidency unknown key', call: () => anyResidency(buf, { offsetBytes: 0 }), code: VALUE, argument: 'options.offsetBytes' },
    ...objectCases('bufferPagemap(buf, options)', (v) => anyPagemap(buf, v)),
    ...booleanCases('bufferPagemap entries', 'entries', (v) => anyPagemap(buf, { entries: v })),
    ...choiceCases('getrlimit(resource)', 'resource', (v) => anyGetrlimit(v), 'heap'),
    { label: 'getrlimit()', call: () => anyGetrlimit(undefined), code: TYPE, argument: 'resource' },
    ...choiceCases('getrusage(who)', 'who', (v) => anyGetrusage(v), 'process'),
  ]);
});

test('the native Mapping constructor validates its options itself', () => {
  const N = native.Mapping as unknown as new (o?: unknown) => { unmap(): void };
  const make = (o: unknown) => () => new N(o).unmap();
  checkAll([
    ...NOT_OBJECTS.filter(([w]) => w !== 'null').map(([what, v]): Case => ({ label: `new Mapping(${what})`, call: make(v), code: TYPE, argument: 'options' })),
    { label: 'new Mapping(null)', call: make(null), code: TYPE, argument: 'options' },
    { label: 'new Mapping()', call: make(undefined), code: TYPE, argument: 'sizeBytes' },
    ...numberCases('native sizeBytes', 'sizeBytes', (v) => new N({ sizeBytes: v })),
    { label: 'native sizeBytes = 0', call: make({ sizeBytes: 0 }), code: RANGE, argument: 'sizeBytes' },
    ...numberCases('native alignBytes', 'alignBytes', (v) => new N({ sizeBytes: page, alignBytes: v })),
    { label: 'native alignBytes = 3 pages', call: make({ sizeBytes: page, alignBytes: 3 * page }), code: VALUE, argument: 'alignBytes' },
    ...choiceCases('native protection', 'protection', (v) => new N({ sizeBytes: page, protection: v })),
    ...booleanCases('native shared', 'shared', (v) => new N({ sizeBytes: page, shared: v })),
    ...booleanCases('native populate', 'populate', (v) => new N({ sizeBytes: page, populate: v })),
    ...booleanCases('native hugePages', 'hugePages', (v) => new N({ sizeBytes: page, hugePages: v })),
    { label: 'native fileOffsetBytes without path', call: make({ sizeBytes: page, fileOffsetBytes: 0 }), code: VALUE, argument: 'fileOffsetBytes' },
    ...NOT_STRINGS.map(([what, v]): Case => ({ label: `native path = ${what}`, call: make({ path: v }), code: TYPE, argument: 'path' })),
    { label: "native path = ''", call: make({ path: '' }), code: VALUE, argument: 'path' },
    { label: 'native path with NUL', call: make({ path: '/etc/hostname\0' }), code: VALUE, argument: 'path' },
    ...numberCases('native fileOffsetBytes', 'fileOffsetBytes', (v) => new N({ path: '/etc/hostname', fileOffsetBytes: v })),
    { label: 'native fileOffsetBytes unaligned', call: make({ path: '/etc/hostname', fileOffsetBytes: 1 }), code: VALUE, argument: 'fileOffsetBytes' },
    { label: 'native path = /dev/zero', call: make({ path: '/dev/zero', sizeBytes: page }), code: VALUE, argument: 'path' },
  ]);
});

test('native Mapping methods validate offsets, lengths, strides and choices, and refuse use after unmap', () => {
  const size = 4 * page;
  const nm = new native.Mapping({ sizeBytes: size });
  const touch = nm.touch.bind(nm) as (...a: unknown[]) => unknown;
  const residency = nm.residency.bind(nm) as (...a: unknown[]) => unknown;
  const advise = nm.advise.bind(nm) as (...a: unknown[]) => unknown;
  const protect = nm.protect.bind(nm) as (...a: unknown[]) => unknown;
  try {
    checkAll([
      ...numberCases('native touch offsetBytes', 'offsetBytes', (v) => touch(v, 1, 1, 'read')),
      ...numberCases('native touch lengthBytes', 'lengthBytes', (v) => touch(0, v, 1, 'read')),
      ...numberCases('native touch strideBytes', 'strideBytes', (v) => touch(0, 1, v, 'read')),
      ...choiceCases('native touch mode', 'mode', (v) => touch(0, 1, 1, v)),
      { label: 'native touch mode missing', call: () => touch(0, 1, 1), code: TYPE, argument: 'mode' },
      { label: 'native touch offset past the end', call: () => touch(size + 1, 0, 1, 'write'), code: RANGE, argument: 'offsetBytes' },
      { label: 'native touch length past the end', call: () => touch(page, size, 1, 'write'), code: RANGE, argument: 'lengthBytes' },
      { label: 'native touch no arguments', call: () => touch(), code: TYPE, argument: 'offsetBytes' },
      ...numberCases('native residency offsetBytes', 'offsetBytes', (v) => residency(v, 1, 1)),
      ...numberCases('native residency lengthBytes', 'lengthBytes', (v) => residency(0, v, 1)),
      ...numberCases('native residency maxRuns', 'maxRuns', (v) => residency(0, 1, v)),
      { label: 'native residency past the end', call: () => residency(page, size, 1), code: RANGE, argument: 'lengthBytes' },
      ...choiceCases('native advise advice', 'advice', (v) => advise(v, 0, page)),
      ...numberCases('native advise offsetBytes', 'offsetBytes', (v) => advise('dontneed', v, page)),
      ...numberCases('native advise lengthBytes', 'lengthBytes', (v) => advise('dontneed', 0, v)),
      { label: 'native advise unaligned offset', call: () => advise('dontneed', 1, page), code: VALUE, argument: 'offsetBytes' },
      { label: 'native advise past the end', call: () => advise('dontneed', page, size), code: RANGE, argument: 'lengthBytes' },
      ...choiceCases('native protect', 'protection', (v) => protect(v)),
    ]);
    assert.equal(nm.protection, 'read-write');
    assert.equal(nm.residency(0, size, 1).residentPages, 0, 'no rejected native call touched the memory');
  } finally {
    nm.unmap(false);
  }
  checkAll(
    Object.entries({
      touch: () => nm.touch(0, 1, 1, 'read'),
      residency: () => nm.residency(0, 1, 1),
      advise: () => nm.advise('dontneed', 0, page),
      protect: () => nm.protect('read'),
      sync: () => nm.sync(),
      asArrayBuffer: () => nm.asArrayBuffer(),
      fileSizeBytes: () => nm.fileSizeBytes(),
    }).map(([name, call]): Case => ({ label: `native ${name} after unmap`, call, code: 'ERR_VMPROBE_CLOSED', argument: 'unmap' })),
  );
  assert.equal(nm.address, null);
  nm.unmap(false);
});

test('native HeapBlock, mincoreScan, bufferRange, getrusage, getrlimit and fadvise validate their arguments', () => {
  const H = native.HeapBlock as unknown as new (o?: unknown) => { free(): void };
  const hb = new native.HeapBlock({ sizeBytes: 100 });
  const hbTouch = hb.touch.bind(hb) as (...a: unknown[]) => unknown;
  const scan = native.mincoreScan as (...a: unknown[]) => unknown;
  const fadvise = native.fadvise as (...a: unknown[]) => unknown;
  try {
    checkAll([
      ...numberCases('native HeapBlock sizeBytes', 'sizeBytes', (v) => new H({ sizeBytes: v }).free()),
      { label: 'new HeapBlock()', call: () => new H(), code: TYPE, argument: 'sizeBytes' },
      { label: 'new HeapBlock(5)', call: () => new H(5), code: TYPE, argument: 'options' },
      ...booleanCases('native HeapBlock zeroed', 'zeroed', (v) => new H({ sizeBytes: 1, zeroed: v })),
      ...numberCases('native block touch offsetBytes', 'offsetBytes', (v) => hbTouch(v, 1, 1, 'write')),
      { label: 'native block touch past the end', call: () => hbTouch(50, 51, 1, 'write'), code: RANGE, argument: 'lengthBytes' },
      { label: 'mincoreScan(number address)', call: () => scan(5, 1, 1), code: TYPE, argument: 'address' },
      ...NOT_NUMBERS.filter(([w]) => w !== 'bigint').map(([what, v]): Case => ({ label: `mincoreScan(address = ${what})`, call: () => scan(v, 1, 1), code: TYPE, argument: 'address' })),
      { label: 'mincoreScan(-1n)', call: () => scan(-1n, 1, 1), code: RANGE, argument: 'address' },
      { label: 'mincoreScan(2n ** 64n)', call: () => scan(2n ** 64n, 1, 1), code: RANGE, argument: 'address' },
      { label: 'mincoreScan overflowing range', call: () => scan(2n ** 64n - 4096n, 2 ** 52, 1), code: RANGE, argument: 'lengthBytes' },
      ...numberCases('mincoreScan lengthBytes', 'lengthBytes', (v) => scan(0n, v, 1)),
      ...numberCases('mincoreScan maxRuns', 'maxRuns', (v) => scan(0n, 0, v)),
      ...[...NOT_NUMBERS, ['undefined', undefined] as [string, unknown]].map(([what, v]): Case => ({ label: `bufferRange(${what})`, call: () => native.bufferRange(v as ArrayBuffer), code: TYPE, argument: 'buffer' })),
      ...choiceCases('native getrusage', 'who', (v) => (native.getrusage as (w: unknown) => unknown)(v)),
      ...choiceCases('native getrlimit', 'resource', (v) => (native.getrlimit as (r: unknown) => unknown)(v)),
      ...numberCases('fadvise fd', 'fd', (v) => fadvise(v, 0, 0, 'normal')),
      { label: 'fadvise fd 2^31', call: () => fadvise(2 ** 31, 0, 0, 'normal'), code: RANGE, argument: 'fd' },
      ...numberCases('fadvise offsetBytes', 'offsetBytes', (v) => fadvise(0, v, 0, 'normal')),
      ...choiceCases('fadvise advice', 'advice', (v) => fadvise(0, 0, 0, v)),
    ]);
  } finally {
    hb.free();
  }
  expectCode(() => hb.touch(0, 1, 1, 'read'), 'ERR_VMPROBE_CLOSED');
  expectCode(() => hb.residency(0, 1, 1), 'ERR_VMPROBE_CLOSED');
  hb.free();
  const e = expectCode(() => native.mincoreScan(0n, page, 1), 'ENOMEM');
  assert.equal(e.syscall, 'mincore');
  assert.equal(e.errno, -12);
  const f = expectCode(() => native.fadvise(2 ** 31 - 1, 0, 0, 'normal'), 'EBADF');
  assert.equal(f.syscall, 'posix_fadvise');
});

test('native methods called on the wrong receiver or without new throw a TypeError instead of crashing', () => {
  const proto = native.Mapping.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ['touch', 'residency', 'advise', 'protect', 'unmap', 'sync', 'asArrayBuffer', 'fileSizeBytes']) {
    const method = proto[name];
    assert.equal(typeof method, 'function', name);
    assert.throws(() => method?.call({}, 0, 1, 1, 'read'), TypeError, `Mapping.prototype.${name} on a plain object`);
  }
  assert.throws(() => (native.Mapping as unknown as (o: unknown) => unknown)({ sizeBytes: page }), TypeError);
  assert.throws(() => (native.HeapBlock as unknown as (o: unknown) => unknown)({ sizeBytes: 1 }), TypeError);
});
test('a failed map leaves nothing behind in /proc/self/maps', () => {
  // sizeBytes beyond the user address space: ENOMEM. With alignBytes the reservation
  // step fails instead; both must unmap what they made.
  const attempts: [string, () => unknown][] = [
    ['2^52 bytes', () => map({ sizeBytes: 2 ** 52 })],
    ['2^52 bytes aligned to 2 MiB', () => map({ sizeBytes: 2 ** 52, alignBytes: 2 * MiB })],
  ];
  for (const [label, attempt] of attempts) {
    let leaked = true;
    for (let i = 0; i < 3 && leaked; i++) {
      // V8's threads may map or unmap meanwhile; a real leak shows on every attempt.
      const before = readMaps().length;
      const err = expectCode(attempt, 'ENOMEM', { label });
      assert.equal(err.syscall, 'mmap');
      assert.equal(err.errno, -12);
      leaked = readMaps().length !== before;
    }
    assert.equal(leaked, false, `${label}: /proc/self/maps changed by a failed map() on 3 attempts`);
  }
});

test('a map that reserves address space for alignment but then fails the overcommit check leaves nothing behind', (t) => {
  const mode = fs.readFileSync('/proc/sys/vm/overcommit_memory', 'utf8').trim();
  if (mode !== '0') return t.skip(`overcommit_memory is ${mode}, not the heuristic mode 0 that rejects one map larger than RAM + swap`);
  const total = os.totalmem() * 4;
  const sizeBytes = total - (total % (2 * MiB));
  let leaked = true;
  for (let i = 0; i < 3 && leaked; i++) {
    const before = readMaps();
    const err = expectCode(() => map({ sizeBytes, alignBytes: 2 * MiB }), 'ENOMEM');
    assert.equal(err.syscall, 'mmap');
    const after = readMaps();
    assert.equal(after.some((e) => e.sizeBytes >= sizeBytes), false, `a region of >= ${sizeBytes} bytes is left mapped`);
    leaked = after.length !== before.length;
  }
  assert.equal(leaked, false, 'the alignment reservation was not released on 3 attempts');
});

