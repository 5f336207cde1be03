/**
 * Judging the stack claims (stack.*, seg.stack-no-shrink) from
 * what the stack experiment measured. Pure functions of the measurements: every verdict
 * is reachable from some host's numbers (the tests feed synthetic measurements).
 */
import type { ClaimResult } from '../../report/claims';
import { formatBytes, formatCount, formatNs, formatRatio } from '../../util/format';
import type { CostRow, OverflowRun, StackMeasurements, StackSample } from './measurements';
import { spreadOf, type Spread } from '../spread';

/** The textbook's "usual" RLIMIT_STACK, from the claim itself: 8 MiB. */
export const CLAIMED_RLIMIT_BYTES = 8 * 1024 * 1024;
/** Heap/stack cost ratio from which stack allocation counts as "much" cheaper. */
export const MUCH_CHEAPER_RATIO = 10;

/** How close to RLIMIT_STACK a death must be to count as "at the limit": one frame plus one page. */
export function deathTolerance(frameBytes: number, pageSizeBytes: number): number {
  return frameBytes + pageSizeBytes;
}

/** True when the run died within the tolerance below its limit. */
export function diedAtLimit(run: Pick<OverflowRun, 'distanceToLimitBytes' | 'frameBytes'>, pageSizeBytes: number): boolean {
  const d = run.distanceToLimitBytes;
  return d !== null && d >= 0 && d <= deathTolerance(run.frameBytes, pageSizeBytes);
}

function address(hex: string): bigint {
  return BigInt(hex);
}

/** stack.grows-down: do deeper frames sit at lower addresses (main samples, and the worker)? */
export function judgeGrowsDown(m: StackMeasurements): ClaimResult {
  const id = 'stack.grows-down';
  const s = m.samples;
  const evidence: Record<string, unknown> = {
    samples: s.length,
    first: s[0] ? { depthFrames: s[0].depthFrames, stackPointer: s[0].stackPointer } : null,
    last: s.at(-1) ? { depthFrames: s.at(-1)?.depthFrames, stackPointer: s.at(-1)?.stackPointer } : null,
  };
  if (s.length < 2) return { id, verdict: 'not-applicable', summary: `only ${s.length} sample(s) of the recursion arrived: nothing to compare`, evidence };
  let down = 0;
  let up = 0;
  for (let i = 1; i < s.length; i++) {
    const prev = address((s[i - 1] as StackSample).stackPointer);
    const cur = address((s[i] as StackSample).stackPointer);
    if (cur < prev) down++;
    else if (cur > prev) up++;
  }
  evidence['downSteps'] = down;
  evidence['upSteps'] = up;
  const span = `from frame ${formatCount(s[0]?.depthFrames ?? 0)} at ${s[0]?.stackPointer} to frame ${formatCount(s.at(-1)?.depthFrames ?? 0)} at ${s.at(-1)?.stackPointer}`;
  if (up === 0 && down > 0) return { id, verdict: 'holds', summary: `${s.length} samples, every deeper frame at a lower address (${span})`, evidence };
  if (down === 0) return { id, verdict: 'refuted', summary: `${s.length} samples, deeper frames at higher addresses (${span})`, evidence };
  return { id, verdict: 'qualified', summary: `${s.length} samples: ${down} steps down, ${up} up (${span})`, evidence };
}

/** stack.grows-on-demand: VmStk grows with the depth, up to RLIMIT_STACK, where the growth stops. */
export function judgeGrowsOnDemand(m: StackMeasurements): ClaimResult {
  const id = 'stack.grows-on-demand';
  const g = m.growth;
  const s = m.samples.filter((x) => x.vmStkBytes !== null);
  const first = s[0];
  const last = s.at(-1);
  const evidence = {
    rlimitBytes: g.rlimitBytes,
    fate: g.fate,
    signal: g.signal,
    deathDepthBytes: g.deathDepthBytes,
    distanceToLimitBytes: g.distanceToLimitBytes,
    toleranceBytes: deathTolerance(g.frameBytes, m.pageSizeBytes),
    firstVmStkBytes: first?.vmStkBytes ?? null,
    lastVmStkBytes: last?.vmStkBytes ?? null,
    lastDepthBytes: last?.depthBytes ?? null,
    workerMappingBytes: m.threadStack.worker?.mappingSizeBytes ?? null,
    workerMappingAfterBytes: m.threadStack.workerMappingAfterBytes,
  };
  if (!first || !last || s.length < 2) {
    return { id, verdict: 'not-applicable', summary: `the growth run sent ${s.length} VmStk sample(s): nothing to compare (${g.problem ?? g.fate})`, evidence };
  }
  const grew = (last.vmStkBytes as number) > (first.vmStkBytes as number);
  const kept = s.every((x) => (x.vmStkBytes as number) + m.pageSizeBytes >= x.depthBytes);
  const curve = `VmStk ${formatBytes(first.vmStkBytes as number)} → ${formatBytes(last.vmStkBytes as number)} as the depth went ${formatBytes(first.depthBytes)} → ${formatBytes(last.depthBytes)}`;
  const thread = m.threadStack.worker && m.threadStack.workerMappingAfterBytes === m.threadStack.worker.mappingSizeBytes
    ? `; a worker thread's stack is a fixed ${formatBytes(m.threadStack.worker.mappingSizeBytes ?? 0)} mapping instead` : '';
  if (!grew || !kept) {
    return { id, verdict: 'refuted', summary: `${curve}: the [stack] mapping did not follow the frames`, evidence };
  }
  if (g.rlimitBytes === null) {
    return { id, verdict: 'qualified', summary: `${curve}; with RLIMIT_STACK unlimited it grew to the ${formatBytes(g.capBytes ?? 0)} cap without a fault${thread}`, evidence };
  }
  if (g.fate === 'signal' && diedAtLimit(g, m.pageSizeBytes)) {
    return { id, verdict: 'holds', summary: `${curve}; it stopped ${formatBytes(g.distanceToLimitBytes ?? 0)} short of RLIMIT_STACK ${formatBytes(g.rlimitBytes)} (${g.signal})${thread}`, evidence };
  }
  const where = g.deathDepthBytes === null ? `the run ended by ${g.fate}` : `growth stopped at ${formatBytes(g.deathDepthBytes)}, ${formatBytes(g.distanceToLimitBytes ?? 0)} from RLIMIT_STACK ${formatBytes(g.rlimitBytes)}`;
  return { id, verdict: 'qualified', summary: `${curve}, but ${where}${thread}`, evidence };
}

/** stack.rlimit-8m: the soft RLIMIT_STACK this process inherited. */
export function judgeRlimit8m(m: StackMeasurements): ClaimResult {
  const id = 'stack.rlimit-8m';
  const soft = m.inheritedSoftBytes;
  const evidence = { softBytes: soft, hardBytes: m.inheritedHardBytes, claimedBytes: CLAIMED_RLIMIT_BYTES };
  const hard = m.inheritedHardBytes === null ? 'unlimited' : formatBytes(m.inheritedHardBytes);
  if (soft === null) return { id, verdict: 'refuted', summary: `RLIMIT_STACK is unlimited here (hard ${hard}): no stack limit at all`, evidence };
  if (soft === CLAIMED_RLIMIT_BYTES) return { id, verdict: 'holds', summary: `RLIMIT_STACK is ${formatBytes(soft)} (${soft / 1024} KiB, hard ${hard})`, evidence };
  return { id, verdict: 'qualified', summary: `RLIMIT_STACK is ${formatBytes(soft)} (${soft / 1024} KiB, hard ${hard}) here: 8 MiB is a default, set by whoever started this process`, evidence };
}

/** stack.overflow-segv: every child that ran into its limit, and the signal it died of. */
export function judgeOverflowSegv(m: StackMeasurements): ClaimResult {
  const id = 'stack.overflow-segv';
  const runs: Array<{ rlimitBytes: number | null; signal: string | null; fate: string }> = [
    { rlimitBytes: m.growth.rlimitBytes, signal: m.growth.signal, fate: m.growth.fate },
    ...m.byLimit.filter((r) => r.skipped === null && r.rlimitBytes !== null).map((r) => ({ rlimitBytes: r.rlimitBytes, signal: r.signal, fate: r.fate ?? 'skipped' })),
  ].filter((r) => r.rlimitBytes !== null);
  const died = runs.filter((r) => r.fate === 'signal');
  const segv = died.filter((r) => r.signal === 'SIGSEGV');
  const signals = [...new Set(died.map((r) => r.signal))].join(', ');
  const handler = m.growth.segvHandlerInstalled;
  const evidence = { runs, threadOverflowSignal: m.threadStack.overflow.signal, segvHandlerInstalled: handler };
  if (runs.length === 0 || died.length === 0) {
    return { id, verdict: 'not-applicable', summary: `no run with a finite RLIMIT_STACK died (${runs.map((r) => r.fate).join(', ') || 'none ran'})`, evidence };
  }
  const thread = m.threadStack.overflow.signal ? `; a worker overflowing its stack killed the whole process with ${m.threadStack.overflow.signal}` : '';
  if (segv.length === runs.length) {
    return { id, verdict: 'holds', summary: `${segv.length} of ${runs.length} children died of SIGSEGV at their limit${thread}${handler === true ? '; node had a SIGSEGV handler installed (SigCgt) and still died of it: a handler cannot run on an exhausted stack unless it was given an alternate signal stack' : ''}`, evidence };
  }
  if (segv.length === 0) return { id, verdict: 'refuted', summary: `children that overran their limit died of ${signals}, not SIGSEGV${thread}`, evidence };
  return { id, verdict: 'qualified', summary: `${segv.length} of ${runs.length} children died of SIGSEGV; others: ${signals}${thread}`, evidence };
}

/**
 * How one size's stack and malloc timings compare, past their noise. A round can only
 * be slowed (preemption, another process on the core), never sped up, so each kind's
 * noise band is [fastest round, median round]: the stack is cheaper beyond the noise when
 * its median round beats malloc's fastest, costlier when malloc's median beats the
 * stack's fastest, and otherwise the two are within the noise of each other.
 */
export function compareCost(r: CostRow): { comparison: 'cheaper' | 'costlier' | 'within-noise'; stack: Spread; malloc: Spread; lowRatio: number } {
  const stack = spreadOf(r.stackNsSamples ?? [Math.min(r.frameNsPerOp, r.allocaNsPerOp)]);
  const malloc = spreadOf(r.mallocNsSamples ?? [r.mallocNsPerOp]);
  const comparison = stack.median < malloc.min ? 'cheaper' : malloc.median < stack.min ? 'costlier' : 'within-noise';
  return { comparison, stack, malloc, lowRatio: malloc.min / stack.median };
}

function costText(r: CostRow): string {
  const c = compareCost(r);
  const band = (s: Spread): string => (s.samples === 1 ? formatNs(s.min) : `${formatNs(s.min)}–${formatNs(s.median)}`);
  const verdict = c.comparison === 'within-noise' ? 'within the noise' : `×${formatRatio(r.heapToStackRatio)}`;
  return `${formatBytes(r.sizeBytes)}: stack ${band(c.stack)}, malloc ${band(c.malloc)} (${verdict})`;
}

/**
 * stack.faster-than-heap: the heap/stack cost at each size, judged past the spread of
 * the rounds measured in the same run (compareCost): holds when the stack is cheaper
 * beyond the noise by at least MUCH_CHEAPER_RATIO at every size, refuted when it is
 * cheaper beyond the noise at no size, qualified otherwise.
 */
export function judgeFasterThanHeap(m: StackMeasurements): ClaimResult {
  const id = 'stack.faster-than-heap';
  const rows = m.cost;
  const compared = rows.map((r) => ({ sizeBytes: r.sizeBytes, ...compareCost(r) }));
  const evidence = { rows, compared, muchCheaperRatio: MUCH_CHEAPER_RATIO };
  if (rows.length === 0) return { id, verdict: 'not-applicable', summary: 'the cost step did not run', evidence };
  const rounds = Math.max(...compared.map((c) => c.stack.samples));
  const text = `${rows.map(costText).join('; ')} (fastest–median of ${rounds} rounds each)`;
  const cheaper = compared.filter((c) => c.comparison === 'cheaper');
  if (cheaper.length === rows.length && cheaper.every((c) => c.lowRatio >= MUCH_CHEAPER_RATIO)) {
    return { id, verdict: 'holds', summary: `heap/stack ≥ ${MUCH_CHEAPER_RATIO} beyond the noise at every size: ${text}`, evidence };
  }
  if (cheaper.length === 0) return { id, verdict: 'refuted', summary: `the stack was cheaper beyond the noise at no size: ${text}`, evidence };
  const others = compared.filter((c) => c.comparison !== 'cheaper').map((c) => `${formatBytes(c.sizeBytes)} ${c.comparison === 'costlier' ? 'costlier' : 'the same within the noise'}`);
  const why = others.length > 0 ? `cheaper at ${cheaper.map((c) => formatBytes(c.sizeBytes)).join(', ')}, but ${others.join(', ')} (touching the memory costs the same on both)` : `cheaper at every size, but not ${MUCH_CHEAPER_RATIO}× beyond the noise at all`;
  return { id, verdict: 'qualified', summary: `${why}: ${text}`, evidence };
}

/** seg.stack-no-shrink: after a deep recursion returned, VmStk, the mapping and its RSS. */
export function judgeStackNoShrink(m: StackMeasurements): ClaimResult {
  const id = 'seg.stack-no-shrink';
  const n = m.noShrink;
  if (n === null) return { id, verdict: 'not-applicable', summary: 'the no-shrink step did not run', evidence: {} };
  const evidence = { ...n };
  const { before, after } = n;
  if (after.vmStkBytes === null || after.mappingSizeBytes === null) {
    return { id, verdict: 'not-applicable', summary: 'VmStk or the [stack] mapping could not be read', evidence };
  }
  const slack = m.pageSizeBytes;
  const stayed = after.vmStkBytes + slack >= n.depthBytes && after.mappingSizeBytes + slack >= n.depthBytes;
  const text = `after recursing to ${formatBytes(n.depthBytes)} and returning: VmStk ${formatBytes(before.vmStkBytes ?? 0)} → ${formatBytes(after.vmStkBytes)}, ` +
    `[stack] ${formatBytes(before.mappingSizeBytes ?? 0)} → ${formatBytes(after.mappingSizeBytes)}, its RSS ${formatBytes(before.rssBytes ?? 0)} → ${formatBytes(after.rssBytes ?? 0)}`;
  if (!stayed) return { id, verdict: 'refuted', summary: `${text}: the mapping shrank`, evidence };
  if (after.rssBytes !== null && after.rssBytes + slack < n.depthBytes) {
    return { id, verdict: 'qualified', summary: `${text}: the mapping stayed, but its pages were reclaimed`, evidence };
  }
  return { id, verdict: 'holds', summary: `${text}: mapping and pages stay at their peak`, evidence };
}

/** All verdicts of the stack experiment, in CLAIMS.md order. */
export function judgeStack(m: StackMeasurements): ClaimResult[] {
  return [judgeStackNoShrink(m), judgeGrowsDown(m), judgeGrowsOnDemand(m), judgeRlimit8m(m), judgeOverflowSegv(m), judgeFasterThanHeap(m)];
}
