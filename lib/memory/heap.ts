/**
 * HeapBlock: one malloc(3)/calloc(3)/posix_memalign(3) block owned by a handle, which
 * realloc(3) can resize. free() is idempotent; a forgotten block is freed by its
 * finalizer. Accesses are bounded by the requested size, never by address. glibc's
 * chunk header before the block can be read (chunkHeader) — only for blocks vmprobe
 * allocated itself.
 */
import { native, type NativeHeapBlock } from '../native/loader';
import { invalidArgType, invalidArgValue } from '../util/errors';
import { optionalBoolean, rejectUnknownKeys, validateCount, validateOptions } from '../util/validate';
import { MemoryHandle, openHandle, type HandleNames } from './handle';
import type { Counters } from './types';

/** sizeof(void *) of the addon: 8 on 64-bit, 4 on 32-bit (process.arch tells which). */
const POINTER_BYTES = ['arm', 'ia32', 'mips', 'mipsel', 'ppc'].includes(process.arch) ? 4 : 8;

/** Options of malloc(). */
export interface MallocOptions {
  /** Bytes to allocate (>= 1). */
  sizeBytes: number;
  /** calloc(3) instead of malloc(3) (default false). */
  zeroed?: boolean;
  /** posix_memalign(3) with this alignment in bytes (a power of two, multiple of the pointer size); not with `zeroed`. */
  alignBytes?: number;
  /**
   * glibc only: first allocate what is left of the main arena's top chunk (the block
   * owns those fillers and frees them with itself), so the request cannot be carved
   * from the top chunk and meets the mmap threshold. CHANGES the heap's shape.
   */
  drainTop?: boolean;
}

/** glibc's chunk header (malloc/malloc.c): the size word just before a block's address, decoded. */
export interface ChunkHeader {
  /** Bytes of one header word (sizeof(size_t)). */
  headerWordBytes: number;
  /** The raw size word, flags included, as hex ("0x3f1"). */
  rawSizeField: string;
  /** The chunk's size in bytes: the word with its three flag bits masked off. */
  chunkSizeBytes: number;
  /** PREV_INUSE (0x1): the chunk before this one is in use. */
  prevInuse: boolean;
  /** IS_MMAPPED (0x2): the chunk has its own mmap. */
  isMmapped: boolean;
  /** NON_MAIN_ARENA (0x4): the chunk belongs to a thread arena. */
  nonMainArena: boolean;
  /** For an mmapped chunk, bytes from the mapping's start to the chunk (the prev_size word); null otherwise. */
  mmapOffsetBytes: number | null;
}

/** What realloc() did: the faults and time of the call, and whether the block moved. */
export interface ReallocResult extends Counters {
  /** True when the block moved to a new address (its contents were copied). */
  moved: boolean;
}

/** Allocates a block with malloc(3) (or calloc(3) with `zeroed: true`). */
export function malloc(options: MallocOptions): HeapBlock {
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['sizeBytes', 'zeroed', 'alignBytes', 'drainTop']);
  if (opts['sizeBytes'] === undefined) throw invalidArgType('sizeBytes', 'of type number', undefined);
  const sizeBytes = validateCount(opts['sizeBytes'], 'sizeBytes', 1);
  const zeroed = optionalBoolean(opts['zeroed'], 'zeroed', false);
  const drainTop = optionalBoolean(opts['drainTop'], 'drainTop', false);
  if (opts['alignBytes'] === undefined) return new HeapBlock(new native.HeapBlock({ sizeBytes, zeroed, drainTop }));
  const alignBytes = validateCount(opts['alignBytes'], 'alignBytes', 1, 2 ** 30);
  // posix_memalign(3): a power of two and a multiple of sizeof(void *), which is 8 on
  // every 64-bit Linux ABI vmprobe builds on; native/heap.cc checks with sizeof(void*).
  if ((alignBytes & (alignBytes - 1)) !== 0 || alignBytes % POINTER_BYTES !== 0) {
    throw invalidArgValue('alignBytes', `must be a power of two and a multiple of ${POINTER_BYTES} (posix_memalign). Received ${alignBytes}`);
  }
  if (zeroed) throw invalidArgValue('zeroed', 'cannot be combined with alignBytes (posix_memalign does not zero)');
  return new HeapBlock(new native.HeapBlock({ sizeBytes, alignBytes, drainTop }));
}

const HEAP_BLOCK: HandleNames = { kind: 'heap block', releasedBy: 'free' };

/**
 * One heap block: address, sizeBytes, closed, creation, touch(), residency() and
 * pagemap() as every handle has them (MemoryHandle; heap memory is private anonymous),
 * and what malloc adds.
 */
export class HeapBlock extends MemoryHandle {
  readonly #handle: NativeHeapBlock;

  /** @internal Use malloc(). */
  constructor(handle: NativeHeapBlock) {
    // Exported for instanceof only: refuse anything but the addon's own handle.
    if (!(handle instanceof native.HeapBlock)) throw invalidArgType('handle', 'a native heap block (create a HeapBlock with malloc())', handle);
    super(handle, HEAP_BLOCK, true);
    this.#handle = handle;
  }

  /** malloc_usable_size(3): bytes actually usable in the block. */
  get usableSizeBytes(): number {
    return this.#handle.usableSizeBytes;
  }
  /** Bytes of top chunk allocated as fillers before the block (drainTop), else 0. */
  get drainedTopBytes(): number {
    return this.#handle.drainedTopBytes;
  }

  #open(): NativeHeapBlock {
    return openHandle(this.#handle, HEAP_BLOCK);
  }

  /**
   * realloc(3) to `sizeBytes` (>= 1). The block may move; on failure (ENOMEM) the old
   * block is kept unchanged and the error is thrown.
   */
  realloc(sizeBytes: number): ReallocResult {
    const handle = this.#open();
    const r = handle.realloc(validateCount(sizeBytes, 'sizeBytes', 1));
    return { moved: r.moved, minorFaults: r.minorFaults, majorFaults: r.majorFaults, elapsedNs: r.elapsedNs };
  }

  /**
   * glibc's chunk header of this block: the size word at address - headerWordBytes,
   * decoded. Throws ERR_VMPROBE_UNSUPPORTED when vmprobe was built against another libc.
   */
  chunkHeader(): ChunkHeader {
    const h = this.#open().chunkHeader();
    return { ...h, rawSizeField: `0x${h.rawSizeField.toString(16)}` };
  }

  /** free(3). Calling it again does nothing. */
  free(): void {
    this.#handle.free();
  }
}
