/**
 * Worker-thread body of step 7: allocates blocks in this thread (glibc gives the thread
 * an arena of its own), touches and classifies them, reports, then frees them all when
 * told to. Messages: parent → 'free' | 'exit'; worker → { kind: 'loaded', … } | { kind: 'freed' }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { malloc, type HeapBlock } from '../../memory/heap';
import { classifyBlock } from '../../malloc/classify';
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
  const blocks: HeapBlock[] = [];
  for (let i = 0; i < data.blocks; i++) {
    const b = malloc({ sizeBytes: data.blockBytes });
    b.touch({ mode: 'write' });
    blocks.push(b);
  }
  const ctx = readHeapContext();
  const sources: Record<string, number> = {};
  let reserve: number | null = null;
  const starts = new Set<string>();
  for (const b of blocks) {
    const address = b.address as bigint;
    const c = classifyBlock(address, b.chunkHeader(), ctx);
    sources[c.source] = (sources[c.source] ?? 0) + 1;
    reserve ??= c.arenaHeapReserveBytes;
    const m = findMapping(ctx.maps, address);
    if (m !== undefined) starts.add(hexAddress(m.start) as string);
  }
  const loaded: ArenaWorkerLoaded = { kind: 'loaded', worker: data.worker, sources, arenaHeapReserveBytes: reserve, mappingStarts: [...starts] };
  port.postMessage(loaded);
  port.on('message', (msg: unknown) => {
    if (msg === 'free') {
      for (const b of blocks) b.free();
      port.postMessage({ kind: 'freed' });
    } else if (msg === 'exit') {
      port.close();
    }
  });
}
