/**
 * Resource usage, resource limits and the system values experiments need: thin typed
 * wrappers over getrusage(2), getrlimit(2)/setrlimit(2) and sysconf(3).
 */
import { RLIMIT_NAME_LIST } from '../native/tables';
import { native, type NativeRusage, type NativeSysconf } from '../native/loader';
import { validateChoice, validateCount } from '../util/validate';
import { invalidArgType, invalidArgValue } from '../util/errors';

/** Whose usage: the whole process, the calling thread only, or waited-for children. */
export type RusageWho = 'self' | 'thread' | 'children';

/**
 * getrusage(2). CPU times in microseconds, `maxRssBytes` in bytes (the kernel's KiB
 * times 1024), fault and context-switch counts, block I/O operations.
 */
export type Rusage = NativeRusage;

/** getrusage(2) for `who` (default `'self'`). */
export function getrusage(who: RusageWho = 'self'): Rusage {
  return native.getrusage(validateChoice(who, 'who', ['self', 'thread', 'children']));
}

/** Resource names accepted by getrlimit/setrlimit (RLIMIT_<NAME> in lower case). */
export const RLIMIT_NAMES = RLIMIT_NAME_LIST;
/** One of RLIMIT_NAMES. */
export type RlimitName = (typeof RLIMIT_NAMES)[number];

/** A limit pair. Byte limits are in bytes, `Infinity` means RLIM_INFINITY (unlimited). */
export interface Rlimit {
  soft: number;
  hard: number;
}

/** getrlimit(2): the soft and hard limit of `resource` (bytes for memory limits; `Infinity` = unlimited). */
export function getrlimit(resource: RlimitName): Rlimit {
  return native.getrlimit(validateChoice(resource, 'resource', RLIMIT_NAMES));
}

function validateLimit(value: unknown, name: string): number {
  if (value === Infinity) return value;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number (Infinity for unlimited)', value);
  return validateCount(value, name);
}

/**
 * Limits that can kill this process when lowered: V8 aborts when it cannot reserve
 * memory (as, data), the stack overflows into SIGSEGV (stack), the kernel sends
 * SIGXCPU/SIGKILL (cpu, rttime) or SIGXFSZ (fsize).
 */
export const RLIMITS_FATAL_WHEN_LOWERED: readonly RlimitName[] = ['as', 'data', 'stack', 'cpu', 'rttime', 'fsize'];

/**
 * setrlimit(2) on THIS process. `Infinity` = unlimited. Lowering a hard limit cannot be
 * undone without CAP_SYS_RESOURCE. Lowering a soft limit in RLIMITS_FATAL_WHEN_LOWERED
 * is refused (ERR_INVALID_ARG_VALUE): it could kill the process vmprobe is imported
 * into; set such limits in a child process (vmprobe's experiments do).
 */
export function setrlimit(resource: RlimitName, limit: Rlimit): void {
  const name = validateChoice(resource, 'resource', RLIMIT_NAMES);
  if (limit === null || typeof limit !== 'object') throw invalidArgType('limit', 'of type object ({ soft, hard })', limit);
  const soft = validateLimit(limit.soft, 'limit.soft');
  const hard = validateLimit(limit.hard, 'limit.hard');
  const current = native.getrlimit(name);
  if (RLIMITS_FATAL_WHEN_LOWERED.includes(name) && (soft < current.soft || hard < current.hard)) {
    throw invalidArgValue('limit', `would lower RLIMIT_${name.toUpperCase()} (soft ${current.soft} → ${soft}, hard ${current.hard} → ${hard}) ` +
      'in this process, which can kill it; set it in a child process instead');
  }
  native.setrlimit(name, soft, hard);
}

/** sysconf(3) values: page size in bytes, physical pages, online CPUs, clock ticks per second. */
export type Sysconf = NativeSysconf;

/** sysconf(3) values, read now. */
export function sysconf(): Sysconf {
  return native.sysconf();
}

let cachedPageSizeBytes: number | undefined;
/** The page size in bytes, from sysconf(_SC_PAGESIZE) (constant for the life of the process). */
export function pageSizeBytes(): number {
  cachedPageSizeBytes ??= native.sysconf().pageSizeBytes;
  return cachedPageSizeBytes;
}
