/**
 * The experiments vmprobe knows, by name, in report order: the ONE list. The registry
 * (runners, CLI options), the text renderers, the page's figures and the claim
 * catalogue are typed against it, so a name added here fails to compile until every
 * table has its entry. Type-only imports: this module loads nothing.
 */
import type { LazyMeasurements } from './lazy/measurements';
import type { MallocMeasurements } from './malloc/measurements';
import type { MallocNotMeasured } from './malloc/verdicts';
import type { StackMeasurements } from './stack/measurements';
import type { LayoutMeasurements } from './layout/measurements';
import type { AllocatorsMeasurements } from './allocators/measurements';
import type { ExperimentResult } from '../report/result';

/** Every experiment, in report order. */
export const EXPERIMENT_NAMES = ['lazy', 'malloc', 'stack', 'layout', 'allocators'] as const;

/** An experiment's name. */
export type ExperimentName = (typeof EXPERIMENT_NAMES)[number];

/** Each experiment's `measurements` shape. */
export type MeasurementsOf = {
  lazy: LazyMeasurements;
  malloc: MallocMeasurements | MallocNotMeasured;
  stack: StackMeasurements;
  layout: LayoutMeasurements;
  allocators: AllocatorsMeasurements;
} & Record<ExperimentName, unknown>;

/** The result of experiment `N` (a discriminated union on `experiment` for a union of names). */
export type ResultOf<N extends ExperimentName> = { [K in N]: ExperimentResult<MeasurementsOf[K], K> }[N];

/** Any experiment's result, discriminated on `experiment`. */
export type KnownExperimentResult = ResultOf<ExperimentName>;

/** True when `name` is one of EXPERIMENT_NAMES. */
export function isExperimentName(name: unknown): name is ExperimentName {
  return typeof name === 'string' && (EXPERIMENT_NAMES as readonly string[]).includes(name);
}

/** True when `result` names a known experiment (its measurements are then that experiment's, as read back from JSON). */
export function isKnownResult(result: ExperimentResult): result is KnownExperimentResult {
  return isExperimentName(result.experiment);
}
