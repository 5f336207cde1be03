/**
 * How much more memory this process can make resident before the host swaps or the OOM
 * killer steps in, read from the host: MemAvailable of /proc/meminfo (the kernel's
 * estimate of memory usable without swapping, mm/show_mem.c si_mem_available()) and the
 * memory limit of the process's cgroup and of each of its ancestors, limit minus usage
 * (cgroup v2 memory.max − memory.current, "max" meaning none; cgroup v1
 * memory.limit_in_bytes − memory.usage_in_bytes, where "none" is a number near 2^63).
 * The cgroup comes from /proc/self/cgroup, its directory from /proc/self/mountinfo.
 * Parsers are pure; readMemoryHeadroom() reads the files. No addon.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { meminfoFieldBytes } from './kernel-settings';

/** One line of /proc/<pid>/cgroup: `hierarchy-id:controllers:path`. */
export interface CgroupMembership {
  hierarchyId: number;
  /** Controllers of a v1 hierarchy ('memory', 'cpu,cpuacct'); empty for the v2 hierarchy. */
  controllers: string[];
  /** The cgroup's path from its hierarchy's root, e.g. '/user.slice/app.scope'. */
  path: string;
}

/** A mounted cgroup hierarchy from /proc/self/mountinfo. */
export interface CgroupMount {
  version: 1 | 2;
  /** Where it is mounted, e.g. '/sys/fs/cgroup'. */
  mountPoint: string;
  /** The hierarchy path that appears at mountPoint ('/' unless a namespace or bind mount shows a subtree). */
  root: string;
  /** v1 controllers of the mount (its super options), empty for v2. */
  controllers: string[];
}

/** The tightest cgroup memory limit over the process's cgroup and its ancestors. */
export interface CgroupMemoryLimit {
  version: 1 | 2;
  /** The cgroup directory whose limit binds. */
  directory: string;
  limitBytes: number;
  usageBytes: number;
  /** limitBytes − usageBytes (0 when over). */
  headroomBytes: number;
}

/** What readMemoryHeadroom() found. */
export interface MemoryHeadroom {
  /** MemAvailable of /proc/meminfo, bytes (null when unreadable). */
  memAvailableBytes: number | null;
  /** The cgroup limit that leaves the least room, or null when no cgroup of the process has one. */
  cgroup: CgroupMemoryLimit | null;
  /** The smaller of the two; null when neither is known. */
  headroomBytes: number | null;
}

/** MemAvailable of /proc/meminfo text, in bytes (null when absent: kernels before 3.14). */
export function parseMemAvailable(meminfo: string): number | null {
  return meminfoFieldBytes(meminfo, 'MemAvailable');
}

/** The lines of /proc/<pid>/cgroup text. */
export function parseCgroupMemberships(text: string): CgroupMembership[] {
  return text.split('\n').filter((l) => l !== '').flatMap((line) => {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    return m ? [{ hierarchyId: Number(m[1]), controllers: (m[2] ?? '') === '' ? [] : (m[2] ?? '').split(','), path: m[3] ?? '/' }] : [];
  });
}

/** The cgroup (v1) and cgroup2 mounts of /proc/<pid>/mountinfo text (proc(5): fields 4 root, 5 mount point; after ' - ': type, source, super options). */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
  return mountinfo.split('\n').flatMap((line): CgroupMount[] => {
    const [before, after] = line.split(' - ');
    if (before === undefined || after === undefined) return [];
    const fields = before.split(' ');
    const [fsType, , superOptions] = after.split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    if (root === undefined || mountPoint === undefined) return [];
    if (fsType === 'cgroup2') return [{ version: 2, mountPoint: unescape(mountPoint), root: unescape(root), controllers: [] }];
    if (fsType === 'cgroup') return [{ version: 1, mountPoint: unescape(mountPoint), root: unescape(root), controllers: (superOptions ?? '').split(',') }];
    return [];
  });
}

/**
 * The directories, innermost first, of this process's cgroup and its ancestors up to
 * the mount, in the unified (v2) hierarchy and in the v1 memory hierarchy, for each
 * that is mounted where this process can see it (a hybrid host has both; the memory
 * controller is in one of them).
 */
export function memoryCgroupDirectories(memberships: readonly CgroupMembership[], mounts: readonly CgroupMount[]):
Array<{ version: 1 | 2; directories: string[] }> {
  const out: Array<{ version: 1 | 2; directories: string[] }> = [];
  const candidates: Array<{ version: 1 | 2; member: CgroupMembership | undefined; mount: CgroupMount | undefined }> = [
    { version: 2, member: memberships.find((m) => m.hierarchyId === 0 && m.controllers.length === 0), mount: mounts.find((m) => m.version === 2) },
    { version: 1, member: memberships.find((m) => m.controllers.includes('memory')), mount: mounts.find((m) => m.version === 1 && m.controllers.includes('memory')) },
  ];
  for (const { version, member, mount } of candidates) {
    if (member === undefined || mount === undefined) continue;
    // The mount shows the hierarchy from `root` down: the cgroup's path below it.
    const relative = path.posix.relative(mount.root, member.path);
    if (relative.startsWith('..')) continue;
    const directories: string[] = [];
    for (let dir = path.posix.join(mount.mountPoint, relative); ; dir = path.posix.dirname(dir)) {
      directories.push(dir);
      if (dir === mount.mountPoint || dir === '/') break;
    }
    out.push({ version, directories });
  }
  return out;
}

/**
 * A cgroup memory file's value in bytes: null for v2's "max" and for v1's "no limit"
 * (a number beyond 2^53: the kernel's page-counter maximum, near 2^63).
 */
export function parseCgroupBytes(text: string): number | null {
  const t = text.trim();
  if (t === 'max' || !/^\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** The limit that leaves the least room over `directories` (each read with `read`), or null. */
export function tightestCgroupLimit(version: 1 | 2, directories: readonly string[], read: (file: string) => string | null = readText): CgroupMemoryLimit | null {
  const [limitFile, usageFile] = version === 2 ? ['memory.max', 'memory.current'] : ['memory.limit_in_bytes', 'memory.usage_in_bytes'];
  let tightest: CgroupMemoryLimit | null = null;
  for (const directory of directories) {
    const limitText = read(path.posix.join(directory, limitFile));
    const usageText = read(path.posix.join(directory, usageFile));
    const limitBytes = limitText === null ? null : parseCgroupBytes(limitText);
    const usageBytes = usageText === null ? null : parseCgroupBytes(usageText);
    if (limitBytes === null || usageBytes === null) continue;
    const headroomBytes = Math.max(0, limitBytes - usageBytes);
    if (tightest === null || headroomBytes < tightest.headroomBytes) tightest = { version, directory, limitBytes, usageBytes, headroomBytes };
  }
  return tightest;
}

/** Reads MemAvailable and this process's cgroup memory limits now. Never throws: what it cannot read is null. */
export function readMemoryHeadroom(read: (file: string) => string | null = readText): MemoryHeadroom {
  const meminfo = read('/proc/meminfo');
  const memAvailableBytes = meminfo === null ? null : parseMemAvailable(meminfo);
  const cgroupText = read('/proc/self/cgroup');
  const mountinfo = read('/proc/self/mountinfo');
  const hierarchies = cgroupText === null || mountinfo === null ? [] : memoryCgroupDirectories(parseCgroupMemberships(cgroupText), parseCgroupMounts(mountinfo));
  const limits = hierarchies.map((h) => tightestCgroupLimit(h.version, h.directories, read)).filter((l): l is CgroupMemoryLimit => l !== null);
  const cgroup = limits.reduce<CgroupMemoryLimit | null>((a, b) => (a === null || b.headroomBytes < a.headroomBytes ? b : a), null);
  const known = [memAvailableBytes, cgroup?.headroomBytes ?? null].filter((n): n is number => n !== null);
  return { memAvailableBytes, cgroup, headroomBytes: known.length === 0 ? null : Math.min(...known) };
}
