/**
 * Child-side helpers shared by the malloc steps: allocate and keep blocks, classify
 * them with the three witnesses. Runs in a
 * child process: it changes the malloc state of the process it runs in.
 * Hazard: reading a big /proc file from Node (maps, smaps) mallocs a buffer above the
 * threshold and frees it at the next GC — which raises glibc's dynamic threshold. So
 * every threshold probe (crossover.ts) runs before the first such read.
 */
import { malloc, type HeapBlock } from '../../memory/heap';
import { classifyBlock, type HeapContext } from '../../malloc/classify';
import { mallinfo2, programBreak } from '../../malloc/control';
import { readMaps } from '../../proc/maps';
import { readSmapsRollup } from '../../proc/smaps';
import { hexAddress } from '../../report/result';
import type { SweepEntry } from './measurements';

/** sbrk(0) and /proc/self/maps, read together while the blocks to classify are live. */
export function readHeapContext(): HeapContext {
  return { programBreak: programBreak(), maps: readMaps() };
}

/** The main arena's top chunk now (mallinfo2 keepcost), bytes. */
export function topBytes(): number {
  return mallinfo2().topReleasableBytes;
}

/** A live block with what was known when it was made. */
export interface KeptBlock {
  block: HeapBlock;
  topBeforeBytes: number;
  dense: boolean;
}

/** Allocates `sizeBytes` and records the top chunk just before (the block stays live). */
export function allocateKept(sizeBytes: number, dense = false): KeptBlock {
  const topBeforeBytes = topBytes();
  return { block: malloc({ sizeBytes }), topBeforeBytes, dense };
}

/** Classifies live blocks against one heap context. */
export function toSweepEntries(kept: readonly KeptBlock[], ctx: HeapContext = readHeapContext()): SweepEntry[] {
  return kept.map(({ block, topBeforeBytes, dense }) => {
    const header = block.chunkHeader();
    const address = block.address as bigint;
    const c = classifyBlock(address, header, ctx);
    return {
      sizeBytes: block.sizeBytes, source: c.source, usableBytes: block.usableSizeBytes, address: hexAddress(address) as string,
      chunkSizeBytes: header.chunkSizeBytes, witnesses: c.witnesses, topBeforeBytes, dense,
    };
  });
}

/**
 * Anonymous resident memory now, bytes: `Anonymous` of /proc/self/smaps_rollup, which
 * walks the page tables — exact, unlike /proc/self/status, whose RSS counters are
 * per-CPU approximations on recent kernels.
 */
export function rssAnonBytes(): number {
  const r = readSmapsRollup('self');
  return r.anonymousBytes ?? r.rssBytes;
}
