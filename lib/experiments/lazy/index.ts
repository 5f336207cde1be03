/**
 * The lazy-allocation experiment (`vmprobe lazy`): mapping memory costs nothing until
 * a page is touched, and every first touch is a page fault — measured, step by step.
 * Runs in the calling process: every count it judges is taken per mapping or inside
 * one native call, so what the process did before does not change them.
 */
import { readHostInfo } from '../../system/host';
import { SCHEMA_VERSION, type ExperimentResult } from '../../report/result';
import { pageSizeBytes } from '../../system/usage';
import { zeroPagePfn } from '../../pages/zero-page';
import { optionalBoolean, optionalCount, rejectUnknownKeys, validateOptions } from '../../util/validate';
import { requireResult, runChild } from '../../child/spawn';
import { hugeZeroPage } from '../../pages/huge-zero-page';
import { processSnapshot } from './observe';
import * as path from 'node:path';
import { runHugepage, runMapReadWriteDontneed, runOvercommit, runPopulate } from './anonymous';
import { runFileStep } from './file';
import { runNodeBuffers } from './buffers';
import { runMallocStep, type MallocStep } from './malloc-step';
import { runLazyCurve } from './curve';
import { probePageTables } from '../../pages/page-tables';

const MALLOC_STEP_MODULE = path.join(__dirname, 'malloc-step.js');
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
  /**
   * Run the malloc step in a fresh child process (default true): which source a block
   * comes from depends on malloc's state, which the caller's history changes. False
   * measures the caller's own malloc.
   */
  mallocInChild?: boolean;
}

/** Default --size of the lazy experiment: 64 MiB. */
export const LAZY_DEFAULT_SIZE_BYTES = 64 * 1024 * 1024;
const DEFAULT_OVERCOMMIT_BYTES = 2 ** 40;
const DEFAULT_SMALL_MALLOC_BYTES = 1024;

/** The lazy experiment's JSON result. */
export type LazyResult = ExperimentResult<LazyMeasurements, 'lazy'>;

/**
 * Runs the lazy-allocation experiment and judges the lazy.* claims. Every step runs in
 * this process except the malloc step, which runs in a fresh child unless
 * `mallocInChild: false`. Options are validated before anything runs.
 */
export async function runLazy(options: LazyOptions = {}): Promise<LazyResult> {
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['sizeBytes', 'overcommitBytes', 'smallMallocBytes', 'fileDirectories', 'onStep', 'mallocInChild']);
  const mallocInChild = optionalBoolean(opts['mallocInChild'], 'mallocInChild', true);
  const sizeBytes = optionalCount(opts['sizeBytes'], 'sizeBytes', LAZY_DEFAULT_SIZE_BYTES, 1);
  const overcommitBytes = optionalCount(opts['overcommitBytes'], 'overcommitBytes', DEFAULT_OVERCOMMIT_BYTES, 1);
  const smallMallocBytes = optionalCount(opts['smallMallocBytes'], 'smallMallocBytes', DEFAULT_SMALL_MALLOC_BYTES, 1);
  const onStep = typeof opts['onStep'] === 'function' ? (opts['onStep'] as (name: string) => void) : () => {};
  const fileDirectories = opts['fileDirectories'] as string[] | undefined;
  const page = pageSizeBytes();
  const host = readHostInfo();

  // Warm the apparatus before the first measured step: the zero-page probes map and
  // unmap memory of their own, and the first /proc read lets V8 grow its heap (2 MiB of
  // VSZ seen inside the first step otherwise).
  zeroPagePfn();
  hugeZeroPage();
  processSnapshot();
  onStep('map, read, write, dontneed');
  const [mapped, read, write, dontneed] = runMapReadWriteDontneed(sizeBytes);
  onStep('page tables');
  const pageTables = probePageTables(sizeBytes, page);
  onStep('populate');
  const populate: PopulateStep = runPopulate(sizeBytes);
  onStep('hugepage');
  const hugepage = runHugepage(sizeBytes, page);
  onStep('overcommit');
  const overcommit = runOvercommit(overcommitBytes, host.physicalMemoryBytes);
  onStep('file');
  const file = runFileStep(sizeBytes, page, fileDirectories);
  // malloc before node-buffers: freeing a buffer's mmapped backing store raises glibc's
  // dynamic mmap threshold, which would move the large block onto the brk heap.
  onStep('malloc');
  const mallocStep = mallocInChild
    ? requireResult(await runChild<MallocStep>(MALLOC_STEP_MODULE, 'mallocStepTask', { smallBytes: smallMallocBytes, largeBytes: sizeBytes }), 'the lazy malloc step')
    : runMallocStep(smallMallocBytes, sizeBytes);
  onStep('node-buffers');
  const buffers = runNodeBuffers(sizeBytes);
  onStep('curve');
  const curve = runLazyCurve(sizeBytes, page);

  const measurements: LazyMeasurements = {
    pageSizeBytes: page,
    sizeBytes,
    pages: Math.ceil(sizeBytes / page),
    zeroPageMethod: zeroPagePfn() === null ? 'present-not-exclusive' : 'pfn',
    steps: [mapped!, read!, write!, dontneed as DontneedStep, populate, hugepage, overcommit, file, buffers, mallocStep],
    pageTables,
    curve,
  };
  return { schema: SCHEMA_VERSION, experiment: 'lazy', host, claims: judgeLazy(measurements), measurements };
}
