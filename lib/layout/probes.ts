/**
 * The address-space layout probe API: where the addon's own text, rodata, data and bss
 * are, the program headers of every loaded object, a measured touch of the addon's own
 * .data/.bss pages, thread stack pointers, and the classified map of a process.
 *
 * Addresses are bigint for display and comparison only. No function here reads or
 * writes a caller-given address: touchSegmentPages takes a page index into one of two
 * arrays the addon owns, bounds-checked in TS and again in native code.
 */
import * as fs from 'node:fs';
import { native, type NativeLayoutAddresses } from '../native/loader';
import { readMaps } from '../proc/maps';
import { validatePid, type ProcPid } from '../proc/read';
import { classifyRegions, type ObjectHeaders, type Region } from './regions';
import { optionalCount, validateChoice, validateOptions, rejectUnknownKeys, validateString } from '../util/validate';
import { invalidArgType, outOfRange } from '../util/errors';
import { pageSizeBytes } from '../system/usage';
import type { TouchResult } from '../memory/types';

/**
 * Addresses of the addon's probe objects: `text` (a function), `rodata` (a string
 * literal), `data` (an initialised 256 KiB array), `bss` (a zero int), `bssArray` (an
 * 8 MiB zero array), `stack` (a local of the native call); sizes in bytes; whole pages
 * of each array; the addon's file path and load base.
 */
export type LayoutAddresses = NativeLayoutAddresses;

/** Where the addon's probe objects are (bigint addresses, display only). */
export function layoutAddresses(): LayoutAddresses {
  return native.layoutAddresses();
}

function realpathOr(path: string): string {
  try {
    return fs.realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The program headers (PT_LOAD, PT_GNU_RELRO, PT_TLS) of every object loaded in this
 * process (dl_iterate_phdr(3)), with paths resolved as /proc/self/maps prints them.
 * The main program (an empty name to the loader) gets /proc/self/exe; the vDSO, which
 * has no file, is left out.
 */
export function loadedObjects(): ObjectHeaders[] {
  const exe = realpathOr('/proc/self/exe');
  return native.loadedObjects()
    .filter((o) => o.name === '' || o.name.startsWith('/'))
    .map((o) => ({ path: o.name === '' ? exe : realpathOr(o.name), executable: o.name === '', segments: o.segments }));
}

/** Options of touchSegmentPages. */
export interface SegmentTouchOptions {
  /** First whole page of the probe array to touch (default 0). */
  firstPage?: number;
  /** Pages to touch, one byte each (default 1). */
  pages?: number;
  /** 'read' (default) or 'write'. */
  mode?: 'read' | 'write';
}

/** Faults and time of a touch of the addon's own probe array, and the first touched page's address. */
export type SegmentTouchResult = TouchResult & { address: bigint };

/**
 * Touches whole pages of the addon's 256 KiB `.data` array or 8 MiB `.bss` array, one
 * byte per page, with faults counted inside the same native call (RUSAGE_THREAD).
 * The pages available are `layoutAddresses().dataPages` / `.bssPages`.
 */
export function touchSegmentPages(segment: 'data' | 'bss', options: SegmentTouchOptions = {}): SegmentTouchResult {
  const which = validateChoice(segment, 'segment', ['data', 'bss']);
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['firstPage', 'pages', 'mode']);
  const addresses = native.layoutAddresses();
  const available = which === 'data' ? addresses.dataPages : addresses.bssPages;
  const firstPage = optionalCount(opts['firstPage'], 'options.firstPage', 0, 0);
  if (firstPage >= available) throw outOfRange('options.firstPage', `an integer >= 0 and < ${available}`, firstPage);
  const pages = optionalCount(opts['pages'], 'options.pages', 1, 1, available - firstPage);
  const mode = validateChoice(opts['mode'], 'options.mode', ['read', 'write'], 'read');
  return native.segmentTouch(which, firstPage, pages, mode);
}

/**
 * The user stack pointer in a /proc/<pid>/task/<tid>/syscall text ("nr a1 … a6 sp pc"),
 * or null when the thread was running ("running") or the kernel hides it.
 */
export function parseSyscallStackPointer(text: string): bigint | null {
  validateString(text, 'text');
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 9 || !/^0x[0-9a-f]+$/i.test(fields[7] ?? '')) return null;
  const sp = BigInt(fields[7] as string);
  return sp === 0n ? null : sp;
}

/**
 * Stack pointers of the threads of `pid` other than the main thread, read from
 * /proc/<pid>/task/<tid>/syscall (needs the right to ptrace the process; a thread
 * that is running, or whose file cannot be read, is left out).
 */
export function readThreadStackPointers(pid: ProcPid = 'self'): bigint[] {
  validatePid(pid);
  const dir = `/proc/${pid}/task`;
  const main = pid === 'self' ? process.pid : pid;
  const out: bigint[] = [];
  for (const tid of fs.readdirSync(dir)) {
    if (Number(tid) === main) continue;
    try {
      const sp = parseSyscallStackPointer(fs.readFileSync(`${dir}/${tid}/syscall`, 'utf8'));
      if (sp !== null) out.push(sp);
    } catch {
      /* the thread exited or the file is not readable: no stack pointer for it */
    }
  }
  return out;
}

/** Number of threads of `pid` (entries of /proc/<pid>/task). */
export function countThreads(pid: ProcPid = 'self'): number {
  validatePid(pid);
  return fs.readdirSync(`/proc/${pid}/task`).length;
}

/**
 * The classified regions of `pid` (default: this process). For this process the
 * program headers decide the ELF segments; for another the permissions do. Thread
 * stacks are found from `threadStackPointers` (default: read now).
 */
export function readLayout(pid: ProcPid = 'self', threadStackPointers: readonly bigint[] = readThreadStackPointers(pid)): Region[] {
  validatePid(pid);
  if (!Array.isArray(threadStackPointers) || !threadStackPointers.every((sp) => typeof sp === 'bigint')) {
    throw invalidArgType('threadStackPointers', 'an array of bigint addresses', threadStackPointers);
  }
  const self = pid === 'self' || pid === process.pid;
  const entries = readMaps(pid);
  const executablePath = realpathOr(`/proc/${pid}/exe`);
  return classifyRegions(entries, {
    ...(self ? { objects: loadedObjects() } : {}),
    executablePath,
    threadStackPointers,
    pageSizeBytes: pageSizeBytes(),
  });
}
