/** `vmprobe report`: run every experiment (or those named) and gather their results. */
import { readHostInfo } from './host';
import { SCHEMA_VERSION, type ExperimentResult, type ReportResult } from './result';
import { EXPERIMENTS, type ExperimentCliOptions } from './experiments/registry';
import { invalidArgValue } from './errors';

/** Options of runReport. */
export interface ReportOptions extends ExperimentCliOptions {
  /** Experiment names to run (default: all, in report order). */
  only?: string[];
}

/** An experiment that could not run, named, with the error it threw. */
export class ExperimentFailure extends Error {
  override name = 'ExperimentFailure';
  readonly experiment: string;
  readonly code = 'ERR_VMPROBE_EXPERIMENT';
  constructor(experiment: string, cause: unknown) {
    super(`experiment '${experiment}' could not run: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.experiment = experiment;
  }
}

/** Runs the experiments in order; throws ExperimentFailure naming the first that could not run. */
export async function runReport(options: ReportOptions = {}): Promise<ReportResult> {
  const names = EXPERIMENTS.map((e) => e.name);
  for (const name of options.only ?? []) {
    if (!names.includes(name)) throw invalidArgValue('only', `names an unknown experiment '${name}'. Known: ${names.join(', ')}`);
  }
  const chosen = options.only ? EXPERIMENTS.filter((e) => options.only?.includes(e.name)) : EXPERIMENTS;
  const experiments: ExperimentResult[] = [];
  for (const entry of chosen) {
    options.onProgress?.(`${entry.name}: starting`);
    try {
      experiments.push(await entry.run(options));
    } catch (err) {
      throw new ExperimentFailure(entry.name, err);
    }
  }
  return { schema: SCHEMA_VERSION, experiment: 'report', host: readHostInfo(), experiments };
}
