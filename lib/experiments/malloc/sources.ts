/**
 * Steps 1, 2, 4, 5 and 8, run in one fresh child: the size sweep and its three
 * witnesses, the exact crossover, the program break, rounding, the size header, and a
 * large block's laziness. Every block stays live until the child returns, so no free
 * moves the threshold mid-sweep.
 */
import { malloc, type HeapBlock } from '../../memory/heap';
import { classifyBlock, flagsWitness } from '../../malloc/classify';
import { programBreak } from '../../malloc/control';
import { readMaps } from '../../proc/maps';
import { hexAddress } from '../../report/result';
import { pageSizeBytes } from '../../system/usage';
import { allocateKept, readHeapContext, toSweepEntries, type KeptBlock } from './probe';
import { searchCrossover, withGranularity, type SearchBlock } from './crossover';
import { mostCommonStep, nextPowerOfTwo } from './numbers';
import type { BreakStep, CrossoverSearch, LazyStep, RoundingStep, SizeHeaderStep, SourcesChildResult } from './measurements';

/** Options of the sources child. */
export interface SourcesPayload {
  /** Largest sweep size, bytes. */
  maxSweepBytes: number;
  /** Largest request of the rounding step, bytes. */
  maxRoundingBytes: number;
  /** Dense steps inserted between the last brk and first mmap sizes of the log sweep. */
  denseSteps: number;
  /** Size of the lazy step's large block, bytes. */
  lazyBytes: number;
}

function heapEnd(): bigint | null {
  return readMaps().find((e) => e.path === '[heap]')?.end ?? null;
}

function measureBreak(keep: HeapBlock[], blockBytes: number, requestBytes: number): BreakStep {
  const breakBefore = programBreak();
  const heapEndBefore = heapEnd();
  let requested = 0;
  while (requested < requestBytes) {
    keep.push(malloc({ sizeBytes: blockBytes }));
    requested += blockBytes;
  }
  const breakAfter = programBreak();
  const heapEndAfter = heapEnd();
  return {
    breakBefore: hexAddress(breakBefore) as string,
    breakAfter: hexAddress(breakAfter) as string,
    breakDeltaBytes: Number(breakAfter - breakBefore),
    heapEndBefore: hexAddress(heapEndBefore),
    heapEndAfter: hexAddress(heapEndAfter),
    heapSizeDeltaBytes: heapEndBefore === null || heapEndAfter === null ? null : Number(heapEndAfter - heapEndBefore),
    requestedBytes: requested,
  };
}

function measureRounding(keep: HeapBlock[], maxSmall: number, page: number): { rounding: RoundingStep; header: SizeHeaderStep } {
  const usableBytes: number[] = [];
  const chunkBytes: number[] = [];
  const blocks: HeapBlock[] = [];
  for (let size = 1; size <= maxSmall; size++) {
    const b = malloc({ sizeBytes: size });
    keep.push(b);
    blocks.push(b);
    usableBytes.push(b.usableSizeBytes);
    chunkBytes.push(b.chunkHeader().chunkSizeBytes);
  }
  const largeBlocks = [page + 1, 16 * page + 1, 256 * page + 1].map((sizeBytes) => {
    const b = malloc({ sizeBytes });
    keep.push(b);
    return b;
  });
  const large = largeBlocks.map((b) => {
    const h = b.chunkHeader();
    return { sizeBytes: b.sizeBytes, usableBytes: b.usableSizeBytes, chunkBytes: h.chunkSizeBytes, mmapped: h.isMmapped };
  });
  const pow2Matches = usableBytes.filter((u, i) => u === nextPowerOfTwo(i + 1)).length;
  // glibc hands out a whole free chunk when splitting it would leave less than a
  // minimum chunk, so a request now and then gets more than its size class: the lower
  // envelope (smallest usable size of this or any larger request) is the rule.
  const envelope = [...usableBytes];
  for (let i = envelope.length - 2; i >= 0; i--) envelope[i] = Math.min(envelope[i] as number, envelope[i + 1] as number);
  const oversized = usableBytes.flatMap((u, i) => (u > (envelope[i] as number) ? [{ sizeBytes: i + 1, usableBytes: u, regularUsableBytes: envelope[i] as number }] : []));
  const exampleSize = 212;
  const rounding: RoundingStep = {
    usableBytes, chunkBytes, large, oversized,
    granularityBytes: mostCommonStep(envelope),
    minimumUsableBytes: Math.min(...usableBytes),
    pow2Matches,
    example: exampleSize <= maxSmall ? { sizeBytes: exampleSize, usableBytes: usableBytes[exampleSize - 1] as number, nextPowerOfTwo: nextPowerOfTwo(exampleSize) } : null,
  };
  const sampleSizes = [1, 24, 25, 100, 212, maxSmall].filter((s) => s <= maxSmall);
  const sampled = [...sampleSizes.map((s) => blocks[s - 1] as HeapBlock), ...largeBlocks];
  let headerWordBytes = 0;
  const samples = sampled.map((b) => {
    const h = b.chunkHeader();
    headerWordBytes = h.headerWordBytes;
    return {
      sizeBytes: b.sizeBytes, source: flagsWitness(h), rawSizeField: h.rawSizeField,
      chunkSizeBytes: h.chunkSizeBytes, usableBytes: b.usableSizeBytes, flagBits: Number(BigInt(h.rawSizeField) & 7n),
    };
  });
  const header: SizeHeaderStep = {
    headerWordBytes,
    samples,
    equalsRequest: samples.filter((s) => s.chunkSizeBytes === s.sizeBytes).length,
    consistentWithUsable: samples.filter((s) => s.chunkSizeBytes === s.usableBytes + (s.source === 'mmap' ? 2 : 1) * headerWordBytes).length,
  };
  return { rounding, header };
}

/** 16 B · 2^(k/2) up to maxBytes. */
export function logSweepSizes(minBytes: number, maxBytes: number): number[] {
  const sizes: number[] = [];
  for (let k = 0; ; k++) {
    const s = Math.round(minBytes * 2 ** (k / 2));
    if (s > maxBytes) break;
    sizes.push(s);
  }
  return sizes;
}

function runSweep(payload: SourcesPayload, keep: HeapBlock[]): KeptBlock[] {
  const kept: KeptBlock[] = [];
  const flagsMmapped = (k: KeptBlock): boolean => k.block.chunkHeader().isMmapped;
  for (const size of logSweepSizes(16, payload.maxSweepBytes)) kept.push(allocateKept(size));
  const firstMmap = kept.findIndex(flagsMmapped);
  if (firstMmap > 0) {
    const low = (kept[firstMmap - 1] as KeptBlock).block.sizeBytes;
    const high = (kept[firstMmap] as KeptBlock).block.sizeBytes;
    const step = (high - low) / (payload.denseSteps + 1);
    for (let i = 1; i <= payload.denseSteps; i++) kept.push(allocateKept(Math.round(low + i * step), true));
  }
  for (const k of kept) keep.push(k.block);
  return kept;
}

function measureLazy(keep: HeapBlock[], sizeBytes: number): LazyStep {
  const m = malloc({ sizeBytes });
  keep.push(m);
  const before = m.residency({ maxRuns: 0 });
  const touch = m.touch({ mode: 'write' });
  const after = m.residency({ maxRuns: 0 });
  const c = malloc({ sizeBytes, zeroed: true });
  keep.push(c);
  const cRes = c.residency({ maxRuns: 0 });
  const ctx = readHeapContext();
  return {
    sizeBytes, pages: before.pages,
    mallocSource: classifyBlock(m.address as bigint, m.chunkHeader(), ctx).source,
    mallocResidentBefore: before.residentPages,
    touchMinorFaults: touch.minorFaults,
    mallocResidentAfter: after.residentPages,
    callocSource: classifyBlock(c.address as bigint, c.chunkHeader(), ctx).source,
    callocCreationMinorFaults: c.creation.minorFaults,
    callocResidentAfterCreation: cRes.residentPages,
  };
}

/**
 * Steps 1, 2, 4, 5, 8 after the early crossover search (child-task.ts ran it before
 * this module was even loaded); `searchBlocks` holds the blocks that search made.
 */
export function measureSourcesAfter(payload: SourcesPayload, early: CrossoverSearch, searchBlocks: SearchBlock[]): SourcesChildResult {
  const keep: HeapBlock[] = [];
  const page = pageSizeBytes();
  // Order matters: no /proc read (whose freed buffer would raise the dynamic threshold)
  // before the sweep and the second crossover search are done.
  const { rounding, header } = measureRounding(keep, payload.maxRoundingBytes, page);
  const kept = runSweep(payload, keep);
  const byFlags = [...kept].sort((a, b) => a.block.sizeBytes - b.block.sizeBytes);
  const firstMmapIndex = byFlags.findIndex((k) => k.block.chunkHeader().isMmapped);
  const firstMmap = byFlags[firstMmapIndex];
  const later = firstMmap === undefined
    ? { crossoverBytes: null, largestBrkBytes: null, largestBrkChunkBytes: null, thresholdChunkBytes: null, probes: 0 }
    : searchCrossover(byFlags[firstMmapIndex - 1]?.block.sizeBytes ?? 1, firstMmap.block.sizeBytes, searchBlocks);
  const crossover = withGranularity(early, rounding.granularityBytes);
  const crossoverLater = withGranularity(later, rounding.granularityBytes);
  const sweep = toSweepEntries(kept, readHeapContext()).sort((a, b) => a.sizeBytes - b.sizeBytes);
  const breakStep = measureBreak(keep, 1024, 256 * page);
  const lazy = measureLazy(keep, payload.lazyBytes);
  // Blocks are freed by the child's exit; freeing them here would only cost time.
  return { pageSizeBytes: page, breakStep, rounding, sizeHeader: header, sweep, crossover, crossoverLater, lazy };
}
