/**
 * The malloc experiment (`vmprobe malloc`): where glibc's malloc gets memory from —
 * brk, mmap or a thread arena — by three witnesses; the mmap threshold as glibc really
 * runs it (measured crossover, dynamic rise, mallopt, environment, top-chunk carving);
 * rounding; the size header; what free and malloc_trim give back; thread arenas; and
 * a large block's laziness. Every step runs in a fresh child process, because each
 * changes (or depends on) the malloc state of the process it runs in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireResult, runChild } from '../../child/spawn';
import { readHostInfo } from '../../system/host';
import { SCHEMA_VERSION, type ExperimentResult } from '../../report/result';
import { pageSizeBytes } from '../../system/usage';
import { optionalBoolean, optionalCount, rejectUnknownKeys, validateOptions } from '../../util/validate';
import { libcInUse, type LibcIdentity } from '../../malloc/control';
import { mallocSettingWords, readMallocTunables } from '../../system/host';
import { judgeMalloc, type MallocNotMeasured } from './verdicts';
import { withGranularity } from './crossover';
import type { ArenaStep, CarveStep, CrossoverSearch, DynamicThresholdStep, MallocMeasurements, MalloptStep, SourcesChildResult, ThresholdInForce, TrimStep } from './measurements';
import type { SourcesPayload } from './sources';
import type { ThresholdPayload } from './threshold';
import type { TrimPayload } from './trim';
import type { ArenaPayload } from './arenas';

export type { MallocMeasurements } from './measurements';
export type { MallocNotMeasured } from './verdicts';

/** Options of the malloc experiment. */
export interface MallocOptions {
  /** Largest size of the sweep, bytes (default 64 MiB). */
  maxSweepBytes?: number;
  /** Size of the lazy step's large block, bytes (default 8 MiB). */
  lazyBytes?: number;
  /** Worker threads of the arena step (default 2). */
  workers?: number;
  /** Blocks each worker allocates (default 4096, of 1 KiB). */
  blocksPerWorker?: number;
  /** Also run the arena step with MALLOC_ARENA_MAX=1 (default true). */
  arenaMaxVariant?: boolean;
  /** Environment of the child processes (default: this process's) — e.g. MALLOC_MMAP_THRESHOLD_. */
  env?: NodeJS.ProcessEnv;
  /** Kill a child after this long, ms (default 30 s). */
  timeoutMs?: number;
  /** The C library to assume (default: the one the addon was built against); for tests of other hosts. */
  libc?: LibcIdentity;
  /** Called with each step's name as it starts. */
  onStep?: (name: string) => void;
}

/** Default --size of the sweep: 64 MiB. */
export const MALLOC_DEFAULT_MAX_SWEEP_BYTES = 64 * 1024 * 1024;
const DEFAULT_LAZY_BYTES = 8 * 1024 * 1024;
const DENSE_STEPS = 16;
const ROUNDING_MAX_BYTES = 1024;
/** Smallest maxSweepBytes: the sweep must cover the rounding step, up to 1 KiB. */
export const MALLOC_MIN_SWEEP_BYTES = ROUNDING_MAX_BYTES;
const ARENA_BLOCK_BYTES = 1024;
const TRIM_BLOCKS = 64;

/** The malloc experiment's JSON result. */
export type MallocResult = ExperimentResult<MallocMeasurements | MallocNotMeasured, 'malloc'>;

const TASKS = path.join(__dirname, 'child-task.js');

/** The setting behind thresholdOrigin(env), as written, or null for the default. */
export function thresholdSetting(env: NodeJS.ProcessEnv): string | null {
  const tunable = /(?:^|:)glibc\.malloc\.mmap_threshold=([^:]*)/.exec(env['GLIBC_TUNABLES'] ?? '');
  if (tunable !== null) return `GLIBC_TUNABLES glibc.malloc.mmap_threshold=${tunable[1] ?? ''}`;
  return env['MALLOC_MMAP_THRESHOLD_'] !== undefined ? `MALLOC_MMAP_THRESHOLD_=${env['MALLOC_MMAP_THRESHOLD_']}` : null;
}

/**
 * The environment of the starting-threshold child: the children's own, plus a trim
 * threshold (unless one is set already), which makes glibc switch its dynamic mmap
 * threshold off from process start (malloc.c do_set_trim_threshold sets
 * no_dyn_threshold) — so the runtime's own start-up frees cannot raise it. The value
 * only decides when that child trims its heap top: 1 GiB, i.e. never while it measures.
 */
export function startingThresholdEnv(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; setting: string } {
  if (/(?:^|:)glibc\.malloc\.trim_threshold=/.test(env['GLIBC_TUNABLES'] ?? '')) return { env, setting: 'GLIBC_TUNABLES glibc.malloc.trim_threshold (already set)' };
  const value = env['MALLOC_TRIM_THRESHOLD_'] ?? String(1 << 30);
  return { env: { ...env, MALLOC_TRIM_THRESHOLD_: value }, setting: `MALLOC_TRIM_THRESHOLD_=${value}` };
}

/** Every glibc malloc setting in `env` (MALLOC_* variables, GLIBC_TUNABLES glibc.malloc.*), as written. */
export function mallocSettings(env: NodeJS.ProcessEnv): string[] {
  return mallocSettingWords(readMallocTunables(env));
}

/** Where the mmap threshold in force comes from, by the environment the children run with. */
export function thresholdOrigin(env: NodeJS.ProcessEnv): ThresholdInForce['origin'] {
  if (/(^|:)glibc\.malloc\.mmap_threshold=/.test(env['GLIBC_TUNABLES'] ?? '')) return 'tunable';
  return env['MALLOC_MMAP_THRESHOLD_'] !== undefined ? 'env' : 'default';
}

/**
 * Where a replacement allocator came from: the LD_PRELOAD entry naming it, else
 * /etc/ld.so.preload when that names it, else "linked into this process".
 */
export function replacementCause(allocator: string, env: NodeJS.ProcessEnv, etcPreload: string | null): string {
  const preload = env['LD_PRELOAD'] ?? '';
  if (preload.includes(allocator)) return `LD_PRELOAD=${preload}`;
  if (etcPreload !== null && etcPreload.includes(allocator)) return '/etc/ld.so.preload';
  return 'linked into this process';
}

function readEtcPreload(): string | null {
  try {
    return fs.readFileSync('/etc/ld.so.preload', 'utf8');
  } catch {
    return null;
  }
}

/**
 * The allocator in force as a libc identity: glibc's malloc, or — when jemalloc, a
 * sanitizer runtime or another malloc replaces it in this process (its children
 * inherit the preload) — a name saying so, with the version the REPLACEMENT reports
 * (jemalloc mallctl("version"), tcmalloc tc_version, mimalloc mi_version; null when it
 * has none: never glibc's), and the setting that put it there. The verdicts treat it as "not glibc".
 */
export function mallocInForce(libc: ReturnType<typeof libcInUse> = libcInUse(), env: NodeJS.ProcessEnv = process.env, etcPreload: string | null = readEtcPreload()): LibcIdentity & { cause?: string } {
  if (libc.name === 'glibc' && libc.replacementAllocator !== null) {
    return {
      name: `glibc with malloc replaced by ${libc.replacementAllocator}`,
      version: libc.replacementAllocatorVersion,
      cause: replacementCause(libc.replacementAllocator, env, etcPreload),
    };
  }
  return { name: libc.name, version: libc.version };
}

/** Runs the malloc experiment (every step in a fresh child) and judges the malloc.* claims. */
export async function runMalloc(options: MallocOptions = {}): Promise<MallocResult> {
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['maxSweepBytes', 'lazyBytes', 'workers', 'blocksPerWorker', 'arenaMaxVariant', 'env', 'timeoutMs', 'libc', 'onStep']);
  const maxSweepBytes = optionalCount(opts['maxSweepBytes'], 'maxSweepBytes', MALLOC_DEFAULT_MAX_SWEEP_BYTES, MALLOC_MIN_SWEEP_BYTES);
  const lazyBytes = optionalCount(opts['lazyBytes'], 'lazyBytes', DEFAULT_LAZY_BYTES, 1);
  const workers = optionalCount(opts['workers'], 'workers', 2, 1, 64);
  const blocksPerWorker = optionalCount(opts['blocksPerWorker'], 'blocksPerWorker', 4096, 1, 1 << 20);
  const arenaMaxVariant = optionalBoolean(opts['arenaMaxVariant'], 'arenaMaxVariant', true);
  const timeoutMs = optionalCount(opts['timeoutMs'], 'timeoutMs', 30_000, 1);
  const env = options.env ?? process.env;
  const libc = options.libc ?? mallocInForce();
  const onStep = typeof opts['onStep'] === 'function' ? (opts['onStep'] as (name: string) => void) : () => {};
  const host = readHostInfo();
  const base = { schema: SCHEMA_VERSION, experiment: 'malloc', host } as const;

  if (libc.name !== 'glibc') {
    const m: MallocNotMeasured = { libc, pageSizeBytes: pageSizeBytes(), skipped: `glibc's malloc is what the claims describe; this process's allocator is ${libc.name}${libc.version ? ` ${libc.version}` : ''}${'cause' in libc && libc.cause ? ` (${libc.cause})` : ''}` };
    return { ...base, claims: judgeMalloc(m), measurements: m };
  }
  const child = async <T>(task: string, payload: unknown, what: string, childEnv = env): Promise<T> => {
    onStep(what);
    return requireResult(await runChild<T>(TASKS, task, payload, { env: childEnv, timeoutMs }), `malloc: ${what}`);
  };

  const sourcesPayload: SourcesPayload = { maxSweepBytes, maxRoundingBytes: ROUNDING_MAX_BYTES, denseSteps: DENSE_STEPS, lazyBytes };
  const sources = await child<SourcesChildResult>('measureSources', sourcesPayload, 'sources, break, rounding, header, lazy');
  const crossoverBytes = sources.crossover.crossoverBytes ?? maxSweepBytes;
  const thresholdChunkBytes = sources.crossover.thresholdChunkBytes ?? maxSweepBytes;
  const tp: ThresholdPayload = { crossoverBytes, thresholdChunkBytes, granularityBytes: sources.rounding.granularityBytes, maxBytes: maxSweepBytes };
  const trimPayload: TrimPayload = { blockBytes: Math.max(1, Math.floor(crossoverBytes / 2)), blocks: TRIM_BLOCKS, mmapBytes: 8 * crossoverBytes };
  const [dynamicThreshold, mallopt, carveChild, trim] = await Promise.all([
    child<DynamicThresholdStep>('measureDynamicThreshold', tp, 'dynamic threshold'),
    child<MalloptStep>('measureMallopt', tp, 'mallopt(M_MMAP_THRESHOLD)'),
    child<Omit<CarveStep, 'sweepCarvedSizes'>>('measureCarve', tp, 'top-chunk carving'),
    child<TrimStep>('measureTrim', trimPayload, 'free and trim'),
  ]);
  const starting = startingThresholdEnv(env);
  const startingCrossover = await child<CrossoverSearch>('measureStartingThreshold', { maxSweepBytes }, 'the threshold glibc starts from', starting.env);
  const arenaPayload: ArenaPayload = { workers, blocksPerWorker, blockBytes: ARENA_BLOCK_BYTES };
  const arenas: ArenaStep[] = [await child<ArenaStep>('measureArenas', arenaPayload, 'thread arenas')];
  if (arenaMaxVariant) arenas.push(await child<ArenaStep>('measureArenas', arenaPayload, 'thread arenas, MALLOC_ARENA_MAX=1', { ...env, MALLOC_ARENA_MAX: '1' }));

  const laterCrossover = sources.crossoverLater.crossoverBytes;
  const carve: CarveStep = {
    ...carveChild,
    sweepCarvedSizes: laterCrossover === null ? [] : sources.sweep.filter((e) => e.witnesses.flags === 'brk' && e.sizeBytes >= laterCrossover).map((e) => e.sizeBytes),
  };
  const measurements: MallocMeasurements = {
    libc,
    pageSizeBytes: sources.pageSizeBytes,
    sweep: sources.sweep,
    crossoverBytes: sources.crossover.crossoverBytes,
    crossover: sources.crossover,
    crossoverLater: sources.crossoverLater,
    startingThreshold: { crossover: withGranularity(startingCrossover, sources.rounding.granularityBytes), setting: starting.setting },
    thresholdInForce: { bytes: sources.crossover.thresholdChunkBytes, origin: thresholdOrigin(env), setting: thresholdSetting(env), dynamic: dynamicThreshold.rose },
    settings: mallocSettings(env),
    breakStep: sources.breakStep,
    carve,
    dynamicThreshold,
    mallopt,
    rounding: sources.rounding,
    sizeHeader: sources.sizeHeader,
    trim,
    arenas,
    lazy: sources.lazy,
    disagreements: sources.sweep.filter((e) => e.source === 'disputed'),
  };
  return { ...base, claims: judgeMalloc(measurements), measurements };
}
