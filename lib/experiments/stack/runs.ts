/**
 * The parent's side of the stack experiment's children: starts each child under the
 * limit wrapper with a timeout, and turns what it streamed and how it ended into a
 * run record. A child that dies, hangs (killed at its timeout) or fails is reported,
 * never thrown: the parent carries on with the next run.
 */
import * as path from 'node:path';
import { runChild, type ChildOutcome } from '../../child/spawn';
import { deepestMark, firstRecord, recordsOfKind, toStackSample, type RawSampleRecord } from './records';
import { limitWrapper, type LimitWrapperKind } from './wrapper';
import type { StartRecord, OverflowPayload, SteadyPayload, ThreadPayload, ThreadReport } from './child-tasks';
import type { JsDepth, NoShrinkStep, CostRow, OverflowRun, RunFate, StackSample, ThreadStackStep } from './measurements';
import type { StackVariant } from '../../stack/probes';

/** The compiled module with the child tasks. */
export const STACK_TASKS = path.join(__dirname, 'child-tasks.js');

/** How to run one overflow child. */
export interface OverflowPlan {
  /** Soft RLIMIT_STACK to exec the child with, bytes; Infinity: unlimited; undefined: inherit. */
  limitBytes: number | undefined;
  /** What the child's limit will be if it dies before saying (bytes, null: unlimited). */
  expectedRlimitBytes: number | null;
  frameBytes: number;
  variant: StackVariant;
  sampleEveryFrames: number;
  js: boolean;
  capBytes: number | null;
  timeoutMs: number;
  wrapper: LimitWrapperKind;
  pageSizeBytes: number;
  /** The module whose `overflowTask` runs (default STACK_TASKS; tests substitute one). */
  taskModule?: string;
}

function fateOf(outcome: ChildOutcome<unknown>): RunFate {
  if (outcome.timedOut) return 'timeout';
  if (outcome.signal !== null) return 'signal';
  return outcome.result !== null ? 'capped' : 'exit';
}

function problemOf(outcome: ChildOutcome<unknown>, fate: RunFate): string | null {
  if (outcome.error) return `the child threw: ${outcome.error.message.split('\n')[0] ?? ''}`;
  const tail = outcome.stderr.trim().split('\n').slice(-3).join(' | ');
  if (fate === 'timeout') return `killed after its ${outcome.elapsedMs} ms timeout${tail ? `: ${tail}` : ''}`;
  if (fate === 'exit') return `exited with code ${String(outcome.exitCode)}${tail ? `: ${tail}` : ''}`;
  return null;
}

/** Turns an overflow child's outcome into a run record and its samples. */
export function interpretOverflow(outcome: ChildOutcome<unknown>, plan: OverflowPlan): { run: OverflowRun; samples: StackSample[] } {
  const records = outcome.records;
  const start = firstRecord<StartRecord>(records, 'start');
  const jsStarted = firstRecord(records, 'js-start') !== null;
  const jsDone = firstRecord<{ frames: number; depthBytes: number }>(records, 'js');
  const fate = fateOf(outcome);
  const mark = deepestMark(records);
  const rlimitBytes = start ? start.rlimitBytes : plan.expectedRlimitBytes;
  // A child that died before its JS recursion finished died in JS, not in the native recursion.
  const diedInJs = jsStarted && jsDone === null;
  const died = fate === 'signal' && !diedInJs;
  const deathDepthBytes = died && mark ? mark.depthBytes : null;
  let js: JsDepth | null = null;
  if (jsDone) js = { rangeError: true, frames: jsDone.frames, depthBytes: jsDone.depthBytes, signal: null, execArgv: start?.execArgv ?? [] };
  else if (diedInJs) js = { rangeError: false, frames: 0, depthBytes: null, signal: outcome.signal, execArgv: start?.execArgv ?? [] };
  const samples = recordsOfKind<RawSampleRecord>(records, 'sample').map((r) => toStackSample(r, plan.pageSizeBytes));
  const run: OverflowRun = {
    inherited: plan.limitBytes === undefined,
    rlimitBytes,
    frameBytes: plan.frameBytes,
    variant: plan.variant,
    fate,
    signal: outcome.signal,
    exitCode: outcome.exitCode,
    deathDepthBytes,
    deathDepthFrames: died && mark ? mark.depthFrames : null,
    distanceToLimitBytes: deathDepthBytes !== null && rlimitBytes !== null ? rlimitBytes - deathDepthBytes : null,
    reachedBytes: mark?.depthBytes ?? null,
    capBytes: plan.capBytes,
    layout: start?.layout ?? null,
    segvHandlerInstalled: start?.segvHandlerInstalled ?? null,
    js,
    elapsedMs: outcome.elapsedMs,
    recursionNs: (outcome.result as { elapsedNs?: number } | null)?.elapsedNs ?? null,
    problem: diedInJs ? `the child died of ${String(outcome.signal)} during the JS recursion, before V8 threw RangeError`
      : fate === 'signal' && start === null ? `the child died of ${String(outcome.signal)} before its task started: node could not even start under this limit`
        : problemOf(outcome, fate),
  };
  return { run, samples };
}

/** Runs one overflow child and interprets it. */
export async function runOverflow(plan: OverflowPlan): Promise<{ run: OverflowRun; samples: StackSample[] }> {
  const payload: OverflowPayload = { frameBytes: plan.frameBytes, variant: plan.variant, sampleEveryFrames: plan.sampleEveryFrames, js: plan.js, capBytes: plan.capBytes };
  const outcome = await runChild(plan.taskModule ?? STACK_TASKS, 'overflowTask', payload, {
    timeoutMs: plan.timeoutMs,
    wrapper: limitWrapper(plan.limitBytes, plan.wrapper),
  });
  return interpretOverflow(outcome, plan);
}

/** Runs steps 3 and 7 in one child; null with the reason when the child failed. */
export async function runSteady(payload: SteadyPayload, limitBytes: number | undefined, wrapper: LimitWrapperKind, timeoutMs: number):
Promise<{ noShrink: NoShrinkStep | null; cost: CostRow[]; problem: string | null }> {
  const outcome = await runChild<{ noShrink: NoShrinkStep; cost: CostRow[] }>(STACK_TASKS, 'steadyTask', payload, { timeoutMs, wrapper: limitWrapper(limitBytes, wrapper) });
  if (outcome.result !== null) return { ...outcome.result, problem: null };
  const fate = fateOf(outcome);
  return { noShrink: null, cost: [], problem: `steps 3 and 7: ${problemOf(outcome, fate) ?? `the child died of ${String(outcome.signal)}`}` };
}

/** Step 5: a worker's stack in one child (RLIMIT_STACK childLimitBytes), its overflow in another. */
export async function runThreadStep(payload: ThreadPayload, childLimitBytes: number | undefined, wrapper: LimitWrapperKind, timeoutMs: number): Promise<ThreadStackStep> {
  const options = { timeoutMs, wrapper: limitWrapper(childLimitBytes, wrapper) };
  const measured = await runChild<ThreadReport>(STACK_TASKS, 'threadTask', payload, options);
  const overflow = await runChild(STACK_TASKS, 'threadOverflowTask', payload, options);
  const threadStart = firstRecord<{ stackSizeBytes: number }>(overflow.records, 'thread-start');
  const overflowFate = fateOf(overflow);
  const mark = deepestMark(overflow.records);
  const r = measured.result;
  const problems = [
    r === null ? `measuring child: ${problemOf(measured, fateOf(measured)) ?? `died of ${String(measured.signal)}`}` : null,
    overflowFate === 'signal' ? null : `overflow child: ${problemOf(overflow, overflowFate) ?? 'ended without a signal'}`,
  ].filter((p): p is string => p !== null);
  return {
    stackSizeMb: payload.stackSizeMb,
    childRlimitBytes: r?.childRlimitBytes ?? null,
    main: r?.main ?? null,
    worker: r?.worker.stack ?? null,
    workerMappingAfterBytes: r?.worker.mappingAfterBytes ?? null,
    workerDepthBytes: r?.worker.depthBytes ?? null,
    heapEnd: r?.heapEnd ?? null,
    mainStackMapStart: r?.mainStackMapStart ?? null,
    overflow: {
      fate: overflowFate,
      signal: overflow.signal,
      deathDepthBytes: overflowFate === 'signal' && mark ? mark.depthBytes : null,
      stackSizeBytes: threadStart?.stackSizeBytes ?? null,
    },
    problem: problems.length > 0 ? problems.join('; ') : null,
  };
}
