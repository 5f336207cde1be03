/**
 * Recognising glibc's thread-arena heaps in a maps listing, whatever their fill. glibc
 * (malloc/arena.c, new_heap) maps each heap as HEAP_MAX_SIZE bytes aligned to
 * HEAP_MAX_SIZE, PROT_NONE, and makes the used part read-write from the start
 * (grow_heap: mprotect). A heap in use is a read-write anonymous mapping at a
 * HEAP_MAX_SIZE boundary followed by its PROT_NONE tail; a FULL heap has no tail left:
 * one read-write mapping exactly HEAP_MAX_SIZE long at a HEAP_MAX_SIZE boundary.
 * Its first bytes hold the heap_info header (ar_ptr, prev, size, mprotect_size), which
 * only the process itself can read; from maps alone, alignment + size + adjacency decide.
 */
import type { MapsEntry } from '../proc/maps';

const WORD_64_ARCHES = ['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'];

/**
 * glibc's HEAP_MAX_SIZE in bytes: 2 * DEFAULT_MMAP_THRESHOLD_MAX (malloc/arena.c), and
 * DEFAULT_MMAP_THRESHOLD_MAX is 4 MiB * sizeof(long) on 64-bit hosts (64 MiB heaps),
 * 512 KiB on 32-bit ones (1 MiB heaps) (malloc/malloc.c). Derived from the word size
 * of this process (process.arch); the malloc tests check it against a heap glibc made.
 */
export function heapMaxSizeBytes(): number {
  return WORD_64_ARCHES.includes(process.arch) ? 2 * 4 * 1024 * 1024 * 8 : 2 * 512 * 1024;
}

function isPowerOfTwo(n: bigint): boolean {
  return n > 0n && (n & (n - 1n)) === 0n;
}

function isPrivateAnonymous(e: MapsEntry): boolean {
  return e.path === null && !e.shared && e.inode === 0;
}

/**
 * The reservation size (HEAP_MAX_SIZE) when `maps[index]`, a read-write private
 * anonymous mapping, holds the used part of thread-arena heaps, else null. Let its
 * extent run to the end of an adjacent PROT_NONE tail, if any:
 *  - one heap in use: the extent is a power of two no larger than `heapMaxBytes`,
 *    starting aligned to it (the measured reservation is returned);
 *  - full heaps: the kernel merges a full heap's read-write mapping with the next heap
 *    glibc maps right beside it (same flags, no tail between), so the extent starts at a
 *    `heapMaxBytes` boundary and ends at one: k adjacent heaps of `heapMaxBytes` each.
 */
export function arenaHeapReserveAt(maps: readonly MapsEntry[], index: number, heapMaxBytes: number = heapMaxSizeBytes()): number | null {
  const entry = maps[index];
  if (entry === undefined || !isPrivateAnonymous(entry) || entry.perms !== 'rw-p') return null;
  const next = maps[index + 1];
  const tail = next !== undefined && next.start === entry.end && isPrivateAnonymous(next) && next.perms === '---p' ? next : undefined;
  const end = tail?.end ?? entry.end;
  const span = end - entry.start;
  const max = BigInt(heapMaxBytes);
  if (tail !== undefined && isPowerOfTwo(span) && span <= max && entry.start % span === 0n) return Number(span);
  return entry.start % max === 0n && end % max === 0n && span >= max ? heapMaxBytes : null;
}
