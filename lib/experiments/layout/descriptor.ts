/** The layout experiment as the CLI and the report run it. */
import { progressOption, type ExperimentDescriptor } from '../descriptor';
import { runLayout, type LayoutOptions, type LayoutResult } from './index';

export const layoutExperiment: ExperimentDescriptor<'layout', LayoutResult> = {
  name: 'layout',
  description: 'the live address-space map, drawn: segments, heap, mmap area, stacks, ASLR, faults',
  options: ['--pid PID     classify and draw another process (default: vmprobe itself)'],
  accepts: ['pid'],
  sizeBounds: () => ({}),
  run: (o) => {
    const opts: LayoutOptions = { ...progressOption('layout', o) };
    if (o.pid !== undefined) opts.pid = o.pid;
    return runLayout(opts);
  },
};
