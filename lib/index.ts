/**
 * vmprobe: see how Linux really handles a process's memory.
 *
 * The probe API (handles over mmap and malloc, residency, pagemap, rusage, limits), the
 * /proc readers, and the experiments that check the textbook claims. Every size is in
 * bytes, every count of pages in pages, every time in ns, unless the name says
 * otherwise. Errors carry a stable `code` (see errors.ts).
 */
export { map, mapFile, Mapping, ADVICE, DEFAULT_MAX_RUNS, MAX_RUNS } from './mapping';
export type { MapOptions, MapFileOptions, Protection, Advice } from './mapping';
export { malloc, HeapBlock } from './heap';
export type { MallocOptions } from './heap';
export { mallocBlocks, BlockSet, MAX_BLOCK_SET_COUNT, MAX_BLOCK_SIZE_PATTERN } from './block-set';
export type { MallocBlocksOptions, BlockSelection, BlockSetFreeResult, BlockSetSummary, BlockInfo, SourceCounts } from './block-set';
export { bufferResidency, bufferPagemap, bufferSpan } from './buffers';
export type { BufferLike, BufferSpan } from './buffers';
export { decodePagemapEntry, readPagemap } from './pagemap';
export type { PagemapEntry } from './pagemap';
export { summarizePagemap, MAX_PAGEMAP_ENTRIES } from './pages';
export type { PagemapSummary } from './pages';
export { zeroPagePfn } from './zeropage';
export { hugeZeroPage, type HugeZeroPageProbe } from './huge-zero-page';
export type { ZeroPageMethod } from './zeropage';
export { getrusage, getrlimit, setrlimit, sysconf, pageSizeBytes, RLIMIT_NAMES, RLIMITS_FATAL_WHEN_LOWERED } from './usage';
export type { Rusage, RusageWho, Rlimit, RlimitName, Sysconf } from './usage';
export type { Counters, TouchOptions, TouchResult, Residency, ResidencyRun } from './types';
export type { RangeOptions } from './range';
export { readHostInfo, readMallocTunables } from './host';
export type { HostInfo, MallocTunables } from './host';
export { readThpSettings, readOvercommit, readAslrMode, readSwap } from './kernel-settings';
export type { ThpSettings, OvercommitSettings } from './kernel-settings';
export { parseMaps, readMaps, findMapping, parseSmaps, readSmaps, smapsFor, parseSmapsRollup, readSmapsRollup, parseStatus, readStatus, parseStatm, readStatm } from './proc/index';
export type { MapsEntry, SmapsEntry, SmapsRollup, ProcStatus, ProcStatm, ProcPid } from './proc/index';
export { CLAIMS, VERDICTS, claimById } from './claims';
export type { ClaimDefinition, ClaimResult, Verdict } from './claims';
export { SCHEMA_VERSION } from './result';
export type { ExperimentResult, ReportResult } from './result';
export { runLazy, LAZY_DEFAULT_SIZE_BYTES } from './experiments/lazy/index';
export type { LazyOptions, LazyResult, LazyMeasurements } from './experiments/lazy/index';
export { runReport, ExperimentFailure } from './report';
export type { ReportOptions } from './report';
export { EXPERIMENTS } from './experiments/registry';
export { parseSize, parseLimit } from './size';
export { isCodedError } from './errors';
export type { CodedError, VmprobeErrorCode } from './errors';
export { layoutAddresses, loadedObjects, touchSegmentPages, readThreadStackPointers, parseSyscallStackPointer, readLayout, countThreads } from './layout';
export type { LayoutAddresses, SegmentTouchOptions, SegmentTouchResult } from './layout';
export { classifyRegions, regionAt, findGaps, zoneOrder, zoneOf, segmentOf, REGION_KINDS } from './layout-regions';
export type { Region, RegionKind, Zone, Gap, ObjectHeaders, SegmentHeader, ClassifyContext } from './layout-regions';
export { parseElf, parseElfBuffer, readElf } from './elf';
export type { ElfInfo, ElfSection, ByteReader } from './elf';
export { runLayout } from './experiments/layout/index';
export type { LayoutOptions, LayoutResult, LayoutMeasurements } from './experiments/layout/index';
export { renderLayoutSvg } from './render/layout-svg';
export { threadStack, recurseStack, allocationCost, STACK_VARIANTS, ALLOCATION_KINDS, STACK_STOP_HEADROOM_BYTES, STACK_FRAME_RANGE } from './stack';
export type { ThreadStack, StackVariant, RecurseStackOptions, RecurseStackResult, AllocationKind, AllocationCostOptions, AllocationCost } from './stack';
export { runStack, STACK_BY_LIMIT_BYTES } from './experiments/stack/index';
export type { StackOptions, StackResult, StackMeasurements } from './experiments/stack/index';
// --- malloc experiment ---
export type { ChunkHeader, ReallocResult } from './heap';
export { programBreak, mallopt, mallocTrim, mallinfo2, mallocInfo, mallocInfoXml, requireGlibc, MALLOPT_PARAMS } from './malloc-control';
export type { MalloptParam, Mallinfo2, LibcIdentity } from './malloc-control';
export { parseMallocInfo } from './malloc-info';
export type { MallocInfo, MallocInfoArena, MallocInfoSizeClass } from './malloc-info';
export { classifyBlock, flagsWitness, addressWitness, mapsWitness } from './malloc-classify';
export type { BlockSource, BlockClassification, HeapContext, AddressWitness, MapsWitness } from './malloc-classify';
export { runMalloc, MALLOC_DEFAULT_MAX_SWEEP_BYTES } from './experiments/malloc/index';
export type { MallocOptions as MallocExperimentOptions, MallocResult, MallocMeasurements, MallocNotMeasured } from './experiments/malloc/index';
// --- report ---
export { unmeasuredClaims } from './report';
export type { UnmeasuredClaim } from './result';
export { renderHtml as renderReportHtml } from './render/html/page';
export { liveHandles } from './live';
export type { LiveHandles } from './live';
export { explainMemory, explainBuffer, EXPLAIN_SCHEMA_VERSION } from './explain/index';
export type { MemoryBreakdown, OwnerRow, Finding, MemoryFigures, BufferExplanation, ExplainOptions } from './explain/index';
