/**
 * The lazy-allocation experiment (`vmprobe lazy`): mapping memory costs nothing until
 * a page is touched, and every first touch is a page fault — measured, step by step.
 * Runs in the calling process: every count it judges is taken per mapping or inside
 * one native call, so what the process did before does not change them.
 */
import { readHostInfo } from '../../host';
import { SCHEMA_VERSION, type ExperimentResult } from '../../result';
import { pageSizeBytes } from '../../usage';
import { zeroPagePfn } from '../../zeropage';
import { optionalCount, rejectUnknownKeys, validateOptions } from '../../validate';
import { runHugepage, runMapReadWriteDontneed, runOvercommit, runPopulate } from './anonymous';
import { runFileStep } from './file';
import { runNodeBuffers } from './buffers';
import { runMallocStep } from './malloc-step';
import { judgeLazy } from './verdicts';
import type { DontneedStep, LazyMeasurements, PopulateStep } from './measurements';

export type { LazyMeasurements } from './measurements';

/** Options of the lazy experiment. */
export interface LazyOptions {
  /** Bytes each step maps (default 64 MiB; any size >= 1). */
  sizeBytes?: number;
  /** Bytes the overcommit step tries to reserve (default 1 TiB). */
  overcommitBytes?: number;
  /** Size of the "small" malloc block (default 1 KiB). */
  smallMallocBytes?: number;
  /** Directories to try for the file step, in order (default: temp, cwd, home). */
  fileDirectories?: string[];
  /** Called with each step's name as it starts (progress display). */
  onStep?: (name: string) => void;
}

/** Default --size of the lazy experiment: 64 MiB. */
export const LAZY_DEFAULT_SIZE_BYTES = 64 * 1024 * 1024;
const DEFAULT_OVERCOMMIT_BYTES = 2 ** 40;
const DEFAULT_SMALL_MALLOC_BYTES = 1024;

/** The lazy experiment's JSON result. */
export type LazyResult = ExperimentResult<LazyMeasurements>;

/** Runs the lazy-allocation experiment in this process and judges the lazy.* claims. */
export function runLazy(options: LazyOptions = {}): LazyResult {
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['sizeBytes', 'overcommitBytes', 'smallMallocBytes', 'fileDirectories', 'onStep']);
  const sizeBytes = optionalCount(opts['sizeBytes'], 'sizeBytes', LAZY_DEFAULT_SIZE_BYTES, 1);
  const overcommitBytes = optionalCount(opts['overcommitBytes'], 'overcommitBytes', DEFAULT_OVERCOMMIT_BYTES, 1);
  const smallMallocBytes = optionalCount(opts['smallMallocBytes'], 'smallMallocBytes', DEFAULT_SMALL_MALLOC_BYTES, 1);
  const onStep = typeof opts['onStep'] === 'function' ? (opts['onStep'] as (name: string) => void) : () => {};
  const fileDirectories = options.fileDirectories;
  const page = pageSizeBytes();
  const host = readHostInfo();

  onStep('map, read, write, dontneed');
  const [mapped, read, write, dontneed] = runMapReadWriteDontneed(sizeBytes);
  onStep('populate');
  const populate: PopulateStep = runPopulate(sizeBytes);
  onStep('hugepage');
  const hugepage = runHugepage(sizeBytes, page);
  onStep('overcommit');
  const overcommit = runOvercommit(overcommitBytes, host.physicalMemoryBytes);
  onStep('file');
  const file = runFileStep(sizeBytes, page, fileDirectories);
  onStep('node-buffers');
  const buffers = runNodeBuffers(sizeBytes);
  onStep('malloc');
  const mallocStep = runMallocStep(smallMallocBytes, sizeBytes);

  const measurements: LazyMeasurements = {
    pageSizeBytes: page,
    sizeBytes,
    pages: Math.ceil(sizeBytes / page),
    zeroPageMethod: zeroPagePfn() === null ? 'present-not-exclusive' : 'pfn',
    steps: [mapped!, read!, write!, dontneed as DontneedStep, populate, hugepage, overcommit, file, buffers, mallocStep],
  };
  return { schema: SCHEMA_VERSION, experiment: 'lazy', host, claims: judgeLazy(measurements), measurements };
}
