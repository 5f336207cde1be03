/**
 * The reviewed table of everything vmprobe exports, and of every method of the handle
 * objects it returns: what each one is and how (if at all) it reaches memory. The fuzz
 * test (fuzz.test.ts) and the no-memory-primitives test (memory-primitives.test.ts)
 * enumerate the package at run time and FAIL on any export or method missing here, so a
 * new export cannot slip through unclassified and unfuzzed: add a row, and a generator
 * in fuzz-generators.ts.
 *
 * Kinds of export:
 * - `constant`       — a value (number, frozen array/object); not callable.
 * - `pure`           — a parser/judge over its arguments; no syscalls, no memory access.
 * - `reader`         — reads /proc, /sys or a file by path; never writes.
 * - `measuring`      — calls the addon to measure this thread/process; bounded work, no
 *                      caller-given address.
 * - `address-query`  — asks the KERNEL about a caller-given address range (mincore,
 *                      /proc/self/pagemap); never dereferences the address.
 * - `handle-factory` — creates a Mapping/HeapBlock handle; memory is reached only
 *                      through the handle's bounds-checked methods.
 * - `class`          — a handle class exported for `instanceof`; its constructor accepts
 *                      only the addon's own handle objects.
 * - `child-runner`   — an experiment: spawns child processes; async.
 * - `registrar`      — adds a metric to a caller-given prom-client registry (vmprobe/prometheus);
 *                      the metric reads /proc/self when scraped. Returns the metric object.
 * - `process-state`  — changes process-wide state (setrlimit): fuzzed ONLY in a child
 *                      process.
 *
 * `memory` says how the export reaches memory: 'none', 'kernel-query' (mincore/pagemap of
 * a range, no dereference), 'own-handle' (offsets bounds-checked against the handle),
 * 'addon-arrays' (the addon's own .data/.bss probe arrays, page index bounds-checked),
 * 'own-stack' (the calling thread's own stack, depth checked against its bounds).
 * There is deliberately no 'caller-address' value: no export may read or write at an
 * address the caller gives.
 */
export type ExportKind =
  | 'constant' | 'pure' | 'reader' | 'measuring' | 'address-query' | 'handle-factory' | 'class' | 'child-runner' | 'registrar' | 'process-state';
export type MemoryReach = 'none' | 'kernel-query' | 'own-handle' | 'addon-arrays' | 'own-stack';

export interface SurfaceEntry {
  kind: ExportKind;
  memory: MemoryReach;
  /** One line for the reviewer: why this classification. */
  why: string;
}

export const EXPORT_TABLE: Readonly<Record<string, SurfaceEntry>> = {
  // --- probe API: handles ---
  map: { kind: 'handle-factory', memory: 'own-handle', why: 'mmap(MAP_ANONYMOUS); returns a Mapping' },
  mapFile: { kind: 'handle-factory', memory: 'own-handle', why: 'mmap of a regular file by path; returns a Mapping' },
  Mapping: { kind: 'class', memory: 'own-handle', why: 'handle class; constructor takes only a native Mapping' },
  malloc: { kind: 'handle-factory', memory: 'own-handle', why: 'malloc/calloc; returns a HeapBlock' },
  HeapBlock: { kind: 'class', memory: 'own-handle', why: 'handle class; constructor takes only a native HeapBlock' },
  mallocBlocks: { kind: 'handle-factory', memory: 'own-handle', why: 'N mallocs in one native call, tables mmapped; returns a BlockSet' },
  BlockSet: { kind: 'class', memory: 'own-handle', why: 'handle class; constructor takes only a native BlockSet' },
  MAX_BLOCK_SET_COUNT: { kind: 'constant', memory: 'none', why: 'number' },
  MAX_BLOCK_SIZE_PATTERN: { kind: 'constant', memory: 'none', why: 'number' },
  ADVICE: { kind: 'constant', memory: 'none', why: 'madvise advice names' },
  DEFAULT_MAX_RUNS: { kind: 'constant', memory: 'none', why: 'number' },
  // --- buffers and pagemap: kernel queries about a range ---
  bufferResidency: { kind: 'address-query', memory: 'kernel-query', why: 'mincore over the pages a JS buffer spans (address taken from the buffer, not the caller)' },
  bufferPagemap: { kind: 'address-query', memory: 'kernel-query', why: '/proc/self/pagemap over a JS buffer' },
  bufferSpan: { kind: 'measuring', memory: 'none', why: "a JS buffer's address (display bigint) and length" },
  decodePagemapEntry: { kind: 'pure', memory: 'none', why: 'decodes a 64-bit pagemap word' },
  readPagemap: { kind: 'address-query', memory: 'kernel-query', why: 'reads /proc/self/pagemap entries for a caller-given range (metadata, never the memory)' },
  summarizePagemap: { kind: 'address-query', memory: 'kernel-query', why: 'pagemap entries of a caller-given range, counted' },
  zeroPagePfn: { kind: 'measuring', memory: 'own-handle', why: 'maps and reads a private page of its own to find the zero page PFN' },
  hugeZeroPage: { kind: 'measuring', memory: 'own-handle', why: 'maps and reads a PMD-aligned MADV_HUGEPAGE region of its own to find the huge zero page' },
  // --- usage and limits ---
  getrusage: { kind: 'measuring', memory: 'none', why: 'getrusage(2)' },
  getrlimit: { kind: 'measuring', memory: 'none', why: 'getrlimit(2)' },
  setrlimit: { kind: 'process-state', memory: 'none', why: 'setrlimit(2) changes the whole process: fuzzed only in a child' },
  sysconf: { kind: 'measuring', memory: 'none', why: 'sysconf(3)' },
  pageSizeBytes: { kind: 'measuring', memory: 'none', why: 'sysconf(_SC_PAGESIZE)' },
  RLIMIT_NAMES: { kind: 'constant', memory: 'none', why: 'resource names' },
  // --- host and kernel settings ---
  readHostInfo: { kind: 'reader', memory: 'none', why: 'uname, /proc, /sys, libc version' },
  readMallocTunables: { kind: 'pure', memory: 'none', why: 'reads MALLOC_* from an env object' },
  readThpSettings: { kind: 'reader', memory: 'none', why: '/sys/kernel/mm/transparent_hugepage' },
  readOvercommit: { kind: 'reader', memory: 'none', why: '/proc/sys/vm/overcommit_*' },
  readAslrMode: { kind: 'reader', memory: 'none', why: '/proc/sys/kernel/randomize_va_space' },
  readSwap: { kind: 'reader', memory: 'none', why: '/proc/meminfo' },
  // --- /proc parsers and readers ---
  parseMaps: { kind: 'pure', memory: 'none', why: 'parses maps text' },
  readMaps: { kind: 'reader', memory: 'none', why: '/proc/<pid>/maps' },
  findMapping: { kind: 'pure', memory: 'none', why: 'searches parsed entries by address (comparison only)' },
  parseSmaps: { kind: 'pure', memory: 'none', why: 'parses smaps text' },
  readSmaps: { kind: 'reader', memory: 'none', why: '/proc/<pid>/smaps' },
  smapsFor: { kind: 'pure', memory: 'none', why: 'searches parsed entries by address (comparison only)' },
  parseSmapsRollup: { kind: 'pure', memory: 'none', why: 'parses smaps_rollup text' },
  readSmapsRollup: { kind: 'reader', memory: 'none', why: '/proc/<pid>/smaps_rollup' },
  parseStatus: { kind: 'pure', memory: 'none', why: 'parses status text' },
  readStatus: { kind: 'reader', memory: 'none', why: '/proc/<pid>/status' },
  parseStatm: { kind: 'pure', memory: 'none', why: 'parses statm text' },
  readStatm: { kind: 'reader', memory: 'none', why: '/proc/<pid>/statm' },
  // --- claims, results, sizes, errors ---
  CLAIMS: { kind: 'constant', memory: 'none', why: 'claim catalogue' },
  VERDICTS: { kind: 'constant', memory: 'none', why: 'verdict names' },
  claimById: { kind: 'pure', memory: 'none', why: 'catalogue lookup' },
  SCHEMA_VERSION: { kind: 'constant', memory: 'none', why: 'number' },
  parseSize: { kind: 'pure', memory: 'none', why: 'parses "64MiB"' },
  parseLimit: { kind: 'pure', memory: 'none', why: 'parses a size or "unlimited"' },
  isCodedError: { kind: 'pure', memory: 'none', why: 'type guard' },
  ExperimentFailure: { kind: 'class', memory: 'none', why: 'an Error subclass (code ERR_VMPROBE_EXPERIMENT)' },
  // --- experiments ---
  runLazy: { kind: 'child-runner', memory: 'own-handle', why: 'the lazy experiment (its malloc step in a child)' },
  LAZY_DEFAULT_SIZE_BYTES: { kind: 'constant', memory: 'none', why: 'number' },
  runReport: { kind: 'child-runner', memory: 'own-handle', why: 'every experiment in turn' },
  EXPERIMENTS: { kind: 'constant', memory: 'none', why: 'registry; each entry.run is a child-runner (fuzzed via runReport/run*)' },
  runLayout: { kind: 'child-runner', memory: 'addon-arrays', why: 'the layout experiment (fault probes in children)' },
  runStack: { kind: 'child-runner', memory: 'own-stack', why: 'the stack experiment (overflows in children only)' },
  runAllocators: { kind: 'child-runner', memory: 'none', why: 'the allocators experiment (every workload in its own child, tables in mmap\'d memory there)' },
  ALLOCATORS_DEFAULT_SCALE: { kind: 'constant', memory: 'none', why: 'number' },
  ALLOCATORS_DEFAULT_THREADS: { kind: 'constant', memory: 'none', why: 'number' },
  ALLOCATORS_REPORT_SCALE: { kind: 'constant', memory: 'none', why: 'number' },
  ALLOCATORS_REPORT_REPETITIONS: { kind: 'constant', memory: 'none', why: 'number' },
  // --- layout ---
  layoutAddresses: { kind: 'measuring', memory: 'none', why: "addresses of the addon's own probe objects (display bigints)" },
  loadedObjects: { kind: 'measuring', memory: 'none', why: 'dl_iterate_phdr program headers' },
  touchSegmentPages: { kind: 'measuring', memory: 'addon-arrays', why: "touches pages of the addon's own .data/.bss arrays by page index (checked against their size)" },
  readThreadStackPointers: { kind: 'reader', memory: 'none', why: '/proc/<pid>/task/*/syscall' },
  parseSyscallStackPointer: { kind: 'pure', memory: 'none', why: 'parses a syscall line' },
  readLayout: { kind: 'reader', memory: 'none', why: 'maps + classification' },
  countThreads: { kind: 'reader', memory: 'none', why: '/proc/<pid>/task' },
  classifyRegions: { kind: 'pure', memory: 'none', why: 'classifies parsed maps entries' },
  regionAt: { kind: 'pure', memory: 'none', why: 'search by address (comparison only)' },
  findGaps: { kind: 'pure', memory: 'none', why: 'gaps between regions' },
  zoneOrder: { kind: 'pure', memory: 'none', why: 'orders zones' },
  zoneOf: { kind: 'pure', memory: 'none', why: 'kind → zone' },
  segmentOf: { kind: 'pure', memory: 'none', why: 'kind → segment' },
  REGION_KINDS: { kind: 'constant', memory: 'none', why: 'names' },
  parseElf: { kind: 'pure', memory: 'none', why: 'parses ELF headers through a caller-given byte reader callback' },
  parseElfBuffer: { kind: 'pure', memory: 'none', why: 'parses ELF headers from a Buffer (JS bounds-checked)' },
  readElf: { kind: 'reader', memory: 'none', why: 'reads ELF headers of a file by path' },
  renderLayoutSvg: { kind: 'pure', memory: 'none', why: 'renders measurements as SVG text' },
  // --- stack ---
  threadStack: { kind: 'measuring', memory: 'none', why: 'pthread_getattr_np bounds (display bigints)' },
  recurseStack: { kind: 'measuring', memory: 'own-stack', why: "recurses on this thread's stack to a depth checked against its bounds (TS and native)" },
  allocationCost: { kind: 'measuring', memory: 'own-stack', why: 'frame/alloca/malloc loops; size checked against the free stack' },
  STACK_VARIANTS: { kind: 'constant', memory: 'none', why: 'names' },
  ALLOCATION_KINDS: { kind: 'constant', memory: 'none', why: 'names' },
  STACK_STOP_HEADROOM_BYTES: { kind: 'constant', memory: 'none', why: 'number' },
  STACK_FRAME_RANGE: { kind: 'constant', memory: 'none', why: 'bounds' },
  STACK_BY_LIMIT_BYTES: { kind: 'constant', memory: 'none', why: 'numbers' },
  // --- hardening ---
  liveHandles: { kind: 'measuring', memory: 'none', why: 'process-wide counts of live mappings, heap blocks and block sets' },
  // --- limits on result sizes ---
  MAX_RUNS: { kind: 'constant', memory: 'none', why: 'number' },
  MAX_PAGEMAP_ENTRIES: { kind: 'constant', memory: 'none', why: 'number' },
  RLIMITS_FATAL_WHEN_LOWERED: { kind: 'constant', memory: 'none', why: 'resource names setrlimit refuses to lower in-process' },
  // --- malloc ---
  programBreak: { kind: 'measuring', memory: 'none', why: 'sbrk(0) (display bigint)' },
  mallinfo2: { kind: 'measuring', memory: 'none', why: 'mallinfo2(3)' },
  mallocInfo: { kind: 'measuring', memory: 'none', why: 'malloc_info(3) XML, parsed' },
  mallocInfoXml: { kind: 'measuring', memory: 'none', why: 'malloc_info(3) XML text' },
  mallopt: { kind: 'process-state', memory: 'none', why: "mallopt(3) changes the whole process's malloc: fuzzed only in a child" },
  mallocTrim: { kind: 'process-state', memory: 'none', why: "malloc_trim(3) returns the process's free heap memory: fuzzed only in a child" },
  MALLOPT_PARAMS: { kind: 'constant', memory: 'none', why: 'names' },
  requireGlibc: { kind: 'pure', memory: 'none', why: 'throws ERR_VMPROBE_UNSUPPORTED unless the given libc identity is glibc' },
  parseMallocInfo: { kind: 'pure', memory: 'none', why: 'parses malloc_info XML text' },
  classifyBlock: { kind: 'pure', memory: 'none', why: 'judges a block from its address (comparison only), decoded header and parsed maps' },
  addressWitness: { kind: 'pure', memory: 'none', why: 'compares an address with the heap bounds (comparison only)' },
  flagsWitness: { kind: 'pure', memory: 'none', why: 'reads flags off a decoded header object' },
  mapsWitness: { kind: 'pure', memory: 'none', why: 'finds an address in parsed maps entries (comparison only)' },
  runMalloc: { kind: 'child-runner', memory: 'own-handle', why: 'the malloc experiment (every step in a child)' },
  MALLOC_DEFAULT_MAX_SWEEP_BYTES: { kind: 'constant', memory: 'none', why: 'number' },
  // --- report ---
  unmeasuredClaims: { kind: 'pure', memory: 'none', why: 'the catalogue claims no experiment in the list judged' },
  EXPERIMENT_NAMES: { kind: 'constant', memory: 'none', why: 'the experiment names, in report order' },
  renderReportHtml: { kind: 'pure', memory: 'none', why: 'renders a report result as an HTML page' },
  renderReportText: { kind: 'pure', memory: 'none', why: 'renders a report result as terminal text' },
  renderExperimentText: { kind: 'pure', memory: 'none', why: 'renders one experiment result as terminal text' },
  renderJson: { kind: 'pure', memory: 'none', why: 'serialises a value as JSON text (bigints as hex)' },
  // --- explain ---
  explainMemory: { kind: 'reader', memory: 'none', why: "reads /proc/<pid>/smaps, smaps_rollup, status, task/*; for this process also V8 statistics and mallinfo2" },
  registerMemoryGauges: { kind: 'registrar', memory: 'none', why: "vmprobe/prometheus: a prom-client Gauge whose collect() runs explainMemory() on this process (reads /proc/self)" },
  explainBuffer: { kind: 'address-query', memory: 'kernel-query', why: "mincore over the pages of a JS view and of its ArrayBuffer (addresses from the buffer, not the caller)" },
  EXPLAIN_SCHEMA_VERSION: { kind: 'constant', memory: 'none', why: 'number' },
};

/** What a handle method does. */
export type MethodKind = 'getter' | 'bounded-access' | 'query' | 'state' | 'release';
export interface MethodEntry {
  kind: MethodKind;
  memory: MemoryReach;
  why: string;
}

/** Every prototype member of the handle classes (methods and accessors, inherited ones included). */
export const METHOD_TABLE: Readonly<Record<'Mapping' | 'HeapBlock' | 'BlockSet', Readonly<Record<string, MethodEntry>>>> = {
  Mapping: {
    address: { kind: 'getter', memory: 'none', why: 'display bigint, null once unmapped' },
    sizeBytes: { kind: 'getter', memory: 'none', why: 'number' },
    pageSizeBytes: { kind: 'getter', memory: 'none', why: 'number' },
    pages: { kind: 'getter', memory: 'none', why: 'number' },
    closed: { kind: 'getter', memory: 'none', why: 'boolean' },
    protection: { kind: 'getter', memory: 'none', why: 'string' },
    touch: { kind: 'bounded-access', memory: 'own-handle', why: 'reads/writes one byte per page of [offset, offset+length) inside the mapping; protection checked' },
    residency: { kind: 'query', memory: 'kernel-query', why: 'mincore of a range inside the mapping' },
    pagemap: { kind: 'query', memory: 'kernel-query', why: 'pagemap of a range inside the mapping' },
    advise: { kind: 'state', memory: 'own-handle', why: 'madvise of a page-aligned range inside the mapping' },
    protect: { kind: 'state', memory: 'own-handle', why: 'mprotect of the whole mapping; refused below read-write while an ArrayBuffer may reach it' },
    sync: { kind: 'state', memory: 'own-handle', why: 'msync of the whole mapping' },
    asArrayBuffer: { kind: 'bounded-access', memory: 'own-handle', why: 'V8-bounds-checked ArrayBuffer over a read-write anonymous mapping; detached on unmap (pages swapped for zero memory while a buffer may live); untransferable' },
    fileSizeBytes: { kind: 'getter', memory: 'none', why: 'fstat of the mapped file' },
    unmap: { kind: 'release', memory: 'own-handle', why: 'munmap, idempotent' },
  },
  HeapBlock: {
    address: { kind: 'getter', memory: 'none', why: 'display bigint, null once freed' },
    sizeBytes: { kind: 'getter', memory: 'none', why: 'number' },
    usableSizeBytes: { kind: 'getter', memory: 'none', why: 'malloc_usable_size' },
    closed: { kind: 'getter', memory: 'none', why: 'boolean' },
    touch: { kind: 'bounded-access', memory: 'own-handle', why: 'reads/writes one byte per page inside [0, sizeBytes)' },
    residency: { kind: 'query', memory: 'kernel-query', why: 'mincore of the pages the block spans' },
    pagemap: { kind: 'query', memory: 'kernel-query', why: 'pagemap of the pages the block spans' },
    free: { kind: 'release', memory: 'own-handle', why: 'free, idempotent' },
    realloc: { kind: 'state', memory: 'own-handle', why: 'realloc of its own block; the handle follows the new address' },
    chunkHeader: { kind: 'getter', memory: 'own-handle', why: "reads glibc's size word(s) just before its own block (refused under replacement allocators)" },
    drainedTopBytes: { kind: 'getter', memory: 'none', why: 'number' },
  },
  BlockSet: {
    count: { kind: 'getter', memory: 'none', why: 'number' },
    liveCount: { kind: 'getter', memory: 'none', why: 'number' },
    bytes: { kind: 'getter', memory: 'none', why: 'number' },
    liveBytes: { kind: 'getter', memory: 'none', why: 'number' },
    drainedTopBytes: { kind: 'getter', memory: 'none', why: 'number' },
    closed: { kind: 'getter', memory: 'none', why: 'boolean' },
    free: { kind: 'release', memory: 'own-handle', why: 'free of its own blocks selected by index into its mmapped table' },
    summary: { kind: 'query', memory: 'own-handle', why: "reads glibc's size word before each of its own live blocks (refused under replacement allocators)" },
    block: { kind: 'getter', memory: 'none', why: 'address (display) and malloc_usable_size of one of its blocks, index checked' },
    residency: { kind: 'query', memory: 'kernel-query', why: 'mincore of the span of its live blocks' },
    close: { kind: 'release', memory: 'own-handle', why: 'frees every live block and unmaps the table, idempotent' },
  },
};

/**
 * Prototype members (methods and accessors) of a class and of the classes it extends
 * (Mapping and HeapBlock share MemoryHandle's), without the constructors.
 */
export function prototypeMembers(cls: { prototype: object }): string[] {
  const names = new Set<string>();
  for (let proto: object | null = cls.prototype; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name);
  }
  return [...names].sort();
}

/** The descriptor of a prototype member of `instance`, looked up along its prototype chain (getters included). */
export function memberDescriptor(instance: object, name: string): PropertyDescriptor | undefined {
  for (let proto = Object.getPrototypeOf(instance) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    if (desc !== undefined) return desc;
  }
  return undefined;
}

/** The codes DESIGN.md / lib/util/errors.ts document, besides errno names. */
export const DOCUMENTED_CODES: ReadonlySet<string> = new Set([
  'ERR_INVALID_ARG_TYPE', 'ERR_OUT_OF_RANGE', 'ERR_INVALID_ARG_VALUE', 'ERR_VMPROBE_UNSUPPORTED', 'ERR_VMPROBE_CLOSED',
  'ERR_VMPROBE_BUILD', 'ERR_VMPROBE_CHILD', 'ERR_VMPROBE_EXPERIMENT', 'ERR_VMPROBE_PEER_MISSING', 'ERR_VMPROBE_NO_ADDRESS_SPACE',
]);

/**
 * Null when `err` is a documented rejection: an Error with a documented code, or a
 * system-call error (an errno name with a numeric `errno` and a `syscall`). Otherwise a
 * description of what is wrong with it.
 */
export function undocumentedRejection(err: unknown): string | null {
  if (!(err instanceof Error)) return `a thrown non-Error: ${typeof err} ${String(err)}`;
  const { code, errno, syscall } = err as Error & { code?: unknown; errno?: unknown; syscall?: unknown };
  if (typeof code !== 'string') return `an uncoded ${err.name}: ${err.message}`;
  if (DOCUMENTED_CODES.has(code)) return null;
  if (/^E[A-Z0-9]+$/.test(code) && typeof errno === 'number' && typeof syscall === 'string') return null;
  return `an undocumented code ${code} (${err.name}: ${err.message})`;
}

/**
 * The addon's own exports (lib/native/loader.ts). The package does not export them (its
 * `exports` map only has "."), but the .node file can be loaded by anyone, so they are
 * classified too. `fixed-fault-probe` is the one export that touches an address on
 * purpose — a fixed one from a closed list (null, a small integer, a kernel address,
 * the addon's own text), never a caller-given one — to let the layout experiment watch
 * a child die; it is only called in child tasks.
 */
export const NATIVE_TABLE: Readonly<Record<string, { memory: MemoryReach | 'fixed-fault-probe'; why: string }>> = {
  abi: { memory: 'none', why: 'number' },
  constants: { memory: 'none', why: 'frozen-shape data: name→value tables and limits (native/constants.cc)' },
  path: { memory: 'none', why: 'the .node file path, added by the bindings loader' },
  Mapping: { memory: 'own-handle', why: 'native handle class; offsets checked in C++ too' },
  HeapBlock: { memory: 'own-handle', why: 'native handle class; offsets checked in C++ too' },
  BlockSet: { memory: 'own-handle', why: 'native handle class; frees by index into its own table, never by address' },
  mincoreScan: { memory: 'kernel-query', why: 'mincore(2) of a caller-given range: the kernel answers, nothing is dereferenced' },
  bufferRange: { memory: 'none', why: "a JS buffer's address and length" },
  getrusage: { memory: 'none', why: 'getrusage(2)' },
  getrlimit: { memory: 'none', why: 'getrlimit(2)' },
  setrlimit: { memory: 'none', why: 'setrlimit(2): children only' },
  sysconf: { memory: 'none', why: 'sysconf(3)' },
  libc: { memory: 'none', why: 'gnu_get_libc_version' },
  fadvise: { memory: 'none', why: 'posix_fadvise(2) on an fd' },
  layoutAddresses: { memory: 'none', why: 'addresses of its own probe objects' },
  loadedObjects: { memory: 'none', why: 'dl_iterate_phdr' },
  segmentTouch: { memory: 'addon-arrays', why: "page index into its own .data/.bss arrays, checked" },
  layoutFault: { memory: 'fixed-fault-probe', why: 'faults at a fixed address from a closed list; refuses to run outside a vmprobe child (VMPROBE_CHILD_TASK)' },
  threadStack: { memory: 'none', why: 'pthread_getattr_np' },
  stackRecurse: { memory: 'own-stack', why: "recursion on this thread's stack; stop depth checked against its bounds (untilFault: children only)" },
  stackAllocCost: { memory: 'own-stack', why: 'frame/alloca/malloc loop' },
  liveHandles: { memory: 'none', why: 'three process-wide counters' },
  pageTableProbe: { memory: 'none', why: 'mmaps, writes and munmaps an anonymous range of its own (size checked, at most 1 GiB); reads VmPTE. No caller-given address' },
  programBreak: { memory: 'none', why: 'sbrk(0)' },
  mallopt: { memory: 'none', why: 'mallopt(3) by name' },
  mallocTrim: { memory: 'none', why: 'malloc_trim(3)' },
  mallinfo2: { memory: 'none', why: 'mallinfo2(3)' },
  mallocInfo: { memory: 'none', why: 'malloc_info(3) into a memstream' },
  allocatorIdentity: { memory: 'none', why: 'dlsym/dladdr of the allocators\' version symbols' },
  allocatorRelease: { memory: 'none', why: "the allocator's own release call by name (malloc_trim, mallctl purge, ...)" },
  memorySample: { memory: 'none', why: 'statm/status/maps read into stack buffers; clear_refs "5" resets VmHWM' },
  runAllocatorWorkload: { memory: 'none', why: 'malloc/free of its own blocks on its own threads; tables mmap\'d; experiment children' },
};
