/**
 * How a stack child gets its RLIMIT_STACK before exec: the kernel sizes the stack's
 * place in the address space (mmap_base, the gap below the stack) at exec from the
 * limit then in force, so the limit must be set by a wrapper that execs node, not by
 * the child itself later. prlimit(1) from util-linux when it is installed (bytes),
 * else `sh -c 'ulimit …; exec "$@"'` (KiB). Either way core dumps are turned off
 * (RLIMIT_CORE = 0): a child dying of SIGSEGV must not write a core file each run.
 * setrlimit happens in the wrapper process, never in the caller.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Which wrapper sets a child's limits. */
export type LimitWrapperKind = 'prlimit' | 'sh';

/** The absolute path of `command` on PATH (executable), or null. */
export function findOnPath(command: string, pathEnv: string = process.env['PATH'] ?? ''): string | null {
  for (const dir of pathEnv.split(':')) {
    if (dir === '') continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** The wrapper this host offers. */
export function limitWrapperKind(): LimitWrapperKind {
  return findOnPath('prlimit') === null ? 'sh' : 'prlimit';
}

/**
 * The argv prefix that runs a command with core dumps off and, unless `stackBytes` is
 * undefined (inherit), a soft RLIMIT_STACK of `stackBytes` (Infinity: unlimited). The
 * hard limit is left as it is: the caller checks the soft limit fits under it. With
 * `sh`, finite limits are rounded down to whole KiB.
 */
export function limitWrapper(stackBytes: number | undefined, kind: LimitWrapperKind = limitWrapperKind()): string[] {
  if (kind === 'prlimit') {
    const stack = stackBytes === undefined ? [] : [`--stack=${stackBytes === Infinity ? 'unlimited' : String(stackBytes)}:`];
    return [findOnPath('prlimit') ?? 'prlimit', '--core=0', ...stack];
  }
  const stack = stackBytes === undefined ? '' : ` && ulimit -S -s ${stackBytes === Infinity ? 'unlimited' : String(Math.floor(stackBytes / 1024))}`;
  return ['/bin/sh', '-c', `ulimit -c 0${stack} && exec "$@"`, 'sh'];
}
