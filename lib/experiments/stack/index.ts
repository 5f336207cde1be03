/**
 * The stack experiment (`vmprobe stack`): the main stack grows on demand, page by
 * page, until RLIMIT_STACK and then the process dies; it never shrinks back; a worker's
 * stack is a fixed mapping; JS stops far earlier, at V8's own limit; and stack
 * allocation is cheaper than malloc. Everything that can overflow runs in a child
 * process started under the limit it needs (wrapper.ts); this process only reads.
 */
import { readHostInfo } from '../../system/host';
import { SCHEMA_VERSION, type ExperimentResult } from '../../report/result';
import { getrlimit, pageSizeBytes } from '../../system/usage';
import { invalidArgType } from '../../util/errors';
import { optionalCount, rejectUnknownKeys, validateChoice, validateOptions } from '../../util/validate';
import { STACK_FRAME_RANGE, STACK_VARIANTS, type StackVariant } from '../../stack/probes';
import { runOverflow, runSteady, runThreadStep, type OverflowPlan } from './runs';
import { limitWrapperKind } from './wrapper';
import { runV8StackSizeStep } from './v8-stack-size';
import { judgeStack } from './verdicts';
import type { ByLimitRow, StackMeasurements } from './measurements';

export type { StackMeasurements } from './measurements';

const MiB = 1024 * 1024;
/** Step 4's limits, in bytes (Infinity: unlimited). */
export const STACK_BY_LIMIT_BYTES: readonly number[] = [1 * MiB, 2 * MiB, 4 * MiB, 8 * MiB, 16 * MiB, 64 * MiB, Infinity];
/** Children of step 4 run at once. */
const BY_LIMIT_CONCURRENCY = 2;
/** Samples the growth run aims for over the whole limit. */
const GROWTH_SAMPLES = 64;

/** Options of the stack experiment. */
export interface StackOptions {
  /** RLIMIT_STACK of the growth run, bytes; Infinity: unlimited (default: inherit this process's). */
  limitBytes?: number;
  /** Bytes each recursion level takes (default: the page size). */
  frameBytes?: number;
  /** 'frame' (a variable-length local array, default) or 'alloca'. */
  variant?: StackVariant;
  /** Step 4's limits (default STACK_BY_LIMIT_BYTES); Infinity: unlimited. */
  byLimitBytes?: number[];
  /** Where runs with an unlimited stack stop, bytes (default: twice the largest finite limit). */
  unlimitedCapBytes?: number;
  /** A worker's resourceLimits.stackSizeMb in step 5 (default 4). */
  threadStackSizeMb?: number;
  /** Kill a child after this long, ms (default 20,000). */
  timeoutMs?: number;
  /** Called with each step's name as it starts. */
  onStep?: (name: string) => void;
}

/** The stack experiment's JSON result. */
export type StackResult = ExperimentResult<StackMeasurements, 'stack'>;

function validateLimit(value: unknown, name: string): number {
  if (value === Infinity) return value;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number (Infinity for unlimited)', value);
  return optionalCount(value, name, 0, pageSizeBytes());
}

/** fn over items, at most `concurrency` at a time; results in input order. */
async function mapWithConcurrency<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

function finiteOrNull(bytes: number): number | null {
  return Number.isFinite(bytes) ? bytes : null;
}

/** Runs the stack experiment and judges its claims. The parent survives every child's fate. */
export async function runStack(options: StackOptions = {}): Promise<StackResult> {
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['limitBytes', 'frameBytes', 'variant', 'byLimitBytes', 'unlimitedCapBytes', 'threadStackSizeMb', 'timeoutMs', 'onStep']);
  const page = pageSizeBytes();
  const limitBytes = opts['limitBytes'] === undefined ? undefined : validateLimit(opts['limitBytes'], 'limitBytes');
  const frameBytes = optionalCount(opts['frameBytes'], 'frameBytes', page, STACK_FRAME_RANGE.minBytes, STACK_FRAME_RANGE.maxBytes);
  const variant = validateChoice(opts['variant'], 'variant', STACK_VARIANTS, 'frame');
  const byLimitIn = opts['byLimitBytes'] === undefined ? STACK_BY_LIMIT_BYTES : opts['byLimitBytes'];
  if (!Array.isArray(byLimitIn)) throw invalidArgType('byLimitBytes', 'an array of numbers', byLimitIn);
  const byLimit = byLimitIn.map((v: unknown, i) => validateLimit(v, `byLimitBytes[${i}]`));
  const largestFinite = Math.max(page, ...byLimit.filter(Number.isFinite), ...(limitBytes !== undefined && Number.isFinite(limitBytes) ? [limitBytes] : []));
  const capBytes = optionalCount(opts['unlimitedCapBytes'], 'unlimitedCapBytes', 2 * largestFinite, page);
  const threadStackSizeMb = optionalCount(opts['threadStackSizeMb'], 'threadStackSizeMb', 4, 1, 1024);
  const timeoutMs = optionalCount(opts['timeoutMs'], 'timeoutMs', 20_000, 1);
  const onStep = typeof opts['onStep'] === 'function' ? (opts['onStep'] as (name: string) => void) : () => {};
  const host = readHostInfo();
  const inherited = getrlimit('stack');
  const wrapper = limitWrapperKind();
  const plan = (limit: number | undefined, samples: number, js: boolean): OverflowPlan => {
    const effective = limit === undefined ? inherited.soft : limit;
    const expectedFrames = Number.isFinite(effective) ? effective / frameBytes : capBytes / frameBytes;
    return {
      limitBytes: limit, expectedRlimitBytes: finiteOrNull(effective), frameBytes, variant, js, timeoutMs, wrapper, pageSizeBytes: page,
      sampleEveryFrames: samples === 0 ? 0 : Math.max(1, Math.floor(expectedFrames / samples)),
      capBytes: Number.isFinite(effective) ? null : capBytes,
    };
  };

  onStep('growth to the limit');
  let growth = await runOverflow(plan(limitBytes, GROWTH_SAMPLES, true));
  if (growth.run.js !== null && !growth.run.js.rangeError) {
    // JS overran the real stack before V8's limit: keep that finding, measure native growth again without JS.
    const js = growth.run.js;
    growth = await runOverflow(plan(limitBytes, GROWTH_SAMPLES, false));
    growth.run.js = js;
  }

  onStep('no shrink, stack vs heap cost');
  const steady = await runSteady({
    depthBytes: 4 * MiB, frameBytes, variant, costSizes: [64, page, 16 * page, 64 * page], costIterations: 20_000, costRounds: 7,
  }, limitBytes, wrapper, timeoutMs);

  onStep('V8 --stack-size against RLIMIT_STACK');
  const v8StackSize = await runV8StackSizeStep(inherited.hard, wrapper, timeoutMs);

  onStep('by limit, thread stacks');
  // These children only count depths and read layouts: two at a time (the timed steps ran alone above).
  const byLimitRuns = mapWithConcurrency(byLimit, BY_LIMIT_CONCURRENCY, async (limit): Promise<ByLimitRow> => {
    if (limit > inherited.hard) {
      return { rlimitBytes: finiteOrNull(limit), skipped: `above the hard limit (${inherited.hard} bytes); raising it needs CAP_SYS_RESOURCE`, deathDepthBytes: null, signal: null, fate: null, distanceToLimitBytes: null, reachedBytes: null, layout: null };
    }
    const { run } = await runOverflow(plan(limit, 0, false));
    return { rlimitBytes: finiteOrNull(limit), skipped: null, deathDepthBytes: run.deathDepthBytes, signal: run.signal, fate: run.fate, distanceToLimitBytes: run.distanceToLimitBytes, reachedBytes: run.reachedBytes, layout: run.layout };
  });
  // The child's own RLIMIT_STACK is set below the worker's stack size, to show it does not bind the worker.
  const threadChildLimit = Math.min(inherited.hard, Math.max(MiB, (threadStackSizeMb * MiB) / 2));
  const [rows, threadStack] = await Promise.all([
    byLimitRuns,
    runThreadStep({ stackSizeMb: threadStackSizeMb, depthFraction: 0.75, frameBytes }, threadChildLimit, wrapper, timeoutMs),
  ]);

  const measurements: StackMeasurements = {
    pageSizeBytes: page,
    frameBytes,
    variant,
    limitWrapper: wrapper,
    inheritedSoftBytes: finiteOrNull(inherited.soft),
    inheritedHardBytes: finiteOrNull(inherited.hard),
    rlimitBytes: growth.run.rlimitBytes,
    signal: growth.run.signal,
    deathDepthBytes: growth.run.deathDepthBytes,
    samples: growth.samples,
    growth: growth.run,
    noShrink: steady.noShrink,
    byLimit: rows,
    threadStack,
    jsDepth: growth.run.js,
    v8StackSize,
    cost: steady.cost,
    problems: [growth.run.problem, steady.problem, threadStack.problem, v8StackSize?.under.problem ?? null, v8StackSize?.over.problem ?? null]
      .filter((p): p is string => p !== null),
  };
  return { schema: SCHEMA_VERSION, experiment: 'stack', host, claims: judgeStack(measurements), measurements };
}
