/**
 * The child side of the V8 --stack-size step (v8-stack-size.ts): recurse in JS until
 * V8 throws RangeError, reporting the depth every few hundred frames on the child channel,
 * so a child the kernel kills first (SIGSEGV: V8's limit lies beyond RLIMIT_STACK,
 * nodejs/node#33090) still says how deep it got. Runs only in a child process.
 */
import { threadStack } from '../../stack/probes';
import { getrlimit } from '../../system/usage';
import { measureJsDepth, type JsDepthReached } from './js-depth';

/** Payload of jsRecursionTask. */
export interface JsRecursionPayload {
  /** Report the depth every this many frames. */
  markEveryFrames: number;
}

/** The first record: the limits the child runs under. */
export interface JsRecursionStart {
  kind: 'js-recursion-start';
  /** Soft RLIMIT_STACK, bytes (null: unlimited). */
  rlimitBytes: number | null;
  /** Stack in use when the recursion starts, bytes. */
  inUseBytes: number;
  execArgv: string[];
}

/** A depth report on the way down. */
export interface JsRecursionMark { kind: 'js-mark'; frames: number; depthBytes: number }

/** What the task returns when V8 threw RangeError. */
export type JsRecursionResult = JsDepthReached;

/** Recurses in JS until RangeError; returns the depth there. Dies instead when the real stack ends first. */
export function jsRecursionTask(payload: JsRecursionPayload, emit: (record: unknown) => void): JsRecursionResult {
  const soft = getrlimit('stack').soft;
  const start: JsRecursionStart = { kind: 'js-recursion-start', rlimitBytes: Number.isFinite(soft) ? soft : null, inUseBytes: threadStack().inUseBytes, execArgv: process.execArgv };
  emit(start);
  const every = Math.max(1, Math.floor(payload.markEveryFrames));
  return measureJsDepth((frames) => {
    if (frames % every === 0) emit({ kind: 'js-mark', frames, depthBytes: threadStack().inUseBytes } satisfies JsRecursionMark);
  });
}
