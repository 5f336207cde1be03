/** The stack experiment as the CLI and the report run it. */
import { progressOption, type ExperimentDescriptor } from '../descriptor';
import { runStack, type StackOptions, type StackResult } from './index';
import { getrlimit, pageSizeBytes } from '../../system/usage';
import { STACK_FRAME_RANGE } from '../../stack/probes';

export const stackExperiment: ExperimentDescriptor<'stack', StackResult> = {
  name: 'stack',
  description: 'the stack grows on demand up to RLIMIT_STACK, then SIGSEGV (in a child); thread stacks; JS limit; stack vs heap cost',
  options: [
    '--limit SIZE  RLIMIT_STACK of the growth run, or "unlimited" (default: inherited, e.g. from `ulimit -s`)',
    '--frame SIZE  bytes each recursion level takes (default: the page size)',
  ],
  accepts: ['limit', 'frame'],
  sizeBounds: () => {
    const hard = getrlimit('stack').hard;
    const finiteHard = Number.isFinite(hard);
    return {
      // Measured: the growth child peaks at 560 MiB RSS under --limit 256MiB (176 MiB under
      // 64MiB): about twice the limit is resident when it dies.
      limit: {
        minBytes: pageSizeBytes(), minReason: 'the page size', unlimited: !finiteHard, residentPerByte: 2,
        maxBytes: finiteHard ? hard : null, maxReason: finiteHard ? 'the hard RLIMIT_STACK; raising it needs CAP_SYS_RESOURCE' : null,
      },
      frame: { minBytes: STACK_FRAME_RANGE.minBytes, minReason: null, maxBytes: STACK_FRAME_RANGE.maxBytes, maxReason: null, unlimited: false, residentPerByte: 0 },
    };
  },
  run: (o) => {
    const opts: StackOptions = { ...progressOption('stack', o) };
    if (o.limitBytes !== undefined) opts.limitBytes = o.limitBytes;
    if (o.frameBytes !== undefined) opts.frameBytes = o.frameBytes;
    return runStack(opts);
  },
};
