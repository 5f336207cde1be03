/** Terminal text for the stack experiment's measurements. */
import type { StackMeasurements, StackLayout, ThreadStackInfo } from '../experiments/stack/measurements';
import { formatBytes, formatCount, formatNs, formatRatio } from '../util/format';
import { renderChart } from './chart';
import { renderTable } from './table';
import type { Style } from './style';
import { stackJsLimitLines } from './stack-js-limit';

function limitText(bytes: number | null): string {
  return bytes === null ? 'unlimited' : `${formatBytes(bytes)} (${formatCount(bytes / 1024)} KiB)`;
}

function orDash(v: number | null, f: (n: number) => string = formatBytes): string {
  return v === null ? '–' : f(v);
}

function gapText(layout: StackLayout | null): string {
  return layout === null ? '–' : orDash(layout.gapBelowStackBytes);
}

function threadRow(label: string, t: ThreadStackInfo | null): string[] {
  if (t === null) return [label, '–', '–', '–', '–', '–'];
  return [label, t.mappingStart ?? '–', t.mappingPath ?? '(anonymous)', orDash(t.mappingSizeBytes), orDash(t.guardMappingBytes), formatBytes(t.inUseBytes)];
}

/** Renders the seven steps of the stack experiment. */
export function renderStack(m: StackMeasurements, style: Style): string {
  const g = m.growth;
  const out: string[] = [];
  out.push(style.bold(`1. Growth to the limit: RLIMIT_STACK ${limitText(g.rlimitBytes)}${g.inherited ? ', inherited' : ''}; frames of ${formatBytes(m.frameBytes)} (${m.variant}); limits set by ${m.limitWrapper}`));
  const fate = g.fate === 'signal' && g.deathDepthBytes === null
    ? g.problem ?? `the child died of ${g.signal ?? '?'} before the recursion reported any depth`
    : g.fate === 'signal'
    ? `the child died of ${g.signal ?? '?'} at ${formatBytes(g.deathDepthBytes ?? 0)} of stack (${formatCount(g.deathDepthFrames ?? 0)} frames), ${formatBytes(g.distanceToLimitBytes ?? 0)} short of the limit`
    : g.fate === 'capped' ? `no fault: the child grew its stack to the ${formatBytes(g.capBytes ?? 0)} cap (${formatBytes(g.reachedBytes ?? 0)}) and stopped there`
      : `the child ended by ${g.fate}${g.reachedBytes !== null ? ` after reaching ${formatBytes(g.reachedBytes)}` : ''}${g.problem !== null ? `: ${g.problem}` : ''}`;
  out.push(`  ${fate} (${formatCount(g.elapsedMs)} ms).`);
  out.push(renderChart([
    { mark: '·', label: 'stack in use', points: m.samples.map((s) => ({ x: s.depthBytes, y: s.depthBytes })) },
    { mark: 'R', label: '[stack] RSS (mincore)', points: m.samples.filter((s) => s.stackRssBytes !== null).map((s) => ({ x: s.depthBytes, y: s.stackRssBytes as number })) },
    { mark: 'V', label: 'VmStk', points: m.samples.filter((s) => s.vmStkBytes !== null).map((s) => ({ x: s.depthBytes, y: s.vmStkBytes as number })) },
  ], { width: 56, height: 10, format: formatBytes, xLabel: 'depth' }));
  out.push(style.dim(`  ${formatCount(m.samples.length)} samples; VmStk stays at the stack's earlier peak (the JS recursion of step 6) until the native frames pass it.`));
  const first = m.samples[0];
  const last = m.samples.at(-1);
  out.push('');
  out.push(style.bold('2. Grows down'));
  out.push(first && last
    ? `  frame ${formatCount(first.depthFrames)} at ${first.stackPointer}, frame ${formatCount(last.depthFrames)} at ${last.stackPointer}: ${BigInt(last.stackPointer) < BigInt(first.stackPointer) ? 'deeper is lower' : 'deeper is NOT lower'}.`
    : '  no samples arrived.');
  out.push('');
  out.push(style.bold('3. No shrink: a deep recursion that returned'));
  const n = m.noShrink;
  if (n === null) out.push('  not measured.');
  else {
    out.push(renderTable(['moment', 'VmStk', '[stack] size', '[stack] RSS'], [
      ['before', orDash(n.before.vmStkBytes), orDash(n.before.mappingSizeBytes), orDash(n.before.rssBytes)],
      [`after ${formatBytes(n.depthBytes)} and back`, orDash(n.after.vmStkBytes), orDash(n.after.mappingSizeBytes), orDash(n.after.rssBytes)],
    ]));
  }
  out.push('');
  out.push(style.bold('4. By limit: one child per RLIMIT_STACK'));
  out.push(renderTable(['limit', 'fate', 'depth reached', 'short of limit', 'stack top', 'gap below stack', 'libc at'], m.byLimit.map((r) => [
    limitText(r.rlimitBytes),
    r.skipped !== null ? `skipped: ${r.skipped}` : r.fate === 'signal' ? (r.signal ?? '?') : r.fate ?? '–',
    orDash(r.deathDepthBytes ?? r.reachedBytes), orDash(r.distanceToLimitBytes), r.layout?.stackTop ?? '–', gapText(r.layout), r.layout?.libcStart ?? '–',
  ])));
  out.push(style.dim('  gap below stack: free address space between the [stack] mapping and the next mapping down, where the stack may grow.'));
  out.push('');
  const t = m.threadStack;
  out.push(style.bold(`5. Thread stacks: a worker with resourceLimits.stackSizeMb = ${t.stackSizeMb}, in a child with RLIMIT_STACK ${limitText(t.childRlimitBytes)}`));
  out.push(renderTable(['thread', 'mapping', 'label', 'size', 'guard below', 'in use'], [threadRow('main', t.main), threadRow('worker', t.worker)]));
  out.push(`  after the worker recursed to ${orDash(t.workerDepthBytes)}, its mapping was ${orDash(t.workerMappingAfterBytes)}; ` +
    `a worker recursing without end: ${t.overflow.fate === 'signal' ? `the whole process died of ${t.overflow.signal ?? '?'}` : `ended by ${t.overflow.fate}`} at ${orDash(t.overflow.deathDepthBytes)} of its ${orDash(t.overflow.stackSizeBytes)} stack.`);
  out.push('');
  out.push(style.bold('6. Why JS stops first'));
  out.push(...stackJsLimitLines(m));
  out.push('');
  out.push(style.bold('7. Stack vs heap: allocate, touch, release'));
  out.push(renderTable(['size', 'frame (VLA)', 'alloca', 'malloc+free', 'heap/stack'], m.cost.map((c) => [
    formatBytes(c.sizeBytes), formatNs(c.frameNsPerOp), formatNs(c.allocaNsPerOp), formatNs(c.mallocNsPerOp), `×${formatRatio(c.heapToStackRatio)}`,
  ])));
  if (m.problems.length > 0) {
    out.push('');
    out.push(style.bold('Problems'));
    for (const p of m.problems) out.push(`  ${p}`);
  }
  return out.join('\n');
}
