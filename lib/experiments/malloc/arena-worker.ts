/**
 * Worker-thread body of step 7: allocates a block set in this thread (glibc gives the
 * thread an arena of its own), fills and classifies it, reports, then frees them all when
 * told to. Messages: parent → 'free' | 'exit'; worker → { kind: 'loaded', … } | { kind: 'freed' }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { malloc, type HeapBlock } from '../../memory/heap';
import { classifyBlock } from '../../malloc/classify';
import { mallocBlocks } from '../../malloc/block-set';
import { mapsWitness } from '../../malloc/classify';
import { findMapping } from '../../proc/maps';
import { hexAddress } from '../../report/result';
import { readHeapContext } from './probe';

/** What the parent sends the worker at start. */
export interface ArenaWorkerData {
  worker: number;
  blocks: number;
  blockBytes: number;
}

/** What the worker reports once its blocks are live. */
export interface ArenaWorkerLoaded {
  kind: 'loaded';
  worker: number;
  sources: Record<string, number>;
  arenaHeapReserveBytes: number | null;
  /** Start addresses (hex) of the mappings holding this worker's blocks. */
  mappingStarts: string[];
}

if (parentPort !== null) {
  const port = parentPort;
  const data = workerData as ArenaWorkerData;
  // One block set: the blocks in one native call, nothing of the apparatus malloc'd
  // between them in this thread's arena (issue 10, section 5).
  const blocks = mallocBlocks({ count: data.blocks, sizeBytes: data.blockBytes, fill: true });
  const ctx = readHeapContext();
  // The maps witness of one block gives the arena heap's reservation (HEAP_MAX_SIZE);
  // the set then counts flags and address witnesses for every block in one call and
  // names the distinct heaps its thread-arena blocks sit in.
  const first = mapsWitness(blocks.block(0).address as bigint, ctx.maps);
  const reserve = first.arenaHeapReserveBytes;
  const summary = blocks.summary(reserve === null ? {} : { arenaHeapBytes: reserve });
  const sources: Record<string, number> = {};
  const add = (key: string, n: number): void => {
    if (n > 0) sources[key] = (sources[key] ?? 0) + n;
  };
  const starts = new Set<string>();
  // Each thread-arena heap must look like one in the maps too (third witness, per heap).
  const heapsConfirmed = summary.arenaHeapStarts.every((start) => mapsWitness(start, ctx.maps).witness === 'thread-arena');
  for (const start of summary.arenaHeapStarts) starts.add(hexAddress(start) as string);
  add('brk', summary.agreed.brk);
  add('mmap', summary.agreed.mmap);
  add(heapsConfirmed ? 'thread-arena' : 'disputed', summary.agreed.threadArena);
  add('disputed', summary.disputed);
  if (summary.agreed.brk > 0) {
    const heap = ctx.maps.find((e) => e.path === '[heap]');
    if (heap !== undefined) starts.add(hexAddress(heap.start) as string);
  }
  if (summary.flags.mmap > 0 && summary.lowAddress !== null) {
    const m = findMapping(ctx.maps, summary.lowAddress);
    if (m !== undefined) starts.add(hexAddress(m.start) as string);
  }
  const loaded: ArenaWorkerLoaded = { kind: 'loaded', worker: data.worker, sources, arenaHeapReserveBytes: reserve, mappingStarts: [...starts] };
  port.postMessage(loaded);
  port.on('message', (msg: unknown) => {
    if (msg === 'free') {
      blocks.close();
      port.postMessage({ kind: 'freed' });
    } else if (msg === 'exit') {
      port.close();
    }
  });
}
