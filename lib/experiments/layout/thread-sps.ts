/**
 * Every other thread's stack pointer, read from /proc/<pid>/task/<tid>/syscall. The
 * kernel gives a stack pointer only for a thread blocked in a system call ("running"
 * otherwise), so one pass over a busy process misses whichever V8 thread was running
 * at that instant — a figure that depends on timing. Each thread missing a pointer is
 * read again, up to `attempts` passes, so the count rests on the threads, not the instant.
 */
import * as fs from 'node:fs';
import { parseSyscallStackPointer } from '../../layout/probes';

/** Stack pointers of the threads of `pid` other than its main thread, one per thread found blocked within `attempts` passes. */
export function readThreadStackPointersPatiently(pid: number | 'self', attempts = 50): bigint[] {
  const dir = `/proc/${pid}/task`;
  const main = pid === 'self' ? process.pid : pid;
  const found = new Map<string, bigint>();
  for (let pass = 0; pass < attempts; pass++) {
    let missing = 0;
    for (const tid of fs.readdirSync(dir)) {
      if (Number(tid) === main || found.has(tid)) continue;
      try {
        const sp = parseSyscallStackPointer(fs.readFileSync(`${dir}/${tid}/syscall`, 'utf8'));
        if (sp === null) missing++;
        else found.set(tid, sp);
      } catch {
        /* the thread exited or the file is not readable: no stack pointer for it */
      }
    }
    if (missing === 0) break;
  }
  return [...found.values()];
}
