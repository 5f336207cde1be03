/**
 * Finds the replacement allocators installed on this host, the way the dynamic loader
 * would: `ldconfig -p` (the ld.so cache, ld.so(8)), then the directories of
 * /etc/ld.so.conf(.d) and the default library directories. Never downloads anything:
 * a missing allocator is reported with the Debian package that provides it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ReplacementAllocator } from './configs';

/** An allocator library found on the host. */
export interface AllocatorFound {
  status: 'found';
  /** Absolute path of the shared object LD_PRELOAD gets. */
  path: string;
  /** Where it was found: the ld.so cache, a search directory, or a path the caller gave. */
  via: 'ldconfig' | 'search-path' | 'given';
}
/** An allocator library not on the host. */
export interface AllocatorMissing {
  status: 'missing';
  /** The sonames looked for. */
  sonames: string[];
  /** The Debian/Ubuntu package that installs it. */
  debianPackage: string;
  reason: string;
}
export type AllocatorLibrary = AllocatorFound | AllocatorMissing;

interface Wanted {
  /** Exact sonames in preference order, or a prefix match (mimalloc: libmimalloc.so.2*). */
  sonames: string[];
  prefix: string | null;
  debianPackage: string;
}

/** What each replacement's shared object is called, and the Debian package providing it. */
export const ALLOCATOR_LIBRARIES: Readonly<Record<ReplacementAllocator, Wanted>> = {
  jemalloc: { sonames: ['libjemalloc.so.2'], prefix: null, debianPackage: 'libjemalloc2' },
  tcmalloc: { sonames: ['libtcmalloc_minimal.so.4', 'libtcmalloc.so.4'], prefix: null, debianPackage: 'libtcmalloc-minimal4' },
  mimalloc: { sonames: ['libmimalloc.so.2'], prefix: 'libmimalloc.so.2', debianPackage: 'libmimalloc2.0' },
};

const DEFAULT_DIRS = ['/lib64', '/usr/lib64', '/lib', '/usr/lib', '/usr/local/lib', '/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu'];

/** `ldconfig -p` as soname → path (first entry wins, as in ld.so's cache lookup). Empty when ldconfig is absent. */
export function readLdconfigCache(): Map<string, string> {
  const cache = new Map<string, string>();
  for (const bin of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    const r = spawnSync(bin, ['-p'], { encoding: 'utf8', timeout: 5_000 });
    if (r.status !== 0 || typeof r.stdout !== 'string') continue;
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)\s*$/.exec(line);
      if (m && m[1] !== undefined && m[3] !== undefined && !cache.has(m[1])) cache.set(m[1], m[3]);
    }
    break;
  }
  return cache;
}

function ldSoConfDirs(file = '/etc/ld.so.conf', depth = 0): string[] {
  if (depth > 4) return [];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const dirs: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const inc = /^include\s+(.+)$/.exec(line);
    if (inc?.[1] !== undefined) {
      const pattern = inc[1];
      const dir = path.dirname(pattern);
      const re = new RegExp(`^${path.basename(pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      let names: string[] = [];
      try {
        names = fs.readdirSync(dir).filter((n) => re.test(n)).sort();
      } catch { /* no such directory */ }
      for (const n of names) dirs.push(...ldSoConfDirs(path.join(dir, n), depth + 1));
    } else if (line.startsWith('/')) {
      dirs.push(line);
    }
  }
  return dirs;
}

/** The directories searched after the cache: LD_LIBRARY_PATH, /etc/ld.so.conf(.d), the defaults. */
export function librarySearchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env['LD_LIBRARY_PATH'] ?? '').split(':').filter((d) => d.startsWith('/'));
  return [...new Set([...fromEnv, ...ldSoConfDirs(), ...DEFAULT_DIRS])];
}

function findIn(dirs: readonly string[], wanted: Wanted): string | null {
  for (const soname of wanted.sonames) {
    for (const dir of dirs) {
      const p = path.join(dir, soname);
      if (fs.existsSync(p)) return p;
    }
  }
  if (wanted.prefix !== null) {
    for (const dir of dirs) {
      let names: string[] = [];
      try {
        names = fs.readdirSync(dir).filter((n) => n.startsWith(wanted.prefix ?? '')).sort();
      } catch { /* unreadable */ }
      const first = names[0];
      if (first !== undefined) return path.join(dir, first);
    }
  }
  return null;
}

/**
 * Locates each replacement allocator. `given` maps an allocator to a path to use
 * instead of searching (reported missing when that path does not exist).
 * Never throws for a missing library: that is a finding.
 */
export function findAllocators(given: Partial<Record<ReplacementAllocator, string>> = {}, env: NodeJS.ProcessEnv = process.env): Record<ReplacementAllocator, AllocatorLibrary> {
  let cache: Map<string, string> | null = null;
  let dirs: string[] | null = null;
  const locate = (name: ReplacementAllocator): AllocatorLibrary => {
    const wanted = ALLOCATOR_LIBRARIES[name];
    const missing = (reason: string): AllocatorMissing => ({ status: 'missing', sonames: wanted.sonames, debianPackage: wanted.debianPackage, reason });
    const explicit = given[name];
    if (explicit !== undefined) {
      return fs.existsSync(explicit) ? { status: 'found', path: explicit, via: 'given' } : missing(`${explicit} does not exist`);
    }
    cache ??= readLdconfigCache();
    for (const soname of wanted.sonames) {
      const hit = cache.get(soname);
      if (hit !== undefined && fs.existsSync(hit)) return { status: 'found', path: hit, via: 'ldconfig' };
    }
    dirs ??= librarySearchDirs(env);
    const p = findIn(dirs, wanted);
    if (p !== null) return { status: 'found', path: p, via: 'search-path' };
    return missing(`${wanted.sonames.join(' / ')} is not in the ld.so cache nor in ${dirs.length} library directories; install ${wanted.debianPackage} (Debian/Ubuntu)`);
  };
  return { jemalloc: locate('jemalloc'), tcmalloc: locate('tcmalloc'), mimalloc: locate('mimalloc') };
}
