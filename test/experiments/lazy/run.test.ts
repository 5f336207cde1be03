// Tests for the lazy experiment run for real on this kernel (lib/experiments/lazy):
// each step's kernel facts, exact where the kernel is exact (fault counts, mincore and
// pagemap over the experiment's own mapping, smaps of its own VMA), and the JSON
// result's shape. No test asserts a process-wide RSS or VSZ delta: V8's own threads move
// those around any step (issue 10: −9.6 MiB of process RSS around an 8 MiB MADV_DONTNEED
// on Node 22). The per-range figures (pagemap private pages, the VMA's smaps Rss) are
// exact, so they are asserted exactly.
//
// Sizes: 8 MiB (a power of two, a whole number of 2 MiB huge pages) and 5 MiB + 123
// bytes (neither: the last page is partial). The 64 MiB default is too slow here.
// Each size runs once in a fresh `node` child (see lazyRun); the result's shape and JSON
// are checked on a run in this process, as a library user would get it.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { malloc, pageSizeBytes, readHostInfo } from '../../../lib/index';
import { CLAIMS, VERDICTS, runLazy, type LazyResult } from '../../../lib/experiments/index';
import { renderJson } from '../../../lib/render/json';
import { judgeLazy } from '../../../lib/experiments/lazy/verdicts';
import { FILE_STEP_MAX_BYTES, runFileStep } from '../../../lib/experiments/lazy/file';
import { thpSwitchUnavailable, withThpMode } from '../../helpers/thp-switch';

const MiB = 1024 * 1024;
const PAGE = pageSizeBytes();
const SIZES: ReadonlyArray<{ label: string; sizeBytes: number }> = [
  { label: '8 MiB', sizeBytes: 8 * MiB },
  { label: '5 MiB + 123 B', sizeBytes: 5 * MiB + 123 },
];

const HOST = readHostInfo();
/** With THP 'always' the kernel may back plain mappings with huge pages: then faults are not one per page. */
const THP_ALWAYS = HOST.thp?.enabled === 'always';
const THP_SWITCH_UNAVAILABLE = thpSwitchUnavailable();

const INDEX_JS = path.join(__dirname, '..', '..', '..', 'lib', 'experiments', 'index.js');
const JSON_JS = path.join(__dirname, '..', '..', '..', 'lib', 'render', 'json.js');

const childRuns = new Map<number, LazyResult>();
/**
 * One real run per size, in a fresh `node` (as the CLI runs it), shared by the tests of
 * that size. A fresh process keeps one run's garbage (the node-buffers step leaves four
 * N-byte buffers to the GC) from moving the process-wide RSS of the next run's steps.
 * The result comes back as JSON: Infinity limits arrive as null.
 */
function lazyRun(sizeBytes: number): LazyResult {
  let r = childRuns.get(sizeBytes);
  if (r === undefined) {
    r = lazyRunFresh(sizeBytes);
    childRuns.set(sizeBytes, r);
  }
  return r;
}

/** One run in a fresh `node`, not cached (for a run under a switched THP mode). */
function lazyRunFresh(sizeBytes: number): LazyResult {
  const script = `const l = require(${JSON.stringify(INDEX_JS)}); const { renderJson } = require(${JSON.stringify(JSON_JS)});` +
    `l.runLazy({ sizeBytes: ${sizeBytes} }).then((r) => process.stdout.write(renderJson(r)));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', maxBuffer: 64 * MiB })) as LazyResult;
}

let inProcess: LazyResult | undefined;
/** One run in this very process (the library API measuring its caller), for the result's shape and JSON. */
async function lazyRunHere(): Promise<LazyResult> {
  inProcess ??= await runLazy({ sizeBytes: 4 * MiB + 1 });
  return inProcess;
}

function pagesOf(sizeBytes: number): number {
  return Math.ceil(sizeBytes / PAGE);
}



/** Base pages per PMD huge page under the THP mode a run recorded (host.thp), or null when THP was not 'always'. */
function hugePagesIfAlways(r: LazyResult): number | null {
  const thp = r.host.thp;
  return thp !== null && thp.enabled === 'always' && thp.pmdSizeBytes !== null ? thp.pmdSizeBytes / PAGE : null;
}

/**
 * Faults for `pages` pages of which `hugeBlocks` whole huge pages took one PMD fault each
 * and the rest one fault per page. Under THP 'always' a mapping holds as many whole
 * PMD-aligned blocks as its alignment allows (0 up to pages / huge).
 */
function faultsWithHugeBlocks(pages: number, huge: number, hugeBlocks: number): number {
  return hugeBlocks + (pages - hugeBlocks * huge);
}

/** Asserts `faults` is one per page with some whole number of huge blocks taking one fault each. */
function assertPerHugePage(faults: number, pages: number, huge: number, what: string): void {
  const blocks = (pages - faults) / (huge - 1);
  assert.ok(Number.isInteger(blocks) && blocks >= 0 && blocks <= Math.floor(pages / huge),
    `${what}: ${faults} faults for ${pages} pages is not one per page with whole huge pages of ${huge} taking one fault each`);
}

function checkRead(r: LazyResult, pages: number): void {
  const s = r.measurements.steps[1];
  const huge = hugePagesIfAlways(r);
  const zeroHuge = huge !== null && r.host.thp?.useZeroPage === true;
  const hugeBlocks = zeroHuge ? s.hugeZeroPages / huge : 0;
  assert.ok(Number.isInteger(hugeBlocks), `huge zero pages ${s.hugeZeroPages} are not whole huge pages`);
  if (!zeroHuge) assert.equal(s.hugeZeroPages, 0, 'no huge zero page outside THP always + use_zero_page');
  assert.equal(s.minorFaults, faultsWithHugeBlocks(pages, huge ?? 1, hugeBlocks), `read faults ${s.minorFaults} for ${pages} pages, ${hugeBlocks} of them huge zero pages`);
  assert.equal(s.majorFaults, 0);
  assert.equal(s.zeroPages, pages, `zero pages ${s.zeroPages} of ${pages} (${s.hugeZeroPages} through the huge zero page)`);
  assert.equal(s.privatePages, 0, `private pages ${s.privatePages}`);
  assert.equal(s.residentPages, pages, `mincore counts the zero page as resident: ${s.residentPages} of ${pages}`);
  if (s.mappingRssBytes !== null) assert.equal(s.mappingRssBytes, 0, `smaps Rss after read ${s.mappingRssBytes}`);
}

function checkWrite(r: LazyResult, pages: number): void {
  const s = r.measurements.steps[2];
  const huge = hugePagesIfAlways(r);
  if (huge === null) assert.equal(s.minorFaults, pages, `write faults ${s.minorFaults} for ${pages} pages`);
  else if (s.anonHugePagesBytes !== null) {
    assert.equal(s.minorFaults, faultsWithHugeBlocks(pages, huge, s.anonHugePagesBytes / (huge * PAGE)), `write faults ${s.minorFaults}, AnonHugePages ${s.anonHugePagesBytes}`);
  } else assertPerHugePage(s.minorFaults, pages, huge, 'write');
  assert.equal(s.privatePages, pages, `private pages ${s.privatePages} of ${pages}`);
  assert.equal(s.zeroPages, 0, `zero pages left ${s.zeroPages}`);
  if (s.mappingRssBytes !== null) assert.equal(s.mappingRssBytes, pages * PAGE, `smaps Rss ${s.mappingRssBytes}`);
}

function checkDontneed(r: LazyResult, pages: number): void {
  const s = r.measurements.steps[3];
  assert.equal(s.residentPages, 0, `resident after dontneed ${s.residentPages}`);
  assert.equal(s.presentPages, 0, `present after dontneed ${s.presentPages}`);
  // The mapping's own memory (pagemap, exact), not the process RSS V8 also moves.
  const written = r.measurements.steps[2];
  assert.equal((s.privatePages - written.privatePages) * PAGE, -pages * PAGE, `private pages ${written.privatePages} → ${s.privatePages}`);
  if (s.mappingRssBytes !== null) assert.equal(s.mappingRssBytes, 0, `smaps Rss after dontneed ${s.mappingRssBytes}`);
  assert.equal(s.rereadPages, pages);
  const huge = hugePagesIfAlways(r);
  if (huge === null) assert.equal(s.rereadMinorFaults, pages, `re-read faults ${s.rereadMinorFaults} for ${pages} pages`);
  else assertPerHugePage(s.rereadMinorFaults, pages, huge, 're-read after dontneed');
}

function checkPopulate(r: LazyResult, pages: number): void {
  const s = r.measurements.steps[4];
  assert.equal(s.touchMinorFaults + s.touchMajorFaults, 0, `touch faults ${s.touchMinorFaults}+${s.touchMajorFaults}`);
  assert.equal(s.residentPages, pages, `resident ${s.residentPages} of ${pages}`);
  assert.equal(s.privatePages, pages, `private ${s.privatePages} of ${pages}`);
  if (s.mappingRssBytes !== null) assert.equal(s.mappingRssBytes, pages * PAGE, `smaps Rss of the populated mapping ${s.mappingRssBytes}`);
  const huge = hugePagesIfAlways(r);
  if (huge === null) assert.equal(s.minorFaults, pages, `map-time faults ${s.minorFaults} for ${pages} pages`);
  else assertPerHugePage(s.minorFaults, pages, huge, 'MAP_POPULATE');
}

for (const { label, sizeBytes } of SIZES) {
  const pages = pagesOf(sizeBytes);

  test(`lazy ${label}: measurements give the page size, the size and its page count (rounded up)`, () => {
    const m = lazyRun(sizeBytes).measurements;
    assert.equal(m.pageSizeBytes, PAGE);
    assert.equal(m.sizeBytes, sizeBytes);
    assert.equal(m.pages, pages, `pages ${m.pages} for ${sizeBytes} bytes of ${PAGE}-byte pages`);
    assert.deepEqual(m.steps.map((s) => s.name),
      ['map', 'read', 'write', 'dontneed', 'populate', 'hugepage', 'overcommit', 'file', 'node-buffers', 'malloc']);
  });

  test(`lazy ${label}: map makes nothing resident or present, takes no fault, and adds a VMA of at least its size`, () => {
    const s = lazyRun(sizeBytes).measurements.steps[0];
    assert.equal(s.residentPages, 0, `mincore resident ${s.residentPages}`);
    assert.equal(s.presentPages, 0, `pagemap present ${s.presentPages}`);
    assert.equal(s.minorFaults + s.majorFaults, 0, `faults ${s.minorFaults}+${s.majorFaults}`);
    if (s.mappingRssBytes !== null) assert.equal(s.mappingRssBytes, 0, `smaps Rss ${s.mappingRssBytes}`);
    assert.equal(s.privatePages, 0, `private pages ${s.privatePages}`);
    // The VMA holding the mapping (it may have merged with a neighbour): at least the mapping's pages.
    assert.ok(s.vmaSizeBytes !== null && s.vmaSizeBytes >= pages * PAGE, `VMA size ${s.vmaSizeBytes} for ${pages} pages`);
  });

  test(`lazy ${label}: reading every page takes one fault per page (per huge page where THP maps the huge zero page) and maps only the zero page`, () => {
    checkRead(lazyRun(sizeBytes), pages);
  });

  test(`lazy ${label}: writing every page faults once per page (per huge page where THP backs it) and makes every page private`, () => {
    checkWrite(lazyRun(sizeBytes), pages);
  });

  test(`lazy ${label}: MADV_DONTNEED drops every page and a following read faults on each page (or huge page) again`, () => {
    checkDontneed(lazyRun(sizeBytes), pages);
  });

  test(`lazy ${label}: MAP_POPULATE takes the faults at map time (one per page or huge page) and none at the touch`, () => {
    checkPopulate(lazyRun(sizeBytes), pages);
  });

  test(`lazy ${label} under THP 'always' (switched for the run): the read, write, dontneed and populate steps count per huge page`, (t) => {
    if (THP_ALWAYS) return t.skip("the host's THP mode is already 'always': the tests above checked it");
    if (THP_SWITCH_UNAVAILABLE !== null) return t.skip(THP_SWITCH_UNAVAILABLE);
    const r = withThpMode({ enabled: 'always', useZeroPage: 1 }, () => lazyRunFresh(sizeBytes));
    checkRead(r, pages);
    checkWrite(r, pages);
    checkDontneed(r, pages);
    checkPopulate(r, pages);
  });

  test(`lazy ${label}: MADV_HUGEPAGE writes fault once per huge page when THP backs the whole range`, (t) => {
    const s = lazyRun(sizeBytes).measurements.steps[5];
    if (HOST.thp === null || HOST.thp.pmdSizeBytes === null || HOST.thp.enabled === 'never') {
      assert.notEqual(s.reason, null, 'a hugepage step without THP must say why');
      t.skip(`no transparent huge pages on this host: ${s.reason ?? ''}`);
      return;
    }
    const huge = HOST.thp.pmdSizeBytes;
    assert.equal(s.hugePageSizeBytes, huge);
    assert.equal(s.sizeBytes, Math.max(huge, Math.ceil(sizeBytes / huge) * huge), `hugepage step size ${s.sizeBytes}`);
    assert.equal(s.pages, s.sizeBytes / PAGE);
    if (s.anonHugePagesBytes !== s.sizeBytes) {
      assert.notEqual(s.reason, null, `AnonHugePages ${s.anonHugePagesBytes} of ${s.sizeBytes} without a reason`);
      t.skip(`THP did not back the whole range on this host: ${s.reason ?? ''}`);
      return;
    }
    assert.equal(s.reason, null, `reason given although AnonHugePages covers the range: ${s.reason}`);
    assert.equal(s.minorFaults + s.majorFaults, s.sizeBytes / huge, `faults ${s.minorFaults} for ${s.sizeBytes / huge} huge pages`);
    assert.equal(s.pagesPerFault, huge / PAGE, `pages per fault ${s.pagesPerFault}`);
    assert.equal(s.privatePages, s.pages, `private ${s.privatePages} of ${s.pages}`);
  });

  test(`lazy ${label}: a file evicted from the page cache faults in with major faults, a cached one with none`, (t) => {
    const f = lazyRun(sizeBytes).measurements.steps[7];
    const fileBytes = Math.max(PAGE, Math.min(sizeBytes, FILE_STEP_MAX_BYTES));
    assert.equal(f.fileBytes, fileBytes);
    assert.equal(f.pages, pagesOf(fileBytes));
    if (f.directory === null) {
      t.skip(`no disk-backed writable directory (checked ${f.directoriesChecked.map((d) => `${d.path} ${d.filesystemType ?? 'unusable'}`).join(', ')})`);
      return;
    }
    assert.ok(f.coldSingle && f.coldFull && f.warmFull, 'every pass measured when a directory was found');
    assert.equal(f.evicted, true, `page cache not emptied: ${f.coldSingle.cachedPagesBefore} and ${f.coldFull.cachedPagesBefore} pages cached before the cold passes`);
    assert.equal(f.coldSingle.cachedPagesBefore, 0);
    assert.equal(f.coldSingle.majorFaults, 1, `touching one byte of a cold file: ${f.coldSingle.majorFaults} major faults`);
    assert.ok(f.coldSingle.cachedPagesAfter >= 1, `readahead brought ${f.coldSingle.cachedPagesAfter} pages`);
    assert.equal(f.coldFull.cachedPagesBefore, 0);
    assert.equal(f.coldFull.pagesTouched, f.pages);
    assert.ok(f.coldFull.majorFaults >= 1, `cold pass: ${f.coldFull.majorFaults} major faults`);
    assert.equal(f.coldFull.cachedPagesAfter, f.pages, `cached after the cold pass ${f.coldFull.cachedPagesAfter} of ${f.pages}`);
    assert.equal(f.coldFull.mappedPagesAfter, f.pages, `mapped after the cold pass ${f.coldFull.mappedPagesAfter} of ${f.pages}`);
    assert.equal(f.warmFull.cachedPagesBefore, f.pages);
    assert.equal(f.warmFull.majorFaults, 0, `warm pass: ${f.warmFull.majorFaults} major faults`);
    assert.ok(f.warmFull.minorFaults >= 1 && f.warmFull.minorFaults <= f.pages, `warm pass: ${f.warmFull.minorFaults} minor faults for ${f.pages} pages`);
  });

  test(`lazy ${label}: Buffer.alloc(N, 1) makes every page of its buffer private`, () => {
    const step = lazyRun(sizeBytes).measurements.steps[8];
    assert.equal(step.sizeBytes, sizeBytes);
    assert.deepEqual(step.buffers.map((b) => b.kind), ['new ArrayBuffer(N)', 'Buffer.alloc(N)', 'Buffer.allocUnsafe(N)', 'Buffer.alloc(N, 1)']);
    for (const b of step.buffers) {
      assert.equal(b.byteLength, sizeBytes, `${b.kind} byteLength`);
      assert.ok(b.pages === pages || b.pages === pages + 1, `${b.kind}: ${b.pages} pages for ${pages} pages of bytes`);
      assert.ok(b.privatePages <= b.presentPages && b.presentPages <= b.pages, `${b.kind}: private ${b.privatePages}, present ${b.presentPages}, pages ${b.pages}`);
    }
    const filled = step.buffers.find((b) => b.kind === 'Buffer.alloc(N, 1)');
    assert.ok(filled);
    assert.equal(filled.privatePages, filled.pages, `Buffer.alloc(N, 1): private ${filled.privatePages} of ${filled.pages}`);
    assert.equal(filled.residentPages, filled.pages, `Buffer.alloc(N, 1): resident ${filled.residentPages} of ${filled.pages}`);
  });

  test(`lazy ${label}: writing a malloc'd block faults once for each page it makes private, and makes every page private`, () => {
    const blocks = lazyRun(sizeBytes).measurements.steps[9].blocks;
    assert.deepEqual(blocks.map((b) => [b.label, b.sizeBytes]), [['small', 1024], ['large', sizeBytes]]);
    for (const b of blocks) {
      assert.equal(b.touchMinorFaults + b.touchMajorFaults, b.touchedPrivatePages - b.untouchedPrivatePages,
        `${b.label}: ${b.touchMinorFaults} faults, private pages ${b.untouchedPrivatePages} before and ${b.touchedPrivatePages} after, of ${b.pages}`);
      assert.equal(b.touchedPrivatePages, b.pages, `${b.label}: private after write ${b.touchedPrivatePages} of ${b.pages}`);
    }
  });

  test(`lazy ${label}: a large malloc'd block is resident on at most its header page until touched`, () => {
    const large = lazyRun(sizeBytes).measurements.steps[9].blocks.find((b) => b.label === 'large');
    assert.ok(large);
    assert.ok(large.untouchedPrivatePages <= 1, `large block: ${large.untouchedPrivatePages} of ${large.pages} pages private before any touch`);
  });
}

test('the file step empties the page cache before both cold passes, run after run (30 runs of 8 MiB)', (t) => {
  const notEvicted: string[] = [];
  for (let run = 0; run < 30; run++) {
    const f = runFileStep(8 * MiB, PAGE);
    if (f.directory === null) {
      t.skip('no disk-backed directory on this host (every candidate is tmpfs or similar): no page cache to evict');
      return;
    }
    if (!f.evicted) notEvicted.push(`run ${run}: ${f.coldSingle?.cachedPagesBefore} / ${f.coldFull?.cachedPagesBefore} pages cached before the cold passes`);
  }
  assert.deepEqual(notEvicted, []);
});

test('writing a malloc\'d block with the default stride makes every page it spans private, and counts them', () => {
  // 33 MiB: above glibc's largest dynamic mmap threshold (32 MiB), so the block is always its own mmap.
  const block = malloc({ sizeBytes: 33 * MiB });
  try {
    const t = block.touch({ mode: 'write' });
    const pm = block.pagemap();
    assert.equal(t.pagesTouched, pm.pages, `pagesTouched ${t.pagesTouched}, the block spans ${pm.pages} pages`);
    assert.equal(pm.presentPages, pm.pages, `present after a write ${pm.presentPages} of ${pm.pages}`);
    const t1 = block.touch({ mode: 'write', strideBytes: 1 });
    assert.equal(t1.pagesTouched, pm.pages, `strideBytes 1: pagesTouched ${t1.pagesTouched} of ${pm.pages}`);
  } finally {
    block.free();
  }
});

test('lazy: reserving 1 TiB with MAP_NORESERVE succeeds under heuristic overcommit, in a VMA of at least 1 TiB with no RSS of its own', (t) => {
  const o = lazyRun(8 * MiB).measurements.steps[6];
  assert.equal(o.sizeBytes, 2 ** 40);
  assert.deepEqual(o.attempts.map((a) => a.noreserve), [true, false]);
  if (o.overcommitMode !== 0) { t.skip(`vm.overcommit_memory is ${o.overcommitMode} (${o.overcommitModeName}), not 0 (heuristic)`); return; }
  const asLimit = o.addressSpaceLimitBytes as number | null; // JSON: null = unlimited
  if (asLimit !== null && Number.isFinite(asLimit)) { t.skip(`RLIMIT_AS is ${asLimit} bytes: a 1 TiB reservation cannot fit`); return; }
  const [noreserve, reserved] = o.attempts;
  assert.ok(noreserve && reserved);
  assert.equal(noreserve.succeeded, true, `MAP_NORESERVE refused: ${noreserve.errorCode}`);
  assert.ok((noreserve.vmaSizeBytes ?? 0) >= o.sizeBytes, `the VMA holding the reservation is ${noreserve.vmaSizeBytes} bytes`);
  // The reservation's own Rss is 0; when the kernel merged it with a neighbour, the VMA's
  // Rss can be at most the neighbours' part of it.
  if (noreserve.mappingRssBytes !== null) assert.equal(noreserve.mappingRssBytes, 0, `smaps Rss of the reservation ${noreserve.mappingRssBytes}`);
  else assert.ok((noreserve.vmaRssBytes ?? Infinity) <= (noreserve.vmaSizeBytes ?? 0) - o.sizeBytes, `VMA Rss ${noreserve.vmaRssBytes} of ${noreserve.vmaSizeBytes} bytes`);
  const ramAndSwap = (o.physicalMemoryBytes ?? Infinity) + (HOST.swap?.totalBytes ?? Infinity);
  if (ramAndSwap < o.sizeBytes) {
    // Mode 0 refuses a single accounted mapping larger than RAM + swap.
    assert.equal(reserved.succeeded, false, `an accounted 1 TiB mmap succeeded with ${ramAndSwap} bytes of RAM + swap`);
    assert.equal(reserved.errorCode, 'ENOMEM');
  }
});

test('lazy: the JSON result has schema 1, the host, the measurements and the four lazy claims with verdicts', async () => {
  const r = await lazyRunHere();
  assert.equal(r.schema, 1);
  assert.equal(r.experiment, 'lazy');
  assert.equal(r.host.pageSizeBytes, PAGE);
  assert.equal(r.host.nodeVersion, process.version);
  assert.equal(r.host.arch, process.arch);
  assert.equal(typeof r.host.kernelRelease, 'string');
  assert.ok(r.host.kernelRelease.length > 0);
  assert.ok(r.host.libc.name.length > 0, `libc ${JSON.stringify(r.host.libc)}`);
  assert.ok(['heuristic', 'always', 'never', 'unknown'].includes(r.host.overcommit.modeName));
  assert.ok('thp' in r.host && 'aslr' in r.host && 'stackLimit' in r.host && 'malloc' in r.host && 'swap' in r.host);
  assert.deepEqual(r.claims.map((c) => c.id), ['lazy.mmap-virtual-only', 'lazy.first-touch-fault', 'lazy.malloc-virtual', 'lazy.swap-major']);
  assert.deepEqual(r.claims.map((c) => c.id), CLAIMS.filter((c) => c.experiment === 'lazy').map((c) => c.id));
  for (const c of r.claims) {
    assert.ok(VERDICTS.includes(c.verdict), `${c.id}: verdict '${c.verdict}'`);
    assert.ok(c.summary.trim().length > 0, `${c.id}: empty summary`);
    assert.ok(Object.keys(c.evidence).length > 0, `${c.id}: no evidence`);
  }
});

/** Where JSON cannot carry a value as it is: [path, what]. Infinity becomes null (documented in render/json.ts). */
function jsonLosses(value: unknown, path: string, out: Array<[string, string]>): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) out.push([path, 'NaN']);
    else if (!Number.isFinite(value)) out.push([path, 'Infinity']);
    else if (Object.is(value, -0)) out.push([path, '-0']);
    return;
  }
  if (Array.isArray(value)) { value.forEach((v, i) => jsonLosses(v, `${path}[${i}]`, out)); return; }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) jsonLosses(v, `${path}.${k}`, out);
    return;
  }
  out.push([path, typeof value === 'object' ? `an instance of ${(value as object).constructor?.name ?? '?'}` : typeof value]);
}

/** What JSON must turn the result into: Infinity → null, bigint → hex. */
function asJson(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  if (Array.isArray(value)) return value.map(asJson);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asJson(v)]));
  return value;
}

test('lazy: the JSON text round-trips: only Infinity limits become null, and nothing else is lost', async () => {
  const r = await lazyRunHere();
  const losses: Array<[string, string]> = [];
  jsonLosses(r, 'result', losses);
  assert.deepEqual(losses.filter(([, what]) => what !== 'Infinity'), [], 'values JSON cannot carry');
  const text = renderJson(r);
  const parsed: unknown = JSON.parse(text);
  assert.deepEqual(parsed, asJson(r));
  assert.equal(renderJson(parsed), text, 'rendering the parsed document again gives the same text');
});

test('lazy: the verdicts follow from the JSON measurements alone (judging them again gives the same claims)', () => {
  const r = lazyRun(8 * MiB);
  const parsed = JSON.parse(renderJson(r)) as LazyResult;
  assert.deepEqual(judgeLazy(parsed.measurements), parsed.claims);
});

test('runLazy rejects a size of 0, a fractional size and an unknown option with their codes', async () => {
  await assert.rejects(runLazy({ sizeBytes: 0 }), { code: 'ERR_OUT_OF_RANGE' });
  await assert.rejects(runLazy({ sizeBytes: 1.5 }), { code: 'ERR_OUT_OF_RANGE' });
  await assert.rejects(runLazy({ sizeBytes: '8MiB' as unknown as number }), { code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(runLazy({ sizeBytes: 4096, bogus: 1 } as unknown as Parameters<typeof runLazy>[0]), { code: 'ERR_INVALID_ARG_VALUE' });
  await assert.rejects(runLazy({ mallocInChild: 'yes' } as unknown as Parameters<typeof runLazy>[0]), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('lazy: the page-table probe sees no page tables at mmap time and at least one page-table page per 512 pages at the first touch', (t) => {
  const pt = lazyRun(8 * MiB).measurements.pageTables;
  assert.ok(pt !== undefined, 'no pageTables in the measurements');
  if (pt.reason !== null) { t.skip(pt.reason); return; }
  assert.equal(pt.mapDeltaBytes.length, pt.repeats);
  // VmPTE is process-wide even inside one native call: another thread may add page tables
  // in one repeat, never in every one (the verdict's rule); mmap itself adds none.
  assert.equal(Math.min(...pt.mapDeltaBytes), 0, `VmPTE deltas at mmap: ${pt.mapDeltaBytes.join(', ')}`);
  const ptePages = Math.ceil(pt.sizeBytes / PAGE / (PAGE / 8));
  const sorted = [...pt.touchDeltaBytes].sort((a, b) => a - b);
  assert.ok((sorted[sorted.length >> 1] ?? 0) >= ptePages * PAGE, `VmPTE deltas at the first touch: ${pt.touchDeltaBytes.join(', ')}; expected at least ${ptePages} pages of ${PAGE}`);
});
