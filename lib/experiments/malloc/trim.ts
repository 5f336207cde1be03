/**
 * Step 6, in a fresh child: what free() gives back. Brk blocks freed in the middle of
 * the heap vs at its top (does the break move back? M_TRIM_THRESHOLD decides), what
 * malloc_trim(0) returns, and a freed mmapped block (unmapped at once?). Changes the
 * process's malloc state.
 */
import { malloc, type HeapBlock } from '../../heap';
import { mallocTrim, programBreak } from '../../malloc-control';
import { findMapping, readMaps } from '../../proc/maps';
import { hexAddress } from '../../result';
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

function allocateTouched(count: number, sizeBytes: number): HeapBlock[] {
  const out: HeapBlock[] = [];
  for (let i = 0; i < count; i++) {
    const b = malloc({ sizeBytes, drainTop: i === 0 });
    b.touch({ mode: 'write' });
    out.push(b);
  }
  return out;
}

/** Child task: step 6. */
export function measureTrim(payload: TrimPayload): TrimStep {
  const samples: TrimStep['samples'] = [];
  const sample = (moment: string): { brk: bigint; rss: number } => {
    const brk = programBreak();
    const rss = rssAnonBytes();
    samples.push({ moment, break: hexAddress(brk) as string, rssBytes: rss, topBytes: topBytes() });
    return { brk, rss };
  };
  const freeMiddle = (blocks: HeapBlock[]): void => {
    for (const b of blocks.slice(1, -1)) b.free();
  };

  // Round A: free the middle, then the block at the top.
  const a = allocateTouched(payload.blocks, payload.blockBytes);
  const loaded = sample('allocated and touched');
  freeMiddle(a);
  const middle = sample('middle blocks freed');
  (a[a.length - 1] as HeapBlock).free();
  const top = sample('top block freed');

  // Round B: free the middle again, keep the top block, and ask malloc_trim.
  const b = allocateTouched(payload.blocks, payload.blockBytes);
  sample('allocated and touched again');
  freeMiddle(b);
  const beforeTrim = sample('middle blocks freed again');
  const trimReturned = mallocTrim(0);
  const afterTrim = sample('malloc_trim(0)');

  // An mmapped block: unmapped by free()?
  const m = malloc({ sizeBytes: payload.mmapBytes });
  m.touch({ mode: 'write' });
  const address = m.address as bigint;
  const mapped = sample('mmapped block touched');
  m.free();
  const unmapped = sample('mmapped block freed');
  const entry = findMapping(readMaps(), address);
  for (const x of [...a, ...b]) x.free();

  return {
    blockBytes: payload.blockBytes,
    blocks: payload.blocks,
    samples,
    breakDropMiddleBytes: Number(loaded.brk - middle.brk),
    breakDropTopBytes: Number(middle.brk - top.brk),
    rssDropMiddleBytes: loaded.rss - middle.rss,
    rssDropTopBytes: middle.rss - top.rss,
    trimReturned,
    rssDropTrimBytes: beforeTrim.rss - afterTrim.rss,
    mmapBlockBytes: payload.mmapBytes,
    mmapMappedAfterFree: entry !== undefined && entry.path === null && entry.perms === 'rw-p' && entry.start <= address,
    rssDropMmapFreeBytes: mapped.rss - unmapped.rss,
  };
}
