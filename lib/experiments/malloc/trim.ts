/**
 * Step 6, in a fresh child: what free() gives back. Brk blocks freed in the middle of
 * the heap vs at its top (does the break move back? M_TRIM_THRESHOLD decides), what
 * malloc_trim(0) returns, and a freed mmapped block (unmapped at once?). Changes the
 * process's malloc state.
 */
import { malloc, type HeapBlock } from '../../memory/heap';
import { mallocTrim, programBreak } from '../../malloc/control';
import { mallocBlocks, type BlockSet } from '../../malloc/block-set';
import { findMapping, readMaps } from '../../proc/maps';
import { hexAddress } from '../../report/result';
import { readSmaps, smapsFor } from '../../proc/smaps';
import { rssAnonBytes, topBytes } from './probe';
import type { TrimStep } from './measurements';

/** Sizes of the trim child's blocks. */
export interface TrimPayload {
  /** Each heap block, bytes (below the threshold). */
  blockBytes: number;
  blocks: number;
  /** The mmapped block, bytes (above the threshold). */
  mmapBytes: number;
}

// One block set per round: the blocks come from one native call and nothing of the
// apparatus (no per-block wrapper or N-API reference) is malloc'd between them, so a
// freed run coalesces as it would in a C program (issue 10, section 5).
function allocateTouched(count: number, sizeBytes: number): BlockSet {
  return mallocBlocks({ count, sizeBytes, fill: true, drainTop: true });
}

/** Child task: step 6. */
export function measureTrim(payload: TrimPayload): TrimStep {
  const samples: TrimStep['samples'] = [];
  // RSS of the [heap] mapping itself (smaps walks its page tables: exact), not the
  // process's RSS, which V8's own allocations move by megabytes between samples.
  // Hazard: reading /proc from Node mallocs buffers, which land above the block at the
  // top and would stop it from being trimmed: round A samples only sbrk(0) and
  // mallinfo2 (no malloc) until its top block is freed.
  const sample = (moment: string, withRss = true): { brk: bigint; rss: number | null } => {
    const brk = programBreak();
    const top = topBytes();
    const rss = withRss ? readSmaps('self').find((e) => e.path === '[heap]')?.rssBytes ?? 0 : null;
    samples.push({ moment, break: hexAddress(brk) as string, heapRssBytes: rss, anonRssBytes: withRss ? rssAnonBytes() : null, topBytes: top });
    return { brk, rss };
  };
  const mappingRss = (address: bigint): number => smapsFor(readSmaps('self'), address)?.rssBytes ?? 0;
  const freeMiddle = (blocks: BlockSet): void => {
    blocks.free({ start: 1, end: blocks.count - 1 });
  };

  // The mmapped block first: later, free chunks in the bins (which glibc consults before
  // the threshold) could serve it, and our own /proc reads raise the threshold.
  const m = malloc({ sizeBytes: payload.mmapBytes, drainTop: true });
  const mmapBlockWasMmapped = m.chunkHeader().isMmapped;
  m.touch({ mode: 'write' });
  const address = m.address as bigint;

  // Round A: free the middle, then the block at the top.
  const a = allocateTouched(payload.blocks, payload.blockBytes);
  const loaded = sample('allocated and touched', false);
  freeMiddle(a);
  const middle = sample('middle blocks freed', false);
  a.free({ index: a.count - 1 });
  const top = sample('top block freed', false);

  // Round B: free the middle again, keep the top block, and ask malloc_trim.
  const b = allocateTouched(payload.blocks, payload.blockBytes);
  sample('allocated and touched again');
  freeMiddle(b);
  const beforeTrim = sample('middle blocks freed again');
  const trimReturned = mallocTrim(0);
  const afterTrim = sample('malloc_trim(0)');
  const loadedB = samples.find((x) => x.moment === 'allocated and touched again')?.heapRssBytes ?? null;

  // The mmapped block: unmapped by free()?
  sample('before freeing the mmapped block');
  const mmapResidentBeforeFreeBytes = mappingRss(address);
  m.free();
  const mmapResidentAfterFreeBytes = mappingRss(address);
  sample('mmapped block freed');
  const entry = findMapping(readMaps(), address);
  a.close();
  b.close();

  return {
    blockBytes: payload.blockBytes,
    blocks: payload.blocks,
    samples,
    breakDropMiddleBytes: Number(loaded.brk - middle.brk),
    breakDropTopBytes: Number(middle.brk - top.brk),
    rssDropMiddleBytes: loadedB === null || beforeTrim.rss === null ? 0 : loadedB - beforeTrim.rss,
    trimReturned,
    rssDropTrimBytes: (beforeTrim.rss ?? 0) - (afterTrim.rss ?? 0),
    mmapBlockBytes: payload.mmapBytes,
    mmapBlockWasMmapped,
    mmapMappedAfterFree: entry !== undefined,
    mmapResidentBeforeFreeBytes,
    mmapResidentAfterFreeBytes,
  };
}
