/**
 * Judging the malloc.* claims from what the malloc experiment measured. Pure functions
 * of the measurements: every verdict is reachable from some host's numbers (the tests
 * feed synthetic measurements to reach each one). The textbook's 128 KiB appears only
 * as the claim's number, compared with the threshold measured here.
 */
import type { ClaimResult } from '../../report/claims';
import { formatBytes, formatCount, formatDelta } from '../../util/format';
import type { MallocMeasurements } from './measurements';
import type { ArenaStep } from './measurements';

/** The threshold malloc.threshold-128k states, bytes (the claim's text, not a fact about this host). */
export const CLAIMED_THRESHOLD_BYTES = 128 * 1024;

/** The measurements when the C library is not glibc: nothing was measured. */
export interface MallocNotMeasured {
  /** version: of the allocator in force (a replacement's own, never glibc's for it); cause: the setting that loaded a replacement (LD_PRELOAD=…). */
  libc: { name: string; version: string | null; cause?: string };
  pageSizeBytes: number;
  /** Why nothing was measured. */
  skipped: string;
}

function notGlibc(id: string, libc: { name: string; version: string | null; cause?: string }): ClaimResult | null {
  if (libc.name === 'glibc') return null;
  const cause = libc.cause === undefined ? '' : ` (${libc.cause})`;
  return {
    id,
    verdict: 'not-applicable',
    summary: `the claim describes glibc's malloc; this process's allocator is ${libc.name}${libc.version ? ` ${libc.version}` : ''}${cause}, which works differently`,
    evidence: { libc: libc.name, version: libc.version, cause: libc.cause ?? null },
  };
}

/** The settings that steer each claim's measurement: MALLOC_* variable names and glibc.malloc.* tunable names. */
const RELEVANT_SETTINGS: Readonly<Record<string, readonly string[]>> = {
  'malloc.two-sources': ['MMAP_MAX', 'mmap_max', 'MMAP_THRESHOLD', 'mmap_threshold', 'ARENA_MAX', 'arena_max', 'arena_test', 'ARENA_TEST', 'TOP_PAD', 'top_pad'],
  // A threshold set at or below the smallest chunk sends every request to mmap: no brk at all.
  'malloc.brk-moves': ['TOP_PAD', 'top_pad', 'TRIM_THRESHOLD', 'trim_threshold', 'MMAP_THRESHOLD', 'mmap_threshold'],
  'malloc.threshold-128k': ['MMAP_MAX', 'mmap_max'],
  // Mmapped chunks are whole pages: a low threshold turns the rounding into page rounding.
  'malloc.pow2-rounding': ['MMAP_THRESHOLD', 'mmap_threshold'],
  'malloc.threshold-tunable': ['MMAP_MAX', 'mmap_max'],
  'malloc.free-returns': ['TRIM_THRESHOLD', 'trim_threshold', 'TOP_PAD', 'top_pad', 'MMAP_MAX', 'mmap_max', 'ARENA_MAX', 'arena_max'],
};

/**
 * " (settings in force: MALLOC_TRIM_THRESHOLD_=-1)" when a setting that steers `id`'s
 * measurement was in the children's environment, else '': a verdict that such a
 * setting changed names it.
 */
export function settingsNote(id: string, settings: readonly string[] | undefined): string {
  const names = RELEVANT_SETTINGS[id] ?? [];
  const hits = (settings ?? []).filter((s) => names.some((n) => s.includes(`MALLOC_${n}_=`) || s.includes(`MALLOC_${n}=`) || s.includes(`glibc.malloc.${n}=`)));
  return hits.length === 0 ? '' : ` (settings in force: ${hits.join(', ')})`;
}

function withSettings(result: ClaimResult, settings: readonly string[] | undefined): ClaimResult {
  return { ...result, summary: result.summary + settingsNote(result.id, settings) };
}

/** malloc.two-sources: which sources did the blocks come from? */
export function judgeTwoSources(m: MallocMeasurements): ClaimResult {
  const id = 'malloc.two-sources';
  const na = notGlibc(id, m.libc);
  if (na) return na;
  const count = (source: string): number => m.sweep.filter((e) => e.source === source).length;
  const workerThreadArena = m.arenas.reduce((n, a) => n + a.workerBlocks.reduce((k, w) => k + (w.sources['thread-arena'] ?? 0), 0), 0);
  const evidence = { brkBlocks: count('brk'), mmapBlocks: count('mmap'), threadArenaBlocks: count('thread-arena'), disputedBlocks: count('disputed'), workerThreadArenaBlocks: workerThreadArena };
  const head = `sweep of ${formatCount(m.sweep.length)} sizes: ${evidence.brkBlocks} brk, ${evidence.mmapBlocks} mmap, ${evidence.threadArenaBlocks} thread-arena, ${evidence.disputedBlocks} disputed`;
  if (evidence.brkBlocks === 0 || evidence.mmapBlocks === 0) {
    return { id, verdict: 'refuted', summary: `${head}: only one source was used here`, evidence };
  }
  if (evidence.threadArenaBlocks + workerThreadArena === 0) {
    return { id, verdict: 'holds', summary: `${head}: brk below the threshold, mmap above`, evidence };
  }
  return {
    id,
    verdict: 'qualified',
    summary: `${head}; worker threads got ${formatCount(workerThreadArena)} blocks from thread arenas: a third source, heaps glibc mmaps per arena and carves like brk memory` +
      (evidence.threadArenaBlocks > 0 ? ` (even ${evidence.threadArenaBlocks} main-thread request(s) got a thread-arena chunk)` : ''),
    evidence,
  };
}

/** malloc.brk-moves: does the program break rise as the heap grows, with [heap]? */
export function judgeBrkMoves(m: MallocMeasurements): ClaimResult {
  const id = 'malloc.brk-moves';
  const na = notGlibc(id, m.libc);
  if (na) return na;
  const b = m.breakStep;
  const evidence = { ...b, trimBreakDropBytes: m.trim.breakDropTopBytes };
  const head = `${formatBytes(b.requestedBytes)} of small blocks moved the break by ${formatBytes(b.breakDeltaBytes)}`;
  if (b.breakDeltaBytes <= 0) return { id, verdict: 'refuted', summary: `${head}: the heap grew without brk`, evidence };
  if (b.heapSizeDeltaBytes === b.breakDeltaBytes) {
    return { id, verdict: 'holds', summary: `${head}, and [heap] in /proc/self/maps grew by the same ${formatBytes(b.heapSizeDeltaBytes)} (freeing the top later moved it back by ${formatBytes(m.trim.breakDropTopBytes)})`, evidence };
  }
  return { id, verdict: 'qualified', summary: `${head}, but [heap] grew by ${b.heapSizeDeltaBytes === null ? 'an unknown amount' : formatBytes(b.heapSizeDeltaBytes)}`, evidence };
}

/**
 * malloc.threshold-128k: does glibc start from the claim's 128 KiB, and is it fixed?
 * Judges glibc's rule, not only the state the runtime left behind: the starting value
 * is the crossover of a child whose dynamic threshold was off from process start
 * (startingThreshold); the crossover first thing in an ordinary fresh child is the
 * threshold in force, which the runtime's own start-up frees may already have raised.
 */
export function judgeThreshold128k(m: MallocMeasurements): ClaimResult {
  const id = 'malloc.threshold-128k';
  const na = notGlibc(id, m.libc);
  if (na) return na;
  const inForce = m.crossover.thresholdChunkBytes;
  const starting = m.startingThreshold.crossover.thresholdChunkBytes;
  const base = starting ?? inForce;
  const setting = m.thresholdInForce.setting;
  const evidence = {
    claimedBytes: CLAIMED_THRESHOLD_BYTES,
    startingThresholdChunkBytes: starting,
    startingSetting: m.startingThreshold.setting,
    thresholdChunkBytes: inForce,
    crossoverRequestBytes: m.crossover.crossoverBytes,
    laterThresholdChunkBytes: m.crossoverLater.thresholdChunkBytes,
    origin: m.thresholdInForce.origin,
    setting,
    dynamicRise: m.dynamicThreshold.rose,
    dynamicMaxChunkBytes: m.dynamicThreshold.largestRaisingChunkBytes,
    raisedBeforeMeasurement: starting !== null && inForce !== null && inForce > starting,
    carvedAboveThreshold: m.carve.source === 'brk' || m.carve.sweepCarvedSizes.length > 0,
  };
  if (base === null) {
    const crossover = m.startingThreshold.crossover.crossoverBytes ?? m.crossover.crossoverBytes;
    if (crossover !== null) {
      // mmapped from the smallest request on: no brk chunk to put the threshold above.
      const cause = setting === null ? '' : ` (set by ${setting})`;
      return { id, verdict: 'refuted', summary: `every request from ${formatCount(crossover)} B up was served by mmap: the threshold here is at or below the smallest chunk${cause}, not ${formatBytes(CLAIMED_THRESHOLD_BYTES)}`, evidence };
    }
    return { id, verdict: 'refuted', summary: 'no request up to the sweep\'s largest size was served by mmap', evidence };
  }
  if (base !== CLAIMED_THRESHOLD_BYTES) {
    const cause = setting === null ? 'glibc\'s default on this host' : `set by ${setting}`;
    return {
      id,
      verdict: 'refuted',
      summary: `the threshold glibc starts from here is ${formatBytes(base)} of chunk (${cause}), not ${formatBytes(CLAIMED_THRESHOLD_BYTES)}` +
        (inForce !== null && inForce !== base ? `; ${formatBytes(inForce)} was in force by the time a fresh Node child could measure` : ''),
      evidence,
    };
  }
  const qualifiers: string[] = [];
  const crossoverRequest = m.startingThreshold.crossover.crossoverBytes ?? m.crossover.crossoverBytes;
  if (crossoverRequest !== null && crossoverRequest !== base) {
    qualifiers.push(`it applies to the chunk (request + header, rounded), so requests from ${formatCount(crossoverRequest)} B already get mmap`);
  }
  if (m.dynamicThreshold.rose) {
    qualifiers.push(`freeing an mmapped chunk raises it to that chunk's size (up to ${formatBytes(m.dynamicThreshold.largestRaisingChunkBytes ?? 0)} here)`);
  }
  if (evidence.raisedBeforeMeasurement && inForce !== null) {
    qualifiers.push(`Node's own start-up had already freed an mmapped chunk and so raised it to ${formatBytes(inForce)} before the first probe of a fresh child (glibc's dynamic threshold; the ${formatBytes(base)} start was measured with it switched off by ${m.startingThreshold.setting})`);
  }
  const later = m.crossoverLater.thresholdChunkBytes;
  if (later !== null && later !== (inForce ?? base)) {
    qualifiers.push(`Node's own frees had raised it to ${formatBytes(later)} a moment later in the same process`);
  }
  if (evidence.carvedAboveThreshold) qualifiers.push(`a ${formatBytes(m.carve.requestBytes)} request was carved from a ${formatBytes(m.carve.topBeforeBytes)} top chunk without mmap`);
  if (qualifiers.length === 0) {
    return { id, verdict: 'holds', summary: `the threshold measured here is ${formatBytes(base)}, fixed, and decides every request`, evidence };
  }
  return { id, verdict: 'qualified', summary: `the threshold starts at ${formatBytes(base)} here, but ${qualifiers.join('; ')}`, evidence };
}

/** malloc.threshold-tunable: does mallopt(M_MMAP_THRESHOLD) move the crossover? */
export function judgeThresholdTunable(m: MallocMeasurements): ClaimResult {
  const id = 'malloc.threshold-tunable';
  const na = notGlibc(id, m.libc);
  if (na) return na;
  const o = m.mallopt;
  const evidence = {
    requestedBytes: o.requestedThresholdBytes, accepted: o.accepted, measuredChunkBytes: o.crossover.thresholdChunkBytes,
    afterFree: o.dynamicTrial.afterFree, environmentOrigin: m.thresholdInForce.origin,
  };
  const moved = o.accepted && o.crossover.thresholdChunkBytes === o.requestedThresholdBytes;
  if (!moved) {
    return { id, verdict: 'refuted', summary: `mallopt(M_MMAP_THRESHOLD, ${formatCount(o.requestedThresholdBytes)}) ${o.accepted ? 'was accepted' : 'was refused'}, and the crossover measured afterwards is ${o.crossover.thresholdChunkBytes === null ? 'none' : formatBytes(o.crossover.thresholdChunkBytes)}`, evidence };
  }
  if (o.dynamicTrial.afterFree === 'mmap') {
    return {
      id,
      verdict: 'holds',
      summary: `mallopt(M_MMAP_THRESHOLD, ${formatCount(o.requestedThresholdBytes)}) moved the crossover to exactly ${formatBytes(o.requestedThresholdBytes)} and fixed it (a freed mmapped chunk no longer raises it); the environment can set it too (MALLOC_MMAP_THRESHOLD_, GLIBC_TUNABLES)`,
      evidence,
    };
  }
  return { id, verdict: 'qualified', summary: `mallopt moved the crossover to ${formatBytes(o.requestedThresholdBytes)}, but a freed mmapped chunk still raised it`, evidence };
}

/** malloc.pow2-rounding: are heap blocks rounded to powers of two? */
export function judgePow2Rounding(m: MallocMeasurements): ClaimResult {
  const id = 'malloc.pow2-rounding';
  const na = notGlibc(id, m.libc);
  if (na) return na;
  const r = m.rounding;
  const total = r.usableBytes.length;
  const evidence = { requests: total, pow2Matches: r.pow2Matches, granularityBytes: r.granularityBytes, minimumUsableBytes: r.minimumUsableBytes, example: r.example };
  const ex = r.example ? `${r.example.sizeBytes} B became ${r.example.usableBytes} B usable, not ${r.example.nextPowerOfTwo}` : '';
  if (total > 0 && r.pow2Matches === total) return { id, verdict: 'holds', summary: `all ${total} requests got exactly the next power of two`, evidence };
  if (r.pow2Matches * 2 < total) {
    return { id, verdict: 'refuted', summary: `${ex}: sizes grow in steps of ${r.granularityBytes} B from a ${r.minimumUsableBytes} B minimum (${r.pow2Matches} of ${total} requests landed on a power of two)`, evidence };
  }
  return { id, verdict: 'qualified', summary: `${r.pow2Matches} of ${total} requests got the next power of two; ${ex}`, evidence };
}

/** malloc.size-header: is the block's size recorded just before it? */
export function judgeSizeHeader(m: MallocMeasurements): ClaimResult {
  const id = 'malloc.size-header';
  const na = notGlibc(id, m.libc);
  if (na) return na;
  const h = m.sizeHeader;
  const n = h.samples.length;
  const evidence = { samples: n, headerWordBytes: h.headerWordBytes, equalsRequest: h.equalsRequest, consistentWithUsable: h.consistentWithUsable, first: h.samples[0] ?? null };
  if (n > 0 && h.equalsRequest === n) return { id, verdict: 'holds', summary: `for all ${n} blocks the ${h.headerWordBytes}-byte word before the address holds the requested size`, evidence };
  if (n > 0 && h.consistentWithUsable === n) {
    const s = h.samples.find((x) => x.sizeBytes === 212) ?? h.samples[0];
    return {
      id,
      verdict: 'qualified',
      summary: `the ${h.headerWordBytes}-byte word before each of ${n} blocks holds the CHUNK size (request + header, rounded; ${s ? `${s.sizeBytes} B → ${s.rawSizeField}` : ''}), with flag bits (PREV_INUSE, IS_MMAPPED, NON_MAIN_ARENA) in its low 3 bits`,
      evidence,
    };
  }
  return { id, verdict: 'refuted', summary: `only ${h.consistentWithUsable} of ${n} blocks have a size word before them matching their chunk`, evidence };
}

/**
 * What one arena step measured, in words that follow where the workers' blocks came
 * from: thread arenas, or — when a setting such as MALLOC_ARENA_MAX=1 allowed none —
 * the main arena ([heap]), named with that setting.
 */
export function arenaStepPhrase(a: ArenaStep): string {
  const count = (source: string): number => a.workerBlocks.reduce((n, w) => n + (w.sources[source] ?? 0), 0);
  const threadArena = count('thread-arena');
  const brk = count('brk');
  const kept = `${formatBytes(a.heapsResidentBytes.afterFree)} resident after everything was freed (${formatBytes(a.heapsResidentBytes.afterTrim)} after malloc_trim)`;
  const setting = a.arenaMaxSetting ?? (a.arenaMax === null ? null : `arena_max=${a.arenaMax}`);
  const under = setting === null ? '' : `with ${setting}, `;
  if (threadArena > 0) {
    const made = Math.max(0, a.arenasAfter - a.arenasBefore);
    return `${under}the workers' ${formatCount(threadArena)} blocks came from thread arenas (${formatCount(made)} made), whose heaps kept ${kept}`;
  }
  if (brk > 0) {
    return `${under}there were no thread arenas: the workers' ${formatCount(brk)} blocks came from the main arena, whose [heap] (shared with the rest of the process) kept ${kept}`;
  }
  return `${under}the workers' blocks came from ${Object.keys(a.workerBlocks[0]?.sources ?? {}).join('/') || 'nowhere measured'}; their mappings kept ${kept}`;
}

/** malloc.free-returns: does free() shrink the heap? */
export function judgeFreeReturns(m: MallocMeasurements): ClaimResult {
  const id = 'malloc.free-returns';
  const na = notGlibc(id, m.libc);
  if (na) return na;
  const t = m.trim;
  const middleReturns = t.breakDropMiddleBytes > 0 || t.rssDropMiddleBytes >= t.blockBytes;
  const topReturns = t.breakDropTopBytes > 0;
  const mmapUnmapped = t.mmapBlockWasMmapped && !t.mmapMappedAfterFree;
  const arenaSteps = m.arenas.filter((a) => a.heapsResidentBytes.loaded > 0);
  const evidence = {
    breakDropMiddleBytes: t.breakDropMiddleBytes, rssDropMiddleBytes: t.rssDropMiddleBytes, breakDropTopBytes: t.breakDropTopBytes,
    rssDropTrimBytes: t.rssDropTrimBytes, mmapUnmapped,
    arenaSteps: arenaSteps.map((a) => ({ arenaMaxSetting: a.arenaMaxSetting, residentAfterFreeBytes: a.heapsResidentBytes.afterFree, residentAfterTrimBytes: a.heapsResidentBytes.afterTrim })),
  };
  if (middleReturns && topReturns && mmapUnmapped) {
    return { id, verdict: 'holds', summary: 'freed blocks were returned wherever they sat: the middle, the top, and mmapped blocks', evidence };
  }
  if (!topReturns && !middleReturns && !mmapUnmapped) {
    return { id, verdict: 'refuted', summary: 'no free() returned memory: the break never fell and freed mmapped blocks stayed mapped', evidence };
  }
  const parts = [
    mmapUnmapped ? 'a freed mmapped block was unmapped at once' : 'a freed mmapped block stayed mapped',
    topReturns ? `freeing the top block moved the break back by ${formatBytes(t.breakDropTopBytes)}` : 'freeing the top block did not move the break',
    middleReturns ? 'freeing middle blocks returned memory' : `freeing middle blocks returned nothing (break ${formatDelta(-t.breakDropMiddleBytes)}, RSS ${formatDelta(-t.rssDropMiddleBytes)}) until malloc_trim(0) released ${formatBytes(t.rssDropTrimBytes)}`,
  ];
  for (const a of arenaSteps) parts.push(arenaStepPhrase(a));
  return { id, verdict: 'qualified', summary: parts.join('; '), evidence };
}

/** Every malloc.* claim, in CLAIMS.md order. */
export function judgeMalloc(m: MallocMeasurements | MallocNotMeasured): ClaimResult[] {
  const judges = [judgeTwoSources, judgeBrkMoves, judgeThreshold128k, judgeThresholdTunable, judgePow2Rounding, judgeSizeHeader, judgeFreeReturns];
  if ('skipped' in m) {
    const ids = ['malloc.two-sources', 'malloc.brk-moves', 'malloc.threshold-128k', 'malloc.threshold-tunable', 'malloc.pow2-rounding', 'malloc.size-header', 'malloc.free-returns'];
    return ids.map((id) => notGlibc(id, m.libc) ?? { id, verdict: 'not-applicable', summary: m.skipped, evidence: {} });
  }
  return judges.map((judge) => withSettings(judge(m), m.settings));
}
