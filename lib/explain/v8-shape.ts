/**
 * Which anonymous mappings look like V8 heap pages, for the rows that cannot ask V8: the
 * JS heap of another process without the agent, and the heaps of the isolates V8's
 * statistics do not cover (worker threads). V8 allocates its heap in pages of
 * V8_PAGE_BYTES aligned to that size (src/heap: kPageSizeBits = 18); a large object gets
 * a page of its own of any size, aligned the same way. On x64 V8 places its pages by
 * random hints truncated to 46 bits (src/base/platform/platform-posix.cc,
 * GetRandomMmapAddr), while the kernel, unhinted, maps top-down from just below the
 * 47-bit limit. So: an anonymous, private, accessible VMA whose start is a multiple of
 * 256 KiB is V8's if it lies below 2^46 (any size: large objects too), or elsewhere if
 * its size is a whole number of V8 pages. Inferred, never measured: a mapping of another
 * library placed the same way is counted, and V8 pages the kernel merged with a
 * neighbour or placed elsewhere after a refused hint are missed. WebAssembly memories
 * are placed by the same allocator and count too.
 */
import type { CapturedVma } from './types';

/** V8's regular page (kPageSizeBits = 18): heap pages are this size and aligned to it. */
export const V8_PAGE_BYTES = 256 * 1024;
/** V8's random placement hints on x64 stay below this address (46 bits). */
export const V8_HINT_LIMIT = 1n << 46n;

const PAGE = BigInt(V8_PAGE_BYTES);

/** True for an anonymous private VMA shaped like V8 heap pages (see the header). */
export function isV8Shaped(v: CapturedVma): boolean {
  if (v.path !== null || v.perms[3] !== 'p' || v.perms.startsWith('---')) return false;
  const start = BigInt(v.start);
  if (start % PAGE !== 0n) return false;
  return start < V8_HINT_LIMIT || (BigInt(v.end) - start) % PAGE === 0n;
}
