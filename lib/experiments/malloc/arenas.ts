/**
 * Step 7, in a fresh child: blocks allocated in worker threads land in thread arenas
 * (NON_MAIN_ARENA, inside heaps in the mmap area aligned to their reserved size); how
 * many arenas the threads made; the RSS the process keeps after every worker freed
 * everything, and what malloc_trim(0) gives back — the "my Node RSS doesn't drop after
 * the load is gone" story, measured. Changes the process's malloc state.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { mallocInfo, mallocTrim } from '../../malloc/control';
import { readSmaps, smapsFor } from '../../proc/smaps';
import { rssAnonBytes } from './probe';
import type { ArenaWorkerData, ArenaWorkerLoaded } from './arena-worker';
import type { ArenaStep } from './measurements';

/** Sizes of the arena child's load. */
export interface ArenaPayload {
  workers: number;
  blocksPerWorker: number;
  blockBytes: number;
}

function nextMessage<T>(w: Worker, kind: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { kind?: string }): void => {
      if (m.kind === kind) {
        w.off('message', onMessage);
        w.off('error', reject);
        resolve(m as T);
      }
    };
    w.on('message', onMessage);
    w.once('error', reject);
  });
}

/** Child task: step 7. */
export async function measureArenas(payload: ArenaPayload): Promise<ArenaStep> {
  const tunable = /glibc\.malloc\.arena_max=([^:]*)/.exec(process.env['GLIBC_TUNABLES'] ?? '')?.[1];
  const fromEnv = process.env['MALLOC_ARENA_MAX'];
  const arenaMax = fromEnv ?? tunable ?? null;
  const arenaMaxSetting = fromEnv !== undefined ? `MALLOC_ARENA_MAX=${fromEnv}` : tunable !== undefined ? `GLIBC_TUNABLES glibc.malloc.arena_max=${tunable}` : null;
  const arenasBefore = mallocInfo().arenas.length;
  const rssBeforeBytes = rssAnonBytes();
  const workers: Worker[] = [];
  const loadedMessages: Array<Promise<ArenaWorkerLoaded>> = [];
  for (let i = 0; i < payload.workers; i++) {
    const data: ArenaWorkerData = { worker: i, blocks: payload.blocksPerWorker, blockBytes: payload.blockBytes };
    const w = new Worker(path.join(__dirname, 'arena-worker.js'), { workerData: data });
    workers.push(w);
    loadedMessages.push(nextMessage<ArenaWorkerLoaded>(w, 'loaded'));
  }
  const loaded = await Promise.all(loadedMessages);
  const starts = [...new Set(loaded.flatMap((l) => l.mappingStarts))].map((h) => BigInt(h));
  const heapRss = (): number => {
    const smaps = readSmaps('self');
    return starts.reduce((sum, start) => sum + (smapsFor(smaps, start)?.rssBytes ?? 0), 0);
  };
  const rssLoadedBytes = rssAnonBytes();
  const heapsLoadedBytes = heapRss();
  const arenasAfter = mallocInfo().arenas.length;
  const freed = workers.map((w) => nextMessage(w, 'freed'));
  for (const w of workers) w.postMessage('free');
  await Promise.all(freed);
  await Promise.all(workers.map((w) => new Promise((resolve) => {
    w.once('exit', resolve);
    w.postMessage('exit');
  })));
  const rssAfterFreeBytes = rssAnonBytes();
  const heapsAfterFreeBytes = heapRss();
  const trimReturned = mallocTrim(0);
  const rssAfterTrimBytes = rssAnonBytes();
  const heapsAfterTrimBytes = heapRss();
  return {
    arenaMax,
    arenaMaxSetting,
    workers: payload.workers,
    blockBytes: payload.blockBytes,
    blocksPerWorker: payload.blocksPerWorker,
    workerBlocks: loaded.map((l) => ({ worker: l.worker, blocks: payload.blocksPerWorker, sources: l.sources, arenaHeapReserveBytes: l.arenaHeapReserveBytes })),
    arenasBefore,
    arenasAfter,
    rssBeforeBytes,
    rssLoadedBytes,
    rssAfterFreeBytes,
    rssAfterTrimBytes,
    trimReturned,
    heapMappings: starts.length,
    heapsResidentBytes: { loaded: heapsLoadedBytes, afterFree: heapsAfterFreeBytes, afterTrim: heapsAfterTrimBytes },
    mallocInfoAfter: mallocInfo(),
  };
}
