/**
 * Where did malloc get a block from? Three independent witnesses, judged here as pure
 * functions so a disagreement can be reported rather than hidden:
 *   1. the chunk's flags (IS_MMAPPED, NON_MAIN_ARENA in the size word before the block);
 *   2. its address against the brk heap: [start of `[heap]`, program break);
 *   3. the mapping /proc/self/maps shows around it: `[heap]`, an anonymous mapping of
 *      its own, or a thread-arena heap (read-write part followed by its PROT_NONE
 *      reserve, the whole aligned to its own power-of-two size, as glibc's arena.c
 *      new_heap makes it; or, full, one read-write HEAP_MAX_SIZE mapping at a
 *      HEAP_MAX_SIZE boundary).
 */
import type { ChunkHeader } from '../memory/heap';
import type { MapsEntry } from '../proc/maps';
import { findMapping } from '../proc/maps';
import { invalidArgType } from '../util/errors';
import { validateAddress } from '../util/validate';
import { arenaHeapReserveAt } from './arena-heap';

function validateHeader(h: unknown): Pick<ChunkHeader, 'isMmapped' | 'nonMainArena'> {
  const o = h as { isMmapped?: unknown; nonMainArena?: unknown } | null;
  if (o === null || typeof o !== 'object' || typeof o.isMmapped !== 'boolean' || typeof o.nonMainArena !== 'boolean') {
    throw invalidArgType('header', 'a decoded chunk header { isMmapped: boolean, nonMainArena: boolean }', h);
  }
  return o as Pick<ChunkHeader, 'isMmapped' | 'nonMainArena'>;
}

function validateMaps(maps: unknown): readonly MapsEntry[] {
  const ok = Array.isArray(maps) && maps.every((e: unknown) => e !== null && typeof e === 'object' &&
    typeof (e as MapsEntry).start === 'bigint' && typeof (e as MapsEntry).end === 'bigint');
  if (!ok) throw invalidArgType('maps', 'an array of parsed maps entries (parseMaps/readMaps)', maps);
  return maps as readonly MapsEntry[];
}

function validateContext(ctx: unknown): HeapContext {
  const c = ctx as { programBreak?: unknown; maps?: unknown } | null;
  if (c === null || typeof c !== 'object' || typeof c.programBreak !== 'bigint') {
    throw invalidArgType('ctx', 'a heap context { programBreak: bigint, maps }', ctx);
  }
  validateMaps(c.maps);
  return c as HeapContext;
}

/** Where a block came from. */
export type BlockSource = 'brk' | 'mmap' | 'thread-arena';
/** What the address witness can tell: inside the brk heap or not. */
export type AddressWitness = 'brk' | 'mmap-area';
/** What the maps witness saw around the block. */
export type MapsWitness = BlockSource | 'unmapped' | 'other';

/** The three witnesses for one block, and the source they agree on. */
export interface BlockClassification {
  /** 'disputed' when the witnesses disagree (see `witnesses`). */
  source: BlockSource | 'disputed';
  witnesses: { flags: BlockSource; address: AddressWitness; maps: MapsWitness };
  agree: boolean;
  /** For a thread-arena mapping: the size of the heap's whole reservation (glibc's HEAP_MAX_SIZE), else null. */
  arenaHeapReserveBytes: number | null;
}

/** The process-wide facts the address and maps witnesses need, read once while the blocks are live. */
export interface HeapContext {
  /** sbrk(0). */
  programBreak: bigint;
  /** /proc/self/maps, sorted as the kernel lists it. */
  maps: readonly MapsEntry[];
}

/** Witness 1: the chunk flags. */
export function flagsWitness(h: Pick<ChunkHeader, 'isMmapped' | 'nonMainArena'>): BlockSource {
  validateHeader(h);
  if (h.isMmapped) return 'mmap';
  return h.nonMainArena ? 'thread-arena' : 'brk';
}

/** Witness 2: inside [start of `[heap]`, program break)? */
export function addressWitness(address: bigint, ctx: HeapContext): AddressWitness {
  validateAddress(address, 'address');
  validateContext(ctx);
  const heap = ctx.maps.find((e) => e.path === '[heap]');
  return heap !== undefined && address >= heap.start && address < ctx.programBreak ? 'brk' : 'mmap-area';
}

/**
 * The reservation size when `entry` is the used part of a thread-arena heap (with its
 * PROT_NONE tail, or full with none left: see arena-heap.ts), else null.
 */
export function arenaHeapReserve(entry: MapsEntry, maps: readonly MapsEntry[]): number | null {
  return arenaHeapReserveAt(maps, maps.indexOf(entry));
}

/** Witness 3: the mapping around the block. */
export function mapsWitness(address: bigint, maps: readonly MapsEntry[]): { witness: MapsWitness; arenaHeapReserveBytes: number | null } {
  validateAddress(address, 'address');
  validateMaps(maps);
  const entry = findMapping(maps, address);
  if (entry === undefined) return { witness: 'unmapped', arenaHeapReserveBytes: null };
  if (entry.path === '[heap]') return { witness: 'brk', arenaHeapReserveBytes: null };
  if (entry.path !== null || entry.perms !== 'rw-p') return { witness: 'other', arenaHeapReserveBytes: null };
  const reserve = arenaHeapReserve(entry, maps);
  return reserve === null ? { witness: 'mmap', arenaHeapReserveBytes: null } : { witness: 'thread-arena', arenaHeapReserveBytes: reserve };
}

/** Classifies one live block from its address, its chunk header and the process's heap context. */
export function classifyBlock(address: bigint, header: Pick<ChunkHeader, 'isMmapped' | 'nonMainArena'>, ctx: HeapContext): BlockClassification {
  validateHeader(header);
  validateContext(ctx);
  const flags = flagsWitness(header);
  const addr = addressWitness(address, ctx);
  const m = mapsWitness(address, ctx.maps);
  const agree = m.witness === flags && (addr === 'brk') === (flags === 'brk');
  return { source: agree ? flags : 'disputed', witnesses: { flags, address: addr, maps: m.witness }, agree, arenaHeapReserveBytes: m.arenaHeapReserveBytes };
}
