/**
 * The program break and glibc's malloc controls: sbrk(0), mallopt, malloc_trim,
 * mallinfo2, malloc_info. mallopt and mallocTrim change the malloc state of the WHOLE
 * process (every thread and arena): call them in a process you own (the malloc
 * experiment runs them in a child). All but programBreak are glibc extensions and throw
 * ERR_VMPROBE_UNSUPPORTED, naming the C library found, on any other libc.
 */
import { MALLOPT_PARAM_NAMES } from '../native/tables';
import { native, type NativeMallinfo2, type NativeMalloptParam } from '../native/loader';
import { unsupported, invalidArgType } from '../util/errors';
import { validateChoice, validateCount } from '../util/validate';
import { parseMallocInfo, type MallocInfo } from './info';

/** The parameters mallopt() accepts by name. */
export const MALLOPT_PARAMS: readonly NativeMalloptParam[] = MALLOPT_PARAM_NAMES;
/** A mallopt(3) parameter name. */
export type MalloptParam = NativeMalloptParam;
/** struct mallinfo2 with units in the names (bytes, chunk counts); topReleasableBytes is glibc's keepcost (main arena's top chunk). */
export type Mallinfo2 = NativeMallinfo2;

/** The C library identity as native/usage.cc reports it. */
export interface LibcIdentity {
  name: string;
  version: string | null;
}

/**
 * Throws ERR_VMPROBE_UNSUPPORTED unless `libc` (default: the one the addon was built
 * against) is glibc. `libc` is a parameter so tests can stand in for another host.
 */
/**
 * The C library vmprobe was built against ('glibc' or 'unknown', with glibc's version),
 * and the malloc replacing glibc's in this process (jemalloc, tcmalloc, a sanitizer
 * runtime…) or null, with the replacement's own version where it answers one
 * (jemalloc's mallctl "version", tcmalloc's tc_version, mimalloc's mi_version; else
 * null). Detected in native/libc.cc and native/allocator_identity.cc.
 */
export function libcInUse(): { name: 'glibc' | 'unknown'; version: string | null; replacementAllocator: string | null; replacementAllocatorVersion: string | null } {
  return native.libc();
}

export function requireGlibc(call: string, libc: LibcIdentity = native.libc()): void {
  if (typeof call !== 'string') throw invalidArgType('call', 'of type string', call);
  if (libc === null || typeof libc !== 'object' || typeof (libc as { name?: unknown }).name !== 'string') {
    throw invalidArgType('libc', 'an object { name: string, version: string | null }', libc);
  }
  if (libc.name !== 'glibc') {
    throw unsupported(`${call} is a glibc extension; this C library is ${libc.name}${libc.version ? ` ${libc.version}` : ''}`);
  }
}

/** sbrk(0): the program break, the end of the brk heap (an address for display and comparison only). */
export function programBreak(): bigint {
  return native.programBreak();
}

/**
 * mallopt(3) by name. Returns true when glibc accepted the value, false when it refused
 * it (e.g. M_MMAP_THRESHOLD above its maximum). CHANGES PROCESS-WIDE MALLOC STATE: a
 * fixed M_MMAP_THRESHOLD also turns off the dynamic threshold for the rest of the
 * process; M_ARENA_MAX has no effect once glibc has fixed its arena limit.
 */
export function mallopt(param: MalloptParam, value: number): boolean {
  requireGlibc('mallopt');
  const name = validateChoice(param, 'param', MALLOPT_PARAMS);
  return native.mallopt(name, validateCount(value, 'value', -(2 ** 31), 2 ** 31 - 1));
}

/**
 * malloc_trim(3): returns free memory at the top of the heap (beyond `padBytes`) with
 * brk, and free whole pages inside every arena with madvise(MADV_DONTNEED). Returns
 * true when anything was released. PROCESS-WIDE: walks every arena.
 */
export function mallocTrim(padBytes = 0): boolean {
  requireGlibc('malloc_trim');
  return native.mallocTrim(validateCount(padBytes, 'padBytes'));
}

/** mallinfo2(3): allocator statistics (glibc >= 2.33). Reads only. */
export function mallinfo2(): Mallinfo2 {
  requireGlibc('mallinfo2');
  return native.mallinfo2();
}

/** malloc_info(3)'s XML, as glibc writes it. Reads only. */
export function mallocInfoXml(): string {
  requireGlibc('malloc_info');
  return native.mallocInfo();
}

/** malloc_info(3), parsed: arenas, their heaps and free-chunk statistics. Reads only. */
export function mallocInfo(): MallocInfo {
  return parseMallocInfo(mallocInfoXml());
}
