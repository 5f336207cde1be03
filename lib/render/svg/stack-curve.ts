/**
 * The stack chart: the growth run's samples, stack depth in use against VmStk and the
 * [stack] mapping's RSS, with RLIMIT_STACK and the point where the child died marked.
 */
import { paint } from './palette';
import type { StackMeasurements } from '../../experiments/stack/measurements';
import { formatBytes } from '../../util/format';
import { lineChart, type LineSeries, type Marker, type Rule } from './line-chart';
import { byteUnitFor } from './scale';

/** The chart as an <svg> element, and a caption with the key numbers. */
export function renderStackCurveSvg(m: StackMeasurements): { svg: string; caption: string } {
  const samples = m.samples;
  const maxDepth = Math.max(m.rlimitBytes ?? 0, m.deathDepthBytes ?? 0, ...samples.map((s) => s.depthBytes), 1);
  const maxY = Math.max(maxDepth, ...samples.map((s) => Math.max(s.vmStkBytes ?? 0, s.stackRssBytes ?? 0)));
  const unit = byteUnitFor(maxDepth);
  const u = (bytes: number): number => bytes / unit.bytes;
  const series: LineSeries[] = [
    { name: 'VmStk', color: paint('blue'), points: samples.filter((s) => s.vmStkBytes !== null).map((s) => [u(s.depthBytes), u(s.vmStkBytes as number)]), halo: true },
    { name: '[stack] RSS (mincore)', color: paint('green'), points: samples.filter((s) => s.stackRssBytes !== null).map((s) => [u(s.depthBytes), u(s.stackRssBytes as number)]), dots: true },
    { name: 'stack in use', color: paint('silver'), points: [[0, 0], [u(maxDepth), u(maxDepth)]], dashed: true },
  ];
  const rules: Rule[] = m.rlimitBytes === null ? [] : [
    { axis: 'x', value: u(m.rlimitBytes), label: `RLIMIT_STACK ${formatBytes(m.rlimitBytes)}`, color: paint('red'), labelAt: 'bottom' },
  ];
  const last = samples[samples.length - 1];
  const markers: Marker[] = m.deathDepthBytes !== null && m.signal !== null
    ? [{ x: u(m.deathDepthBytes), y: u(last?.vmStkBytes ?? m.deathDepthBytes), label: `${m.signal} at ${formatBytes(m.deathDepthBytes)}`, color: paint('red') }]
    : [];
  const svg = lineChart({
    title: 'Stack growth to RLIMIT_STACK',
    x: { title: `stack depth in use (${unit.name})`, max: u(maxDepth) },
    y: { title: `size (${unit.name})`, max: u(maxY) },
    series,
    rules,
    markers,
  });
  const caption = `${samples.length} samples of a child recursing in ${formatBytes(m.frameBytes)} frames under RLIMIT_STACK ${m.rlimitBytes === null ? 'unlimited' : formatBytes(m.rlimitBytes)}; ` +
    (m.deathDepthBytes !== null ? `it died of ${m.signal ?? 'a signal'} at ${formatBytes(m.deathDepthBytes)} of stack.` : 'it did not die.');
  return { svg, caption };
}
