// Telling an unlinked mapped file from one whose real name ends in " (deleted)". The
// kernel appends " (deleted)" to the path of an unlinked file (fs/d_path.c, d_path ->
// prepend " (deleted)" when d_unlinked), but a file may be named that way too, so the
// text alone is ambiguous. A careful reader asks the filesystem: does the name as
// printed (seen from the process's root, /proc/<pid>/root) exist with the mapping's
// device and inode? Then the file is live and the suffix is part of its name.
import { statSync } from 'node:fs';
import type { MapsEntry } from './maps';
import type { ProcPid } from './read';

const DELETED_SUFFIX = ' (deleted)';

/** Major and minor numbers of a Linux dev_t (glibc's gnu_dev_major/minor encoding). */
function devParts(dev: bigint): { major: number; minor: number } {
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}

/** Whether `path`, seen from `pid`'s root, is the entry's file (same device and inode). */
function isSameFile(pid: ProcPid, path: string, entry: MapsEntry): boolean {
  if (!path.startsWith('/')) return false;
  try {
    const st = statSync(`/proc/${pid}/root${path}`, { bigint: true });
    const { major, minor } = devParts(st.dev);
    return st.ino === BigInt(entry.inode) && major === entry.devMajor && minor === entry.devMinor;
  } catch {
    return false;
  }
}

/**
 * Resolves the " (deleted)" ambiguity of parsed maps entries of process `pid`: an entry
 * the parser marked deleted whose full name (suffix included) names the mapped file
 * (same device and inode, looked up through /proc/<pid>/root) is live, and its path
 * gets the suffix back. Other entries are returned unchanged. Needs permission to
 * follow /proc/<pid>/root (the same as reading its maps, for most processes); where it
 * is refused the kernel's suffix is believed. Never throws for a file it cannot stat.
 */
export function resolveDeletedSuffix<T extends MapsEntry>(entries: readonly T[], pid: ProcPid): T[] {
  return entries.map((e) => {
    if (!e.deleted || e.path === null || e.pseudo || e.inode === 0) return e;
    const fullName = e.path + DELETED_SUFFIX;
    return isSameFile(pid, fullName, e) ? { ...e, path: fullName, deleted: false } : e;
  });
}
