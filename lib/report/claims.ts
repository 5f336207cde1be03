/**
 * The claims vmprobe checks (docs/claims.md): ids, the experiment that
 * checks each, and the claim as the textbook states it. Verdicts are never here: each
 * experiment derives them from what it measured.
 */
import { invalidArgType, invalidArgValue } from '../util/errors';
import type { ExperimentName } from '../experiments/names';

/** The verdict vocabulary. */
export type Verdict = 'holds' | 'qualified' | 'refuted' | 'not-applicable';
/** All verdicts, in report order. */
export const VERDICTS: readonly Verdict[] = ['holds', 'qualified', 'refuted', 'not-applicable'];

/** One claim of the textbook story. */
export interface ClaimDefinition {
  id: string;
  /** The experiment that judges it. */
  experiment: ExperimentName;
  text: string;
}

/** Every claim, in CLAIMS.md order. */
export const CLAIMS: readonly ClaimDefinition[] = [
  { id: 'layout.order', experiment: 'layout', text: 'From high to low addresses: kernel space, stack (grows down), shared libraries / mmap area, heap (grows up), .data/.bss, read-only sections (.rodata/.text), and a reserved low region.' },
  { id: 'layout.gaps', experiment: 'layout', text: 'Free gaps lie between stack and libraries and between libraries and heap, so stack and heap can grow; regions need not be contiguous.' },
  { id: 'layout.mmap-area', experiment: 'layout', text: 'mmap()ed regions (file mappings, anonymous mappings, thread stacks) sit in the area between heap and stack.' },
  { id: 'layout.thread-stacks', experiment: 'layout', text: 'Every thread has its own stack; thread stacks live in the mmap area.' },
  { id: 'layout.aslr', experiment: 'layout', text: 'Stack, mmap base and heap start get random offsets at every exec, against attackers.' },
  { id: 'layout.user-split', experiment: 'layout', text: 'On 32-bit Linux, kernel:user address space is 1:3 GiB (Windows 2:2).' },
  { id: 'layout.exec-base', experiment: 'layout', text: 'A 32-bit x86 executable is loaded at 0x08048000.' },
  { id: 'layout.reserved-low', experiment: 'layout', text: 'The lowest addresses are reserved: dereferencing NULL or a small integer faults.' },
  { id: 'layout.kernel-protected', experiment: 'layout', text: 'Kernel addresses are mapped in every process, but user-mode access faults.' },
  { id: 'layout.maps', experiment: 'layout', text: '`/proc/self/maps` lists every mapping of the process.' },
  { id: 'seg.bss-no-file-space', experiment: 'layout', text: '.bss holds zero-initialised globals and takes no space in the executable file, only in memory.' },
  { id: 'seg.bss-zero-page', experiment: 'layout', text: 'Reading untouched .bss maps the shared zero page: "no page fault and no physical memory" is allocated.' },
  { id: 'seg.data-faults', experiment: 'layout', text: 'Reading .data triggers a page fault and physical memory for it.' },
  { id: 'seg.text-readonly', experiment: 'layout', text: '.text is read-only; writing to it faults.' },
  { id: 'seg.text-shared', experiment: 'layout', text: 'Processes running the same program share one physical copy of its text.' },
  { id: 'seg.stack-no-shrink', experiment: 'stack', text: 'Once the stack mapping has grown it does not shrink back.' },
  { id: 'lazy.mmap-virtual-only', experiment: 'lazy', text: 'mmap() only reserves virtual address space and sets up page-table structures: no physical page is mapped yet.' },
  { id: 'lazy.first-touch-fault', experiment: 'lazy', text: 'The first access to each page raises a page fault, and only then is a physical page allocated and mapped.' },
  { id: 'lazy.malloc-virtual', experiment: 'lazy', text: 'Memory from malloc(), small or large, is virtual until first touched.' },
  { id: 'lazy.swap-major', experiment: 'lazy', text: 'A page swapped out or not yet read from its file faults again on access (a major fault).' },
  { id: 'malloc.two-sources', experiment: 'malloc', text: 'glibc malloc takes memory from two sources: brk (the heap) and mmap.' },
  { id: 'malloc.brk-moves', experiment: 'malloc', text: 'brk/sbrk move the end of the data segment (the program break) up to grow the heap.' },
  { id: 'malloc.threshold-128k', experiment: 'malloc', text: 'Requests under 128 KiB are served from the brk heap; requests over 128 KiB get their own anonymous mmap.' },
  { id: 'malloc.threshold-tunable', experiment: 'malloc', text: 'The threshold (MMAP_THRESHOLD) can be changed with mallopt().' },
  { id: 'malloc.pow2-rounding', experiment: 'malloc', text: 'A heap block is rounded up to the next power of two (212 bytes becomes 256).' },
  { id: 'malloc.size-header', experiment: 'malloc', text: 'The allocator records each block\'s size just before the address it returns.' },
  { id: 'malloc.free-returns', experiment: 'malloc', text: 'Freed memory is taken off the heap (the heap shrinks).' },
  { id: 'stack.grows-down', experiment: 'stack', text: 'The stack grows toward lower addresses.' },
  { id: 'stack.grows-on-demand', experiment: 'stack', text: 'When the stack runs past its mapping, a page fault grows it automatically, as long as it stays under RLIMIT_STACK.' },
  { id: 'stack.rlimit-8m', experiment: 'stack', text: 'RLIMIT_STACK is usually 8 MiB (`ulimit -s`).' },
  { id: 'stack.overflow-segv', experiment: 'stack', text: 'Going past RLIMIT_STACK is a stack overflow and the program gets SIGSEGV.' },
  { id: 'stack.faster-than-heap', experiment: 'stack', text: 'Stack allocation is much cheaper than heap allocation.' },
  { id: 'advice.arena-max', experiment: 'allocators', text: 'Setting `MALLOC_ARENA_MAX=2` lowers the memory a multi-threaded process keeps after a load.' },
  { id: 'advice.malloc-trim', experiment: 'allocators', text: 'Calling `malloc_trim(0)` gives memory the program freed back to the kernel.' },
  { id: 'advice.jemalloc', experiment: 'allocators', text: "Preloading jemalloc (`LD_PRELOAD`) lowers the memory a process keeps after a load, compared with glibc's malloc." },
];

/** The claim with this id (throws for an unknown id: a typo in an experiment is a bug). */
export function claimById(id: string): ClaimDefinition {
  if (typeof id !== 'string') throw invalidArgType('id', 'of type string', id);
  const claim = CLAIMS.find((c) => c.id === id);
  if (!claim) throw invalidArgValue('id', `is not a known claim id. Received '${id}'`);
  return claim;
}

/** A claim's verdict on this host, with the numbers it rests on. */
export interface ClaimResult {
  id: string;
  verdict: Verdict;
  /** One line carrying the key numbers. */
  summary: string;
  /** The measurements the verdict was computed from. */
  evidence: Record<string, unknown>;
}
