/**
 * capture: reads, at one moment, what the kernel says about a process's memory
 * (/proc/<pid>/smaps, smaps_rollup, status, task/<tid>/comm and stack pointers) and,
 * for the calling process, what the runtime says (V8 heap spaces, process.memoryUsage(),
 * glibc's mallinfo2 and malloc_info, the main thread's stack bounds). Reading another
 * process only opens its /proc files: it never stops, ptraces or writes to it.
 *
 * Order of reads: smaps, then smaps_rollup, then status, then the threads; the runtime
 * figures right after smaps. Everything is returned as plain JSON data.
 */
import { threadStack } from '../stack/probes';
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import { parseSmapsRollup, type SmapsCounters } from '../proc/smaps';
import { parseSmapsFast } from './smaps-fast';
import { parseStatus, type ProcStatus } from '../proc/status';
import { parseSyscallStackPointer } from '../layout/probes';
import { mallinfo2, mallocInfo } from '../malloc/control';
import { pageSizeBytes } from '../system/usage';
import { invalidArgType, invalidArgValue, type CodedError } from '../util/errors';
import type { CapturedRuntime, CapturedThread, ExplainCapture, RollupFigures } from './types';

const hex = (value: bigint): string => `0x${value.toString(16)}`;

/** An errno-style error (code = errno name, errno, syscall), like Node's SystemError. */
function systemError(code: 'ESRCH' | 'EACCES' | 'EPERM', errno: number, message: string): CodedError {
  return Object.assign(new Error(message), { code, errno, syscall: 'open' });
}

/** Maps a failed read of /proc/<pid>/<file> to a clear coded error. */
function readError(pid: number, file: string, error: unknown): Error {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT' || code === 'ESRCH') {
    return systemError('ESRCH', 3, `process ${pid} does not exist or exited while /proc/${pid}/${file} was read`);
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return systemError(code, code === 'EACCES' ? 13 : 1,
      `not allowed to read /proc/${pid}/${file}: reading another user's process needs the same uid or CAP_SYS_PTRACE (ptrace access mode read)`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function readProc(pid: number | 'self', file: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch (error) {
    throw readError(typeof pid === 'number' ? pid : process.pid, file, error);
  }
}

/** smaps_rollup counters (kB-derived bytes) as explain's RollupFigures. */
export function toRollup(c: SmapsCounters): RollupFigures {
  return {
    rssBytes: c.rssBytes, pssBytes: c.pssBytes,
    privateBytes: (c.privateCleanBytes ?? 0) + (c.privateDirtyBytes ?? 0),
    sharedBytes: (c.sharedCleanBytes ?? 0) + (c.sharedDirtyBytes ?? 0),
    swapBytes: c.swapBytes ?? 0, anonHugePagesBytes: c.anonHugePagesBytes ?? 0,
  };
}

/** Names and stack pointers of every thread; a thread that exits meanwhile is left out. */
function readThreads(pid: number | 'self'): CapturedThread[] {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch (error) {
    throw readError(typeof pid === 'number' ? pid : process.pid, 'task', error);
  }
  const threads: CapturedThread[] = [];
  for (const tid of tids.sort((a, b) => Number(a) - Number(b))) {
    try {
      const name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').replace(/\n$/, '');
      let sp: bigint | null = null;
      try {
        sp = parseSyscallStackPointer(fs.readFileSync(`/proc/${pid}/task/${tid}/syscall`, 'utf8'));
      } catch { /* syscall needs ptrace-read access; stat's kstkesp below is the fallback */ }
      if (sp === null) {
        // stat field 29 (kstkesp): 0 on most kernels unless the task is being dumped.
        const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const esp = BigInt(fields[29 - 3] ?? '0');
        if (esp !== 0n) sp = esp;
      }
      threads.push({ tid: Number(tid), name, stackPointer: sp === null ? null : hex(sp) });
    } catch { /* the thread exited between readdir and the read */ }
  }
  return threads;
}

/** What the calling process's runtime says (V8, process.memoryUsage(), glibc malloc). */
export function captureRuntime(): CapturedRuntime {
  let m2: CapturedRuntime['mallinfo2'] = null;
  let arenas: number | null = null;
  try {
    const m = mallinfo2();
    m2 = { arenaBytes: m.arenaBytes, inUseBytes: m.inUseBytes, freeBytes: m.freeBytes, mmappedBytes: m.mmappedBytes,
      mmappedChunks: m.mmappedChunks, fastbinFreeBytes: m.fastbinFreeBytes, topReleasableBytes: m.topReleasableBytes };
    arenas = mallocInfo().arenas.length;
  } catch { /* not glibc (ERR_VMPROBE_UNSUPPORTED): no allocator figures */ }
  let stack: CapturedRuntime['mainThreadStack'] = null;
  try {
    const s = threadStack();
    stack = { low: hex(s.stackLow), top: hex(s.stackTop) };
  } catch { /* pthread_getattr_np failed: bounds unknown */ }
  const mu = process.memoryUsage();
  return {
    heapSpaces: v8.getHeapSpaceStatistics().map((s) => ({
      name: s.space_name, sizeBytes: s.space_size, usedBytes: s.space_used_size, physicalBytes: s.physical_space_size,
    })),
    memoryUsage: { rss: mu.rss, heapTotal: mu.heapTotal, heapUsed: mu.heapUsed, external: mu.external, arrayBuffers: mu.arrayBuffers },
    mallinfo2: m2,
    mallocArenas: arenas,
    mainThreadStack: stack,
    nodeVersion: process.version,
  };
}

/** Options of captureMemory(). */
export interface CaptureOptions {
  /** Process to read; default: the calling process. */
  pid?: number;
  /** Runtime figures to attach for a pid (from the agent); default: none for a pid, read for self. */
  runtime?: CapturedRuntime | null;
}

/**
 * Reads one capture of `options.pid` (default: this process).
 *
 * Errors: ERR_INVALID_ARG_TYPE / ERR_INVALID_ARG_VALUE for a bad pid, or a pid with no
 * user address space (a kernel thread such as kthreadd); ESRCH (errno 3) when the process
 * does not exist or exits during the reads; EACCES/EPERM when its /proc files may not be
 * read (another user's process without CAP_SYS_PTRACE). Nothing is written anywhere.
 */
export function captureMemory(options: CaptureOptions = {}): ExplainCapture {
  if (options === null || typeof options !== 'object') throw invalidArgType('options', 'of type object', options);
  const { pid } = options;
  if (pid !== undefined && (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0)) {
    if (typeof pid !== 'number') throw invalidArgType('options.pid', 'of type number', pid);
    throw invalidArgValue('options.pid', `must be a positive integer. Received ${String(pid)}`);
  }
  const self = pid === undefined || pid === process.pid;
  const target: number | 'self' = self ? 'self' : pid;
  const pidNumber = self ? process.pid : pid;
  const takenAtMs = Date.now();
  const smapsText = readProc(target, 'smaps');
  const runtime = self ? captureRuntime() : options.runtime ?? null;
  const rollupText = (() => {
    try { return readProc(target, 'smaps_rollup'); } catch (error) {
      if ((error as { code?: unknown }).code === 'ESRCH' && fs.existsSync(`/proc/${pidNumber}`)) return null;
      throw error;
    }
  })();
  const statusText = readProc(target, 'status');
  const status: ProcStatus = parseStatus(statusText);
  const vmas = parseSmapsFast(smapsText);
  if (vmas.length === 0 || status.vmSizeBytes === undefined) {
    if (status.state === 'Z' || status.state === 'X') {
      throw systemError('ESRCH', 3, `process ${pidNumber} exited (state ${status.state}) while its memory was read`);
    }
    throw invalidArgValue('pid', `is ${pidNumber} (${status.name}), a kernel thread: it has no user address space to explain`);
  }
  const rollup = rollupText === null || rollupText === '' ? null : toRollup(parseSmapsRollup(rollupText));
  const threads = readThreads(target);
  let executablePath: string | null = null;
  try { executablePath = fs.realpathSync(`/proc/${target}/exe`); } catch { /* unreadable: left null */ }
  return {
    schema: 1, pid: pidNumber, self, takenAtMs, pageSizeBytes: pageSizeBytes(), command: status.name, executablePath,
    vmas, rollup,
    status: {
      vmRSSBytes: status.vmRSSBytes ?? 0, vmSizeBytes: status.vmSizeBytes, vmPTEBytes: status.vmPTEBytes ?? 0,
      vmSwapBytes: status.vmSwapBytes ?? 0, vmHWMBytes: status.vmHWMBytes ?? 0, threads: status.threads,
    },
    threads, runtime,
  };
}
