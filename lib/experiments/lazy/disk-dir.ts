/**
 * Choosing a directory whose files live on a disk. On tmpfs/ramfs a file's pages are
 * the page cache itself: they are never read from a disk, so there is no major fault
 * to see. statfs(2) tells the filesystem type.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

/** Filesystems whose pages never come from a disk (statfs f_type, from linux/magic.h). */
const MEMORY_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x01021994, 'tmpfs'],
  [0x858458f6, 'ramfs'],
]);

/** A candidate directory and what statfs said of it. */
export interface DirectoryCheck {
  path: string;
  /** statfs f_type as hex, or null when the directory is unusable. */
  filesystemType: string | null;
  memoryBacked: boolean;
  usable: boolean;
}

/** Checks one directory: exists, writable, and whether it is memory-backed. */
export function checkDirectory(path: string): DirectoryCheck {
  try {
    fs.accessSync(path, fs.constants.W_OK);
    const type = fs.statfsSync(path).type;
    return { path, filesystemType: `0x${type.toString(16)}`, memoryBacked: MEMORY_FILESYSTEMS.has(type), usable: true };
  } catch {
    return { path, filesystemType: null, memoryBacked: false, usable: false };
  }
}

/**
 * The first disk-backed writable directory among `candidates` (default: the OS temp
 * dir, the working directory, the home directory), plus every check made (so the
 * report can say why tmpfs was passed over). `dir` is null when none qualifies.
 */
export function pickDiskDirectory(candidates: string[] = [os.tmpdir(), process.cwd(), os.homedir()]): { dir: string | null; checked: DirectoryCheck[] } {
  const checked: DirectoryCheck[] = [];
  for (const path of candidates) {
    const check = checkDirectory(path);
    checked.push(check);
    if (check.usable && !check.memoryBacked) return { dir: path, checked };
  }
  return { dir: null, checked };
}
