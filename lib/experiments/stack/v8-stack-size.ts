/**
 * Step 6b of the stack experiment: V8's --stack-size against RLIMIT_STACK. V8 stops JS
 * recursion with a RangeError when the stack in use reaches --stack-size (KiB, counted
 * from where the isolate started); it does not check that the kernel will let the stack
 * grow that far. Two children run under the same RLIMIT_STACK: one with --stack-size
 * well under it (RangeError expected), one with --stack-size above it — where the kernel
 * refuses the stack growth first and the process dies of SIGSEGV, uncatchable
 * (nodejs/node#33090). What each child did is measured, not assumed. The flag given
 * here comes after the inherited ones (lib/child/node-flags.ts), so it wins.
 */
import * as path from 'node:path';
import { runChild } from '../../child/spawn';
import { firstRecord, recordsOfKind } from './records';
import { limitWrapper, type LimitWrapperKind } from './wrapper';
import type { JsRecursionMark, JsRecursionResult, JsRecursionStart } from './v8-stack-size-task';
import type { V8StackSizeRun, V8StackSizeStep } from './measurements';

const TASK_MODULE = path.join(__dirname, 'v8-stack-size-task.js');
const KiB = 1024;
/** RLIMIT_STACK of both children (or the hard limit when lower). */
export const V8_STEP_RLIMIT_BYTES = 4 * 1024 * KiB;
/** Depth reports per child: one every this many JS frames. */
const MARK_EVERY_FRAMES = 256;

async function runOne(stackSizeKiB: number, rlimitBytes: number, wrapper: LimitWrapperKind, timeoutMs: number): Promise<V8StackSizeRun> {
  const outcome = await runChild<JsRecursionResult>(TASK_MODULE, 'jsRecursionTask', { markEveryFrames: MARK_EVERY_FRAMES }, {
    timeoutMs, wrapper: limitWrapper(rlimitBytes, wrapper), execArgv: [`--stack-size=${stackSizeKiB}`],
  });
  const start = firstRecord<JsRecursionStart>(outcome.records, 'js-recursion-start');
  const last = recordsOfKind<JsRecursionMark>(outcome.records, 'js-mark').at(-1) ?? null;
  const execArgv = start?.execArgv ?? [];
  if (outcome.result !== null) {
    return { stackSizeKiB, outcome: 'range-error', signal: null, frames: outcome.result.frames, depthBytes: outcome.result.depthBytes, execArgv, problem: null };
  }
  const kind = outcome.timedOut ? 'timeout' : outcome.signal !== null ? 'signal' : 'exit';
  const tail = outcome.stderr.trim().split('\n').slice(-2).join(' | ');
  const problem = kind === 'signal' ? (start === null ? `the child died of ${outcome.signal ?? '?'} before its task started` : null)
    : outcome.error ? `the child threw: ${outcome.error.message.split('\n')[0] ?? ''}`
      : `${kind === 'timeout' ? `killed after its ${outcome.elapsedMs} ms timeout` : `exited with code ${String(outcome.exitCode)}`}${tail ? `: ${tail}` : ''}`;
  return { stackSizeKiB, outcome: kind, signal: outcome.signal, frames: last?.frames ?? null, depthBytes: last?.depthBytes ?? null, execArgv, problem };
}

/**
 * Runs both children under RLIMIT_STACK min(V8_STEP_RLIMIT_BYTES, hardLimitBytes); null
 * when the hard limit is below 1 MiB (node itself may not start under less).
 */
export async function runV8StackSizeStep(hardLimitBytes: number, wrapper: LimitWrapperKind, timeoutMs: number): Promise<V8StackSizeStep | null> {
  const rlimitBytes = Math.min(V8_STEP_RLIMIT_BYTES, hardLimitBytes);
  if (rlimitBytes < 1024 * KiB) return null;
  const limitKiB = Math.floor(rlimitBytes / KiB);
  const under = await runOne(Math.floor(limitKiB / 4), rlimitBytes, wrapper, timeoutMs);
  const over = await runOne(2 * limitKiB, rlimitBytes, wrapper, timeoutMs);
  return { rlimitBytes, under, over };
}
