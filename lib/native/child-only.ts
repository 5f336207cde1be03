/**
 * The addon calls only a vmprobe child process may make: they end the process on
 * purpose (native/child_only.h refuses them unless VMPROBE_CHILD_TASK=1, which
 * lib/child/spawn.ts sets). Experiments' child tasks reach them here and nowhere else;
 * the package entries do not export them.
 */
import { native, type NativeFaultTarget, type NativeStackRecurseOptions, type NativeStackRecurseResult } from './loader';

export type { NativeFaultTarget as FaultTarget } from './loader';

/** Dereferences one enumerated fault target (native/layout.cc): expected to die of SIGSEGV. */
export function layoutFault(target: NativeFaultTarget): ReturnType<typeof native.layoutFault> {
  return native.layoutFault(target);
}

/** Recurses on this thread's stack (native/stack.cc), streaming records to `options.fd`; with untilFault it dies of SIGSEGV. */
export function stackRecurse(options: NativeStackRecurseOptions): NativeStackRecurseResult {
  return native.stackRecurse(options);
}
