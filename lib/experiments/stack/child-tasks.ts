/**
 * Tasks the stack experiment runs in child processes (lib/child/spawn.ts runs them through
 * child-entry.js). The overflow tasks never return: the recursion writes its marks and
 * samples straight to the child channel (fd 3) and the kernel ends the process. The
 * limits were set by the wrapper that exec'd this child (wrapper.ts), never here.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { stackRecurse } from '../../native/child-only';
import { getrlimit } from '../../system/usage';
import { readMaps } from '../../proc/maps';
import { readSmaps } from '../../proc/smaps';
import { readStatus } from '../../proc/status';
import { hexAddress } from '../../report/result';
import { allocationCost, recurseStack, threadStack, STACK_STOP_HEADROOM_BYTES, type StackVariant } from '../../stack/probes';
import { mainStackMapping, readStackLayout, readThreadStackInfo } from './layout';
import { measureJsDepth } from './js-depth';
import type { CostRow, NoShrinkStep, StackSnapshot, ThreadStackInfo } from './measurements';
import type { WorkerData, WorkerReport } from './thread-worker';

/** The child channel's file descriptor (lib/child/entry.ts writes records there too). */
export const CHILD_CHANNEL_FD = 3;

/** Payload of overflowTask. */
export interface OverflowPayload {
  frameBytes: number;
  variant: StackVariant;
  sampleEveryFrames: number;
  /** Measure the JS depth before V8's RangeError first. */
  js: boolean;
  /** Stop (and return) at this depth instead of recursing until the kernel refuses; null: no cap. */
  capBytes: number | null;
}

/** What the child reports before it recurses. */
export interface StartRecord {
  kind: 'start';
  /** Soft RLIMIT_STACK, bytes, null for unlimited. */
  rlimitBytes: number | null;
  layout: ReturnType<typeof readStackLayout>;
  execArgv: string[];
  /** Whether this process catches SIGSEGV (SigCgt of /proc/self/status; node's V8 installs a handler). */
  segvHandlerInstalled: boolean | null;
}

const SIGSEGV_NUMBER = 11;

/** Bit `signal` of a /proc status signal mask (hex); null when the mask is missing. */
export function maskHasSignal(maskHex: string | undefined, signal: number): boolean | null {
  if (maskHex === undefined || !/^[0-9a-fA-F]+$/.test(maskHex)) return null;
  return ((BigInt(`0x${maskHex}`) >> BigInt(signal - 1)) & 1n) === 1n;
}

function softStackLimit(): number {
  return getrlimit('stack').soft;
}

/** Recurses until the kernel refuses to grow the stack (or to capBytes), streaming records. */
export function overflowTask(payload: OverflowPayload, emit: (record: unknown) => void): unknown {
  const limit = softStackLimit();
  const start: StartRecord = {
    kind: 'start',
    rlimitBytes: Number.isFinite(limit) ? limit : null,
    layout: readStackLayout(limit),
    execArgv: process.execArgv,
    segvHandlerInstalled: maskHasSignal(readStatus().raw['SigCgt'], SIGSEGV_NUMBER),
  };
  emit(start);
  if (payload.js) {
    emit({ kind: 'js-start' });
    emit({ kind: 'js', ...measureJsDepth() });
  }
  const common = { frameBytes: payload.frameBytes, variant: payload.variant, fd: CHILD_CHANNEL_FD, sampleEveryFrames: payload.sampleEveryFrames };
  const r = stackRecurse(payload.capBytes === null ? { ...common, untilFault: true } : { ...common, stopAtDepthBytes: payload.capBytes });
  return { frames: r.frames, deepestBytes: r.deepestBytes, elapsedNs: r.elapsedNs };
}

function snapshot(): StackSnapshot {
  const stack = mainStackMapping(readSmaps());
  return { vmStkBytes: readStatus().vmStkBytes ?? null, mappingSizeBytes: stack?.sizeBytes ?? null, rssBytes: stack?.rssBytes ?? null };
}

/** Payload of steadyTask. */
export interface SteadyPayload {
  /** Depth of the recursion that returns (step 3), bytes; trimmed to fit the stack. */
  depthBytes: number;
  frameBytes: number;
  variant: StackVariant;
  /** Allocation sizes for step 7, bytes. */
  costSizes: number[];
  costIterations: number;
  /** Timed loops per size and kind (interleaved); all are kept as the spread. */
  costRounds: number;
}

/** Steps 3 and 7: a deep recursion that returns (does the stack shrink?) and allocation costs. */
export function steadyTask(payload: SteadyPayload): { noShrink: NoShrinkStep; cost: CostRow[] } {
  const before = snapshot();
  const stack = threadStack();
  const fits = stack.stackSizeBytes - 2 * STACK_STOP_HEADROOM_BYTES - payload.frameBytes;
  const depthBytes = Math.min(payload.depthBytes, fits);
  const r = recurseStack({ depthBytes, frameBytes: payload.frameBytes, variant: payload.variant });
  const after = snapshot();
  // Rounds interleave the three kinds, so a slow stretch of the machine hits all of them;
  // every round is kept: the verdict compares kinds only past their spread.
  const timeRounds = (sizeBytes: number): { frame: number[]; alloca: number[]; malloc: number[] } => {
    const out = { frame: [] as number[], alloca: [] as number[], malloc: [] as number[] };
    for (let i = 0; i < payload.costRounds; i++) {
      for (const kind of ['frame', 'alloca', 'malloc'] as const) {
        out[kind].push(allocationCost({ kind, sizeBytes, iterations: payload.costIterations }).nsPerOp);
      }
    }
    return out;
  };
  // Stack allocations must fit the free stack (a child under a small --limit has little).
  const free = (): number => { const t = threadStack(); return t.stackSizeBytes - t.inUseBytes - STACK_STOP_HEADROOM_BYTES; };
  const cost = payload.costSizes.filter((sizeBytes) => sizeBytes <= free()).map((sizeBytes): CostRow => {
    const r = timeRounds(sizeBytes);
    const frameNsPerOp = Math.min(...r.frame);
    const allocaNsPerOp = Math.min(...r.alloca);
    const mallocNsPerOp = Math.min(...r.malloc);
    const stackNsSamples = r.frame.map((f, i) => Math.min(f, r.alloca[i] ?? f));
    return {
      sizeBytes, frameNsPerOp, allocaNsPerOp, mallocNsPerOp, heapToStackRatio: mallocNsPerOp / Math.min(frameNsPerOp, allocaNsPerOp),
      iterations: payload.costIterations, stackNsSamples, mallocNsSamples: r.malloc,
    };
  });
  return { noShrink: { depthBytes: r.deepestBytes, before, after, minorFaults: r.minorFaults }, cost };
}

const WORKER_FILE = path.join(__dirname, 'thread-worker.js');

function runWorker(data: WorkerData, stackSizeMb: number): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_FILE, { workerData: data, resourceLimits: { stackSizeMb } });
    worker.once('message', (m: WorkerReport) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the worker exited with code ${code} before reporting`)));
  });
}

/** Payload of threadTask / threadOverflowTask. */
export interface ThreadPayload {
  stackSizeMb: number;
  /** How deep the measuring worker recurses, as a fraction of its stack. */
  depthFraction: number;
  frameBytes: number;
}

/** What threadTask returns. */
export interface ThreadReport {
  childRlimitBytes: number | null;
  main: ThreadStackInfo;
  worker: WorkerReport;
  heapEnd: string | null;
  mainStackMapStart: string | null;
}

/** Step 5: the main thread's and a worker's stacks, and whether the worker's mapping grows. */
export async function threadTask(payload: ThreadPayload): Promise<ThreadReport> {
  const limit = softStackLimit();
  const maps = readMaps();
  const main = readThreadStackInfo(maps);
  const worker = await runWorker({ mode: 'measure', depthFraction: payload.depthFraction, frameBytes: payload.frameBytes, channelFd: CHILD_CHANNEL_FD }, payload.stackSizeMb);
  const heap = maps.find((m) => m.path === '[heap]');
  return {
    childRlimitBytes: Number.isFinite(limit) ? limit : null,
    main,
    worker,
    heapEnd: hexAddress(heap?.end ?? null),
    mainStackMapStart: hexAddress(mainStackMapping(maps)?.start ?? null),
  };
}

/** Step 5, second half: a worker recursing without end; the whole process dies. */
export async function threadOverflowTask(payload: ThreadPayload): Promise<WorkerReport> {
  return runWorker({ mode: 'overflow', depthFraction: 1, frameBytes: payload.frameBytes, channelFd: CHILD_CHANNEL_FD }, payload.stackSizeMb);
}
