/**
 * The host an experiment ran on: everything that can change a verdict, read from this
 * machine, so two runs on two hosts can be compared (CLAIMS.md, last section).
 */
import * as os from 'node:os';
import * as fs from 'node:fs';
import { native } from '../native/loader';
import { invalidArgType } from '../util/errors';
import { validateOptions } from '../util/validate';
import { getrlimit, pageSizeBytes } from './usage';
import { childNodeFlags } from '../child/node-flags';
import { readAslrMode, readOvercommit, readSwap, readThpSettings, readMmapMinAddr, type OvercommitSettings, type ThpSettings } from './kernel-settings';

/** The malloc tunables in force, from the environment glibc reads at startup. */
export interface MallocTunables {
  /** GLIBC_TUNABLES entries under glibc.malloc.*, e.g. { 'glibc.malloc.mmap_threshold': '65536' }. */
  glibcTunables: Record<string, string>;
  /** MALLOC_* environment variables (MALLOC_MMAP_THRESHOLD_, MALLOC_ARENA_MAX, MALLOC_PERTURB_, …). */
  environment: Record<string, string>;
}

/** Facts about the host, all read at run time. */
export interface HostInfo {
  hostname: string;
  kernelRelease: string;
  arch: string;
  nodeVersion: string;
  /**
   * The C library; replacementAllocator names a malloc that replaces its own in this
   * process (jemalloc, a sanitizer runtime, …), replacementAllocatorVersion the version
   * that allocator reports itself (mallctl("version"), tc_version, mi_version), else null.
   */
  libc: { name: string; version: string | null; replacementAllocator: string | null; replacementAllocatorVersion: string | null };
  pageSizeBytes: number;
  physicalMemoryBytes: number | null;
  onlineCpus: number | null;
  thp: ThpSettings | null;
  overcommit: OvercommitSettings;
  /** kernel.randomize_va_space (0 off, 1 partial, 2 full), null if unreadable. */
  aslr: number | null;
  /** RLIMIT_STACK in bytes; Infinity when unlimited (JSON: null). */
  stackLimit: { softBytes: number; hardBytes: number };
  malloc: MallocTunables;
  swap: { totalBytes: number; freeBytes: number } | null;
  /** Virtual and physical address bits of the CPU (/proc/cpuinfo "address sizes"). */
  cpuAddressBits: { virtual: number; physical: number } | null;
  mmapMinAddrBytes: number | null;
  /**
   * The node/V8 flags vmprobe's child processes run with (lib/child/node-flags.ts: this
   * process's execArgv passed through, then VMPROBE_NODE_FLAGS), e.g. ['--stack-size=4000'].
   * Absent from results written before it was recorded.
   */
  nodeFlags?: string[];
}

/** Reads the malloc tunables from an environment (default: this process's). */
export function readMallocTunables(env: NodeJS.ProcessEnv = process.env): MallocTunables {
  validateOptions(env, 'env');
  const tunables = env['GLIBC_TUNABLES'];
  if (tunables !== undefined && typeof tunables !== 'string') throw invalidArgType('env.GLIBC_TUNABLES', 'of type string', tunables);
  const glibcTunables: Record<string, string> = {};
  for (const part of (tunables ?? '').split(':')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.startsWith('glibc.malloc.')) glibcTunables[part.slice(0, eq)] = part.slice(eq + 1);
  }
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (/^MALLOC_[A-Z_]+$/.test(key) && typeof value === 'string') environment[key] = value;
  }
  return { glibcTunables, environment };
}

/**
 * The malloc settings of `t` as 'NAME=value' words, sorted: environment variables as
 * they are, tunables as 'GLIBC_TUNABLES glibc.malloc.x=value'. Empty when none is set.
 */
export function mallocSettingWords(t: MallocTunables): string[] {
  return [
    ...Object.entries(t.environment).map(([k, v]) => `${k}=${v}`),
    ...Object.entries(t.glibcTunables).map(([k, v]) => `GLIBC_TUNABLES ${k}=${v}`),
  ].sort();
}

/** Parses "address sizes : 46 bits physical, 48 bits virtual" from /proc/cpuinfo text. */
export function parseCpuAddressBits(cpuinfo: string): { virtual: number; physical: number } | null {
  const m = /address sizes\s*:\s*(\d+) bits physical,\s*(\d+) bits virtual/.exec(cpuinfo);
  return m ? { physical: Number(m[1]), virtual: Number(m[2]) } : null;
}

function readCpuAddressBits(): { virtual: number; physical: number } | null {
  try {
    return parseCpuAddressBits(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return null;
  }
}

/** Reads every host fact now. Throws ERR_INVALID_ARG_VALUE when VMPROBE_NODE_FLAGS is malformed (see childNodeFlags). */
export function readHostInfo(): HostInfo {
  const conf = native.sysconf();
  const stack = getrlimit('stack');
  return {
    hostname: os.hostname(),
    kernelRelease: os.release(),
    arch: process.arch,
    nodeVersion: process.version,
    libc: native.libc(),
    pageSizeBytes: pageSizeBytes(),
    physicalMemoryBytes: conf.physicalPages === null ? null : conf.physicalPages * conf.pageSizeBytes,
    onlineCpus: conf.onlineProcessors,
    thp: readThpSettings(),
    overcommit: readOvercommit(),
    aslr: readAslrMode(),
    stackLimit: { softBytes: stack.soft, hardBytes: stack.hard },
    malloc: readMallocTunables(),
    swap: readSwap(),
    cpuAddressBits: readCpuAddressBits(),
    mmapMinAddrBytes: readMmapMinAddr(),
    nodeFlags: childNodeFlags(),
  };
}
