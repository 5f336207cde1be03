/**
 * The CLI face of `vmprobe allocators`: its option lines for --help, the mapping from
 * the CLI's string values to runAllocators options (a bad value throws a one-line
 * ERR_INVALID_ARG_VALUE error, which the CLI prints as a usage error, exit 2), and
 * its descriptor (descriptor.ts) uses both.
 */
import { invalidArgValue } from '../../util/errors';
import { ALLOCATOR_CONFIG_IDS, type AllocatorConfigId } from './configs';
import { ALLOCATORS_DEFAULT_SCALE, ALLOCATORS_DEFAULT_THREADS, ALLOCATORS_REPORT_REPETITIONS, ALLOCATORS_REPORT_SCALE, type AllocatorsOptions } from './index';

/** The raw CLI values the experiment reads (node:util parseArgs strings). */
export interface AllocatorsCliValues {
  /** --only: comma-separated configuration ids. */
  only?: string;
  /** --threads N. */
  threads?: string;
  /** --scale S. */
  scale?: string;
  /** True when run by `vmprobe report`: the reduced scale unless --scale is given, and the report's repetitions. */
  report?: boolean;
  onProgress?: (what: string) => void;
}

/** parseArgs option declarations the CLI needs for this command. */
export const ALLOCATORS_PARSE_ARGS = { threads: { type: 'string' }, scale: { type: 'string' } } as const;

/** --help lines. */
export const ALLOCATORS_CLI_OPTIONS: readonly string[] = [
  `--only LIST   configurations, comma-separated: ${ALLOCATOR_CONFIG_IDS.join(', ')} (default: all)`,
  `--threads N   threads per native workload, workers per churn round (default ${ALLOCATORS_DEFAULT_THREADS})`,
  `--scale S     multiplies every workload's counts (default ${ALLOCATORS_DEFAULT_SCALE}; the report uses ${ALLOCATORS_REPORT_SCALE}, ${ALLOCATORS_REPORT_REPETITIONS} repetitions)`,
];

/** Maps CLI values to runAllocators options. Throws ERR_INVALID_ARG_VALUE (one line) for a bad value. */
export function allocatorsOptionsFromCli(values: AllocatorsCliValues): AllocatorsOptions {
  const options: AllocatorsOptions = {};
  if (values.only !== undefined) {
    const ids = values.only.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const bad = ids.filter((id) => !(ALLOCATOR_CONFIG_IDS as readonly string[]).includes(id));
    if (ids.length === 0 || bad.length > 0) {
      throw invalidArgValue('--only', `must list configurations among ${ALLOCATOR_CONFIG_IDS.join(', ')}. Received '${values.only}'`);
    }
    options.only = ids as AllocatorConfigId[];
  }
  if (values.threads !== undefined) {
    const n = Number(values.threads);
    if (!/^[0-9]+$/.test(values.threads) || n < 1 || n > 64) throw invalidArgValue('--threads', `must be an integer from 1 to 64. Received '${values.threads}'`);
    options.threads = n;
  }
  if (values.scale !== undefined) {
    const s = Number(values.scale);
    if (values.scale.trim() === '' || !Number.isFinite(s) || s <= 0 || s > 16) throw invalidArgValue('--scale', `must be a number > 0 and <= 16. Received '${values.scale}'`);
    options.scale = s;
  } else if (values.report === true) {
    options.scale = ALLOCATORS_REPORT_SCALE;
  }
  if (values.report === true) options.repetitions = ALLOCATORS_REPORT_REPETITIONS;
  if (values.onProgress) {
    const progress = values.onProgress;
    options.onStep = (step) => progress(`allocators: ${step}`);
  }
  return options;
}
