// Issue 10, section 3: summaries say what was measured. Each case is fed the numbers
// that exposed it (synthetic measurements into the verdict/summary functions), and
// the settings that change a verdict are exercised for real in child processes
// (MALLOC_ARENA_MAX=1, LD_PRELOAD of jemalloc).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { judgeFreeReturns, judgeMalloc, judgeThreshold128k, settingsNote } from '../../lib/experiments/malloc/verdicts';
import { mallocInForce, mallocSettings, runMalloc, startingThresholdEnv, thresholdSetting } from '../../lib/experiments/malloc/index';
import { judgeAslr } from '../../lib/experiments/layout/verdicts';
import { readKernelRandomBits, type AslrLandmark, type LandmarkSpread } from '../../lib/experiments/layout/aslr';
import { renderMallocSweepSvg, type MallocSweepPoint } from '../../lib/render/svg/malloc-sweep';
import { native } from '../../lib/native/loader';
import { syntheticMalloc } from '../fixtures/malloc/synthetic';

const libc = native.libc();
const glibcMalloc = libc.name === 'glibc' && libc.replacementAllocator === null;

test('free-returns under MALLOC_ARENA_MAX=1 (workers served by the main arena) does not speak of worker arenas, and names the setting', () => {
  const m = syntheticMalloc();
  // The numbers of issue 10: MALLOC_ARENA_MAX=1, 8,192 worker blocks from brk, 15.4 MiB kept.
  m.arenas = [{
    arenaMax: '1', arenaMaxSetting: 'MALLOC_ARENA_MAX=1', workers: 2, blockBytes: 1024, blocksPerWorker: 4096,
    workerBlocks: [0, 1].map((worker) => ({ worker, blocks: 4096, sources: { brk: 4096 }, arenaHeapReserveBytes: null })),
    arenasBefore: 1, arenasAfter: 1, rssBeforeBytes: 0, rssLoadedBytes: 0, rssAfterFreeBytes: 0, rssAfterTrimBytes: 0, trimReturned: true,
    heapMappings: 1, heapsResidentBytes: { loaded: 20 << 20, afterFree: 16148070, afterTrim: 3 << 20 }, mallocInfoAfter: null,
  }];
  const s = judgeFreeReturns(m).summary;
  assert.doesNotMatch(s, /worker arenas|thread arenas \(/, s);
  assert.match(s, /MALLOC_ARENA_MAX=1/, s);
  assert.match(s, /no thread arenas: the workers' 8,192 blocks came from the main arena, whose \[heap\]/, s);
  assert.match(s, /15\.4 MiB resident after everything was freed/, s);
});

test('free-returns with thread arenas says so, from the measured sources', () => {
  const s = judgeFreeReturns(syntheticMalloc()).summary;
  assert.match(s, /the workers' 10 blocks came from thread arenas \(2 made\), whose heaps kept 1\.0 MiB resident/, s);
});

test('a real run under MALLOC_ARENA_MAX=1: the arena step and free-returns follow what was measured', { skip: glibcMalloc ? false : 'needs glibc malloc' }, async () => {
  const r = await runMalloc({ env: { ...process.env, MALLOC_ARENA_MAX: '1' }, arenaMaxVariant: false, workers: 2, blocksPerWorker: 512 });
  if ('skipped' in r.measurements) throw new Error(`glibc host, yet the experiment measured nothing: ${r.measurements.skipped}`);
  const a = r.measurements.arenas[0];
  assert.ok(a !== undefined);
  const sources = a.workerBlocks.map((w) => w.sources);
  assert.deepEqual(sources, [{ brk: 512 }, { brk: 512 }], 'MALLOC_ARENA_MAX=1: every worker block from the main arena');
  assert.equal(a.arenaMaxSetting, 'MALLOC_ARENA_MAX=1');
  const s = r.claims.find((c) => c.id === 'malloc.free-returns')?.summary ?? '';
  assert.doesNotMatch(s, /thread arenas \(|worker arenas/, s);
  assert.match(s, /with MALLOC_ARENA_MAX=1, there were no thread arenas/, s);
});

test('a replacement malloc is named with ITS version (never glibc\'s) and the setting that loaded it', () => {
  const jemalloc = mallocInForce({ name: 'glibc', version: '2.36', replacementAllocator: 'jemalloc', replacementAllocatorVersion: '5.3.0-0-g54eaed1' },
    { LD_PRELOAD: '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2' }, null);
  assert.deepEqual(jemalloc, { name: 'glibc with malloc replaced by jemalloc', version: '5.3.0-0-g54eaed1', cause: 'LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2' });
  const unknownVersion = mallocInForce({ name: 'glibc', version: '2.36', replacementAllocator: 'scudo', replacementAllocatorVersion: null }, {}, 'libscudo.so\n');
  const claims = judgeMalloc({ libc: unknownVersion, pageSizeBytes: 4096, skipped: 'replaced' });
  for (const c of claims) {
    assert.doesNotMatch(c.summary, /2\.36/, `${c.id}: glibc's version given as the replacement's: ${c.summary}`);
    assert.match(c.summary, /scudo \(\/etc\/ld\.so\.preload\)/, c.summary);
  }
});

const JEMALLOC = ['/usr/lib/x86_64-linux-gnu/libjemalloc.so.2', '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2', '/usr/lib64/libjemalloc.so.2'].find((p) => fs.existsSync(p));

test('a real run under LD_PRELOAD jemalloc: the claims give jemalloc\'s own version and name LD_PRELOAD', { skip: JEMALLOC === undefined ? 'libjemalloc.so.2 is not installed (apt-get install libjemalloc2)' : libc.name !== 'glibc' ? 'needs glibc' : false }, () => {
  const lib = path.join(__dirname, '..', '..', 'lib', 'index.js');
  const experiments = path.join(__dirname, '..', '..', 'lib', 'experiments', 'index.js');
  const out = execFileSync(process.execPath, ['-e', `
    const v = require(${JSON.stringify(lib)});
    const e = require(${JSON.stringify(experiments)});
    e.runMalloc().then((r) => console.log(JSON.stringify({ libc: v.readHostInfo().libc, summary: r.claims[0].summary })));
  `], { encoding: 'utf8', env: { ...process.env, LD_PRELOAD: JEMALLOC } });
  const { libc: child, summary } = JSON.parse(out) as { libc: { version: string; replacementAllocator: string; replacementAllocatorVersion: string | null }; summary: string };
  assert.equal(child.replacementAllocator, 'jemalloc');
  assert.ok(child.replacementAllocatorVersion !== null && child.replacementAllocatorVersion !== child.version, `jemalloc's version read from mallctl: ${child.replacementAllocatorVersion}`);
  assert.ok(summary.includes(`jemalloc ${child.replacementAllocatorVersion}`), summary);
  assert.ok(!summary.includes(`jemalloc ${child.version}`), `glibc's ${child.version} given as jemalloc's: ${summary}`);
  assert.ok(summary.includes(`LD_PRELOAD=${JEMALLOC}`), summary);
});

test('threshold-128k under Node 24\'s numbers: a start-up raise is reported as such, and the claim is judged on glibc\'s starting value', () => {
  const m = syntheticMalloc();
  // Node 24: 260 KiB in force at the first probe; 128 KiB with the dynamic rule off from start.
  m.crossover = { crossoverBytes: 262121, largestBrkBytes: 262120, largestBrkChunkBytes: 266224, thresholdChunkBytes: 266240, probes: 28 };
  m.thresholdInForce.bytes = 266240;
  const c = judgeThreshold128k(m);
  assert.equal(c.verdict, 'qualified', c.summary);
  assert.match(c.summary, /starts at 128\.0 KiB/, c.summary);
  assert.match(c.summary, /Node's own start-up had already freed an mmapped chunk and so raised it to 260\.0 KiB before the first probe/, c.summary);
  assert.match(c.summary, /MALLOC_TRIM_THRESHOLD_=/, c.summary);
});

test('threshold-128k refuted by a setting names the setting', () => {
  const m = syntheticMalloc();
  const env = { MALLOC_MMAP_THRESHOLD_: '65536' };
  m.thresholdInForce = { bytes: 65536, origin: 'env', setting: thresholdSetting(env), dynamic: false };
  m.crossover.thresholdChunkBytes = 65536;
  m.startingThreshold.crossover.thresholdChunkBytes = 65536;
  const c = judgeThreshold128k(m);
  assert.equal(c.verdict, 'refuted');
  assert.match(c.summary, /64\.0 KiB of chunk \(set by MALLOC_MMAP_THRESHOLD_=65536\)/, c.summary);
  assert.equal(thresholdSetting({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=4096' }), 'GLIBC_TUNABLES glibc.malloc.mmap_threshold=4096');
  assert.deepEqual(startingThresholdEnv({ MALLOC_TRIM_THRESHOLD_: '7' }).setting, 'MALLOC_TRIM_THRESHOLD_=7');
});

test('a real run: the starting threshold is never above the one in force, and a difference is reported as a raise', { skip: glibcMalloc ? false : 'needs glibc malloc' }, async () => {
  const r = await runMalloc({ arenaMaxVariant: false, blocksPerWorker: 64 });
  if ('skipped' in r.measurements) throw new Error('glibc host: the experiment measured');
  const m = r.measurements;
  const start = m.startingThreshold.crossover.thresholdChunkBytes;
  const inForce = m.crossover.thresholdChunkBytes;
  assert.ok(start !== null && inForce !== null && start <= inForce, `starting ${start} <= in force ${inForce}`);
  const s = r.claims.find((c) => c.id === 'malloc.threshold-128k')?.summary ?? '';
  assert.equal(/raised it to .* before the first probe/.test(s), inForce > start, `raise reported iff measured (${start} → ${inForce}): ${s}`);
});

test('ASLR: bits that differed are not called an entropy bound, and the kernel\'s configured bits are shown beside them', () => {
  const spread = (landmark: AslrLandmark, varyingBits: number): LandmarkSpread =>
    ({ landmark, samples: 16, distinct: 16, varyingBits, observedBits: 4, lowest: '0x1000', highest: '0x2000' });
  const m: Parameters<typeof judgeAslr>[0] = {
    aslr: {
      randomizeVaSpace: 2, kernelRandomBits: { mmapRndBits: 28, mmapRndCompatBits: 8 },
      randomized: { samples: [], spread: [spread('stackTop', 30), spread('mmapBase', 29), spread('heapStart', 13), spread('executableBase', 28), spread('vdso', 20)] },
      norandomize: { wrapper: ['setarch', 'x86_64', '-R'], batch: null, reason: 'not run' },
    },
  };
  const s = judgeAslr(m).summary;
  assert.doesNotMatch(s, /lower bound/, s);
  assert.match(s, /mmapBase 16\/16 distinct, 29 address bits differed \(kernel: vm\.mmap_rnd_bits = 28, compat 8\)/, s);
  assert.match(s, /not an entropy bound/, s);
  const k = readKernelRandomBits();
  const file = '/proc/sys/vm/mmap_rnd_bits';
  if (fs.existsSync(file)) assert.equal(k.mmapRndBits, Number(fs.readFileSync(file, 'utf8').trim()));
  else assert.equal(k.mmapRndBits, null);
});

test('the malloc chart never contradicts its caption: both thresholds drawn and labelled when Node raised it between them', () => {
  const points: MallocSweepPoint[] = [];
  for (const size of [65536, 92682, 131072, 166202, 185364, 262144, 524288]) {
    points.push({ sizeBytes: size, source: size <= 166202 ? 'brk' : 'mmap', usableBytes: size + 8, address: '0x5000' });
  }
  const { svg, caption } = renderMallocSweepSvg({ sweep: points, crossoverBytes: 131049, crossoverLater: { crossoverBytes: 180201 } });
  assert.match(svg, /threshold at the child(&apos;|')s start 131,049 B/);
  assert.match(svg, /threshold right after the sweep 180,201 B/);
  assert.match(caption, /from 181 KiB up|from 185,364 B/, caption);
  assert.doesNotMatch(caption, /from 131,049 B/, `the caption must not put the boundary left of brk dots: ${caption}`);
  const same = renderMallocSweepSvg({ sweep: points, crossoverBytes: 131049, crossoverLater: { crossoverBytes: 131049 } });
  assert.equal([...same.svg.matchAll(/class="rule"/g)].length, 1, 'one threshold when both moments agree');
});

test('a malloc setting that steers a claim is named in its summary (synthetic numbers)', () => {
  const m = syntheticMalloc();
  m.sweep = m.sweep.map((e) => ({ ...e, source: 'brk' as const }));
  m.settings = mallocSettings({ MALLOC_MMAP_MAX_: '0', GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0', PATH: '/bin' });
  assert.deepEqual(m.settings, ['GLIBC_TUNABLES glibc.malloc.tcache_count=0', 'MALLOC_MMAP_MAX_=0']);
  const two = judgeMalloc(m).find((c) => c.id === 'malloc.two-sources');
  assert.equal(two?.verdict, 'refuted');
  assert.match(two?.summary ?? '', /only one source was used here \(settings in force: MALLOC_MMAP_MAX_=0\)$/);
  assert.equal(settingsNote('malloc.pow2-rounding', m.settings), '', 'a setting that does not steer the claim is not named');
  assert.equal(settingsNote('malloc.free-returns', ['GLIBC_TUNABLES glibc.malloc.trim_threshold=-1']), ' (settings in force: GLIBC_TUNABLES glibc.malloc.trim_threshold=-1)');
});

test('a real run under MALLOC_MMAP_MAX_=0: two-sources is refuted and says which setting did it', { skip: glibcMalloc ? false : 'needs glibc malloc' }, async () => {
  const r = await runMalloc({ env: { ...process.env, MALLOC_MMAP_MAX_: '0' }, maxSweepBytes: 4 << 20, arenaMaxVariant: false, blocksPerWorker: 64 });
  const c = r.claims.find((x) => x.id === 'malloc.two-sources');
  assert.equal(c?.verdict, 'refuted', c?.summary);
  assert.match(c?.summary ?? '', /MALLOC_MMAP_MAX_=0/);
});
