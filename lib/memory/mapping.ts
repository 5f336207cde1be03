/**
 * Mapping: one mmap(2) region owned by a handle. JS never holds its pointer as a
 * capability: every access goes through a method whose offsets native code checks.
 */
import { ADVICE_NAMES, PROTECTION_NAMES } from '../native/tables';
import { markAsUntransferable } from 'node:worker_threads';
import { native, type NativeMapping, type NativeAdvice } from '../native/loader';
import { invalidArgType, invalidArgValue, unsupported } from '../util/errors';
import { optionalBoolean, optionalCount, rejectUnknownKeys, validateChoice, validateOptions, validateCount, validateAligned } from '../util/validate';
import { resolveRange, type RangeOptions } from './range';
import { readThpSettings } from '../system/kernel-settings';
import { pageSizeBytes } from '../system/usage';
import type { Counters } from './types';
import { MemoryHandle, openHandle, type HandleNames } from './handle';
export { EVERY_PAGE, MAX_RUNS, DEFAULT_MAX_RUNS } from './residency';

type Transfer = (this: ArrayBuffer, newLength?: number) => ArrayBuffer;
const arrayBufferTransfer = (ArrayBuffer.prototype as { transfer?: Transfer }).transfer;

/**
 * Detaches `buffer` from JavaScript where the runtime can: `transfer(0)` detaches it
 * (V8's DetachArrayBuffer with no key) and, when a detach key was set (Node >= 24's
 * markAsUntransferable), throws a TypeError instead of aborting the process as
 * napi_detach_arraybuffer would. Returns false where the runtime has no
 * ArrayBuffer.prototype.transfer (Node 20): no JS API there can set a detach key, so
 * native code may detach safely.
 */
function detachFromJs(buffer: ArrayBuffer): boolean {
  if (arrayBufferTransfer === undefined) return false;
  if (buffer.byteLength === 0) return true;  // already detached (or transferred away)
  try {
    arrayBufferTransfer.call(buffer, 0);
  } catch {
    // Keyed: it stays attached; native code swaps the pages for zero memory instead.
  }
  return true;
}

/** Page protection of a mapping. */
export type Protection = 'none' | 'read' | 'read-write';
/** madvise(2) advice by name: `MADV_DONTNEED` is `'dontneed'`. `cold`/`pageout` need Linux 5.4+. */
export type Advice = NativeAdvice;
/** The advice names madvise accepts here. */
export const ADVICE: readonly Advice[] = ADVICE_NAMES;
const PROTECTIONS: readonly Protection[] = PROTECTION_NAMES;

/** Options for an anonymous mapping. */
export interface MapOptions {
  /** Bytes to map (any positive size; the kernel maps whole pages). */
  sizeBytes: number;
  /** Default 'read-write'. */
  protection?: Protection;
  /** MAP_SHARED instead of MAP_PRIVATE (default false). */
  shared?: boolean;
  /** MAP_POPULATE: fault every page in at map time (default false). */
  populate?: boolean;
  /** MAP_NORESERVE: no swap space reserved; lets big maps pass the overcommit heuristic (default false). */
  noreserve?: boolean;
  /** Start address alignment in bytes: a power of two >= the page size (default: the page size). */
  alignBytes?: number;
  /** Ask for transparent huge pages: aligns to the THP size and applies MADV_HUGEPAGE (default false). */
  hugePages?: boolean;
}

/** Options for a file mapping. */
export interface MapFileOptions {
  /** Bytes to map (default: from fileOffsetBytes to the end of the file). */
  sizeBytes?: number;
  /** Where in the file the mapping starts: a multiple of the page size (default 0). */
  fileOffsetBytes?: number;
  /** Default 'read'. */
  protection?: Protection;
  /** MAP_SHARED: writes reach the file (default false: private copy-on-write). */
  shared?: boolean;
  /** MAP_POPULATE (default false). */
  populate?: boolean;
}

const MAP_KEYS = ['sizeBytes', 'protection', 'shared', 'populate', 'noreserve', 'alignBytes', 'hugePages'] as const;
const MAP_FILE_KEYS = ['sizeBytes', 'fileOffsetBytes', 'protection', 'shared', 'populate'] as const;

/** Maps anonymous memory (mmap with MAP_ANONYMOUS). */
export function map(options: MapOptions): Mapping {
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', MAP_KEYS);
  if (opts['sizeBytes'] === undefined) throw invalidArgType('sizeBytes', 'of type number', undefined);
  const page = pageSizeBytes();
  const hugePages = optionalBoolean(opts['hugePages'], 'hugePages', false);
  let alignDefault = page;
  if (hugePages) {
    const thp = readThpSettings();
    if (thp === null || thp.pmdSizeBytes === null) {
      throw unsupported('transparent huge pages are not available on this kernel (no /sys/kernel/mm/transparent_hugepage/hpage_pmd_size)');
    }
    alignDefault = thp.pmdSizeBytes;
  }
  const alignBytes = optionalCount(opts['alignBytes'], 'alignBytes', alignDefault, page, 2 ** 30);
  if ((alignBytes & (alignBytes - 1)) !== 0) throw invalidArgValue('alignBytes', `must be a power of two. Received ${alignBytes}`);
  const handle = new native.Mapping({
    sizeBytes: validateCount(opts['sizeBytes'], 'sizeBytes', 1),
    protection: validateChoice(opts['protection'], 'protection', PROTECTIONS, 'read-write'),
    shared: optionalBoolean(opts['shared'], 'shared', false),
    populate: optionalBoolean(opts['populate'], 'populate', false),
    noreserve: optionalBoolean(opts['noreserve'], 'noreserve', false),
    alignBytes,
    hugePages,
  });
  return new Mapping(handle, { kind: 'anonymous', shared: optionalBoolean(opts['shared'], 'shared', false), path: null });
}

/** Maps a regular file (mmap of an fd vmprobe opens and keeps until unmap()). */
export function mapFile(path: string, options: MapFileOptions = {}): Mapping {
  if (typeof path !== 'string') throw invalidArgType('path', 'of type string', path);
  if (path.length === 0 || path.includes('\0')) throw invalidArgValue('path', 'must be a non-empty string without null bytes');
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', MAP_FILE_KEYS);
  const fileOffsetBytes = optionalCount(opts['fileOffsetBytes'], 'fileOffsetBytes', 0);
  validateAligned(fileOffsetBytes, 'fileOffsetBytes', pageSizeBytes(), 'mmap file offsets are whole pages');
  const shared = optionalBoolean(opts['shared'], 'shared', false);
  const nativeOptions: ConstructorParameters<typeof native.Mapping>[0] = {
    path,
    fileOffsetBytes,
    protection: validateChoice(opts['protection'], 'protection', PROTECTIONS, 'read'),
    shared,
    populate: optionalBoolean(opts['populate'], 'populate', false),
  };
  if (opts['sizeBytes'] !== undefined) nativeOptions.sizeBytes = validateCount(opts['sizeBytes'], 'sizeBytes', 1);
  return new Mapping(new native.Mapping(nativeOptions), { kind: 'file', shared, path });
}

/** Options of Mapping.touch. */
export type { TouchOptions, TouchResult, Counters, Residency } from './types';

const MAPPING: HandleNames = { kind: 'mapping', releasedBy: 'unmap' };

/**
 * One mapping: address, sizeBytes, closed, creation, touch(), residency() and pagemap()
 * as every handle has them (MemoryHandle), and what mmap adds. Release it with unmap()
 * (idempotent); a forgotten Mapping is unmapped by its finalizer once neither it nor its
 * ArrayBuffer is reachable.
 */
export class Mapping extends MemoryHandle {
  readonly #handle: NativeMapping;
  /** The buffer asArrayBuffer() handed out, if it may still be alive. */
  #buffer: WeakRef<ArrayBuffer> | undefined;
  /** 'anonymous' or 'file'. */
  readonly kind: 'anonymous' | 'file';
  /** MAP_SHARED (true) or MAP_PRIVATE (false). */
  readonly shared: boolean;
  /** The mapped file's path, or null for anonymous memory. */
  readonly path: string | null;

  /** @internal Use map() or mapFile(). */
  constructor(handle: NativeMapping, info: { kind: 'anonymous' | 'file'; shared: boolean; path: string | null }) {
    // Exported for instanceof only: refuse anything but the addon's own handle.
    if (!(handle instanceof native.Mapping) || info === null || typeof info !== 'object') {
      throw invalidArgType('handle', 'a native mapping (create a Mapping with map() or mapFile())', handle);
    }
    super(handle, MAPPING, info.kind === 'anonymous' && !info.shared);
    this.#handle = handle;
    this.kind = info.kind;
    this.shared = info.shared;
    this.path = info.path;
  }

  /** The page size in bytes. */
  get pageSizeBytes(): number {
    return this.#handle.pageSizeBytes;
  }
  /** Pages the mapping spans. */
  get pages(): number {
    return this.#handle.mappedBytes / this.#handle.pageSizeBytes;
  }
  /** Current protection. */
  get protection(): Protection {
    return this.#handle.protection;
  }

  #open(): NativeMapping {
    return openHandle(this.#handle, MAPPING);
  }

  /** madvise(2) over the range (offset page-aligned). Returns the faults and time of that call. */
  advise(advice: Advice, options: RangeOptions = {}): Counters {
    const handle = this.#open();
    const which = validateChoice(advice, 'advice', ADVICE);
    const r = resolveRange(options, handle.sizeBytes);
    validateAligned(r.offsetBytes, 'offsetBytes', handle.pageSizeBytes, 'madvise works on whole pages');
    return handle.advise(which, r.offsetBytes, r.lengthBytes);
  }

  /** mprotect(2). Taking away read-write detaches the ArrayBuffer from asArrayBuffer() first. */
  protect(protection: Protection): void {
    this.#open().protect(validateChoice(protection, 'protection', PROTECTIONS));
  }

  /** msync(MS_SYNC): writes a shared file mapping's dirty pages to the file (no effect on others). */
  sync(): void {
    this.#open().sync();
  }

  /**
   * An ArrayBuffer over the mapping: read-write anonymous mappings only (a file can
   * shrink under a buffer, and JS reading the lost pages would die of SIGBUS; file
   * mappings are reached through touch()). unmap() detaches it; where it cannot be
   * detached (the app marked it with `markAsUntransferable`, which on Node >= 24 sets a
   * V8 detach key) it stays attached over fresh zero pages until it is collected, so no
   * access can ever reach unmapped memory. protect() refuses to take rights away while a
   * buffer may still reach the memory. Node itself refuses to transfer it to another
   * thread (structuredClone/postMessage: DataCloneError); a same-thread
   * `ArrayBuffer.prototype.transfer()` moves it, and unmap() then swaps the pages for
   * zero memory rather than unmapping under the new buffer. Throws
   * ERR_VMPROBE_UNSUPPORTED for file mappings, where the runtime forbids external
   * buffers (V8 sandbox builds such as Electron), and for a mapping longer than the
   * runtime's largest buffer (buffer.constants.MAX_LENGTH: 4 GiB on Node 20).
   */
  asArrayBuffer(): ArrayBuffer {
    const ab = this.#open().asArrayBuffer();
    this.#buffer = new WeakRef(ab);
    return ab;
  }

  /** The file's size in bytes now (null for anonymous memory). */
  fileSizeBytes(): number | null {
    return this.#open().fileSizeBytes();
  }

  /** munmap(2); detaches the ArrayBuffer first (see asArrayBuffer()). Calling it again does nothing. */
  unmap(): void {
    const buffer = this.#buffer?.deref();
    this.#buffer = undefined;
    this.#handle.unmap(buffer !== undefined && !detachFromJs(buffer));
  }
}
