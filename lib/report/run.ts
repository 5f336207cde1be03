/** `vmprobe report`: run every experiment (or those named) and gather their results. */
import { readHostInfo } from '../system/host';
import { vmprobeVersion } from '../util/version';
import { SCHEMA_VERSION, type ExperimentResult, type ReportResult, type UnmeasuredClaim } from './result';
import { CLAIMS } from './claims';
import { EXPERIMENTS, type ExperimentCliOptions } from '../experiments/registry';
import type { ExperimentName } from '../experiments/names';
import { describeReceived, invalidArgType, invalidArgValue } from '../util/errors';
import { validateExperimentResults } from './result';
import { rejectUnknownKeys, validateOptions } from '../util/validate';

/** Options of runReport. */
export interface ReportOptions extends ExperimentCliOptions {
  /** Experiment names to run (default: all, in report order). */
  only?: readonly ExperimentName[];
}

/** An experiment that could not run, named, with the error it threw. */
export class ExperimentFailure extends Error {
  override name = 'ExperimentFailure';
  readonly experiment: string;
  readonly code = 'ERR_VMPROBE_EXPERIMENT';
  constructor(experiment: string, cause: unknown) {
    if (typeof experiment !== 'string') throw invalidArgType('experiment', 'of type string', experiment);
    super(`experiment '${experiment}' could not run: ${cause instanceof Error ? cause.message : describeReceived(cause)}`, { cause });
    this.experiment = experiment;
  }
}

/** The keys runReport accepts (ExperimentCliOptions and `only`). */
const REPORT_KEYS = ['sizeBytes', 'limitBytes', 'frameBytes', 'pid', 'threads', 'scale', 'onProgress', 'only'] as const;

/** Runs the experiments in order; throws ExperimentFailure naming the first that could not run. */
export async function runReport(options: ReportOptions = {}): Promise<ReportResult> {
  validateOptions(options);
  rejectUnknownKeys(options as Record<string, unknown>, 'options', REPORT_KEYS);
  const names: readonly string[] = EXPERIMENTS.map((e) => e.name);
  if (options.only !== undefined && !(Array.isArray(options.only) && options.only.every((n) => typeof n === 'string'))) {
    throw invalidArgType('only', 'an array of experiment names', options.only);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw invalidArgType('onProgress', 'a function', options.onProgress);
  }
  for (const name of options.only ?? []) {
    if (!names.includes(name)) throw invalidArgValue('only', `names an unknown experiment '${name}'. Known: ${names.join(', ')}`);
  }
  const chosen = options.only ? EXPERIMENTS.filter((e) => options.only?.includes(e.name)) : EXPERIMENTS;
  const experiments: ExperimentResult[] = [];
  // Each experiment gets the CLI options, told it runs inside the report (allocators then
  // runs at its reduced scale to keep the report within its time budget).
  const { only: _only, ...cliOptions } = options;
  const experimentOptions: ExperimentCliOptions = { ...cliOptions, inReport: true };
  for (const [index, entry] of chosen.entries()) {
    // Progress names the step (experiment k of n), then what the experiment reports.
    const step = `[${index + 1}/${chosen.length}] `;
    const onProgress = options.onProgress;
    onProgress?.(`${step}${entry.name}: starting`);
    const stepOptions: ExperimentCliOptions = onProgress === undefined ? experimentOptions
      : { ...experimentOptions, onProgress: (what: string) => onProgress(`${step}${what}`) };
    try {
      experiments.push(await entry.run(stepOptions));
    } catch (err) {
      throw new ExperimentFailure(entry.name, err);
    }
  }
  return {
    schema: SCHEMA_VERSION, experiment: 'report', generatedAt: new Date().toISOString(), vmprobeVersion: vmprobeVersion(),
    host: readHostInfo(), experiments, notMeasured: unmeasuredClaims(experiments, names),
  };
}

/**
 * The catalogue's claims that none of `experiments` judged, each with the reason:
 * its experiment is not registered in this build, was left out by `only`, or ran
 * without judging it.
 */
export function unmeasuredClaims(experiments: readonly ExperimentResult[], registered: readonly string[]): UnmeasuredClaim[] {
  validateExperimentResults(experiments, 'experiments');
  if (!Array.isArray(registered) || !registered.every((n: unknown) => typeof n === 'string')) {
    throw invalidArgType('registered', 'an array of experiment names', registered);
  }
  const judged = new Set(experiments.flatMap((e) => e.claims.map((c) => c.id)));
  const ran = new Set(experiments.map((e) => e.experiment));
  return CLAIMS.filter((c) => !judged.has(c.id)).map((c) => ({
    id: c.id,
    experiment: c.experiment,
    reason: !registered.includes(c.experiment) ? `experiment '${c.experiment}' is not available in this build`
      : !ran.has(c.experiment) ? `experiment '${c.experiment}' was not selected (--only)`
        : `experiment '${c.experiment}' ran but returned no verdict for it`,
  }));
}
