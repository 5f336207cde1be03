/** The stack experiment as the CLI and the report run it. */
import { progressOption, type ExperimentDescriptor } from '../descriptor';
import { runStack, type StackOptions, type StackResult } from './index';

export const stackExperiment: ExperimentDescriptor<'stack', StackResult> = {
  name: 'stack',
  description: 'the stack grows on demand up to RLIMIT_STACK, then SIGSEGV (in a child); thread stacks; JS limit; stack vs heap cost',
  options: [
    '--limit SIZE  RLIMIT_STACK of the growth run, or "unlimited" (default: inherited, e.g. from `ulimit -s`)',
    '--frame SIZE  bytes each recursion level takes (default: the page size)',
  ],
  accepts: ['limit', 'frame'],
  run: (o) => {
    const opts: StackOptions = { ...progressOption('stack', o) };
    if (o.limitBytes !== undefined) opts.limitBytes = o.limitBytes;
    if (o.frameBytes !== undefined) opts.frameBytes = o.frameBytes;
    return runStack(opts);
  },
};
