/**
 * The allocator configurations of `vmprobe allocators`: glibc's malloc as shipped, two
 * glibc tunings users are told to try (MALLOC_ARENA_MAX=2; a fixed
 * MALLOC_MMAP_THRESHOLD_, which per mallopt(3) also disables the dynamic threshold),
 * glibc followed by malloc_trim(0), and each replacement allocator preloaded with
 * LD_PRELOAD. Each configuration runs in child processes of its own whose environment
 * is built here: every inherited malloc setting (LD_PRELOAD, MALLOC_*_, glibc.malloc
 * tunables, MALLOC_CONF, TCMALLOC_*, MIMALLOC_*) is stripped first, so the experiment
 * measures what it names even when vmprobe itself runs under a replacement allocator.
 */
import type { NativeReleaseKind } from '../../native/loader';

/** A configuration's id (the names `--only` takes). */
export type AllocatorConfigId = 'glibc' | 'glibc-arena-max-2' | 'glibc-trim' | 'glibc-mmap-threshold' | 'jemalloc' | 'tcmalloc' | 'mimalloc';
/** A replacement allocator loaded with LD_PRELOAD. */
export type ReplacementAllocator = 'jemalloc' | 'tcmalloc' | 'mimalloc';

/** One configuration. */
export interface AllocatorConfig {
  id: AllocatorConfigId;
  /** How the table names it. */
  label: string;
  /** The malloc that must be in force in its children. */
  allocator: 'glibc' | ReplacementAllocator;
  /** Environment variables set in its children (after stripping inherited malloc settings). */
  env: Readonly<Record<string, string>>;
  /** The allocator's own "give free memory back" call, run after the workload. */
  release: NativeReleaseKind;
  /**
   * Set for a configuration measured in another's children: 'glibc-trim' is the glibc
   * default run's RSS after its malloc_trim(0) (same child, same load: only the trim differs).
   */
  derivedFrom: AllocatorConfigId | null;
}

/** glibc's fixed mmap threshold of the tuned configuration: 128 KiB (glibc's initial value, made static). */
export const FIXED_MMAP_THRESHOLD_BYTES = 131072;

/** Every configuration, in table order. */
export const ALLOCATOR_CONFIGS: readonly AllocatorConfig[] = [
  { id: 'glibc', label: 'glibc (default)', allocator: 'glibc', env: {}, release: 'glibc', derivedFrom: null },
  { id: 'glibc-arena-max-2', label: 'glibc MALLOC_ARENA_MAX=2', allocator: 'glibc', env: { MALLOC_ARENA_MAX: '2' }, release: 'glibc', derivedFrom: null },
  { id: 'glibc-trim', label: 'glibc + malloc_trim(0)', allocator: 'glibc', env: {}, release: 'glibc', derivedFrom: 'glibc' },
  { id: 'glibc-mmap-threshold', label: `glibc MALLOC_MMAP_THRESHOLD_=${FIXED_MMAP_THRESHOLD_BYTES}`, allocator: 'glibc', env: { MALLOC_MMAP_THRESHOLD_: String(FIXED_MMAP_THRESHOLD_BYTES) }, release: 'glibc', derivedFrom: null },
  { id: 'jemalloc', label: 'jemalloc (LD_PRELOAD)', allocator: 'jemalloc', env: {}, release: 'jemalloc', derivedFrom: null },
  { id: 'tcmalloc', label: 'tcmalloc (LD_PRELOAD)', allocator: 'tcmalloc', env: {}, release: 'tcmalloc', derivedFrom: null },
  { id: 'mimalloc', label: 'mimalloc (LD_PRELOAD)', allocator: 'mimalloc', env: {}, release: 'mimalloc', derivedFrom: null },
];

/** Every configuration id, in table order. */
export const ALLOCATOR_CONFIG_IDS: readonly AllocatorConfigId[] = ALLOCATOR_CONFIGS.map((c) => c.id);

const STRIPPED_PREFIXES = ['MALLOC_', 'TCMALLOC_', 'MIMALLOC_', 'JE_MALLOC_'];
const STRIPPED_NAMES = new Set(['LD_PRELOAD', 'MALLOC_CONF', '_RJEM_MALLOC_CONF']);

/** `base` without any setting that chooses or tunes a malloc; glibc.malloc.* tunables are removed from GLIBC_TUNABLES, others kept. */
export function stripMallocEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || STRIPPED_NAMES.has(name) || STRIPPED_PREFIXES.some((p) => name.startsWith(p))) continue;
    env[name] = value;
  }
  const tunables = env['GLIBC_TUNABLES'];
  if (tunables !== undefined) {
    const kept = tunables.split(':').filter((t) => t !== '' && !t.startsWith('glibc.malloc.'));
    if (kept.length > 0) env['GLIBC_TUNABLES'] = kept.join(':');
    else delete env['GLIBC_TUNABLES'];
  }
  return env;
}

/**
 * The environment of a configuration's children: `base` stripped of malloc settings,
 * plus the configuration's variables, plus LD_PRELOAD=`libraryPath` for a replacement.
 */
export function configEnv(config: AllocatorConfig, base: NodeJS.ProcessEnv, libraryPath: string | null): NodeJS.ProcessEnv {
  const env = { ...stripMallocEnv(base), ...config.env };
  if (libraryPath !== null) env['LD_PRELOAD'] = libraryPath;
  return env;
}
