// Property-based fuzzing of the whole exported API (issue 7.1). Enumerates the package
// at run time (Object.keys of the entry, prototype members of Mapping/HeapBlock) and
// fails on anything without a generator here or a row in helpers/api-surface.ts. Every
// call must return, or throw an Error with a documented code (lib/util/errors.ts: the ERR_*
// codes, or an errno name with `errno` and `syscall`); anything else fails with the
// fast-check seed and path.
//
// Seed: VMPROBE_FUZZ_SEED when set (replay), a fixed seed when CI is set, else random.
// Replay one property: VMPROBE_FUZZ_SEED=<seed> VMPROBE_FUZZ_ONLY=<name> [VMPROBE_FUZZ_PATH=<path>].
// setrlimit changes the whole process, so it is fuzzed in a child process (below).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as fc from 'fast-check';
import { Registry } from 'prom-client';
import * as probe from '../../lib/index';
import * as experiments from '../../lib/experiments/index';
import * as render from '../../lib/render/index';
import * as prometheus from '../../lib/explain/prometheus';
import { EXPORT_TABLE, METHOD_TABLE, memberDescriptor, prototypeMembers, undocumentedRejection } from '../helpers/api-surface';
import {
  anyArgs, anyLeaf, anyNumber, anything, argsStartingWith, factorySize, makeFixtures, optionsObject, smallCount, type FuzzFixtures,
} from '../helpers/fuzz-generators';
import { LIB_ENTRY } from '../helpers/expect-code';

/** Every export of the entry points (vmprobe, vmprobe/experiments, vmprobe/render, vmprobe/prometheus). */
const v = { ...probe, ...experiments, ...render, ...prometheus };

const FIXED_CI_SEED = 0x5eed_0007;
const envSeed = process.env['VMPROBE_FUZZ_SEED'];
const BASE_SEED = envSeed !== undefined ? Number(envSeed) : process.env['CI'] ? FIXED_CI_SEED : (Math.random() * 2 ** 31) | 0;
const ONLY = process.env['VMPROBE_FUZZ_ONLY'];
const REPLAY_PATH = process.env['VMPROBE_FUZZ_PATH'];
/** Runs per export / per handle-method sequence property; totals are asserted below. */
const RUNS_PER_EXPORT = 90;
const HANDLE_SEQUENCES = 1500;
const SETRLIMIT_CALLS = 1200;
const MIN_TOTAL_CALLS = 10_000;

const page = v.pageSizeBytes();
const fx: FuzzFixtures = makeFixtures(v);
let calls = 0;

function seedFor(name: string): number {
  let h = BASE_SEED | 0;
  for (const c of name) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}

function releaseResult(r: unknown): void {
  if (r instanceof v.Mapping) r.unmap();
  else if (r instanceof v.HeapBlock) r.free();
  else if (r instanceof v.BlockSet) r.close();
}

/** Calls `fn`; a return is fine (handles are released), a throw must be documented. */
async function checked(label: string, fn: () => unknown): Promise<unknown> {
  calls++;
  let result: unknown;
  try {
    result = fn();
    if (result instanceof Promise) result = await result;
  } catch (err) {
    const bad = undocumentedRejection(err);
    if (bad !== null) throw new Error(`${label} threw ${bad}\n${err instanceof Error ? err.stack : ''}`);
    return undefined;
  }
  return result;
}

/** Runs a property with this file's seed scheme; the failure message carries seed and path. */
async function fuzz<T>(name: string, arb: fc.Arbitrary<T>, runs: number, body: (value: T) => Promise<void>): Promise<void> {
  if (ONLY !== undefined && ONLY !== name) return;
  const seed = seedFor(name);
  const params: fc.Parameters<[T]> = { seed, numRuns: runs, endOnFailure: true };
  if (REPLAY_PATH !== undefined) params.path = REPLAY_PATH;
  const result = await fc.check(fc.asyncProperty(arb, body), params);
  if (result.failed) {
    const why = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
    assert.fail(`fuzz '${name}' failed after ${result.numRuns} runs: ${why}\n` +
      `counterexample: ${fc.stringify(result.counterexample)}\n` +
      `replay: VMPROBE_FUZZ_SEED=${BASE_SEED} VMPROBE_FUZZ_ONLY=${name} VMPROBE_FUZZ_PATH=${result.counterexamplePath ?? ''} (fast-check seed ${seed})`);
  }
}

/** The first `n` whole entries of smaps text (each starts with an address-range line). */
function firstSmapsEntries(text: string, n: number): string {
  const lines = text.split('\n');
  const headers = lines.map((l, i) => (/^[0-9a-f]+-[0-9a-f]+ /.test(l) ? i : -1)).filter((i) => i >= 0);
  return `${lines.slice(0, headers[n] ?? lines.length).join('\n')}\n`;
}

// Near-valid inputs, per export. A function export without an entry here fails the test.
const procSamples = {
  maps: fs.readFileSync('/proc/self/maps', 'utf8'),
  smaps: firstSmapsEntries(fs.readFileSync('/proc/self/smaps', 'utf8'), 4),
  rollup: fs.readFileSync('/proc/self/smaps_rollup', 'utf8'),
  status: fs.readFileSync('/proc/self/status', 'utf8'),
  statm: fs.readFileSync('/proc/self/statm', 'utf8'),
};
const procText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(...Object.values(procSamples)),
  fc.tuple(fc.constantFrom(...Object.values(procSamples)), fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 8 }))
    .map(([t, at, cut, ins]) => t.slice(0, at % (t.length + 1)) + ins + t.slice((at % (t.length + 1)) + cut)),
);
const regions = v.classifyRegions(v.parseMaps(procSamples.maps));
const mapsEntries = v.parseMaps(procSamples.maps);
const elfBytes = fs.readFileSync(process.execPath).subarray(0, 256 * 1024);
const mallocXml = v.mallocInfoXml();
const heapContext = { maps: mapsEntries, programBreak: v.programBreak() };
const addressish = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 48n }), fc.constantFrom(0n, 4096n, 2n ** 47n - 4096n, 2n ** 64n - 1n));
const pidish = fc.oneof(fc.constantFrom<unknown>('self', process.pid, 1, 0, -1, 2 ** 22 + 1, 'SELF', '1'), anyLeaf(fx));
const rlimitName = fc.oneof(fc.constantFrom(...v.RLIMIT_NAMES), fc.string({ maxLength: 6 }));

function a(...firsts: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown[]> {
  return argsStartingWith(fx, firsts[0] ?? anything(fx), firsts[1]);
}
/** Options objects that always carry an unknown key: child runners must reject before spawning anything. */
const rejectedRunnerOptions = fc.oneof(
  fc.constantFrom<unknown>(null, 1, 'lazy', true, 1n, [], [1]),
  optionsObject(anyLeaf(fx)).map((o) => ({ ...o, notAnOption: 1 })),
).map((o) => [o]);

const GENERATORS: Record<string, fc.Arbitrary<unknown[]>> = {
  map: a(optionsObject(fc.oneof(factorySize, anyLeaf(fx))).map((o) => ({ sizeBytes: page, ...o }))),
  mapFile: a(fc.constantFrom<unknown>(fx.tempFile, fx.tempDir, '/dev/null', '/nonexistent/x', '', 'a\0b', '/proc/self/maps'), optionsObject(fc.oneof(smallCount(3 * page), anyLeaf(fx)))),
  Mapping: anyArgs(fx),
  malloc: a(optionsObject(fc.oneof(factorySize, anyLeaf(fx))).map((o) => ({ sizeBytes: 64, ...o }))),
  HeapBlock: anyArgs(fx),
  // Small counts; a filled set stays small (fill writes every byte of every block).
  mallocBlocks: a(optionsObject(fc.oneof(smallCount(64), factorySize, fc.constantFrom<unknown>([1, 2], [], [0], [64, 'x']), anyLeaf(fx))).map((o): Record<string, unknown> => ({ count: 4, sizeBytes: 64, ...o }))
    .map((o) => (typeof o['count'] === 'number' && o['count'] > 64 ? { ...o, count: 64 } : o))
    .map((o) => (o['fill'] === true ? { ...o, sizeBytes: 64, sizesBytes: undefined } : o))),
  BlockSet: anyArgs(fx),
  bufferResidency: a(anyLeaf(fx), optionsObject(anyLeaf(fx))),
  bufferPagemap: a(anyLeaf(fx), optionsObject(anyLeaf(fx))),
  bufferSpan: a(anyLeaf(fx)),
  decodePagemapEntry: a(fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), anyLeaf(fx))),
  readPagemap: a(addressish, smallCount(4096)),
  summarizePagemap: a(addressish, smallCount(64 * 1024), optionsObject(anyLeaf(fx))).map((args) => args),
  zeroPagePfn: anyArgs(fx),
  hugeZeroPage: anyArgs(fx),
  getrusage: a(fc.constantFrom('self', 'thread', 'children', 'SELF', 'all')),
  getrlimit: a(rlimitName),
  sysconf: anyArgs(fx),
  pageSizeBytes: anyArgs(fx),
  readHostInfo: anyArgs(fx),
  readMallocTunables: a(optionsObject(fc.oneof(fc.string(), anyLeaf(fx))).map((o) => ({ MALLOC_ARENA_MAX: '2', ...o }))),
  readThpSettings: anyArgs(fx),
  readOvercommit: anyArgs(fx),
  readAslrMode: anyArgs(fx),
  readSwap: anyArgs(fx),
  parseMaps: a(procText),
  readMaps: a(pidish),
  findMapping: a(fc.constant(mapsEntries), addressish),
  parseSmaps: a(procText),
  readSmaps: a(pidish),
  smapsFor: a(fc.constant(v.parseSmaps(procSamples.smaps)), addressish),
  parseSmapsRollup: a(procText),
  readSmapsRollup: a(pidish),
  parseStatus: a(procText),
  readStatus: a(pidish),
  parseStatm: a(procText, fc.oneof(fc.constant(page), anyNumber)),
  readStatm: a(pidish, fc.oneof(fc.constant(page), anyNumber)),
  claimById: a(fc.oneof(fc.constantFrom(...v.CLAIMS.map((c) => c.id)), fc.string())),
  parseSize: a(fc.oneof(fc.constantFrom('64MiB', '1k', '12', '1.5G', '0', 'unlimited', '9007199254740993', '1e3'), fc.string({ maxLength: 8 }))),
  parseLimit: a(fc.oneof(fc.constantFrom('64MiB', 'unlimited', 'infinity', '-1', ''), fc.string({ maxLength: 8 }))),
  isCodedError: anyArgs(fx),
  ExperimentFailure: anyArgs(fx),
  runLazy: rejectedRunnerOptions,
  runReport: rejectedRunnerOptions,
  runLayout: rejectedRunnerOptions,
  runStack: rejectedRunnerOptions,
  runAllocators: rejectedRunnerOptions,
  layoutAddresses: anyArgs(fx),
  loadedObjects: anyArgs(fx),
  touchSegmentPages: a(fc.constantFrom('data', 'bss', 'text', ''), optionsObject(fc.oneof(smallCount(4096), fc.constantFrom('read', 'write'), anyLeaf(fx)))),
  readThreadStackPointers: a(pidish),
  parseSyscallStackPointer: a(fc.oneof(fc.constantFrom('running', '0 0x1 0x2 0x3 0x4 0x5 0x6 0x7ffd1234 0x4005d0', '-1 0x7ffd 0x1'), fc.string())),
  readLayout: a(pidish, fc.oneof(fc.constant([] as bigint[]), fc.array(addressish, { maxLength: 3 }))),
  countThreads: a(pidish),
  classifyRegions: a(fc.oneof(fc.constant(mapsEntries), fc.array(anything(fx), { maxLength: 3 })), optionsObject(anyLeaf(fx))),
  regionAt: a(fc.constant(regions), addressish),
  findGaps: a(fc.oneof(fc.constant(regions), fc.array(anything(fx), { maxLength: 3 }))),
  zoneOrder: a(fc.oneof(fc.constant(regions), fc.array(anything(fx), { maxLength: 3 }))),
  zoneOf: a(fc.oneof(fc.constantFrom(...v.REGION_KINDS), fc.string())),
  segmentOf: a(fc.oneof(fc.constantFrom(...v.REGION_KINDS), fc.string())),
  parseElf: a(fc.constantFrom<unknown>(
    (o: number, n: number) => elfBytes.subarray(o, o + n),
    (o: number, n: number) => elfBytes.subarray(0, Math.min(n, 40) + (o % 7)),
    () => Buffer.alloc(0), () => 'ELF', () => null, () => { throw Object.assign(new Error('read failed'), { code: 'EIO', errno: -5, syscall: 'read' }); },
  )),
  parseElfBuffer: a(fc.oneof(
    fc.constant(elfBytes),
    fc.tuple(fc.nat({ max: 4096 }), fc.nat({ max: 4096 })).map(([from, len]) => elfBytes.subarray(from, from + len)),
    fc.tuple(fc.nat({ max: 4095 }), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => { const b = Buffer.from(elfBytes.subarray(0, 8192)); b[at] = byte; return b; }),
  )),
  readElf: a(fc.constantFrom<unknown>(process.execPath, '/proc/self/exe', fx.tempFile, fx.tempDir, '/dev/null', '/nonexistent/x', '')),
  renderLayoutSvg: anyArgs(fx),
  threadStack: anyArgs(fx),
  liveHandles: anyArgs(fx),
  programBreak: anyArgs(fx),
  mallinfo2: anyArgs(fx),
  mallocInfo: anyArgs(fx),
  mallocInfoXml: anyArgs(fx),
  requireGlibc: a(fc.oneof(fc.string({ maxLength: 12 }), anyLeaf(fx)), fc.oneof(
    fc.constantFrom<unknown>({ name: 'glibc', version: '2.36' }, { name: 'musl', version: null }, { name: 'unknown', version: null }), anyLeaf(fx))),
  parseMallocInfo: a(fc.oneof(fc.constant(mallocXml), fc.string({ maxLength: 40 }),
    fc.tuple(fc.nat(), fc.nat({ max: 40 })).map(([at, cut]) => mallocXml.slice(0, at % (mallocXml.length + 1)) + mallocXml.slice((at % (mallocXml.length + 1)) + cut)))),
  classifyBlock: a(addressish, fc.oneof(fc.record({ isMmapped: fc.boolean(), nonMainArena: fc.boolean() }), anyLeaf(fx)), fc.oneof(fc.constant(heapContext), anyLeaf(fx))),
  addressWitness: a(addressish, fc.oneof(fc.constant(heapContext), anyLeaf(fx))),
  flagsWitness: a(fc.oneof(fc.record({ isMmapped: fc.boolean(), nonMainArena: fc.boolean() }), anyLeaf(fx))),
  mapsWitness: a(addressish, fc.oneof(fc.constant(mapsEntries), fc.array(anything(fx), { maxLength: 3 }))),
  runMalloc: rejectedRunnerOptions,
  unmeasuredClaims: a(fc.oneof(fc.constant([] as unknown[]), fc.array(anything(fx), { maxLength: 2 })), fc.oneof(fc.constant(['lazy']), fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }), anyLeaf(fx))),
  renderReportHtml: anyArgs(fx),
  renderReportText: anyArgs(fx),
  renderExperimentText: anyArgs(fx),
  renderJson: anyArgs(fx),
  explainMemory: a(fc.oneof(optionsObject(fc.oneof(pidish, anyLeaf(fx))), fc.record({ pid: pidish }), anyLeaf(fx))),
  explainBuffer: a(anyLeaf(fx)),
  // A fresh registry (successes register there; again is idempotent), prefixes near the metric-name rules.
  registerMemoryGauges: a(fc.oneof(fc.constant(new Registry()), fc.constant(undefined), anyLeaf(fx)),
    optionsObject(fc.oneof(fc.constantFrom('app_', '', 'a:b_', '9x', 'my-app_', 'é_'), fc.string({ maxLength: 6 }), anyLeaf(fx)))),
  recurseStack: a(optionsObject(fc.oneof(smallCount(256 * 1024), fc.constantFrom('frame', 'alloca'), anyLeaf(fx))).map((o) => ({ depthBytes: 65536, ...o }))),
  allocationCost: a(optionsObject(fc.oneof(smallCount(64 * 1024), fc.constantFrom('frame', 'alloca', 'malloc'), anyLeaf(fx))).map((o) => ({ kind: 'malloc', sizeBytes: 64, iterations: 10, ...o }))
    .map((o) => (typeof o['iterations'] === 'number' && o['iterations'] > 1000 ? { ...o, iterations: 1000 } : o))),
};
/** Exported functions deliberately not fuzzed in this process, and where they are. */
const FUZZED_ELSEWHERE: Record<string, string> = {
  setrlimit: 'process-state: fuzzed in a child process (test "setrlimit fuzz in a child")',
  mallopt: 'process-state: fuzzed in a child process (test "mallopt and mallocTrim fuzz in a child")',
  mallocTrim: 'process-state: fuzzed in a child process (test "mallopt and mallocTrim fuzz in a child")',
};

test(`fuzz: every export is classified and has a generator (seed ${BASE_SEED})`, (t) => {
  t.diagnostic(`VMPROBE_FUZZ_SEED=${BASE_SEED}${process.env['CI'] ? ' (CI: fixed)' : ' (random; set VMPROBE_FUZZ_SEED to replay)'}`);
  const names = Object.keys(v).sort();
  const unclassified = names.filter((n) => EXPORT_TABLE[n] === undefined);
  assert.deepEqual(unclassified, [], `exports with no row in test/helpers/api-surface.ts EXPORT_TABLE: ${unclassified.join(', ')}`);
  const stale = Object.keys(EXPORT_TABLE).filter((n) => !names.includes(n));
  assert.deepEqual(stale, [], `EXPORT_TABLE rows for names the package no longer exports: ${stale.join(', ')}`);
  const functions = names.filter((n) => typeof (v as Record<string, unknown>)[n] === 'function');
  const missing = functions.filter((n) => GENERATORS[n] === undefined && FUZZED_ELSEWHERE[n] === undefined);
  assert.deepEqual(missing, [], `exported functions with no fuzz generator in test/api/fuzz.test.ts: ${missing.join(', ')}`);
  for (const [cls, table] of [[v.Mapping, METHOD_TABLE.Mapping], [v.HeapBlock, METHOD_TABLE.HeapBlock], [v.BlockSet, METHOD_TABLE.BlockSet]] as const) {
    assert.deepEqual(prototypeMembers(cls), Object.keys(table).sort(), `${cls.name}'s prototype members vs METHOD_TABLE.${cls.name}`);
  }
});

test('fuzz: every exported function with random arguments returns or throws a documented code', async () => {
  const vv = v as unknown as Record<string, unknown>;
  const failures: string[] = [];
  for (const [name, gen] of Object.entries(GENERATORS)) {
    const fn = vv[name] as ((...args: unknown[]) => unknown) & (new (...args: unknown[]) => unknown);
    const isClass = EXPORT_TABLE[name]?.kind === 'class';
    try {
      await fuzz(name, gen, RUNS_PER_EXPORT, async (args) => {
        // Classes are fuzzed with `new` (calling a class without `new` is the language's own TypeError).
        releaseResult(await checked(`${name}(${fc.stringify(args)})`, () => (isClass ? new fn(...args) : fn(...args))));
      });
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  assert.equal(failures.length, 0, failures.join('\n\n'));
});

type Handle = probe.Mapping | probe.HeapBlock | probe.BlockSet;
type HandleMaker = { label: string; make: () => Handle };
const MAPPING_MAKERS: HandleMaker[] = [
  { label: 'anonymous read-write', make: () => v.map({ sizeBytes: 3 * page }) },
  { label: 'anonymous odd size', make: () => v.map({ sizeBytes: page + 17 }) },
  { label: 'anonymous none', make: () => v.map({ sizeBytes: 2 * page, protection: 'none' }) },
  { label: 'anonymous read', make: () => v.map({ sizeBytes: 2 * page, protection: 'read' }) },
  { label: 'shared', make: () => v.map({ sizeBytes: 2 * page, shared: true }) },
  { label: 'file private', make: () => v.mapFile(fx.tempFile) },
  { label: 'file shared rw', make: () => v.mapFile(fx.tempFile, { shared: true, protection: 'read-write' }) },
  { label: 'closed', make: () => { const m = v.map({ sizeBytes: page }); m.unmap(); return m; } },
];
const BLOCK_MAKERS: HandleMaker[] = [
  { label: 'small', make: () => v.malloc({ sizeBytes: 24 }) },
  { label: 'multi-page', make: () => v.malloc({ sizeBytes: 3 * page + 5, zeroed: true }) },
  { label: 'mmapped', make: () => v.malloc({ sizeBytes: 512 * 1024 }) },
  { label: 'closed', make: () => { const b = v.malloc({ sizeBytes: 8 }); b.free(); return b; } },
];

const BLOCK_SET_MAKERS: HandleMaker[] = [
  { label: 'one size', make: () => v.mallocBlocks({ count: 16, sizeBytes: 48, fill: true }) },
  { label: 'pattern', make: () => v.mallocBlocks({ count: 9, sizesBytes: [24, 3 * page + 5, 512 * 1024] }) },
  { label: 'closed', make: () => { const s = v.mallocBlocks({ count: 2, sizeBytes: 8 }); s.close(); return s; } },
];

function methodArgs(): fc.Arbitrary<unknown[]> {
  const rangeValue = fc.oneof(smallCount(4 * page), fc.constantFrom('read', 'write', true, false), anyLeaf(fx));
  return fc.oneof(
    anyArgs(fx),
    optionsObject(rangeValue).map((o) => [o]),
    fc.tuple(fc.constantFrom(...v.ADVICE, 'none', 'read', 'read-write'), optionsObject(rangeValue)).map(([x, o]) => [x, o]),
  );
}

async function fuzzHandles(kind: 'Mapping' | 'HeapBlock' | 'BlockSet', makers: HandleMaker[], runs: number): Promise<void> {
  const members = Object.keys(METHOD_TABLE[kind]);
  const step = fc.tuple(fc.constantFrom(...members), methodArgs());
  await fuzz(`${kind} methods`, fc.tuple(fc.constantFrom(...makers), fc.array(step, { minLength: 1, maxLength: 5 })), runs, async ([maker, steps]) => {
    const handle = maker.make();
    const buffers: ArrayBuffer[] = [];
    try {
      for (const [member, args] of steps) {
        const label = `${kind}(${maker.label}).${member}(${fc.stringify(args)})`;
        const desc = memberDescriptor(handle, member);
        const r = await checked(label, () => (desc?.get ? desc.get.call(handle) : (handle as unknown as Record<string, (...x: unknown[]) => unknown>)[member]?.(...args)));
        if (r instanceof ArrayBuffer) buffers.push(r);
        // A buffer that is still attached must be safe to write: protect()/unmap() detach it first.
        for (const ab of buffers) if (ab.byteLength > 0) new Uint8Array(ab)[ab.byteLength - 1] = 1;
      }
    } finally {
      releaseResult(handle);
    }
    for (const ab of buffers) assert.equal(ab.byteLength, 0, `${kind}(${maker.label}): an ArrayBuffer stayed attached after unmap`);
  });
}

test('fuzz: Mapping methods in random sequences on every kind of mapping', async () => {
  await fuzzHandles('Mapping', MAPPING_MAKERS, HANDLE_SEQUENCES);
});

test('fuzz: HeapBlock methods in random sequences', async () => {
  await fuzzHandles('HeapBlock', BLOCK_MAKERS, Math.round(HANDLE_SEQUENCES / 2));
});

test('fuzz: BlockSet methods in random sequences', async () => {
  await fuzzHandles('BlockSet', BLOCK_SET_MAKERS, Math.round(HANDLE_SEQUENCES / 4));
});

/**
 * Child-side JS (for the child fuzzers below) that makes `call` and writes one line:
 * 'ok', 'coded CODE' for a documented rejection (an ERR_* code of lib/util/errors.ts, or an
 * errno error from `syscall` when given), or 'BAD …' naming `what`.
 */
function childCallLine(call: string, what: string, syscall?: string): string {
  const fromSyscall = syscall === undefined ? "typeof e.syscall === 'string'" : `e.syscall === ${JSON.stringify(syscall)}`;
  return `let line;
      try { ${call}; line = 'ok'; }
      catch (e) {
        const documented = e instanceof Error && typeof e.code === 'string' && (/^ERR_(INVALID_ARG_TYPE|OUT_OF_RANGE|INVALID_ARG_VALUE|VMPROBE_UNSUPPORTED)$/.test(e.code) || (/^E[A-Z0-9]+$/.test(e.code) && typeof e.errno === 'number' && ${fromSyscall}));
        line = documented ? 'coded ' + e.code : 'BAD ' + ${what} + ' ' + (e && e.code) + ' ' + (e && e.message);
      }
      fs.writeSync(1, line + '\\n');`;
}

test('fuzz: setrlimit with random arguments, in a child process (it changes the whole process)', (t) => {
  if (ONLY !== undefined && ONLY !== 'setrlimit') {
    t.skip(`VMPROBE_FUZZ_ONLY=${ONLY} selects another fuzz target`);
    return;
  }
  // The child draws its own arguments from the same seed; it writes one line per call
  // BEFORE making it, so a call that kills the child is named. Lowering a real limit is
  // the call working: RLIMIT_CPU/RLIMIT_FSIZE may then kill the child by signal, which
  // is accepted only right after a successful call that lowered those limits.
  const script = `
    const fc = require(${JSON.stringify(require.resolve('fast-check'))});
    const v = require(${JSON.stringify(LIB_ENTRY)});
    const fs = require('node:fs');
    const names = [...v.RLIMIT_NAMES, 'bogus', '', 'STACK'];
    const limitValue = fc.oneof(fc.integer({ min: -2, max: 2 ** 20 }), fc.constantFrom(Infinity, -Infinity, NaN, -0, 0.5, 2 ** 53, 2 ** 64, 1n, null, undefined, 'unlimited', {}));
    const arg = fc.oneof(
      fc.tuple(fc.constantFrom(...names), fc.record({ soft: limitValue, hard: limitValue }, { requiredKeys: [] })),
      fc.tuple(fc.constantFrom(...names), fc.dictionary(fc.string({ maxLength: 4 }), limitValue, { maxKeys: 2 })),
      fc.tuple(fc.constantFrom(...names, 1, null, Symbol.iterator), limitValue),
    );
    const samples = fc.sample(arg, { seed: ${seedFor('setrlimit')}, numRuns: ${SETRLIMIT_CALLS} });
    // Keep the limits this child needs to finish: floors for nofile/nproc (64), cpu (1 h), rttime, as/data/stack/fsize (1 GiB).
    const risky = (n, l) => l && typeof l === 'object' && ['nofile', 'as', 'data', 'stack', 'memlock', 'nproc', 'cpu', 'fsize', 'rttime'].includes(n);
    let i = 0;
    for (const [name, limit] of samples) {
      if (risky(name, limit)) {
        const floor = name === 'nofile' || name === 'nproc' ? 64 : name === 'cpu' ? 3600 : name === 'rttime' ? 2 ** 31 : 2 ** 30;
        if (typeof limit.soft === 'number' && limit.soft < floor) limit.soft = floor;
        if (typeof limit.hard === 'number' && limit.hard < floor) limit.hard = floor;
        // Under AddressSanitizer (npm run test:asan) a finite address-space or data limit breaks its shadow and allocator mappings.
        if ((name === 'as' || name === 'data') && process.env.VMPROBE_SANITIZED) { limit.soft = Infinity; limit.hard = Infinity; }
      }
      const shown = JSON.stringify([String(name), limit], (k, x) => typeof x === 'bigint' ? x + 'n' : typeof x === 'number' && !Number.isFinite(x) ? String(x) : x);
      fs.writeSync(1, 'call ' + shown + '\\n');
      ${childCallLine('v.setrlimit(name, limit)', "'setrlimit'", 'setrlimit')}
      i++;
    }
    fs.writeSync(1, 'done ' + i + '\\n');
  `;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  const lines = child.stdout.trim().split('\n');
  const bad = lines.filter((l) => l.startsWith('BAD'));
  assert.deepEqual(bad, [], `setrlimit threw undocumented errors (seed ${seedFor('setrlimit')}): ${bad.slice(0, 5).join(' | ')}`);
  const finished = lines.at(-1) === `done ${SETRLIMIT_CALLS}`;
  if (!finished) {
    // Only a signal that a successfully lowered cpu/fsize limit explains is acceptable.
    const lastCall = lines.filter((l) => l.startsWith('call ')).at(-1) ?? '';
    assert.ok(child.signal === 'SIGXCPU' || child.signal === 'SIGXFSZ' || child.signal === 'SIGKILL',
      `the setrlimit fuzz child ended with status ${child.status} signal ${child.signal} after: ${lastCall}\n${child.stderr.slice(-2000)}`);
    t.diagnostic(`setrlimit child ended by ${child.signal} after ${lines.length} lines (a lowered limit doing its job)`);
  }
  calls += lines.filter((l) => l.startsWith('call ')).length;
});

const MALLOC_STATE_CALLS = 600;

test('fuzz: mallopt and mallocTrim with random arguments, in a child process (they change the whole process)', (t) => {
  if (ONLY !== undefined && ONLY !== 'mallopt') {
    t.skip(`VMPROBE_FUZZ_ONLY=${ONLY} selects another fuzz target`);
    return;
  }
  const script = `
    const fc = require(${JSON.stringify(require.resolve('fast-check'))});
    const v = require(${JSON.stringify(LIB_ENTRY)});
    const fs = require('node:fs');
    const value = fc.oneof(fc.integer({ min: -2, max: 2 ** 26 }), fc.constantFrom(Infinity, -Infinity, NaN, -0, 0.5, 2 ** 31, 2 ** 53, 2 ** 64, 1n, null, undefined, '1', {}));
    const call = fc.oneof(
      fc.tuple(fc.constant('mallopt'), fc.constantFrom(...v.MALLOPT_PARAMS, 'M_BOGUS', '', 7, null), value),
      fc.tuple(fc.constant('mallocTrim'), value, fc.constant(undefined)),
    );
    let i = 0;
    for (const [fn, x, y] of fc.sample(call, { seed: ${seedFor('mallopt')}, numRuns: ${MALLOC_STATE_CALLS} })) {
      ${childCallLine('v[fn](x, y)', 'fn')}
      i++;
    }
    fs.writeSync(1, 'done ' + i + '\\n');
  `;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  const lines = child.stdout.trim().split('\n');
  const bad = lines.filter((l) => l.startsWith('BAD'));
  assert.deepEqual(bad, [], `mallopt/mallocTrim threw undocumented errors (seed ${seedFor('mallopt')}): ${bad.slice(0, 5).join(' | ')}`);
  assert.equal(lines.at(-1), `done ${MALLOC_STATE_CALLS}`, `the child ended early: status ${child.status} signal ${child.signal}\n${child.stderr.slice(-2000)}`);
  calls += MALLOC_STATE_CALLS;
});

test(`fuzz: at least ${MIN_TOTAL_CALLS} calls were made in total`, (t) => {
  fx.release();
  t.diagnostic(`${calls} fuzzed calls, seed ${BASE_SEED}`);
  if (ONLY === undefined) assert.ok(calls >= MIN_TOTAL_CALLS, `only ${calls} calls were fuzzed`);
});
