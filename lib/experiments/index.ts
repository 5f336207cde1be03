/**
 * vmprobe/experiments: the experiments that check the textbook claims on this host, the
 * report that runs them all, and the claim catalogue. Each experiment reaches memory
 * only through the probe API (`vmprobe`) and child processes (lib/child/).
 * Results serialise with JSON.stringify (schema/report.schema.json).
 */
export { CLAIMS, VERDICTS, claimById } from '../report/claims';
export type { ClaimDefinition, ClaimResult, Verdict } from '../report/claims';
export { SCHEMA_VERSION } from '../report/result';
export type { ExperimentResult, ReportResult, UnmeasuredClaim } from '../report/result';
export { runReport, ExperimentFailure, unmeasuredClaims } from '../report/run';
export type { ReportOptions } from '../report/run';
export { EXPERIMENTS } from './registry';
export type { ExperimentEntry, ExperimentDescriptor, ExperimentCliOptions } from './registry';
export { EXPERIMENT_NAMES } from './names';
export type { ExperimentName, KnownExperimentResult, ResultOf, MeasurementsOf } from './names';
export { runLazy, LAZY_DEFAULT_SIZE_BYTES } from './lazy/index';
export type { LazyOptions, LazyResult, LazyMeasurements } from './lazy/index';
export { runLayout } from './layout/index';
export type { LayoutOptions, LayoutResult, LayoutMeasurements } from './layout/index';
export { runStack, STACK_BY_LIMIT_BYTES } from './stack/index';
export type { StackOptions, StackResult, StackMeasurements } from './stack/index';
export { runMalloc, MALLOC_DEFAULT_MAX_SWEEP_BYTES } from './malloc/index';
export type { MallocOptions as MallocExperimentOptions, MallocResult, MallocMeasurements, MallocNotMeasured } from './malloc/index';
export { runAllocators, ALLOCATORS_DEFAULT_SCALE, ALLOCATORS_DEFAULT_THREADS, ALLOCATORS_REPORT_SCALE, ALLOCATORS_REPORT_REPETITIONS } from './allocators/index';
export type { AllocatorsOptions, AllocatorsResult, AllocatorsMeasurements } from './allocators/index';
