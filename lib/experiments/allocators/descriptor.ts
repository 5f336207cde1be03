/** The allocators experiment as the CLI and the report run it. */
import type { ExperimentCliOptions, ExperimentDescriptor } from '../descriptor';
import { ALLOCATORS_CLI_OPTIONS, allocatorsOptionsFromCli, type AllocatorsCliValues } from './cli';
import { runAllocators, type AllocatorsResult } from './index';

/** The CLI's options as the raw values allocatorsOptionsFromCli reads. */
function cliValues(o: ExperimentCliOptions): AllocatorsCliValues {
  const values: AllocatorsCliValues = {};
  if (o.configurations !== undefined) values.only = o.configurations;
  if (o.threads !== undefined) values.threads = o.threads;
  if (o.scale !== undefined) values.scale = o.scale;
  if (o.inReport === true) values.report = true;
  if (o.onProgress !== undefined) values.onProgress = o.onProgress;
  return values;
}

export const allocatorsExperiment: ExperimentDescriptor<'allocators', AllocatorsResult> = {
  name: 'allocators',
  description: "glibc, tuned glibc, jemalloc, tcmalloc, mimalloc side by side: peak and retained RSS on workloads that keep Node's RSS high",
  options: ALLOCATORS_CLI_OPTIONS,
  accepts: ['threads', 'scale'],
  sizeBounds: () => ({}),
  checkOptions: (o) => {
    allocatorsOptionsFromCli(cliValues(o));
  },
  run: (o) => runAllocators(allocatorsOptionsFromCli(cliValues(o))),
};
