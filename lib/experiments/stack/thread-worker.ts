/**
 * Runs inside a worker thread of a stack child (child-tasks.ts): reports the worker's
 * own stack and mapping, then either recurses to a fraction of its stack and reports
 * the mapping again ('measure'), or recurses until the stack runs out ('overflow'),
 * which kills the whole process. Records go straight to the child channel.
 */
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { stackRecurse } from '../../native/child-only';
import { readMaps, findMapping } from '../../proc/maps';
import { recurseStack, threadStack } from '../../stack/probes';
import { readThreadStackInfo } from './layout';
import type { ThreadStackInfo } from './measurements';

/** What the parent thread passes. */
export interface WorkerData {
  mode: 'measure' | 'overflow';
  depthFraction: number;
  frameBytes: number;
  channelFd: number;
}

/** What a measuring worker reports. */
export interface WorkerReport {
  stack: ThreadStackInfo;
  depthBytes: number;
  mappingAfterBytes: number | null;
}

function emit(value: unknown): void {
  fs.writeSync((workerData as WorkerData).channelFd, `${JSON.stringify({ type: 'record', value })}\n`);
}

function main(data: WorkerData): void {
  const info = readThreadStackInfo();
  emit({ kind: 'thread-start', stackSizeBytes: info.stackSizeBytes, inUseBytes: info.inUseBytes });
  if (data.mode === 'overflow') {
    stackRecurse({ frameBytes: data.frameBytes, variant: 'frame', fd: data.channelFd, untilFault: true });
    return;
  }
  const stack = threadStack();
  const depthBytes = Math.floor(stack.stackSizeBytes * data.depthFraction);
  const r = recurseStack({ depthBytes, frameBytes: data.frameBytes });
  const after = findMapping(readMaps(), stack.stackPointer);
  const report: WorkerReport = { stack: info, depthBytes: r.deepestBytes, mappingAfterBytes: after?.sizeBytes ?? null };
  parentPort?.postMessage(report);
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object') main(workerData as WorkerData);
