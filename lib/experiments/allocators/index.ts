/**
 * The allocators experiment (`vmprobe allocators`): glibc's malloc as shipped, glibc
 * tuned (MALLOC_ARENA_MAX=2, a fixed MALLOC_MMAP_THRESHOLD_), glibc followed by
 * malloc_trim(0), and jemalloc, tcmalloc and mimalloc preloaded — side by side on four
 * workloads that keep Node's RSS high. Every configuration × workload × repetition is
 * a fresh child process that proves its allocator is loaded, runs the workload and
 * reads its own RSS (lib/experiments/allocators/child-task.ts). The advice.* claims
 * are judged from the spreads over the repetitions (verdicts.ts).
 */
import * as path from 'node:path';
import { runChild } from '../../child/spawn';
import { invalidArgValue } from '../../util/errors';
import { readHostInfo } from '../../system/host';
import { getrlimit } from '../../system/usage';
import { formatBytes } from '../../util/format';
import { SCHEMA_VERSION, type ExperimentResult } from '../../report/result';
import { optionalCount, rejectUnknownKeys, validateOptions } from '../../util/validate';
import { ALLOCATOR_CONFIGS, ALLOCATOR_CONFIG_IDS, configEnv, type AllocatorConfig, type AllocatorConfigId, type ReplacementAllocator } from './configs';
import { findAllocators, type AllocatorLibrary } from './find-allocators';
import { spreadOf, type AllocatorsMeasurements, type CellResult, type ConfigRun, type RepetitionSample } from './measurements';
import { bestPerWorkload, judgeAllocators } from './verdicts';
import { WORKLOAD_DESCRIPTIONS, WORKLOAD_IDS, workloadParams, type WorkloadId } from './workloads';
import type { CellChildResult, CellPayload } from './child-task';

export type { AllocatorsMeasurements, CellResult, RepetitionSample, Spread, BestConfig, AllocatorProof, ConfigRun } from './measurements';
export type { AllocatorConfig, AllocatorConfigId, ReplacementAllocator } from './configs';
export type { AllocatorLibrary } from './find-allocators';
export type { WorkloadId } from './workloads';
export { ALLOCATOR_CONFIGS, ALLOCATOR_CONFIG_IDS } from './configs';
export { ALLOCATOR_CLAIMS } from './verdicts';
export { WORKLOAD_IDS } from './workloads';
export { findAllocators } from './find-allocators';

/** Default threads of the multi-threaded workloads (and workers per churn round). */
export const ALLOCATORS_DEFAULT_THREADS = 4;
/** Default scale (1: the full run, about a minute on 2 cores). */
export const ALLOCATORS_DEFAULT_SCALE = 1;
/** The scale `vmprobe report` runs it at, to stay within the report's budget. */
export const ALLOCATORS_REPORT_SCALE = 0.1;
/**
 * The repetitions `vmprobe report` runs. Two is the fewest the noise rule accepts, but
 * the range of two samples understated the spread of worker churn under load (two of
 * 20 reports here judged MALLOC_ARENA_MAX=2 on it lower, at load average ~10).
 */
export const ALLOCATORS_REPORT_REPETITIONS = 3;
/** Default repetitions per configuration × workload (at least 2: the noise rule needs a spread). */
export const ALLOCATORS_DEFAULT_REPETITIONS = 3;
/** Default timeout of one child, ms. */
export const ALLOCATORS_DEFAULT_TIMEOUT_MS = 60_000;

/** Options of runAllocators. */
export interface AllocatorsOptions {
  /** Configurations to run (default: all). 'glibc-trim' brings the glibc children with it. */
  only?: readonly AllocatorConfigId[];
  /** Workloads to run (default: all). */
  workloads?: readonly WorkloadId[];
  /** Threads of the native workloads, workers per churn round (default 4, 1–64). */
  threads?: number;
  /** Multiplies every workload's counts (default 1; > 0, ≤ 16). */
  scale?: number;
  /** Repetitions per cell (default 3; 2–50). */
  repetitions?: number;
  /** Replacement libraries to preload instead of searching the host (a missing path is reported as missing). */
  libraries?: Partial<Record<ReplacementAllocator, string>>;
  /** Base environment of the children (default: this process's; malloc settings are stripped from it). */
  env?: NodeJS.ProcessEnv;
  /** Kill a child after this long, ms (default 60 s). */
  timeoutMs?: number;
  /** Called with a description of each child as it starts. */
  onStep?: (what: string) => void;
}

/** The allocators experiment's JSON result. */
export type AllocatorsResult = ExperimentResult<AllocatorsMeasurements, 'allocators'>;

const TASK = path.join(__dirname, 'child-task.js');

function validateScale(value: unknown): number {
  if (value === undefined) return ALLOCATORS_DEFAULT_SCALE;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 16) {
    throw invalidArgValue('scale', `must be a number > 0 and <= 16. Received ${String(value)}`);
  }
  return value;
}

function validateIds<T extends string>(value: unknown, name: string, allowed: readonly T[]): T[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && (allowed as readonly string[]).includes(v))) {
    throw invalidArgValue(name, `must be a non-empty array of ${allowed.map((a) => `'${a}'`).join(', ')}. Received ${JSON.stringify(value)}`);
  }
  return value as T[];
}

function libraryFor(config: AllocatorConfig, libraries: Record<ReplacementAllocator, AllocatorLibrary>): AllocatorLibrary | null {
  return config.allocator === 'glibc' ? null : libraries[config.allocator];
}

function cellFrom(config: AllocatorConfigId, workload: WorkloadId, status: CellResult['status'], reason: string | null,
  proof: CellResult['proof'], reps: RepetitionSample[]): CellResult {
  const above = (pick: (r: RepetitionSample) => number) => spreadOf(reps.map((r) => pick(r) - r.baselineRssBytes));
  const plain = (pick: (r: RepetitionSample) => number) => spreadOf(reps.map(pick));
  return {
    config, workload, status, reason, proof, repetitions: reps,
    peakBytes: above((r) => r.peakRssBytes),
    retainedBytes: above((r) => r.retainedRssBytes),
    releasedBytes: above((r) => r.releasedRssBytes),
    vszBytes: plain((r) => r.vszBytes),
    mappings: plain((r) => r.mappings),
    minorFaults: plain((r) => r.minorFaults),
    opsPerSecond: plain((r) => r.opsPerSecond),
  };
}

/** The glibc-trim cell: the glibc children's RSS after their malloc_trim(0), as the retained figure. */
function trimCell(glibc: CellResult): CellResult {
  const reps = glibc.repetitions.map((r) => ({ ...r, retainedRssBytes: r.releasedRssBytes }));
  return cellFrom('glibc-trim', glibc.workload, glibc.status, glibc.reason, glibc.proof, reps);
}

/**
 * Runs the experiment: every selected configuration × workload × repetition in a child
 * of its own, sequentially (repetitions interleaved across configurations, so a drift
 * of the host spreads over all of them). Resolves with the cells, the best
 * configuration per workload and the advice.* verdicts. Throws ERR_INVALID_ARG_VALUE /
 * ERR_OUT_OF_RANGE for bad options; a missing allocator or a failing child is a cell
 * status, never a throw.
 */
export async function runAllocators(options: AllocatorsOptions = {}): Promise<AllocatorsResult> {
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['only', 'workloads', 'threads', 'scale', 'repetitions', 'libraries', 'env', 'timeoutMs', 'onStep']);
  const only = validateIds(opts['only'], 'only', ALLOCATOR_CONFIG_IDS) ?? [...ALLOCATOR_CONFIG_IDS];
  const workloads = validateIds(opts['workloads'], 'workloads', WORKLOAD_IDS) ?? [...WORKLOAD_IDS];
  const threads = optionalCount(opts['threads'], 'threads', ALLOCATORS_DEFAULT_THREADS, 1, 64);
  const scale = validateScale(opts['scale']);
  const repetitions = optionalCount(opts['repetitions'], 'repetitions', ALLOCATORS_DEFAULT_REPETITIONS, 2, 50);
  const timeoutMs = optionalCount(opts['timeoutMs'], 'timeoutMs', ALLOCATORS_DEFAULT_TIMEOUT_MS, 1);
  const onStep = typeof opts['onStep'] === 'function' ? (opts['onStep'] as (what: string) => void) : () => {};
  const baseEnv = options.env ?? process.env;
  const started = Date.now();

  const selected = ALLOCATOR_CONFIGS.filter((c) => only.includes(c.id));
  const runIds = new Set<AllocatorConfigId>(selected.map((c) => c.derivedFrom ?? c.id));
  const toRun = ALLOCATOR_CONFIGS.filter((c) => c.derivedFrom === null && runIds.has(c.id));
  const libraries = findAllocators(options.libraries ?? {}, baseEnv);

  const reps = new Map<string, RepetitionSample[]>();
  const fate = new Map<string, { status: CellResult['status']; reason: string | null; proof: CellResult['proof'] }>();
  const key = (c: AllocatorConfigId, w: WorkloadId) => `${c}|${w}`;
  for (const c of toRun) {
    const lib = libraryFor(c, libraries);
    for (const w of workloads) {
      reps.set(key(c.id, w), []);
      fate.set(key(c.id, w), lib?.status === 'missing'
        ? { status: 'missing', reason: `${lib.reason} (Debian package: ${lib.debianPackage})`, proof: null }
        : { status: 'measured', reason: null, proof: null });
    }
  }

  for (const w of workloads) {
    const params = workloadParams(w, scale, threads);
    for (let rep = 0; rep < repetitions; rep++) {
      for (const c of toRun) {
        const f = fate.get(key(c.id, w));
        if (!f || f.status !== 'measured') continue;
        const lib = libraryFor(c, libraries);
        const libraryPath = lib?.status === 'found' ? lib.path : null;
        const payload: CellPayload = { allocator: c.allocator, libraryPath, release: c.release, params };
        onStep(`${c.id} × ${w}, repetition ${rep + 1}/${repetitions}`);
        const outcome = await runChild<CellChildResult>(TASK, 'measureCell', payload, {
          env: configEnv(c, baseEnv, libraryPath), timeoutMs, execArgv: w === 'worker-churn' ? ['--expose-gc'] : [],
        });
        const r = outcome.result;
        if (r === null) {
          const why = outcome.timedOut ? `timed out after ${outcome.elapsedMs} ms` : outcome.error ? outcome.error.message.split('\n')[0] ?? ''
            : outcome.signal ? `died of ${outcome.signal}` : `exited with code ${String(outcome.exitCode)}`;
          // A finite RLIMIT_AS (ulimit -v) is the usual cause here: V8 reserves address space for every isolate.
          const addressLimit = getrlimit('as').soft;
          const under = Number.isFinite(addressLimit) ? ` under RLIMIT_AS = ${formatBytes(addressLimit)} (ulimit -v)` : '';
          fate.set(key(c.id, w), { status: 'failed', reason: `child ${why}${under}`, proof: f.proof });
          continue;
        }
        f.proof = r.proof;
        if (r.sample === null) {
          fate.set(key(c.id, w), { status: 'not-loaded', proof: r.proof,
            reason: `${c.allocator} is not the malloc in force: mapped ${r.proof.mappedPath ?? 'nowhere'}, malloc from ${r.proof.mallocProvider ?? 'unknown'}` });
          continue;
        }
        reps.get(key(c.id, w))?.push(r.sample);
      }
    }
  }

  const cells: CellResult[] = [];
  for (const c of selected) {
    for (const w of workloads) {
      const source = c.derivedFrom ?? c.id;
      const f = fate.get(key(source, w)) ?? { status: 'failed' as const, reason: 'not run', proof: null };
      const measured = f.status === 'measured' ? (reps.get(key(source, w)) ?? []) : [];
      const cell = cellFrom(source, w, f.status, f.reason, f.proof, measured);
      cells.push(c.derivedFrom === null ? cell : trimCell(cell));
    }
  }
  const glibcCells = cells.some((c) => c.config === 'glibc') ? [] : workloads.map((w) => {
    const f = fate.get(key('glibc', w));
    return f ? cellFrom('glibc', w, f.status, f.reason, f.proof, reps.get(key('glibc', w)) ?? []) : null;
  }).filter((c): c is CellResult => c !== null);
  const judged = [...cells, ...glibcCells];

  const configs: ConfigRun[] = selected.map((c) => ({
    id: c.id, label: c.label, allocator: c.allocator, env: { ...c.env }, library: libraryFor(c, libraries), derivedFrom: c.derivedFrom,
  }));
  const decayMs = cells.find((c) => c.config === 'jemalloc' && c.proof !== null)?.proof?.identity.jemallocDirtyDecayMs ?? null;
  const measurements: AllocatorsMeasurements = {
    scale, threads, repetitions, rssBasis: 'above-baseline',
    workloads: workloads.map((w) => ({ id: w, description: WORKLOAD_DESCRIPTIONS[w], params: workloadParams(w, scale, threads) })),
    configs, cells, best: bestPerWorkload(cells, workloads), elapsedMs: Date.now() - started,
  };
  const scaleNote = ` Measured at scale ${scale} with ${repetitions} repetitions per cell${scale < ALLOCATORS_DEFAULT_SCALE ? ` (the verdict can differ at the full scale: \`vmprobe allocators\`)` : ''}.`;
  const claims = judgeAllocators(judged, workloads, decayMs).map((c) => (c.verdict === 'not-applicable' ? c : { ...c, summary: `${c.summary}${scaleNote}` }));
  return { schema: SCHEMA_VERSION, experiment: 'allocators', host: readHostInfo(), claims, measurements };
}
