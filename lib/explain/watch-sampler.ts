/**
 * The sampler of `vmprobe explain --watch`. A full capture reads smaps, which costs about
 * 16 ms of CPU per 1,000 mappings, mostly in the kernel; it is done only when something
 * the owners rest on may have changed. Every sample first reads a quick key (well under
 * a millisecond whatever the size of the process):
 *
 * - /proc/<pid>/stat minflt + majflt: any page the process faulted in (proc(5));
 * - the status lines Vm*, Rss*, Hugetlb*, Threads and Name: address-space size, resident
 *   and swapped counters by kind, page tables, thread count;
 * - the thread ids and their names (task/<tid>/comm).
 *
 * and, when its CPU budget allows (ROLLUP_CPU_SHARE: the rollup walks every mapping's
 * page tables, about 0.6 ms per 1,000 mappings), smaps_rollup, whose own-page lines (the
 * address range, Rss, Anonymous, LazyFree, AnonHugePages, Shmem/FilePmdMapped,
 * Shared/Private_Hugetlb, Swap, Locked) join the key: they catch pages leaving without
 * a fault (reclaim, swap-out, MADV_DONTNEED) that status's per-CPU-batched counters may
 * not show yet. A changed key means a full capture. An unchanged key keeps the owners of
 * the last full capture; a new rollup only refreshes the totals: what other processes
 * do to the pages this one shares (PSS, shared/private) lands in the "changed between
 * reads" row, so the rows still sum exactly to the rollup. The key is read BEFORE a full
 * capture, so a change during the capture forces another one.
 *
 * Missed until the next full capture: a mapping with no resident page replaced by
 * another of the same size; a page dropped in one mapping and populated without a fault
 * (MAP_POPULATE, mlock) in another within one interval.
 */
import * as fs from 'node:fs';
import { captureMemory, toRollup } from './capture';
import { explainCapture } from './index';
import { advise } from './advise';
import { parseSmapsRollup } from '../proc/smaps';
import type { CapturedRuntime, MemoryBreakdown, MemoryFigures, RollupFigures } from './types';

/**
 * Share of one core that smaps_rollup checks may use: the rollup is read again only once
 * (its last read's CPU time) / ROLLUP_CPU_SHARE has passed. 0.25% keeps an idle watch
 * well under 1% of a core next to the quick reads and the printing.
 */
export const ROLLUP_CPU_SHARE = 0.0025;

/** One sample of a watch. */
export interface WatchSample {
  breakdown: MemoryBreakdown;
  /** True when smaps was read in full for this sample; false when the owners were kept from the last full read. */
  reread: boolean;
  /** When the owners' figures were read (the last full capture), ms since the epoch. */
  readAtMs: number;
}

const STATUS_LINE = /^(?:Vm|Rss|Hugetlb|Threads|Name)/;
/** smaps_rollup lines that only this process's own page tables move (not other processes sharing its pages). */
const OWN_ROLLUP_LINE = /^(?:[0-9a-f]+-|Rss:|Anonymous:|LazyFree:|AnonHugePages:|ShmemPmdMapped:|FilePmdMapped:|Shared_Hugetlb:|Private_Hugetlb:|Swap:|Locked:)/;

/** The quick key of `pid` (faults, status lines, threads); null when it cannot be read (the full capture then says why). */
export function readQuickKey(pid: number | 'self'): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The fields after "(comm) " start at field 3 (state); minflt is field 10, majflt field 12 (proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1').split('\n').filter((l) => STATUS_LINE.test(l));
    const threads = fs.readdirSync(`/proc/${pid}/task`).sort().map((tid) => {
      try { return `${tid}:${fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'latin1')}`; } catch { return `${tid}:gone`; }
    });
    return [`${fields[10 - 3] ?? '?'} ${fields[12 - 3] ?? '?'}`, ...status, threads.join('')].join('\n');
  } catch {
    return null;
  }
}

/** One smaps_rollup read: its own-page lines (the key part), its totals, and the CPU time the read took. */
export interface RollupRead { own: string; rollup: RollupFigures; cpuUs: number }

/** Reads smaps_rollup of `pid`; null when it cannot be read or has no counters. */
export function readRollup(pid: number | 'self'): RollupRead | null {
  const before = process.cpuUsage();
  try {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
    const used = process.cpuUsage(before);
    const own = text.split('\n').filter((l) => OWN_ROLLUP_LINE.test(l));
    if (own.length < 2) return null;
    return { own: own.join('\n'), rollup: toRollup(parseSmapsRollup(text)), cpuUs: used.user + used.system };
  } catch {
    return null;
  }
}

const ROLLUP_FIELDS: readonly (keyof RollupFigures)[] = ['rssBytes', 'pssBytes', 'privateBytes', 'sharedBytes', 'swapBytes', 'anonHugePagesBytes'];

/**
 * `breakdown` with its totals set to `rollup` and the "changed between reads" row set to
 * what the other top-level rows do not cover, so they sum exactly to the new totals again;
 * findings recomputed. Pure. A breakdown without that row (totals from smaps) only gets the new time.
 */
export function rebaseOnRollup(breakdown: MemoryBreakdown, rollup: RollupFigures, takenAtMs: number): MemoryBreakdown {
  const index = breakdown.owners.findIndex((o) => o.id === 'changed-between-reads');
  const changed = breakdown.owners[index];
  if (changed === undefined || breakdown.totalsFrom !== 'smaps_rollup') return { ...breakdown, takenAtMs };
  const totals: MemoryFigures = { ...breakdown.totals, ...rollup };
  const row = { ...changed };
  for (const f of ROLLUP_FIELDS) {
    row[f] = totals[f] - breakdown.owners.reduce((n, o, i) => (i === index ? n : n + o[f]), 0);
  }
  const rebased: MemoryBreakdown = { ...breakdown, takenAtMs, totals, owners: breakdown.owners.map((o, i) => (i === index ? row : o)) };
  return { ...rebased, findings: advise(rebased) };
}

/** Options of createWatchSampler(). */
export interface WatchSamplerOptions {
  /** Share of a core the rollup checks may use (default ROLLUP_CPU_SHARE); 1 reads it on every sample (for tests). */
  rollupCpuShare?: number;
  /**
   * Asked at each full read of another process for its runtime's figures (the agent:
   * askAgent), so the owners split as in-process; resolves to null when it does not answer
   * (the rows are then inferred from the mappings). Not used for this process.
   */
  runtime?: () => Promise<CapturedRuntime | null>;
}

/**
 * A sampler for `pid` (default: this process): each call resolves to the current
 * breakdown, reading smaps only when the key changed since the last full read (see the
 * header), and then asking options.runtime for the runtime's figures (another process).
 * Errors: as captureMemory (ESRCH when the process is gone, EACCES, ERR_INVALID_ARG_VALUE
 * for a kernel thread), rejected by the full read.
 */
export function createWatchSampler(pid?: number, options: WatchSamplerOptions = {}): () => Promise<WatchSample> {
  const target: number | 'self' = pid === undefined || pid === process.pid ? 'self' : pid;
  const share = options.rollupCpuShare ?? ROLLUP_CPU_SHARE;
  let last: { quick: string | null; own: string | null; breakdown: MemoryBreakdown; readAtMs: number } | null = null;
  let nextRollupAtMs = 0;
  const rollupRead = (): RollupRead | null => {
    const r = readRollup(target);
    if (r !== null) nextRollupAtMs = Date.now() + r.cpuUs / 1000 / share;
    return r;
  };
  const other = target !== 'self' && pid !== undefined;
  return async () => {
    const quick = readQuickKey(target);
    let rollup: RollupRead | null | undefined; // undefined: not read for this sample
    if (last !== null && quick !== null && quick === last.quick) {
      if (Date.now() < nextRollupAtMs) return { breakdown: { ...last.breakdown, takenAtMs: Date.now() }, reread: false, readAtMs: last.readAtMs };
      rollup = rollupRead();
      if (rollup !== null && rollup.own === last.own) {
        last.breakdown = rebaseOnRollup(last.breakdown, rollup.rollup, Date.now());
        return { breakdown: last.breakdown, reread: false, readAtMs: last.readAtMs };
      }
    }
    if (rollup === undefined) rollup = rollupRead();
    const runtime = other && options.runtime !== undefined ? await options.runtime() : null;
    const breakdown = explainCapture(captureMemory(pid === undefined ? {} : runtime === null ? { pid } : { pid, runtime }));
    last = { quick, own: rollup?.own ?? null, breakdown, readAtMs: breakdown.takenAtMs };
    return { breakdown, reread: true, readAtMs: last.readAtMs };
  };
}
