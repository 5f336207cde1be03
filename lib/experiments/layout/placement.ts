/**
 * Which mmap-area regions lie outside heap..stack, and which of them the kernel placed by
 * its own rule. A mapping without an address hint goes top-down below the mmap base
 * (mm/mmap.c: arch_get_unmapped_area_topdown), i.e. between heap and stack; one elsewhere
 * was placed where its creator asked (a hint or MAP_FIXED — V8 hints random addresses for
 * its heap pages, which can land below the heap). layout.order and layout.mmap-area rest
 * on the kernel-placed regions, so another component's requested addresses cannot flip them.
 */
import { zoneOf, zoneOrder, type Region, type RegionKind, type Zone } from '../../layout/regions';

/** Region kinds whose address the kernel picks by its default rule: libraries (ld.so maps them without a hint), thread stacks and guards, vdso/vvar. */
export const KERNEL_PLACED_KINDS: ReadonlySet<RegionKind> = new Set<RegionKind>(['lib-text', 'lib-rodata', 'lib-relro', 'lib-data', 'lib-bss', 'thread-stack', 'guard', 'vdso', 'vvar']);

/** The split of the mmap area, for LayoutMeasurements. */
export interface Placement {
  /** mmap-zone regions outside (heap end or, without a heap, the program's end .. stack end). */
  outside: Region[];
  /** mmap-zone regions that are kernel-placed (KERNEL_PLACED_KINDS, or holding `ownMappingAddress`). */
  kernelPlacedCount: number;
  kernelPlacedOutside: Region[];
  /** zoneOrder of the regions without the outside ones that are not kernel-placed. */
  placedOrder: Zone[];
  /** Free bytes from the heap's end up to the lowest kernel-placed mmap-area region above it (null without a heap or such a region). */
  heapToMmapAreaBytes: number | null;
  /** Free bytes from the highest kernel-placed mmap-area region below the stack up to the stack (null without a stack or such a region). */
  mmapAreaToStackBytes: number | null;
}

/**
 * Splits `regions` (ascending, classified). `ownMappingAddress`: an address inside a
 * mapping the caller made without a hint (null when measuring another process).
 */
export function splitPlacement(regions: readonly Region[], ownMappingAddress: bigint | null): Placement {
  const heap = regions.find((r) => r.kind === 'heap');
  const stack = regions.find((r) => r.kind === 'stack');
  const lowEdge = heap?.end ?? regions.filter((r) => zoneOf(r.kind) === 'data' || zoneOf(r.kind) === 'text').reduce((m, r) => (r.end > m ? r.end : m), 0n);
  const outside = regions.filter((r) => zoneOf(r.kind) === 'mmap' && (r.start < lowEdge || (stack !== undefined && r.start >= stack.end)));
  const kernelPlaced = (r: Region): boolean => KERNEL_PLACED_KINDS.has(r.kind) || (ownMappingAddress !== null && ownMappingAddress >= r.start && ownMappingAddress < r.end);
  const requested = new Set(outside.filter((r) => !kernelPlaced(r)));
  const placed = regions.filter((r) => zoneOf(r.kind) === 'mmap' && kernelPlaced(r));
  const above = heap === undefined ? undefined : placed.find((r) => r.start >= heap.end);
  const below = stack === undefined ? undefined : placed.filter((r) => r.end <= stack.start).at(-1);
  return {
    heapToMmapAreaBytes: heap !== undefined && above !== undefined ? Number(above.start - heap.end) : null,
    mmapAreaToStackBytes: stack !== undefined && below !== undefined ? Number(stack.start - below.end) : null,
    outside,
    kernelPlacedCount: placed.length,
    kernelPlacedOutside: outside.filter(kernelPlaced),
    placedOrder: zoneOrder(regions.filter((r) => !requested.has(r))),
  };
}
