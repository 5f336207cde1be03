/** The lazy experiment as the CLI and the report run it. */
import { progressOption, type ExperimentDescriptor } from '../descriptor';
import { runLazy, LAZY_DEFAULT_SIZE_BYTES, type LazyOptions, type LazyResult } from './index';

export const lazyExperiment: ExperimentDescriptor<'lazy', LazyResult> = {
  name: 'lazy',
  description: 'lazy physical allocation: mapping costs nothing until a page is touched; each first touch faults',
  options: [`--size SIZE   bytes each step maps (default ${LAZY_DEFAULT_SIZE_BYTES / 1024 / 1024}MiB)`],
  accepts: ['size'],
  run: (o) => {
    const opts: LazyOptions = { ...progressOption('lazy', o) };
    if (o.sizeBytes !== undefined) opts.sizeBytes = o.sizeBytes;
    return runLazy(opts);
  },
};
