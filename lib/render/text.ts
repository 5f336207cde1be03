/** Terminal text for any experiment result or the whole report. */
import type { ExperimentResult, ReportResult } from '../result';
import type { LazyMeasurements } from '../experiments/lazy/measurements';
import { renderHost } from './host';
import { renderClaims, renderTally } from './claims';
import { renderLazy } from './lazy';
import { renderLayout } from './layout';
import type { LayoutMeasurements } from '../experiments/layout/measurements';
import { renderStack } from './stack';
import type { StackMeasurements } from '../experiments/stack/measurements';
import { renderMalloc } from './malloc';
import type { Style } from './style';

type MeasurementRenderer = (measurements: never, style: Style) => string;
const RENDERERS: Readonly<Record<string, MeasurementRenderer>> = {
  lazy: renderLazy as (m: LazyMeasurements, s: Style) => string,
  layout: renderLayout as (m: LayoutMeasurements, s: Style) => string,
  stack: renderStack as (m: StackMeasurements, s: Style) => string,
  malloc: renderMalloc as MeasurementRenderer,
};

/** Renders one experiment's measurements and claims (no host block). */
export function renderExperimentBody(result: ExperimentResult, style: Style): string {
  const renderer = RENDERERS[result.experiment];
  const body = renderer ? renderer(result.measurements as never, style) : '';
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

/** Renders the whole report: host, each experiment, the tally over all claims. */
export function renderReport(report: ReportResult, style: Style): string {
  const claims = report.experiments.flatMap((e) => e.claims);
  return [
    renderHost(report.host, style),
    '',
    ...report.experiments.map((e) => `${renderExperimentBody(e, style)}\n`),
    `Verdicts over ${claims.length} claims: ${renderTally(claims, style)}`,
    '',
  ].join('\n');
}
