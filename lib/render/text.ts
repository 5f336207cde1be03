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
import { terminalWidth, wrapHanging } from './wrap';
import { reportProvenance, type Provenance } from './provenance';

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

/** Renders one experiment's measurements and claims (no host block); claims wrap to `widthColumns`. */
export function renderExperimentBody(result: ExperimentResult, style: Style, widthColumns: number = terminalWidth()): string {
  const body = renderMeasurements(result, style);
  return [
    style.bold(`━━ ${result.experiment} ━━`),
    body,
    '',
    style.bold('Claims'),
    renderClaims(result.claims, style, widthColumns),
  ].join('\n');
}

/** Renders one experiment with the host it ran on; claims wrap to `widthColumns` (default: the terminal's, 80 when not a TTY). */
export function renderExperiment(result: ExperimentResult, style: Style, widthColumns: number = terminalWidth()): string {
  return [renderHost(result.host, style), '', renderExperimentBody(result, style, widthColumns), '', `Verdicts: ${renderTally(result.claims, style)}`, ''].join('\n');
}

/** Options of renderReport. */
export interface ReportTextOptions {
  /** Also print each experiment's measurement tables before its claims (--details). */
  details?: boolean;
  /** Width to wrap to in columns (default: process.stdout.columns on a TTY, else 80; at least 40). */
  widthColumns?: number;
  /** When and by which vmprobe the report was made (default: reportProvenance(report)). */
  provenance?: Provenance;
}

/**
 * The report's last lines: where it came from (vmprobe version, ISO timestamp) and where
 * to look next (--details for the measurement tables, --html for the page with charts);
 * the --details hint is left out when the tables are already shown.
 */
export function renderReportFooter(provenance: Provenance, style: Style, options: { details?: boolean; widthColumns?: number } = {}): string {
  const width = options.widthColumns ?? terminalWidth();
  const hints = [
    ...(options.details === true ? [] : ['vmprobe report --details   adds each experiment\'s measurement tables']),
    'vmprobe report --html report.html   the report as a page with charts',
    'vmprobe report --json   prints it as JSON',
  ];
  return [
    style.dim(wrapHanging(`Made by vmprobe ${provenance.vmprobeVersion} at ${provenance.generatedAt}.`, '  ', width, '')),
    ...hints.map((h) => style.dim(wrapHanging(h, '      ', width, '  → '))),
  ].join('\n');
}

/**
 * Renders the whole report: the host, then every claim of the catalogue exactly once,
 * grouped by experiment (verdict, summary with the key numbers, claim text; or "not
 * measured" and why), then the tally.
 */
export function renderReport(report: ReportResult, style: Style, options: ReportTextOptions = {}): string {
  const width = options.widthColumns ?? terminalWidth();
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
    return `${wrapHanging(style.bold(heading), '   ', width, '')}\n${body}${renderReportClaims(g.claims, style, shared, width)}\n`;
  });
  const notMeasuredLine = missing.length === 0 ? [] : [wrapHanging(style.dim(`Not measured: ${missing.length} claim${missing.length === 1 ? '' : 's'} (${[...new Set(missing.map((c) => c.reason))].join('; ')})`), '  ', width, '')];
  return [
    renderHost(report.host, style, width),
    '',
    ...sections,
    wrapHanging(`Verdicts over ${judged.length} claims: ${renderTally(judged, style)}`, '', width),
    ...notMeasuredLine,
    '',
    renderReportFooter(options.provenance ?? reportProvenance(report), style, { details: options.details === true, widthColumns: width }),
    '',
  ].join('\n');
}
