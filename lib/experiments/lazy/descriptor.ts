/** The lazy experiment as the CLI and the report run it. */
import { constants as bufferConstants } from 'node:buffer';
import { progressOption, type ExperimentDescriptor } from '../descriptor';
import { runLazy, LAZY_DEFAULT_SIZE_BYTES, type LazyOptions, type LazyResult } from './index';

export const lazyExperiment: ExperimentDescriptor<'lazy', LazyResult> = {
  name: 'lazy',
  description: 'lazy physical allocation: mapping costs nothing until a page is touched; each first touch faults',
  options: [`--size SIZE   bytes each step maps (default ${LAZY_DEFAULT_SIZE_BYTES / 1024 / 1024}MiB)`],
  accepts: ['size'],
  // Measured: \`vmprobe lazy --size 512MiB\` peaks at 1.09 GiB RSS (VmHWM), the size twice
  // over plus node's ~80 MiB: two sizes are resident at the peak.
  // Its Buffer step allocates the size as one Buffer: at most buffer.constants.MAX_LENGTH
  // (4 GiB on Node 20, more on later releases).
  sizeBounds: () => ({ size: { minBytes: 1, minReason: null, maxBytes: bufferConstants.MAX_LENGTH, maxReason: "the largest Buffer this node allows, buffer.constants.MAX_LENGTH", unlimited: false, residentPerByte: 2 } }),
  run: (o) => {
    const opts: LazyOptions = { ...progressOption('lazy', o) };
    if (o.sizeBytes !== undefined) opts.sizeBytes = o.sizeBytes;
    return runLazy(opts);
  },
};
