/**
 * The process the explain benchmarks read: a python3 child mapping MAPPINGS one-page
 * regions with alternating protections (so the kernel cannot merge them), then idle on
 * stdin. On "churn" a thread drops and rewrites one page every 0.25 s (MADV_DONTNEED then
 * a write: a fault each time), so every --watch sample sees a change.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/** Mappings the holder makes (the issue asks for at least 10,000). */
export const HOLDER_MAPPINGS = 12_000;

const SCRIPT = `import mmap, sys, threading, time
maps = [mmap.mmap(-1, 4096, prot=(mmap.PROT_READ if i % 2 else mmap.PROT_READ | mmap.PROT_WRITE)) for i in range(${HOLDER_MAPPINGS})]
page = mmap.mmap(-1, 4096)
def churn():
    while True:
        page.madvise(mmap.MADV_DONTNEED)
        page[0] = 1
        time.sleep(0.25)
print('ready', flush=True)
for line in sys.stdin:
    if line.strip() == 'churn':
        threading.Thread(target=churn, daemon=True).start()
`;

/** A python3 able to run the holder (3.8+ for mmap.madvise), optionally one that also imports `module`; null when none. */
export function findPython(module?: string): string | null {
  const check = `import mmap; mmap.MADV_DONTNEED${module === undefined ? '' : `; import ${module}`}`;
  for (const candidate of ['python3', '/usr/bin/python3']) {
    if (spawnSync(candidate, ['-c', check], { encoding: 'utf8' }).status === 0) return candidate;
  }
  return null;
}

/** A running holder. */
export interface MappingHolder {
  pid: number;
  /** Mappings of the holder now (lines of /proc/<pid>/maps). */
  mappings(): number;
  /** Starts the churning thread. */
  churn(): void;
  stop(): void;
}

/** Starts the holder with `python` and waits until its mappings exist. */
export async function startMappingHolder(python: string): Promise<MappingHolder> {
  const holder = spawn(python, ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`mapping holder exited ${code}`)));
  });
  const pid = holder.pid as number;
  return {
    pid,
    mappings: () => fs.readFileSync(`/proc/${pid}/maps`, 'latin1').split('\n').length - 1,
    churn: () => { holder.stdin.write('churn\n'); },
    stop: () => { holder.kill(); },
  };
}
