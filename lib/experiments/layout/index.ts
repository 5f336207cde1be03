/**
 * The layout experiment (`vmprobe layout`): the live address-space map of a process,
 * classified and drawn, with the textbook's segment and ASLR claims checked.
 * Steps: 1 classify every region, 2 place probe addresses, 3 ASLR in fresh children,
 * 4 the 64-bit facts and deliberate faults in children, 5 bss and data pages,
 * 6 text read-only (a child) and shared (PFNs of two processes). With `pid`, steps 1
 * and the map are of that process; the other steps always measure vmprobe's own.
 */
import * as path from 'node:path';
import { readHostInfo } from '../../system/host';
import { SCHEMA_VERSION, hexAddress, type ExperimentResult } from '../../report/result';
import { pageSizeBytes, getrlimit } from '../../system/usage';
import { readLayout, layoutAddresses, countThreads, readThreadStackPointers } from '../../layout/probes';
import { findGaps, regionAt, zoneOf, zoneOrder, type Region } from '../../layout/regions';
import { readThreadStackPointersPatiently } from './thread-sps';
import { splitPlacement } from './placement';
import { readProcText } from '../../proc/read';
import { malloc } from '../../memory/heap';
import { map } from '../../memory/mapping';
import { runChild, requireResult } from '../../child/spawn';
import { isCodedError } from '../../util/errors';
import { optionalCount, rejectUnknownKeys, validateOptions } from '../../util/validate';
import { measureAslr } from './aslr';
import { measureBss, measureData, readElfFacts } from './segments';
import { readTextPages, type TextPages } from './tasks';
import { judgeLayout } from './verdicts';
import { readTarget } from './target';
import { labelClaimSubjects } from './subjects';
import { explainMissingHeap } from './no-heap';
import { addressSpaceFacts, compareText, mapsVersusVmSize, runFault, CHILD_TIMEOUT_MS } from './checks';
import type { GapJson, LayoutMeasurements, ProbeJson, ProbeName, RegionJson } from './measurements';

export type { LayoutMeasurements } from './measurements';

/**
 * Size of the heap probe, bytes: above glibc's per-thread cache (tcache: chunks up to
 * 1032 bytes on 64-bit, malloc/malloc.c MAX_TCACHE_SIZE) so the block is carved by the
 * calling thread's arena. A 64-byte probe could be a chunk another thread's arena made
 * and this thread freed into its tcache (seen on Node 22: the probe in a thread-arena
 * heap); at 4 KiB it is still far below the 128 KiB mmap threshold.
 */
export const HEAP_PROBE_BYTES = 4096;

/** Options of the layout experiment. */
export interface LayoutOptions {
  /** Classify and draw this process instead of vmprobe's own (default: this process). */
  pid?: number;
  /** Fresh children sampled for ASLR (default 8, at least 2). */
  aslrChildren?: number;
  /** Untouched .bss pages read in step 5 (default 64). */
  bssPages?: number;
  /** Called with each step's name as it starts. */
  onStep?: (name: string) => void;
}

/** The layout experiment's JSON result. */
export type LayoutResult = ExperimentResult<LayoutMeasurements, 'layout'>;

const TASKS = path.join(__dirname, 'tasks.js');
const DEFAULT_ASLR_CHILDREN = 8;
const NORANDOMIZE_CHILDREN = 4;
const DEFAULT_BSS_PAGES = 64;
const DATA_WRITE_PAGES = 4;

/**
 * Throws a clear error when another process's map cannot be read: its errno code kept
 * (EACCES, ENOENT, …, with `errno` and `syscall`), the message saying why, no stack
 * trace to read through (the CLI prints it as is).
 */
function ensureReadable(pid: number): void {
  try {
    readProcText(pid, 'maps');
  } catch (err) {
    if (!isCodedError(err)) throw err;
    const why = err.code === 'EACCES' || err.code === 'EPERM'
      ? `cannot read /proc/${pid}/maps: permission denied (reading another process's map needs the same user and ptrace rights, or CAP_SYS_PTRACE)`
      : err.code === 'ENOENT' ? `no process ${pid} (/proc/${pid} does not exist)` : `cannot read /proc/${pid}/maps: ${err.code}`;
    const clear = Object.assign(new Error(why), { code: err.code, errno: err.errno, syscall: err.syscall });
    clear.stack = `Error [${err.code}]: ${why}`;
    throw clear;
  }
}

/** A region as JSON. */
export function regionJson(r: Region): RegionJson {
  return {
    start: hexAddress(r.start) as string, end: hexAddress(r.end) as string, sizeBytes: r.sizeBytes, perms: r.perms,
    offsetBytes: r.offsetBytes, dev: r.dev, inode: r.inode, path: r.path, deleted: r.deleted, kind: r.kind, objectPath: r.objectPath,
  };
}

function probe(regions: readonly Region[], address: bigint): ProbeJson {
  const r = regionAt(regions, address);
  return { address: hexAddress(address) as string, regionKind: r?.kind ?? null, objectPath: r?.objectPath ?? null };
}

/** Runs the layout experiment and judges the layout.* and seg.* claims. */
export async function runLayout(options: LayoutOptions = {}): Promise<LayoutResult> {
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['pid', 'aslrChildren', 'bssPages', 'onStep']);
  const pid = opts['pid'] === undefined ? undefined : optionalCount(opts['pid'], 'options.pid', 1, 1);
  const aslrChildren = optionalCount(opts['aslrChildren'], 'options.aslrChildren', DEFAULT_ASLR_CHILDREN, 2, 64);
  const bssPages = optionalCount(opts['bssPages'], 'options.bssPages', DEFAULT_BSS_PAGES, 1);
  const onStep = typeof opts['onStep'] === 'function' ? (opts['onStep'] as (name: string) => void) : (): void => {};
  const host = readHostInfo();
  const page = pageSizeBytes();
  const self = pid === undefined || pid === process.pid;
  const target: number | 'self' = self || pid === undefined ? 'self' : pid;
  if (target !== 'self') ensureReadable(target);

  // Steps 1-2: keep the heap and mmap probes alive while the map is read.
  onStep('classify the map');
  const heapBlock = malloc({ sizeBytes: HEAP_PROBE_BYTES });
  const mapping = map({ sizeBytes: page });
  const ownMappingAddress = mapping.address as bigint;
  let regions: Region[];
  let probes: Record<ProbeName, ProbeJson>;
  let threads: LayoutMeasurements['threads'];
  let mapsCheck: LayoutMeasurements['maps'];
  try {
    // Another process may be a zombie, a kernel thread, or exit mid-read: readTarget
    // turns each into one clear error instead of an empty map judged as if real.
    const readTargetMap = (): { sps: bigint[]; regions: Region[]; threadCount: ReturnType<typeof countThreads>; maps: LayoutMeasurements['maps'] } => {
      const sps = readThreadStackPointersPatiently(target);
      return { sps, regions: readLayout(target, sps), threadCount: countThreads(target), maps: mapsVersusVmSize(target) };
    };
    const seen = target === 'self' ? readTargetMap() : readTarget(target, readTargetMap, (t) => t.regions.length === 0);
    const sps = seen.sps;
    regions = seen.regions;
    const mine = self ? regions : readLayout('self');
    const a = layoutAddresses();
    probes = {
      text: probe(mine, a.text), rodata: probe(mine, a.rodata), data: probe(mine, a.data), bss: probe(mine, (a.bssArray + BigInt(page) - 1n) / BigInt(page) * BigInt(page)),
      heap: probe(mine, heapBlock.address as bigint), mmap: probe(mine, mapping.address as bigint), stack: probe(mine, a.stack),
      zeroGlobal: probe(mine, a.bss),
    };
    const heap = regions.find((r) => r.kind === 'heap');
    const stack = regions.find((r) => r.kind === 'stack');
    const stackRegions = regions.filter((r) => r.kind === 'thread-stack');
    threads = {
      count: seen.threadCount, stackPointersKnown: sps.length, threadStackRegions: stackRegions.length,
      outsideMmapArea: stackRegions.filter((r) => (heap && r.start < heap.end) || (stack && r.end > stack.start)).length,
    };
    mapsCheck = seen.maps;
  } finally {
    heapBlock.free();
    mapping.unmap();
  }
  const heap = regions.find((r) => r.kind === 'heap');
  const stack = regions.find((r) => r.kind === 'stack');
  const gaps = findGaps(regions);
  const gapBelow = (r: Region | undefined): number | null => (r ? gaps.find((g) => g.end === r.start)?.sizeBytes ?? 0 : null);
  const gapAbove = (r: Region | undefined): number | null => (r ? gaps.find((g) => g.start === r.end)?.sizeBytes ?? 0 : null);
  const placement = splitPlacement(regions, self ? ownMappingAddress : null);
  const stackLimit = getrlimit('stack').soft;

  onStep('ASLR in fresh children');
  const aslrPromise = measureAslr(aslrChildren, NORANDOMIZE_CHILDREN);
  onStep('faults in children');
  const faultsPromise = Promise.all((['null', 'small-int', 'kernel', 'text-write'] as const).map(runFault));
  const textChild = runChild<TextPages>(TASKS, 'textPages', null, { timeoutMs: CHILD_TIMEOUT_MS });

  onStep('bss and data pages');
  const elf = readElfFacts();
  const bss = measureBss(bssPages);
  const data = measureData(DATA_WRITE_PAGES);
  const mineText = readTextPages();
  const [aslr, faults, textOutcome] = await Promise.all([aslrPromise, faultsPromise, textChild]);
  const textSharing = compareText(mineText, requireResult(textOutcome, 'the text pages of a second node process'));
  const selfRegions = self ? regions : readLayout('self');
  const addonText = selfRegions.filter((r) => r.kind === 'lib-text' && r.objectPath === elf.addonPath).map((r) => r.perms);

  const measurements: LayoutMeasurements = {
    target: { pid: self ? process.pid : (pid as number), self, classifiedBy: self ? 'program-headers' : 'permissions', vmprobePid: process.pid },
    pageSizeBytes: page,
    regions: regions.map(regionJson),
    order: zoneOrder(regions),
    gaps: gaps.map((g): GapJson => ({ start: hexAddress(g.start) as string, end: hexAddress(g.end) as string, sizeBytes: g.sizeBytes, belowKind: g.belowKind, aboveKind: g.aboveKind })),
    stackGapBytes: gapBelow(stack),
    heapGapBytes: gapAbove(heap),
    heapToMmapAreaBytes: placement.heapToMmapAreaBytes,
    mmapAreaToStackBytes: placement.mmapAreaToStackBytes,
    stackLimitBytes: Number.isFinite(stackLimit) ? stackLimit : null,
    mmapOutside: placement.outside.map(regionJson),
    kernelPlacedCount: placement.kernelPlacedCount,
    kernelPlacedOutside: placement.kernelPlacedOutside.map(regionJson),
    placedOrder: placement.placedOrder,
    threads,
    maps: mapsCheck,
    probes,
    addressSpace: addressSpaceFacts(regions, host.cpuAddressBits?.virtual ?? null),
    faults,
    elf,
    bss,
    data,
    textRegionPerms: addonText,
    textSharing,
    aslr,
  };
  const claims = labelClaimSubjects(explainMissingHeap(judgeLayout(measurements), measurements, host, self), measurements.target.pid, process.pid);
  return { schema: SCHEMA_VERSION, experiment: 'layout', host, claims, measurements };
}

