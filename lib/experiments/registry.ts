/**
 * The experiments the CLI and the report run, by name: one descriptor each, typed
 * against EXPERIMENT_NAMES (names.ts), so the table cannot miss or mistype one. A new
 * experiment adds its name there and its descriptor here.
 */
import { EXPERIMENT_NAMES, type ExperimentName, type ResultOf } from './names';
import type { ExperimentDescriptor } from './descriptor';
import { lazyExperiment } from './lazy/descriptor';
import { mallocExperiment } from './malloc/descriptor';
import { stackExperiment } from './stack/descriptor';
import { layoutExperiment } from './layout/descriptor';
import { allocatorsExperiment } from './allocators/descriptor';

export type { ExperimentCliFlag, ExperimentCliOptions, ExperimentDescriptor } from './descriptor';

/** Each experiment's descriptor, by name. */
const DESCRIPTORS: { readonly [K in ExperimentName]: ExperimentDescriptor<K, ResultOf<K>> } = {
  lazy: lazyExperiment,
  malloc: mallocExperiment,
  stack: stackExperiment,
  layout: layoutExperiment,
  allocators: allocatorsExperiment,
};

/** One runnable experiment, as the CLI and the report list them. */
export type ExperimentEntry = ExperimentDescriptor<ExperimentName, ResultOf<ExperimentName>>;

/** Every experiment, in report order. */
export const EXPERIMENTS: readonly ExperimentEntry[] = EXPERIMENT_NAMES.map((name): ExperimentEntry => DESCRIPTORS[name]);

/** The experiment called `name`, or undefined. */
export function findExperiment(name: string): ExperimentEntry | undefined {
  return EXPERIMENTS.find((e) => e.name === name);
}
