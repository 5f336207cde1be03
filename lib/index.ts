/**
 * vmprobe: see how Linux really handles a process's memory.
 *
 * The probe API (handles over mmap and malloc, residency, pagemap, rusage, limits), the
 * /proc readers, errors and size parsing. The experiments that check the textbook
 * claims are `vmprobe/experiments`; their renderers `vmprobe/render`. Every size is in
 * bytes, every count of pages in pages, every time in ns, unless the name says
 * otherwise. Errors carry a stable `code` (see errors.ts).
 */
export { map, mapFile, Mapping, ADVICE, DEFAULT_MAX_RUNS, MAX_RUNS } from './memory/mapping';
export type { MapOptions, MapFileOptions, Protection, Advice } from './memory/mapping';
export { malloc, HeapBlock } from './memory/heap';
export type { MallocOptions } from './memory/heap';
export { bufferResidency, bufferPagemap, bufferSpan } from './memory/buffers';
export type { BufferLike, BufferSpan } from './memory/buffers';
export { decodePagemapEntry, readPagemap } from './pages/pagemap';
export type { PagemapEntry } from './pages/pagemap';
export { summarizePagemap, MAX_PAGEMAP_ENTRIES } from './pages/summary';
export type { PagemapSummary } from './pages/summary';
export { zeroPagePfn } from './pages/zero-page';
export type { ZeroPageMethod } from './pages/zero-page';
export { getrusage, getrlimit, setrlimit, sysconf, pageSizeBytes, RLIMIT_NAMES, RLIMITS_FATAL_WHEN_LOWERED } from './system/usage';
export type { Rusage, RusageWho, Rlimit, RlimitName, Sysconf } from './system/usage';
export type { Counters, TouchOptions, TouchResult, Residency, ResidencyRun } from './memory/types';
export type { RangeOptions } from './memory/range';
export { readHostInfo, readMallocTunables } from './system/host';
export type { HostInfo, MallocTunables } from './system/host';
export { readThpSettings, readOvercommit, readAslrMode, readSwap } from './system/kernel-settings';
export type { ThpSettings, OvercommitSettings } from './system/kernel-settings';
export { parseMaps, readMaps, findMapping, parseSmaps, readSmaps, smapsFor, parseSmapsRollup, readSmapsRollup, parseStatus, readStatus, parseStatm, readStatm } from './proc/index';
export type { MapsEntry, SmapsEntry, SmapsRollup, ProcStatus, ProcStatm, ProcPid } from './proc/index';
export { parseSize, parseLimit } from './util/size';
export { isCodedError } from './util/errors';
export type { CodedError, VmprobeErrorCode } from './util/errors';
export { layoutAddresses, loadedObjects, touchSegmentPages, readThreadStackPointers, parseSyscallStackPointer, readLayout, countThreads } from './layout/probes';
export type { LayoutAddresses, SegmentTouchOptions, SegmentTouchResult } from './layout/probes';
export { classifyRegions, regionAt, findGaps, zoneOrder, zoneOf, segmentOf, REGION_KINDS } from './layout/regions';
export type { Region, RegionKind, Zone, Gap, ObjectHeaders, SegmentHeader, ClassifyContext } from './layout/regions';
export { parseElf, parseElfBuffer, readElf } from './layout/elf';
export type { ElfInfo, ElfSection, ByteReader } from './layout/elf';
export { threadStack, recurseStack, allocationCost, STACK_VARIANTS, ALLOCATION_KINDS, STACK_STOP_HEADROOM_BYTES, STACK_FRAME_RANGE } from './stack/probes';
export type { ThreadStack, StackVariant, RecurseStackOptions, RecurseStackResult, AllocationKind, AllocationCostOptions, AllocationCost } from './stack/probes';
export type { ChunkHeader, ReallocResult } from './memory/heap';
export { programBreak, mallopt, mallocTrim, mallinfo2, mallocInfo, mallocInfoXml, requireGlibc, MALLOPT_PARAMS } from './malloc/control';
export type { MalloptParam, Mallinfo2, LibcIdentity } from './malloc/control';
export { parseMallocInfo } from './malloc/info';
export type { MallocInfo, MallocInfoArena, MallocInfoSizeClass } from './malloc/info';
export { classifyBlock, flagsWitness, addressWitness, mapsWitness } from './malloc/classify';
export type { BlockSource, BlockClassification, HeapContext, AddressWitness, MapsWitness } from './malloc/classify';
export { liveHandles } from './system/live';
export type { LiveHandles } from './system/live';
export { mallocBlocks, BlockSet, MAX_BLOCK_SET_COUNT, MAX_BLOCK_SIZE_PATTERN } from './malloc/block-set';
export type { MallocBlocksOptions, BlockSelection, BlockSetFreeResult, BlockSetSummary, BlockInfo, SourceCounts } from './malloc/block-set';
export { hugeZeroPage, type HugeZeroPageProbe } from './pages/huge-zero-page';
// --- explain: where a process's memory is ---
export { explainMemory, explainBuffer, EXPLAIN_SCHEMA_VERSION } from './explain/index';
export type { MemoryBreakdown, OwnerRow, Finding, MemoryFigures, BufferExplanation, ExplainOptions } from './explain/index';
