/**
 * The addon calls only a vmprobe child process may make: they end the process on
 * purpose (native/child_only.h refuses them unless VMPROBE_CHILD_TASK=1, which
 * lib/child/spawn.ts sets), or they exist only for an experiment's own child (the
 * allocators experiment's workloads, native/workloads.cc). Experiments' child tasks
 * reach them here and nowhere else; the package entries do not export them.
 */
import { native, type NativeAllocatorIdentity, type NativeMemorySample, type NativeReleaseKind, type NativeReleaseOutcome, type NativeWorkloadOptions, type NativeWorkloadResult, type NativeFaultTarget, type NativeHeapBlock, type NativeStackRecurseOptions, type NativeStackRecurseResult } from './loader';

export type { NativeFaultTarget as FaultTarget } from './loader';

/** Dereferences one enumerated fault target (native/layout.cc): expected to die of SIGSEGV. */
export function layoutFault(target: NativeFaultTarget): ReturnType<typeof native.layoutFault> {
  return native.layoutFault(target);
}

/**
 * A raw native heap block allocated with the main arena's top chunk drained first
 * (native/heap.cc DrainTop). For the malloc experiment's crossover search, which runs
 * first thing in its child and must load no more JavaScript than the addon loader:
 * loading modules frees mmapped chunks, and each such free raises glibc's dynamic mmap
 * threshold mid-search. Not validated beyond the addon's own checks.
 */
export function drainedHeapBlock(sizeBytes: number): NativeHeapBlock {
  return new native.HeapBlock({ sizeBytes, drainTop: true });
}

/** Recurses on this thread's stack (native/stack.cc), streaming records to `options.fd`; with untilFault it dies of SIGSEGV. */
export function stackRecurse(options: NativeStackRecurseOptions): NativeStackRecurseResult {
  return native.stackRecurse(options);
}

/** Which malloc this process runs, proved from inside (native/allocator_identity.cc: dlsym of each allocator's version call). */
export function allocatorIdentity(): NativeAllocatorIdentity {
  return native.allocatorIdentity();
}

/** The allocator's own release call (glibc malloc_trim(0), jemalloc purge, tcmalloc ReleaseFreeMemory, mimalloc mi_collect). */
export function allocatorRelease(kind: NativeReleaseKind): NativeReleaseOutcome {
  return native.allocatorRelease(kind);
}

/** RSS, VSZ, peak RSS and mapping count of this process, read into stack buffers (no malloc while measuring). */
export function memorySample(options?: { resetPeak?: boolean }): NativeMemorySample {
  return native.memorySample(options);
}

/** Runs one native allocator workload on T threads with its tables in mmap'd memory (native/workloads.cc). */
export function runAllocatorWorkload(options: NativeWorkloadOptions): NativeWorkloadResult {
  return native.runAllocatorWorkload(options);
}
