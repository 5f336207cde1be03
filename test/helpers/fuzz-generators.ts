/**
 * fast-check generators for the fuzz test: values of every shape (numbers at every edge,
 * bigint, strings, objects, arrays, null/undefined, closed handles, detached buffers)
 * and, per export, an argument-list generator mixing those with near-valid arguments so
 * the fuzz reaches past the first check.
 *
 * Bounds, stated: integers that are VALID sizes or counts stay <= 2^16 in the generic
 * pool (plus invalid edges: 2^53, 2^64, 1e300, …). A valid huge request (touch 2^40
 * bytes, 2^40 iterations) is not a crash but the caller asking for that much work; the
 * factories get a separate pool with valid huge sizes (created and released at once,
 * never touched).
 */
import * as fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Vmprobe from '../../lib/index';

/** Objects the generators hand out by reference (created once per process). */
export interface FuzzFixtures {
  closedMapping: unknown;
  closedBlock: unknown;
  openMapping: unknown;
  openBlock: unknown;
  detached: ArrayBuffer;
  tempDir: string;
  /** A 3-page regular file the fuzz may map (and write through shared mappings). */
  tempFile: string;
  release(): void;
}

export function makeFixtures(v: typeof Vmprobe): FuzzFixtures {
  const page = v.pageSizeBytes();
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-fuzz-'));
  const tempFile = path.join(tempDir, 'three-pages');
  fs.writeFileSync(tempFile, Buffer.alloc(3 * page, 7));
  const closedMapping = v.map({ sizeBytes: page });
  closedMapping.unmap();
  const closedBlock = v.malloc({ sizeBytes: 64 });
  closedBlock.free();
  const openMapping = v.map({ sizeBytes: 2 * page });
  const openBlock = v.malloc({ sizeBytes: 100 });
  const detached = new ArrayBuffer(4096);
  structuredClone(detached, { transfer: [detached] });
  return {
    closedMapping, closedBlock, openMapping, openBlock, detached, tempDir, tempFile,
    release() {
      openMapping.unmap();
      openBlock.free();
      fs.rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

const EDGE_NUMBERS = [
  -0, 0, 1, 2, -1, 0.5, 1.5, -0.5, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 64, 1e300, -1e300,
  Number.MIN_VALUE, Number.EPSILON, 4095, 4096, 4097, 8191, 65536,
];
/** Every option name the package knows (so random objects hit real keys), plus junk. */
const OPTION_KEYS = [
  'sizeBytes', 'protection', 'shared', 'populate', 'noreserve', 'alignBytes', 'hugePages', 'fileOffsetBytes', 'zeroed',
  'offsetBytes', 'lengthBytes', 'strideBytes', 'mode', 'maxRuns', 'entries', 'depthBytes', 'frameBytes', 'variant',
  'kind', 'iterations', 'firstPage', 'pages', 'soft', 'hard', 'only', 'pid', 'privateAnonymous', 'prefix', '__proto__', 'constructor', 'bogus',
];
const CHOICE_STRINGS = [
  'read', 'write', 'read-write', 'none', 'self', 'thread', 'children', 'data', 'bss', 'frame', 'alloca', 'malloc', 'nofile',
  'stack', 'as', 'cpu', 'dontneed', 'pageout', 'hugepage', 'willneed', 'free', 'lazy', 'layout', 'unlimited', '64MiB', '1k',
  '', ' ', '\0', '-1', '0x1000', 'NaN', 'maps', 'status', '../../etc/passwd', 'lazy.map-is-lazy',
];

/** A number from the edges, a small integer, or any double. */
export const anyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...EDGE_NUMBERS),
  fc.integer({ min: -(2 ** 16), max: 2 ** 16 }),
  fc.double(),
);

/** A leaf value of any shape; `fx` supplies handles and buffers by reference. */
export function anyLeaf(fx: FuzzFixtures): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: anyNumber },
    { weight: 2, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }) },
    { weight: 1, arbitrary: fc.constantFrom(0n, 1n, -1n, 4096n, 2n ** 47n, 2n ** 64n - 1n, 2n ** 64n) },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 3, arbitrary: fc.constantFrom(...CHOICE_STRINGS) },
    { weight: 2, arbitrary: fc.constantFrom<unknown>(null, undefined, true, false, Symbol('fuzz'), () => 1, function named() { return Buffer.alloc(8); }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom<unknown>(
        fx.closedMapping, fx.closedBlock, fx.openMapping, fx.openBlock, fx.detached, Buffer.alloc(16), new Uint8Array(3),
        new BigUint64Array(2), new SharedArrayBuffer(8), new DataView(new ArrayBuffer(8)), Object.create(null), new Date(0),
        /re/, new Map(), [], [1, 2], fx.tempFile, fx.tempDir, '/nonexistent/vmprobe', '/dev/null',
      ),
    },
  );
}

/** Any value: a leaf, an array of leaves, or an object with known option keys. */
export function anything(fx: FuzzFixtures): fc.Arbitrary<unknown> {
  const leaf = anyLeaf(fx);
  return fc.oneof(
    { weight: 5, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(leaf, { maxLength: 4 }) },
    { weight: 3, arbitrary: optionsObject(leaf) },
  );
}

/** An object whose keys are real option names (or junk) and whose values are anything. */
export function optionsObject(value: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(fc.oneof(fc.constantFrom(...OPTION_KEYS), fc.string({ maxLength: 6 })), value, { maxKeys: 4 });
}

/** An argument list of 0–4 values of any shape (too few and too many arguments). */
export function anyArgs(fx: FuzzFixtures): fc.Arbitrary<unknown[]> {
  return fc.array(anything(fx), { maxLength: 4 });
}

/** `[first, ...anything]` where `first` is sometimes near-valid. */
export function argsStartingWith(fx: FuzzFixtures, first: fc.Arbitrary<unknown>, second?: fc.Arbitrary<unknown>): fc.Arbitrary<unknown[]> {
  const any = anything(fx);
  return fc.oneof(
    anyArgs(fx),
    fc.tuple(fc.oneof(first, any), fc.oneof(second ?? any, any), fc.array(any, { maxLength: 2 })).map(([a, b, rest]) => [a, b, ...rest]),
    fc.tuple(first).map(([a]) => [a]),
  );
}

/** Small valid counts and the generic edges. */
export function smallCount(max = 64): fc.Arbitrary<number> {
  return fc.oneof(fc.integer({ min: 0, max }), fc.constantFrom(...EDGE_NUMBERS));
}

/** Sizes for the handle factories: valid small, valid huge (released at once, never touched), invalid. */
export const factorySize: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 1, max: 3 * 65536 }),
  fc.constantFrom(2 ** 31, 2 ** 40, 2 ** 47, 2 ** 52, Number.MAX_SAFE_INTEGER),
  anyNumber,
);
