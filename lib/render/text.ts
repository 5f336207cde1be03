/** Terminal text for any experiment result or the whole report. */
import type { ExperimentResult, ReportResult } from '../report/result';
import { renderHost } from './host';
import { renderClaims, renderReportClaims, renderTally } from './claims';
import { judgedClaims, reportGroups, unmeasured } from './report-claims';
import { renderLazy } from './lazy';
import { renderLayout } from './layout';
import { renderStack } from './stack';
import { renderMalloc } from './malloc';
import { renderAllocators } from './allocators';
import type { Style } from './style';
import { isKnownResult, type ExperimentName, type MeasurementsOf, type ResultOf } from '../experiments/names';

/** Each experiment's measurement tables, by name (typed against EXPERIMENT_NAMES). */
const RENDERERS: { readonly [K in ExperimentName]: (m: MeasurementsOf[K], style: Style) => string } = {
  lazy: renderLazy,
  malloc: renderMalloc,
  stack: renderStack,
  layout: renderLayout,
  allocators: renderAllocators,
};

function renderKnown<K extends ExperimentName>(result: ResultOf<K>, style: Style): string {
  const render: (m: MeasurementsOf[K], style: Style) => string = RENDERERS[result.experiment];
  return render(result.measurements, style);
}

/** The measurement tables of a result ('' for an experiment this build does not know). */
function renderMeasurements(result: ExperimentResult, style: Style): string {
  return isKnownResult(result) ? renderKnown(result, style) : '';
}

/** Renders one experiment's measurements and claims (no host block). */
export function renderExperimentBody(result: ExperimentResult, style: Style): string {
  const body = renderMeasurements(result, style);
  return [
    style.bold(`━━ ${result.experiment} ━━`),
    body,
    '',
    style.bold('Claims'),
    renderClaims(result.claims, style),
  ].join('\n');
}

/** Renders one experiment with the host it ran on. */
export function renderExperiment(result: ExperimentResult, style: Style): string {
  return [renderHost(result.host, style), '', renderExperimentBody(result, style), '', `Verdicts: ${renderTally(result.claims, style)}`, ''].join('\n');
}

/** Options of renderReport. */
export interface ReportTextOptions {
  /** Also print each experiment's measurement tables before its claims (--details). */
  details?: boolean;
}

/**
 * Renders the whole report: the host, then every claim of the catalogue exactly once,
 * grouped by experiment (verdict, summary with the key numbers, claim text; or "not
 * measured" and why), then the tally.
 */
export function renderReport(report: ReportResult, style: Style, options: ReportTextOptions = {}): string {
  const groups = reportGroups(report);
  const judged = judgedClaims(groups);
  const missing = unmeasured(groups);
  const byName = new Map(report.experiments.map((e) => [e.experiment, e]));
  const sections = groups.map((g) => {
    const result = byName.get(g.experiment);
    const body = options.details && result && isKnownResult(result) ? `${renderMeasurements(result, style)}\n\n${style.bold('Claims')}\n` : '';
    const reasons = new Set(g.claims.map((c) => (c.status === 'judged' ? '' : c.reason)));
    const shared = !g.ran && reasons.size === 1 ? [...reasons][0] : undefined;
    const heading = g.ran ? `━━ ${g.experiment} ━━ ${renderTally(g.claims.filter((c) => c.status === 'judged'), style)}` : `━━ ${g.experiment} ━━ ${style.dim(`not run: ${shared ?? 'see each claim'}`)}`;
    return `${style.bold(heading)}\n${body}${renderReportClaims(g.claims, style, shared)}\n`;
  });
  const notMeasuredLine = missing.length === 0 ? [] : [style.dim(`Not measured: ${missing.length} claim${missing.length === 1 ? '' : 's'} (${[...new Set(missing.map((c) => c.reason))].join('; ')})`)];
  return [
    renderHost(report.host, style),
    '',
    ...sections,
    `Verdicts over ${judged.length} claims: ${renderTally(judged, style)}`,
    ...notMeasuredLine,
    '',
  ].join('\n');
}
