/**
 * Step 3, the threshold as glibc really runs it, each part in its own fresh child:
 * (a) a request above the threshold carved from a big top chunk; (b) the dynamic
 * threshold, and where its rise stops; (c) mallopt(M_MMAP_THRESHOLD) moving the
 * crossover and switching the rise off. These tasks change process-wide malloc state.
 */
import { malloc, type HeapBlock } from '../../memory/heap';
import { flagsWitness, type BlockSource } from '../../malloc/classify';
import { mallopt } from '../../malloc/control';
import { pageSizeBytes } from '../../system/usage';
import { topBytes } from './probe';
import { searchCrossover, withGranularity, type SearchBlock } from './crossover';
import type { CarveStep, DynamicThresholdStep, DynamicTrial, MalloptStep } from './measurements';

/** What the threshold children need from the sources child. */
export interface ThresholdPayload {
  crossoverBytes: number;
  thresholdChunkBytes: number;
  granularityBytes: number;
  /** Largest size the dynamic test tries, bytes. */
  maxBytes: number;
}

// The chunk flags only: the maps witness would read /proc/self/maps, whose freed
// buffer raises the very threshold being measured (see probe.ts).
function sourceOf(block: HeapBlock): BlockSource {
  return flagsWitness(block.chunkHeader());
}

/** Requests `sizeBytes` with the top drained, frees it, requests it again: where did each go? */
export function dynamicTrial(sizeBytes: number): DynamicTrial {
  const first = malloc({ sizeBytes, drainTop: true });
  const firstSource = sourceOf(first);
  const chunkBytes = first.chunkHeader().chunkSizeBytes;
  first.free();
  const second = malloc({ sizeBytes, drainTop: true });
  const afterFree = sourceOf(second);
  second.free();
  return { sizeBytes, chunkBytes, first: firstSource, afterFree };
}

/** Did freeing an mmapped chunk of this size raise the threshold to it (or was it already above)? */
function raises(t: DynamicTrial): boolean {
  return t.first !== 'mmap' || t.afterFree === 'brk';
}

/** Child task (3b): the dynamic threshold's rise, and the chunk size where it stops. */
export function measureDynamicThreshold(payload: ThresholdPayload): DynamicThresholdStep {
  const trials: DynamicTrial[] = [];
  for (let size = 2 * payload.crossoverBytes; size <= payload.maxBytes; size *= 2) trials.push(dynamicTrial(size));
  const rose = trials.some((t) => t.first === 'mmap' && t.afterFree === 'brk');
  const raising = trials.filter((t) => t.first === 'mmap' && t.afterFree === 'brk');
  const firstStop = trials.find((t) => t.first === 'mmap' && t.afterFree === 'mmap' && raising.some((r) => r.sizeBytes < t.sizeBytes));
  let largestRaising = raising.length > 0 ? Math.max(...raising.map((t) => t.chunkBytes ?? 0)) : null;
  let smallestNonRaising = firstStop?.chunkBytes ?? null;
  if (rose && firstStop !== undefined) {
    // Bisect between the last size that raised it and the first that did not, to a page.
    const page = pageSizeBytes();
    let lo = Math.max(...raising.filter((t) => t.sizeBytes < firstStop.sizeBytes).map((t) => t.sizeBytes));
    let hi = firstStop.sizeBytes;
    while (hi - lo > page) {
      const mid = lo + Math.floor((hi - lo) / 2 / page) * page;
      const t = dynamicTrial(mid);
      if (raises(t)) {
        lo = mid;
        largestRaising = t.chunkBytes;
      } else {
        hi = mid;
        smallestNonRaising = t.chunkBytes;
      }
    }
  }
  return { trials, largestRaisingChunkBytes: largestRaising, smallestNonRaisingChunkBytes: smallestNonRaising, rose };
}

/** Child task (3c): mallopt(M_MMAP_THRESHOLD, 2 × the measured threshold), then measure again. */
export function measureMallopt(payload: ThresholdPayload): MalloptStep {
  const requested = 2 * payload.thresholdChunkBytes;
  const accepted = mallopt('M_MMAP_THRESHOLD', requested);
  const keep: SearchBlock[] = [];
  const crossover = withGranularity(searchCrossover(Math.floor(requested / 2), 2 * requested, keep), payload.granularityBytes);
  for (const b of keep) b.free();
  return { requestedThresholdBytes: requested, accepted, crossover, dynamicTrial: dynamicTrial(2 * requested) };
}

/** Child task (3a): M_TOP_PAD makes the top chunk big; a request above the threshold then fits in it. */
export function measureCarve(payload: ThresholdPayload): Omit<CarveStep, 'sweepCarvedSizes'> {
  const topPadBytes = 4 * payload.thresholdChunkBytes;
  const topPadAccepted = mallopt('M_TOP_PAD', topPadBytes);
  // The largest request below the threshold, with the top drained: unless a free bin
  // holds a chunk that big, glibc grows the heap by request + top pad. Retried a few
  // times, in case a bin did serve it.
  const grown: HeapBlock[] = [];
  // With no request below the threshold (a crossover of 1 B: MALLOC_MMAP_THRESHOLD_=0)
  // there is nothing to grow the top with, and the request below shows where it goes.
  for (let attempt = 0; payload.crossoverBytes > 1 && attempt < 8 && topBytes() < topPadBytes / 2; attempt++) {
    grown.push(malloc({ sizeBytes: payload.crossoverBytes - 1, drainTop: true }));
  }
  const topBeforeBytes = topBytes();
  const requestBytes = 2 * payload.crossoverBytes;
  const block = malloc({ sizeBytes: requestBytes });
  const source = sourceOf(block);
  block.free();
  for (const g of grown) g.free();
  return { topPadBytes, topPadAccepted, topBeforeBytes, requestBytes, source };
}
