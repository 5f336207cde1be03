/**
 * The exact brk → mmap crossover, by bisection with the top chunk drained before every
 * request. Imports nothing but the addon loader (through lib/native/child-only.ts): the sources child runs it first thing,
 * because Node's own work (its background threads, a big /proc read, loading more code)
 * frees mmapped chunks, and each such free raises glibc's dynamic threshold.
 * Blocks are raw native handles (freed by their finalizers or with the process).
 */
import { drainedHeapBlock } from '../../native/child-only';
import type { NativeHeapBlock } from '../../native/loader';
import type { CrossoverSearch } from './measurements';

/** A live block the search made (kept so that no free moves the threshold mid-search). */
export type SearchBlock = NativeHeapBlock;

/** Where a request goes when the top chunk cannot hold it (flags witness; the block is kept in `keep`). */
export function drainedIsMmapped(sizeBytes: number, keep: SearchBlock[]): { mmapped: boolean; chunkBytes: number } {
  const block = drainedHeapBlock(sizeBytes);
  keep.push(block);
  const h = block.chunkHeader();
  return { mmapped: h.isMmapped, chunkBytes: h.chunkSizeBytes };
}

/**
 * Bisects the smallest request malloc serves with mmap, between `lowBytes` (expected
 * brk) and `highBytes` (expected mmap), draining the top chunk before every request
 * so the threshold alone decides. Every block is kept in `keep` (freeing an mmapped
 * one would raise glibc's dynamic threshold mid-search). thresholdChunkBytes is left
 * null: the caller adds the chunk granularity the rounding step measured.
 */
export function searchCrossover(lowBytes: number, highBytes: number, keep: SearchBlock[]): CrossoverSearch {
  let probes = 0;
  const probe = (size: number): { mmapped: boolean; chunkBytes: number } => {
    probes++;
    return drainedIsMmapped(size, keep);
  };
  let lo = Math.max(1, lowBytes);
  let loProbe = probe(lo);
  while (loProbe.mmapped && lo > 1) {
    lo = Math.max(1, Math.floor(lo / 2));
    loProbe = probe(lo);
  }
  let hi = Math.max(lo + 1, highBytes);
  let hiProbe = probe(hi);
  if (loProbe.mmapped || !hiProbe.mmapped) {
    return { crossoverBytes: loProbe.mmapped ? lo : null, largestBrkBytes: loProbe.mmapped ? null : hi, largestBrkChunkBytes: null, thresholdChunkBytes: null, probes };
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const p = probe(mid);
    if (p.mmapped) {
      hi = mid;
      hiProbe = p;
    } else {
      lo = mid;
      loProbe = p;
    }
  }
  return {
    crossoverBytes: hi,
    largestBrkBytes: lo,
    largestBrkChunkBytes: loProbe.chunkBytes,
    thresholdChunkBytes: null,
    probes,
  };
}


/** The search with its threshold filled in: the last brk chunk plus one chunk granule (measured by the rounding step). */
export function withGranularity(c: CrossoverSearch, granularityBytes: number): CrossoverSearch {
  return { ...c, thresholdChunkBytes: c.largestBrkChunkBytes === null ? null : c.largestBrkChunkBytes + granularityBytes };
}
