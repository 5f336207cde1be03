// Tests for lib/experiments/lazy/verdicts.ts: every verdict each judge can return is
// reached from SYNTHETIC measurements (a realistic fixture, then one field changed),
// and by the numbers that should trigger it. Then the real experiment in child
// processes: the malloc verdict follows the environment (MALLOC_PERTURB_).
//
// The fixture is what this experiment measures at 8 MiB on a 4 KiB-page x86-64 host
// with THP 'madvise', no swap, /tmp on ext4 (scaled to this host's page size): reads map
// the zero page, writes allocate, readahead brings the cold file in with one major
// fault, a large malloc'd block has only its header page resident.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { pageSizeBytes } from '../../../lib/index';
import { VERDICTS, type ClaimResult, type LazyMeasurements, type LazyResult } from '../../../lib/experiments/index';
import { judgeFirstTouchFault, judgeLazy, judgeMallocVirtual, judgeMmapVirtualOnly, judgeSwapMajor } from '../../../lib/experiments/lazy/verdicts';
import type { StepRecord } from '../../../lib/experiments/lazy/steps';
import type { FilePass, SwapProbe } from '../../../lib/experiments/lazy/file';

const PAGE = pageSizeBytes();
const MiB = 1024 * 1024;
const SIZE_BYTES = 8 * MiB;
const P = SIZE_BYTES / PAGE;

function step(name: string, fields: Partial<StepRecord> = {}): StepRecord {
  return {
    name, minorFaults: 0, majorFaults: 0, rssDeltaBytes: 0, vszDeltaBytes: 0, pageTableDeltaBytes: 0, elapsedNs: 1000,
    residentPages: 0, presentPages: 0, zeroPages: 0, hugeZeroPages: 0, privatePages: 0, mappingRssBytes: 0, vmaSizeBytes: null, anonHugePagesBytes: 0,
    ...fields,
  };
}

function filePass(fields: Partial<FilePass>): FilePass {
  return { cachedPagesBefore: 0, pagesTouched: P, minorFaults: 0, majorFaults: 0, elapsedNs: 1000, mappedPagesAfter: P, cachedPagesAfter: P, ...fields };
}

const NO_SWAP: SwapProbe = { available: false, reason: 'no swap is configured on this host (SwapTotal: 0 kB)', pages: 0, swappedPages: 0, majorFaults: 0, minorFaults: 0 };
const SWAP_HOLDS: SwapProbe = { available: true, reason: null, pages: 64, swappedPages: 64, majorFaults: 64, minorFaults: 0 };

/** A fresh copy of the realistic fixture. */
function fixture(): LazyMeasurements {
  const hugeBytes = 2 * MiB;
  return {
    pageSizeBytes: PAGE,
    sizeBytes: SIZE_BYTES,
    pages: P,
    zeroPageMethod: 'pfn',
    pageTables: { sizeBytes: SIZE_BYTES, repeats: 5, mapDeltaBytes: [0, 0, 0, 0, 0], touchDeltaBytes: [16384, 16384, 16384, 16384, 16384], reason: null },
    steps: [
      step('map', { vszDeltaBytes: SIZE_BYTES, pageTableDeltaBytes: 0 }),
      step('read', { minorFaults: P, residentPages: P, presentPages: P, zeroPages: P, pageTableDeltaBytes: 16384, rssDeltaBytes: 8192 }),
      step('write', { minorFaults: P, residentPages: P, presentPages: P, privatePages: P, rssDeltaBytes: SIZE_BYTES, mappingRssBytes: SIZE_BYTES }),
      { ...step('dontneed', { rssDeltaBytes: -SIZE_BYTES }), rereadMinorFaults: P, rereadPages: P },
      { ...step('populate', { minorFaults: P, residentPages: P, presentPages: P, privatePages: P, rssDeltaBytes: SIZE_BYTES }), touchMinorFaults: 0, touchMajorFaults: 0 },
      {
        ...step('hugepage', { minorFaults: SIZE_BYTES / hugeBytes, residentPages: P, presentPages: P, privatePages: P, anonHugePagesBytes: SIZE_BYTES }),
        thpEnabled: 'madvise', thpDefrag: 'madvise', hugePageSizeBytes: hugeBytes, sizeBytes: SIZE_BYTES, pages: P, pagesPerFault: hugeBytes / PAGE, reason: null,
      },
      {
        name: 'overcommit', sizeBytes: 2 ** 40, physicalMemoryBytes: 16 * 1024 * MiB, overcommitMode: 0, overcommitModeName: 'heuristic', addressSpaceLimitBytes: Infinity,
        attempts: [
          { noreserve: true, succeeded: true, errorCode: null, rssDeltaBytes: 8192, vszDeltaBytes: 2 ** 40, mappingRssBytes: null, vmaSizeBytes: 2 ** 40 + MiB, vmaRssBytes: 65536 },
          { noreserve: false, succeeded: false, errorCode: 'ENOMEM', rssDeltaBytes: null, vszDeltaBytes: null, mappingRssBytes: null, vmaSizeBytes: null, vmaRssBytes: null },
        ],
      },
      {
        name: 'file', directory: '/tmp', directoriesChecked: [{ path: '/tmp', filesystemType: '0xef53', memoryBacked: false, usable: true }],
        fileBytes: SIZE_BYTES, pages: P, evicted: true,
        coldSingle: filePass({ pagesTouched: 1, majorFaults: 1, mappedPagesAfter: 16, cachedPagesAfter: 256 }),
        coldFull: filePass({ majorFaults: 1, minorFaults: P / 16 - 1 }),
        warmFull: filePass({ cachedPagesBefore: P, minorFaults: P / 16 }),
        coldPagesPerFault: 16, warmPagesPerFault: 16, pagesPerMajorFault: P, swap: NO_SWAP,
      },
      {
        name: 'node-buffers', sizeBytes: SIZE_BYTES, buffers: [
          { kind: 'new ArrayBuffer(N)', byteLength: SIZE_BYTES, pages: P + 1, residentPages: 1, presentPages: 1, zeroPages: 0, privatePages: 1 },
          { kind: 'Buffer.alloc(N, 1)', byteLength: SIZE_BYTES, pages: P + 1, residentPages: P + 1, presentPages: P + 1, zeroPages: 0, privatePages: P + 1 },
        ],
      },
      {
        name: 'malloc', inChild: true, blocks: [
          { label: 'small', sizeBytes: 1024, pages: 1, untouchedResidentPages: 1, untouchedPrivatePages: 1, touchMinorFaults: 0, touchMajorFaults: 0, touchedResidentPages: 1, touchedPrivatePages: 1 },
          { label: 'large', sizeBytes: SIZE_BYTES, pages: P + 1, untouchedResidentPages: 1, untouchedPrivatePages: 1, touchMinorFaults: P - 1, touchMajorFaults: 0, touchedResidentPages: P, touchedPrivatePages: P },
        ],
      },
    ],
  };
}

/** The fixture with `change` applied. */
function withChange(change: (m: LazyMeasurements) => void): LazyMeasurements {
  const m = fixture();
  change(m);
  return m;
}

function expectVerdict(claim: ClaimResult, verdict: string, summaryHas: RegExp): void {
  assert.equal(claim.verdict, verdict, `${claim.id}: ${claim.verdict} — ${claim.summary}`);
  assert.match(claim.summary, summaryHas);
}

const count = (n: number): string => n.toLocaleString('en-US');

test('the unchanged fixture is judged as this host measures it: qualified, qualified, qualified, qualified', () => {
  const claims = judgeLazy(fixture());
  assert.deepEqual(claims.map((c) => c.id), ['lazy.mmap-virtual-only', 'lazy.first-touch-fault', 'lazy.malloc-virtual', 'lazy.swap-major']);
  assert.deepEqual(claims.map((c) => c.verdict), ['qualified', 'qualified', 'qualified', 'qualified'], claims.map((c) => c.summary).join('\n'));
  for (const c of claims) assert.ok(VERDICTS.includes(c.verdict) && c.summary.length > 0 && Object.keys(c.evidence).length > 0, c.id);
});

// lazy.mmap-virtual-only

test('mmap-virtual-only is refuted when the fresh mapping already has present pages', () => {
  const c = judgeMmapVirtualOnly(withChange((m) => { m.steps[0].presentPages = 3; m.steps[0].residentPages = 3; }));
  expectVerdict(c, 'refuted', new RegExp(`3 of ${count(P)} pages resident`));
  assert.equal(c.evidence['presentPages'], 3);
});

test('mmap-virtual-only is refuted when mincore alone calls pages of the fresh mapping resident', () => {
  expectVerdict(judgeMmapVirtualOnly(withChange((m) => { m.steps[0].residentPages = 1; })), 'refuted', /mmap itself made pages present/);
});

test('mmap-virtual-only holds when every repeat of the map added at least half the page tables the first touch added', () => {
  const c = judgeMmapVirtualOnly(withChange((m) => { if (m.pageTables) m.pageTables.mapDeltaBytes = [8192, 8192, 12288, 8192, 8192]; }));
  expectVerdict(c, 'holds', /page tables \+8\.0 KiB \(\+8\.0 KiB to \+12\.0 KiB\) at map time, \+16\.0 KiB at the first touch, over 5 repeats/);
});

test('mmap-virtual-only is qualified when the map added under half the first touch\'s page tables', () => {
  expectVerdict(judgeMmapVirtualOnly(withChange((m) => { if (m.pageTables) m.pageTables.mapDeltaBytes = [8191, 8191, 8191, 8191, 8191]; })),
    'qualified', /page tables come with the first touch/);
  expectVerdict(judgeMmapVirtualOnly(fixture()), 'qualified', /page tables 0 B at map time, \+16\.0 KiB at the first touch/);
});

// Recorded on this host (issue 10): the process-wide VmPTE read from JavaScript around a
// 64 MiB mmap rose by 104 KiB (V8 placing its own heap pages at random addresses, VSZ
// +66.3 MiB for the 64 MiB map) against 128 KiB at the first touch, and the verdict said
// "holds" in some runs and "qualified" in others. The step's process-wide figures no
// longer decide; one repeat of the native probe caught by another thread cannot either.
test('mmap-virtual-only: a process-wide VmPTE jump from V8 around the map step does not make it hold', () => {
  const c = judgeMmapVirtualOnly(withChange((m) => {
    m.steps[0].pageTableDeltaBytes = 106496; m.steps[0].vszDeltaBytes = 69468160; m.steps[1].pageTableDeltaBytes = 131072;
    if (m.pageTables) m.pageTables.touchDeltaBytes = [131072, 131072, 131072, 131072, 131072];
  }));
  expectVerdict(c, 'qualified', /page tables 0 B at map time, \+128\.0 KiB at the first touch/);
});

test('mmap-virtual-only: another thread\'s page tables in one repeat are within the noise, not a verdict', () => {
  const c = judgeMmapVirtualOnly(withChange((m) => {
    if (m.pageTables) { m.pageTables.mapDeltaBytes = [0, 0, 110592, 0, 0]; m.pageTables.touchDeltaBytes = [131072, 131072, 135168, 131072, 131072]; }
  }));
  expectVerdict(c, 'qualified', /0 B \(0 B to \+108\.0 KiB\) at map time.*within the noise/);
});

test('mmap-virtual-only is qualified, saying so, when the kernel reports no VmPTE', () => {
  expectVerdict(judgeMmapVirtualOnly(withChange((m) => {
    m.pageTables = { sizeBytes: SIZE_BYTES, repeats: 5, mapDeltaBytes: [], touchDeltaBytes: [], reason: 'this kernel does not report VmPTE in /proc/self/status' };
  })), 'qualified', /page tables not measured \(this kernel does not report VmPTE/);
});

// lazy.first-touch-fault

test('first-touch-fault is refuted when reading fresh pages raises no fault', () => {
  const c = judgeFirstTouchFault(withChange((m) => { m.steps[1].minorFaults = 0; }));
  expectVerdict(c, 'refuted', new RegExp(`reading ${count(P)} fresh pages raised no page fault`));
  assert.equal(c.evidence['readFaults'], 0);
});

test('first-touch-fault holds when each read fault allocates a private page and writes then fault no more', () => {
  const c = judgeFirstTouchFault(withChange((m) => {
    Object.assign(m.steps[1], { zeroPages: 0, privatePages: P, rssDeltaBytes: SIZE_BYTES });
    Object.assign(m.steps[2], { minorFaults: 0, majorFaults: 0 });
  }));
  expectVerdict(c, 'holds', new RegExp(`${count(P)} faults on first read, each allocating a page`));
});

test('first-touch-fault counts major faults too: a read that major-faults once per page and allocates holds', () => {
  const c = judgeFirstTouchFault(withChange((m) => {
    Object.assign(m.steps[1], { minorFaults: 0, majorFaults: P, zeroPages: 0, privatePages: P });
    m.steps[2].minorFaults = 0;
  }));
  assert.equal(c.verdict, 'holds', c.summary);
});

test('first-touch-fault is qualified when reads map the zero page and only the write faults allocate', () => {
  const c = judgeFirstTouchFault(fixture());
  expectVerdict(c, 'qualified', /all mapping the shared zero page .*the first write faults again/);
  assert.deepEqual([c.evidence['readFaults'], c.evidence['readZeroPages'], c.evidence['writeFaults']], [P, P, P]);
});

test('first-touch-fault is qualified when huge pages take one fault per 512 pages', () => {
  const perFault = 512;
  const c = judgeFirstTouchFault(withChange((m) => {
    Object.assign(m.steps[1], { minorFaults: P / perFault, zeroPages: 0 });
    Object.assign(m.steps[2], { minorFaults: P / perFault });
  }));
  expectVerdict(c, 'qualified', new RegExp(`\\(${perFault} pages per fault\\).*not one fault per page`));
});

test('first-touch-fault names the huge zero page when THP reads map it: one fault per 512 pages, nothing allocated', () => {
  const perFault = 512;
  const c = judgeFirstTouchFault(withChange((m) => {
    Object.assign(m.steps[1], { minorFaults: P / perFault, zeroPages: P, hugeZeroPages: P, privatePages: 0 });
    Object.assign(m.steps[2], { minorFaults: P / perFault });
  }));
  expectVerdict(c, 'qualified', new RegExp(`\\(${perFault} pages per fault\\), mapping the zero page \\(${P.toLocaleString('en-US')} pages through the huge zero page, THP; 0 pages allocated`));
  assert.equal(c.evidence['readHugeZeroPages'], P);
});

// lazy.malloc-virtual

test('malloc-virtual is refuted when 5 pages of an untouched large block are already private (e.g. MALLOC_PERTURB_)', () => {
  const c = judgeMallocVirtual(withChange((m) => { (m.steps[9].blocks[1] ?? assert.fail('no large block')).untouchedPrivatePages = 5; }));
  expectVerdict(c, 'refuted', /5 of .* pages resident until touched.*MALLOC_PERTURB_/);
});

test('malloc-virtual allows exactly one resident page (the chunk header) in an untouched large block, not two', () => {
  const set = (n: number): LazyMeasurements => withChange((m) => {
    (m.steps[9].blocks[1] ?? assert.fail('no large block')).untouchedPrivatePages = n;
    (m.steps[9].blocks[0] ?? assert.fail('no small block')).untouchedPrivatePages = 0;
  });
  assert.equal(judgeMallocVirtual(set(1)).verdict, 'holds');
  assert.equal(judgeMallocVirtual(set(2)).verdict, 'refuted');
});

test('malloc-virtual holds when the small block has no resident page and the large one only its header page', () => {
  const c = judgeMallocVirtual(withChange((m) => { (m.steps[9].blocks[0] ?? assert.fail('no small block')).untouchedPrivatePages = 0; }));
  expectVerdict(c, 'holds', /a 1\.0 KiB block had no resident page/);
});

test('malloc-virtual is qualified when the small block sits on an already-resident heap page', () => {
  expectVerdict(judgeMallocVirtual(fixture()), 'qualified', /a 1\.0 KiB block sits on 1 already-resident page/);
});

test('malloc-virtual throws when the malloc step measured no large block', () => {
  assert.throws(() => judgeMallocVirtual(withChange((m) => { m.steps[9].blocks.pop(); })), /no small or no large block/);
});

// lazy.swap-major

test('swap-major is not-applicable without a disk-backed directory and without swap', () => {
  const c = judgeSwapMajor(withChange((m) => {
    Object.assign(m.steps[7], { directory: null, evicted: false, coldSingle: null, coldFull: null, warmFull: null, pagesPerMajorFault: null });
  }));
  expectVerdict(c, 'not-applicable', /no disk-backed directory.*no swap is configured/);
});

test('swap-major is not-applicable when the page cache could not be emptied and there is no swap', () => {
  expectVerdict(judgeSwapMajor(withChange((m) => { m.steps[7].evicted = false; })), 'not-applicable', /could not be emptied/);
});

test('swap-major holds when every cold page major-faults and swapped pages fault back in as major faults', () => {
  const c = judgeSwapMajor(withChange((m) => {
    m.steps[7].coldFull = filePass({ majorFaults: P });
    m.steps[7].swap = SWAP_HOLDS;
  }));
  expectVerdict(c, 'holds', new RegExp(`${count(P)} major \\+ 0 minor.*64 paged-out pages faulted back with 64 major faults`));
});

test('swap-major is judged on the swap half alone when no file could be measured', () => {
  const noFile = (swap: SwapProbe): LazyMeasurements => withChange((m) => {
    Object.assign(m.steps[7], { directory: null, evicted: false, coldSingle: null, coldFull: null, warmFull: null, swap });
  });
  expectVerdict(judgeSwapMajor(noFile(SWAP_HOLDS)), 'holds', /file half not measured/);
  expectVerdict(judgeSwapMajor(noFile({ ...SWAP_HOLDS, majorFaults: 0, minorFaults: 64 })), 'refuted', /with 0 major faults/);
});

test('swap-major is qualified when readahead brings a cold file in with far fewer major faults than pages', () => {
  const c = judgeSwapMajor(fixture());
  expectVerdict(c, 'qualified', /1 major \+ .* minor faults .*readahead turns most would-be major faults into minor ones/);
  assert.equal(c.evidence['coldMajorFaults'], 1);
});

test('swap-major is qualified when every cold page major-faults but swap was not measured', () => {
  expectVerdict(judgeSwapMajor(withChange((m) => { m.steps[7].coldFull = filePass({ majorFaults: P }); })), 'qualified', /only the file half was measured/);
});

test('swap-major treats a swap probe that swapped nothing out as not measured', () => {
  const c = judgeSwapMajor(withChange((m) => {
    m.steps[7].swap = { available: true, reason: 'MADV_PAGEOUT left every page in memory', pages: 64, swappedPages: 0, majorFaults: 0, minorFaults: 0 };
  }));
  expectVerdict(c, 'qualified', /swap not measured: MADV_PAGEOUT left every page in memory/);
});

test('swap-major is refuted when reading an evicted file takes no major fault', () => {
  const c = judgeSwapMajor(withChange((m) => { m.steps[7].coldFull = filePass({ majorFaults: 0, minorFaults: P / 16 }); }));
  expectVerdict(c, 'refuted', /0 major \+/);
});

test('swap-major is refuted when pages paged out to swap come back without a major fault', () => {
  const c = judgeSwapMajor(withChange((m) => { m.steps[7].swap = { ...SWAP_HOLDS, majorFaults: 0, minorFaults: 64 }; }));
  expectVerdict(c, 'refuted', /64 paged-out pages faulted back with 0 major faults/);
});

test('every verdict of the vocabulary is reached by some judge from the fixture variants above', () => {
  const reached = new Set([
    judgeMmapVirtualOnly(withChange((m) => { m.steps[0].presentPages = 1; })).verdict,
    judgeMallocVirtual(withChange((m) => { (m.steps[9].blocks[0] ?? assert.fail('no small block')).untouchedPrivatePages = 0; })).verdict,
    judgeFirstTouchFault(fixture()).verdict,
    judgeSwapMajor(withChange((m) => { m.steps[7].evicted = false; })).verdict,
  ]);
  assert.deepEqual([...reached].sort(), [...VERDICTS].sort());
});

// The real experiment in child processes: the verdict follows the host's environment.

const INDEX_JS = path.join(__dirname, '..', '..', '..', 'lib', 'experiments', 'index.js');

/** runLazy({ sizeBytes: 8 MiB }) in a fresh `node` with `env` added to an environment cleared of malloc settings. */
function lazyInChild(env: Record<string, string>, runs = 1): LazyResult {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^MALLOC_[A-Z_]+_$/.test(k) && k !== 'GLIBC_TUNABLES' && v !== undefined) base[k] = v;
  }
  // With runs > 1, the earlier runs' garbage is collected before the last run, which is the one printed.
  const script = `const l = require(${JSON.stringify(INDEX_JS)});` +
    `(async () => { let r; for (let i = 0; i < ${runs}; i++) { global.gc(); r = await l.runLazy({ sizeBytes: ${SIZE_BYTES} }); }` +
    'process.stdout.write(JSON.stringify(r)); })();';
  return JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', script], { env: { ...base, ...env }, encoding: 'utf8', maxBuffer: 64 * MiB })) as LazyResult;
}

function mallocClaim(r: LazyResult): ClaimResult {
  return r.claims.find((c) => c.id === 'lazy.malloc-virtual') ?? assert.fail('no lazy.malloc-virtual claim');
}

// MALLOC_MMAP_THRESHOLD_ fixes glibc's mmap threshold at its default (128 KiB), so the
// large block is its own mmap whatever the process freed before: the pair below differs
// only by MALLOC_PERTURB_.
const FIXED_THRESHOLD = { MALLOC_MMAP_THRESHOLD_: '131072' };

test('lazy.malloc-virtual is refuted in a child run with MALLOC_PERTURB_=165, and the host block names the setting', () => {
  const r = lazyInChild({ ...FIXED_THRESHOLD, MALLOC_PERTURB_: '165' });
  const c = mallocClaim(r);
  assert.equal(c.verdict, 'refuted', c.summary);
  assert.equal(r.host.malloc.environment['MALLOC_PERTURB_'], '165');
  const large = r.measurements.steps[9].blocks.find((b) => b.label === 'large');
  assert.equal(large?.untouchedPrivatePages, large?.pages, `perturbed large block: ${large?.untouchedPrivatePages} of ${large?.pages} pages private untouched`);
});

test('lazy.malloc-virtual is not refuted in the same child run without MALLOC_PERTURB_', () => {
  const c = mallocClaim(lazyInChild(FIXED_THRESHOLD));
  assert.notEqual(c.verdict, 'refuted', c.summary);
});

test('lazy.malloc-virtual is refuted with MALLOC_PERTURB_=165 alone (default glibc tunables)', () => {
  const c = mallocClaim(lazyInChild({ MALLOC_PERTURB_: '165' }));
  assert.equal(c.verdict, 'refuted', c.summary);
});

test('lazy.malloc-virtual is not refuted in a child run with default glibc malloc settings', () => {
  const c = mallocClaim(lazyInChild({}));
  assert.notEqual(c.verdict, 'refuted', c.summary);
});

test('lazy.malloc-virtual does not depend on what the calling process did before: a second runLazy in one process judges the same (the malloc step runs in a fresh child)', () => {
  const c = mallocClaim(lazyInChild({}, 2));
  assert.notEqual(c.verdict, 'refuted', c.summary);
});
