/**
 * The calling thread's stack, measured: its bounds and stack pointer
 * (pthread_getattr_np), a recursion that grows it to a chosen depth and returns, and
 * what stack allocation costs next to malloc/free. Nothing here can overflow the
 * stack: a recursion must stop inside this thread's stack (checked here, and again in
 * native code). Running a stack into its limit happens only in a child process
 * (experiments/stack).
 */
import { LIMITS } from '../native/tables';
import { native, type NativeThreadStack } from '../native/loader';
import { outOfRange, invalidArgType } from '../util/errors';
import { optionalCount, rejectUnknownKeys, validateChoice, validateCount, validateOptions } from '../util/validate';
import { pageSizeBytes } from '../system/usage';

/**
 * The calling thread's stack: stack pointer, bounds (stackLow..stackTop), size, guard
 * and bytes in use. Addresses are for display and comparison only.
 */
export type ThreadStack = NativeThreadStack;

/** The calling thread's stack bounds and stack pointer, now (pthread_getattr_np(3)). */
export function threadStack(): ThreadStack {
  return native.threadStack();
}

function requiredCount(opts: Record<string, unknown>, key: string, min: number, max?: number): number {
  if (opts[key] === undefined) throw invalidArgType(key, 'of type number', undefined);
  return validateCount(opts[key], key, min, max);
}

/** How each recursion level takes its stack: a variable-length local array, or alloca(3). */
export type StackVariant = 'frame' | 'alloca';
/** Every StackVariant. */
export const STACK_VARIANTS: readonly StackVariant[] = ['frame', 'alloca'];

/** Stack kept free below a stopping recursion (native/stack.cc kStopHeadroomBytes), in bytes. */
export const STACK_STOP_HEADROOM_BYTES = 64 * 1024;
/** Smallest and largest frame a recursion level may take, in bytes. */
export const STACK_FRAME_RANGE: { readonly minBytes: number; readonly maxBytes: number } = Object.freeze({ minBytes: LIMITS.minFrameBytes, maxBytes: LIMITS.maxFrameBytes });

/** Options of recurseStack(). */
export interface RecurseStackOptions {
  /** Stop once this many bytes below the stack top are in use (required). */
  depthBytes: number;
  /** Bytes each level takes besides its call overhead (default: the page size). */
  frameBytes?: number;
  /** 'frame' (default) or 'alloca'. */
  variant?: StackVariant;
}

/** What a recursion did, measured inside the native call. */
export interface RecurseStackResult {
  /** Recursion levels reached. */
  frames: number;
  /** Deepest stack in use (stack top minus the lowest frame), in bytes. */
  deepestBytes: number;
  /** Page faults taken by this thread during the recursion (RUSAGE_THREAD). */
  minorFaults: number;
  majorFaults: number;
  /** Wall time of the recursion, in ns. */
  elapsedNs: number;
}

/**
 * Recurses on the calling thread until `depthBytes` of its stack are in use, touching
 * every page of every frame, then returns. Throws ERR_OUT_OF_RANGE when that depth
 * would not fit this thread's stack with STACK_STOP_HEADROOM_BYTES to spare.
 */
export function recurseStack(options: RecurseStackOptions): RecurseStackResult {
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['depthBytes', 'frameBytes', 'variant']);
  const depthBytes = requiredCount(opts, 'depthBytes', 1);
  const frameBytes = optionalCount(opts['frameBytes'], 'frameBytes', pageSizeBytes(), STACK_FRAME_RANGE.minBytes, STACK_FRAME_RANGE.maxBytes);
  const variant = validateChoice(opts['variant'], 'variant', STACK_VARIANTS, 'frame');
  const stack = native.threadStack();
  const maxBytes = stack.stackSizeBytes - STACK_STOP_HEADROOM_BYTES - frameBytes;
  if (depthBytes > maxBytes) {
    throw outOfRange('depthBytes', `<= ${Math.max(0, maxBytes)} (this thread's ${stack.stackSizeBytes}-byte stack minus a frame and ${STACK_STOP_HEADROOM_BYTES} bytes of headroom)`, depthBytes);
  }
  const r = native.stackRecurse({ frameBytes, variant, stopAtDepthBytes: depthBytes });
  return { frames: r.frames, deepestBytes: r.deepestBytes, minorFaults: r.minorFaults, majorFaults: r.majorFaults, elapsedNs: r.elapsedNs };
}

/** How allocationCost() allocates: a stack frame (VLA), alloca(3), or malloc(3)+free(3). */
export type AllocationKind = 'frame' | 'alloca' | 'malloc';
/** Every AllocationKind. */
export const ALLOCATION_KINDS: readonly AllocationKind[] = ['frame', 'alloca', 'malloc'];

/** Options of allocationCost(). */
export interface AllocationCostOptions {
  kind: AllocationKind;
  /** Bytes per allocation; each allocation touches one byte per page and its last byte. */
  sizeBytes: number;
  /** Allocations to time (default 10,000). */
  iterations?: number;
}

/** Time of many allocate-touch-release cycles, measured inside one native call. */
export interface AllocationCost {
  kind: AllocationKind;
  sizeBytes: number;
  iterations: number;
  elapsedNs: number;
  /** elapsedNs / iterations. */
  nsPerOp: number;
  /** Page faults this thread took during the loop. */
  minorFaults: number;
}

/** Times `iterations` allocations of `sizeBytes` by `kind`, each touched and released. */
export function allocationCost(options: AllocationCostOptions): AllocationCost {
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['kind', 'sizeBytes', 'iterations']);
  const kind = validateChoice(opts['kind'], 'kind', ALLOCATION_KINDS);
  const sizeBytes = requiredCount(opts, 'sizeBytes', 1, STACK_FRAME_RANGE.maxBytes);
  const iterations = optionalCount(opts['iterations'], 'iterations', 10_000, 1);
  if (kind !== 'malloc') {
    const stack = native.threadStack();
    const room = stack.stackSizeBytes - stack.inUseBytes - STACK_STOP_HEADROOM_BYTES;
    if (sizeBytes > room) throw outOfRange('sizeBytes', `<= ${Math.max(0, room)} (the free stack of this thread minus headroom)`, sizeBytes);
  }
  const r = native.stackAllocCost({ kind, sizeBytes, iterations });
  return { kind, sizeBytes, iterations: r.iterations, elapsedNs: r.elapsedNs, nsPerOp: r.elapsedNs / r.iterations, minorFaults: r.minorFaults };
}
