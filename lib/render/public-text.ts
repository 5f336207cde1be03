/**
 * The text renderers as the package exports them: argument checks first (a thrown
 * ERR_INVALID_ARG_TYPE / ERR_INVALID_ARG_VALUE, never a TypeError from deep inside),
 * colour by option instead of a Style object.
 */
import { validateExperimentResults, validateReportResult, type ExperimentResult } from '../report/result';
import { invalidArgValue } from '../util/errors';
import { optionalBoolean, rejectUnknownKeys, validateOptions } from '../util/validate';
import { makeStyle } from './style';
import { renderExperiment, renderReport } from './text';

/** Options of the exported text renderers. */
export interface TextRenderOptions {
  /** ANSI colour (default false). */
  color?: boolean;
  /** Report only: each experiment's measurement tables before its claims (default false). */
  details?: boolean;
}

function guarded(what: string, render: () => string): string {
  try {
    return render();
  } catch (err) {
    // A structure that passed the shape checks but is not a real result.
    if (err instanceof TypeError && !('code' in err)) throw invalidArgValue(what, `is not a vmprobe result: ${err.message}`);
    throw err;
  }
}

/** Terminal text of a report result (runReport's, or one read back from JSON). Throws ERR_INVALID_ARG_TYPE for anything else. */
export function renderReportText(report: unknown, options: TextRenderOptions = {}): string {
  const r = validateReportResult(report, 'report');
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['color', 'details']);
  const style = makeStyle(optionalBoolean(opts['color'], 'color', false));
  const details = optionalBoolean(opts['details'], 'details', false);
  return guarded('report', () => renderReport(r, style, { details }));
}

/** Terminal text of one experiment's result, with the host it ran on. Throws ERR_INVALID_ARG_TYPE for anything else. */
export function renderExperimentText(result: unknown, options: TextRenderOptions = {}): string {
  const [r] = validateExperimentResults([result], 'result') as readonly ExperimentResult[];
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['color']);
  const style = makeStyle(optionalBoolean(opts['color'], 'color', false));
  if (r === undefined || r.host === null || typeof r.host !== 'object') throw invalidArgValue('result', 'has no host block');
  return guarded('result', () => renderExperiment(r, style));
}
