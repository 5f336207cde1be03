/**
 * Everything the stack experiment measured: `measurements` in its JSON result.
 * Addresses are hex strings; an unlimited RLIMIT_STACK is null.
 */

/** One full sample the recursion wrote on its way down (native/stack.cc). */
export interface StackSample {
  /** Recursion level. */
  depthFrames: number;
  /** Stack in use: the stack top minus this frame's lowest byte, in bytes. */
  depthBytes: number;
  /** Lowest byte of this frame (hex). */
  stackPointer: string;
  /** VmStk of /proc/self/status at that moment, in bytes (null if unreadable). */
  vmStkBytes: number | null;
  /** Start of the [stack] mapping then (hex), null if not found. */
  stackMapStart: string | null;
  /** Size of the [stack] mapping then, in bytes. */
  stackMapSizeBytes: number | null;
  /** Resident bytes of the [stack] mapping then (mincore), null if unknown. */
  stackRssBytes: number | null;
}

/** Where the stack sat in a child's address space before it recursed. */
export interface StackLayout {
  /** One past the highest stack byte (hex). */
  stackTop: string;
  /** Stack in use when the task started, in bytes. */
  inUseBytes: number;
  /** The [stack] mapping (hex bounds), null when maps has none. */
  stackMapStart: string | null;
  stackMapEnd: string | null;
  /** The highest mapping below the stack: its end (hex) and path. */
  belowStackEnd: string | null;
  belowStackPath: string | null;
  /** Free address space between that mapping and the [stack] mapping, in bytes. */
  gapBelowStackBytes: number | null;
  /** Free address space left below the lowest address RLIMIT_STACK allows, in bytes (null when unlimited). */
  gapBelowLimitBytes: number | null;
  /** Where libc is mapped (hex), to show the mmap area's position. */
  libcStart: string | null;
}

/** How a child ended. */
export type RunFate = 'signal' | 'capped' | 'timeout' | 'exit';

/** The JS recursion depth V8 allows before its RangeError, in the same child. */
export interface JsDepth {
  /** True when JS stopped with a RangeError; false when the process died first. */
  rangeError: boolean;
  /** JS frames reached. */
  frames: number;
  /** Stack in use at the deepest JS frame, in bytes (null when the process died first). */
  depthBytes: number | null;
  /** The signal that killed the child during JS recursion, if one did. */
  signal: string | null;
  /** The node flags the child ran with (a --stack-size there changes V8's limit). */
  execArgv: string[];
}

/** How one child's JS recursion ended. */
export interface V8StackSizeRun {
  /** --stack-size the child got, in KiB (V8's unit). */
  stackSizeKiB: number;
  /** 'range-error': V8 threw RangeError; 'signal': the kernel killed the process first; 'timeout' / 'exit': neither (see problem). */
  outcome: 'range-error' | 'signal' | 'timeout' | 'exit';
  signal: string | null;
  /** JS frames reached: at the RangeError, or the deepest reported before death. */
  frames: number | null;
  /** Stack in use at that depth, bytes. */
  depthBytes: number | null;
  /** The node flags the child ran with (its process.execArgv). */
  execArgv: string[];
  problem: string | null;
}

/** Step 6b (v8-stack-size.ts): V8's --stack-size against RLIMIT_STACK, two children under one limit (nodejs/node#33090). */
export interface V8StackSizeStep {
  /** Soft RLIMIT_STACK of both children, bytes. */
  rlimitBytes: number;
  /** --stack-size well under the limit (a quarter of it). */
  under: V8StackSizeRun;
  /** --stack-size above the limit (twice it). */
  over: V8StackSizeRun;
}

/** One child that recursed until the kernel refused to grow its stack (or a cap). */
export interface OverflowRun {
  /** True when the child inherited RLIMIT_STACK from this process (no --limit). */
  inherited: boolean;
  /** Soft RLIMIT_STACK the child ran with, in bytes (null: unlimited). */
  rlimitBytes: number | null;
  frameBytes: number;
  variant: 'frame' | 'alloca';
  fate: RunFate;
  signal: string | null;
  exitCode: number | null;
  /** Deepest stack in use the child reported before it died, in bytes (null if it did not die). */
  deathDepthBytes: number | null;
  deathDepthFrames: number | null;
  /** rlimitBytes - deathDepthBytes (null if either is). */
  distanceToLimitBytes: number | null;
  /** Deepest stack in use reported at all (also when capped), in bytes. */
  reachedBytes: number | null;
  /** Where an unlimited run was told to stop, in bytes. */
  capBytes: number | null;
  layout: StackLayout | null;
  /** Whether the child had a SIGSEGV handler installed (null: unknown). */
  segvHandlerInstalled: boolean | null;
  js: JsDepth | null;
  elapsedMs: number;
  /** Wall time of the native recursion when it returned at the cap, in ns (null when it died). */
  recursionNs: number | null;
  /** Why the run could not tell more (child error, stderr tail), or null. */
  problem: string | null;
}

/** Step 4: one row per limit. */
export interface ByLimitRow {
  /** The limit asked for, in bytes (null: unlimited). */
  rlimitBytes: number | null;
  /** Why this limit was not run (hard limit too low), or null. */
  skipped: string | null;
  deathDepthBytes: number | null;
  signal: string | null;
  fate: RunFate | null;
  distanceToLimitBytes: number | null;
  reachedBytes: number | null;
  layout: StackLayout | null;
}

/** Step 3: the stack before, at and after a deep recursion that returned. */
export interface NoShrinkStep {
  depthBytes: number;
  before: StackSnapshot;
  after: StackSnapshot;
  /** Page faults the recursion took (RUSAGE_THREAD). */
  minorFaults: number;
}
/** VmStk and the [stack] mapping's smaps numbers at one moment. */
export interface StackSnapshot {
  vmStkBytes: number | null;
  mappingSizeBytes: number | null;
  rssBytes: number | null;
}

/** A thread's stack as seen from inside it, with its mapping in /proc/self/maps. */
export interface ThreadStackInfo {
  mainThread: boolean;
  stackLow: string;
  stackTop: string;
  stackSizeBytes: number;
  guardSizeBytes: number;
  inUseBytes: number;
  /** The mapping that holds the stack pointer: bounds (hex), size, label. */
  mappingStart: string | null;
  mappingEnd: string | null;
  mappingSizeBytes: number | null;
  mappingPath: string | null;
  /** A no-access mapping right below it (the guard), its size in bytes. */
  guardMappingBytes: number | null;
}

/** Step 5: a worker thread's stack. */
export interface ThreadStackStep {
  /** resourceLimits.stackSizeMb the worker got. */
  stackSizeMb: number;
  /** RLIMIT_STACK of the child running the worker, in bytes (null: unlimited). */
  childRlimitBytes: number | null;
  main: ThreadStackInfo | null;
  worker: ThreadStackInfo | null;
  /** The worker's mapping size after recursing to workerDepthBytes (same: not grown on demand). */
  workerMappingAfterBytes: number | null;
  workerDepthBytes: number | null;
  /** The [heap] end and [stack] start (hex), to place the worker's stack. */
  heapEnd: string | null;
  mainStackMapStart: string | null;
  /** A worker that recursed without end, in its own child. */
  overflow: { fate: RunFate; signal: string | null; deathDepthBytes: number | null; stackSizeBytes: number | null };
  problem: string | null;
}

/** Step 7: one allocation size. */
export interface CostRow {
  sizeBytes: number;
  frameNsPerOp: number;
  allocaNsPerOp: number;
  mallocNsPerOp: number;
  /** mallocNsPerOp / the cheaper stack method. */
  heapToStackRatio: number;
  iterations: number;
  /** ns per op of each round for the cheaper stack method (min of frame and alloca in that round); absent in older results. */
  stackNsSamples?: number[];
  /** ns per op of each round for malloc+free; absent in older results. */
  mallocNsSamples?: number[];
}

/** The stack experiment's measurements. */
export interface StackMeasurements {
  pageSizeBytes: number;
  frameBytes: number;
  variant: 'frame' | 'alloca';
  /** How children got their limit: 'prlimit' (util-linux) or 'sh' (ulimit, KiB granularity). */
  limitWrapper: 'prlimit' | 'sh';
  /** RLIMIT_STACK this process had (null: unlimited). */
  inheritedSoftBytes: number | null;
  inheritedHardBytes: number | null;
  /** Step 1: the growth run's limit, fate, depth at death and samples. */
  rlimitBytes: number | null;
  signal: string | null;
  deathDepthBytes: number | null;
  samples: StackSample[];
  growth: OverflowRun;
  noShrink: NoShrinkStep | null;
  byLimit: ByLimitRow[];
  threadStack: ThreadStackStep;
  jsDepth: JsDepth | null;
  /** Step 6b: RangeError or SIGSEGV with --stack-size under and above RLIMIT_STACK (null: the hard limit is below 1 MiB). */
  v8StackSize: V8StackSizeStep | null;
  cost: CostRow[];
  /** What went wrong in any child (a run that hung, failed or died early), in words. */
  problems: string[];
}
