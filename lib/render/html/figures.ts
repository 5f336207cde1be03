/**
 * The page's charts, keyed by experiment name: each experiment that ran and has an
 * entry here gets its figures; one that did not run gets none (no error). A new
 * experiment plugs in by adding its entry (malloc's is here already: its chart draws
 * from `measurements.sweep` and `measurements.crossoverBytes` once it is registered).
 */
import { renderAllocatorsBarsSvg } from '../svg/allocators-bars';
import type { ReportResult } from '../../report/result';
import { isKnownResult, type ExperimentName, type MeasurementsOf, type ResultOf } from '../../experiments/names';
import { formatBytes } from '../../util/format';
import { renderLayoutSvg } from '../layout-svg';
import { renderClassicLayoutSvg } from '../svg/layout-classic';
import { renderLazyCurveSvg } from '../svg/lazy-curve';
import { renderStackCurveSvg } from '../svg/stack-curve';
import { hasMallocSweep, renderMallocSweepSvg } from '../svg/malloc-sweep';

/** One chart of the page. */
export interface Figure {
  /** Stable id (the page's `data-chart` attribute). */
  id: string;
  experiment: string;
  title: string;
  /** The <svg> element; empty when the chart could not be drawn (caption says why). */
  svg: string;
  caption: string;
}

type FigureDrawing = Omit<Figure, 'experiment'>;

/** Each experiment's charts, by name, in the order the page shows them. */
const FIGURES: { readonly [K in ExperimentName]: (m: MeasurementsOf[K]) => FigureDrawing[] } = {
  layout: (m) => [{
    id: 'address-space',
    title: `Address space of process ${m.target.pid}`,
    svg: `<div class="layout-pair"><div class="scroll">${renderClassicLayoutSvg()}</div><div class="scroll">${renderLayoutSvg(m)}</div></div>`,
    caption: `Left, the classic 32-bit layout the textbooks draw (not measured, not to scale); right, the ${m.regions.length} regions of ` +
      `/proc/${m.target.self ? 'self' : m.target.pid}/maps in the same vertical order, high addresses on top, heights and gaps on a log scale. ` +
      `What changed on 64-bit: the kernel half sits above ${m.addressSpace.userLimit ?? 'the user limit'} instead of 0xc0000000, ${m.addressSpace.executableType === 'DYN' ? `the position-independent program (and its heap above it) loads at ${m.addressSpace.executableBase ?? '?'}, far from the bottom` : `the program loads at ${m.addressSpace.executableBase ?? '?'} (${m.addressSpace.executableType ?? '?'})`}, ` +
      `and large PROT_NONE reservations take address space without memory. ◀ marks where vmprobe's probes live. ` +
      `Free below the stack ${m.stackGapBytes === null ? '–' : formatBytes(m.stackGapBytes)}, above the heap ${m.heapGapBytes === null ? '–' : formatBytes(m.heapGapBytes)}.`,
  }],
  lazy: (m) => [{ id: 'lazy-curve', title: 'Lazy allocation: faults, zero pages and memory vs pages touched', ...renderLazyCurveSvg(m) }],
  malloc: (m) => (hasMallocSweep(m) ? [{ id: 'malloc-sweep', title: 'malloc: request size → source', ...renderMallocSweepSvg(m) }] : []),
  allocators: (m) => (m.cells.some((c) => c.retainedBytes !== null) ? [{ id: 'allocators-retained', title: 'Allocators: RSS retained after freeing, per workload', ...renderAllocatorsBarsSvg(m) }] : []),
  stack: (m) => [{ id: 'stack-curve', title: 'Stack: depth vs VmStk, up to RLIMIT_STACK', ...renderStackCurveSvg(m) }],
};

/** The order the page shows charts in: FIGURES' order; experiments this build does not know follow in report order. */
const FIGURE_ORDER: readonly string[] = Object.keys(FIGURES);

function drawKnown<K extends ExperimentName>(result: ResultOf<K>): FigureDrawing[] {
  const draw: (m: MeasurementsOf[K]) => FigureDrawing[] = FIGURES[result.experiment];
  return draw(result.measurements);
}

/** Every figure of the experiments that ran. A chart that throws becomes a figure without SVG whose caption says why. */
export function reportFigures(report: ReportResult): Figure[] {
  const rank = (name: string): number => (FIGURE_ORDER.includes(name) ? FIGURE_ORDER.indexOf(name) : FIGURE_ORDER.length);
  const experiments = [...report.experiments].sort((a, b) => rank(a.experiment) - rank(b.experiment));
  return experiments.flatMap((e) => {
    if (!isKnownResult(e)) return [];
    try {
      return drawKnown(e).map((f) => ({ ...f, experiment: e.experiment }));
    } catch (err) {
      return [{ id: `${e.experiment}-error`, experiment: e.experiment, title: `${e.experiment}: chart`, svg: '', caption: `The chart could not be drawn from this result: ${err instanceof Error ? err.message : String(err)}` }];
    }
  });
}
