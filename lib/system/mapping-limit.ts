/**
 * The largest private writable mapping the kernel grants now, under its overcommit policy
 * (vm.overcommit_memory, proc(5); mm/util.c __vm_enough_memory()):
 * - 0 (heuristic): one request larger than total RAM + total swap is refused
 *   (MemTotal + SwapTotal of /proc/meminfo), whatever else is mapped;
 * - 1 (always): no limit from the policy (null);
 * - 2 (never, strict accounting): everything committed may not pass CommitLimit, so what
 *   is left is CommitLimit − Committed_AS.
 * Pure parser plus one reader; no addon. ENOMEM is then the kernel's answer to a larger
 * mmap (or malloc), which the CLI turns into a usage error before anything runs.
 */
import * as fs from 'node:fs';

/** The limit and the words that explain it, e.g. 'vm.overcommit_memory=0 refuses one mapping larger than RAM + swap'. */
export interface MappingLimit {
  bytes: number;
  /** 'each': every mapping on its own may be this large (mode 0); 'together': new mappings may add up to this much (mode 2). */
  applies: 'each' | 'together';
  reason: string;
}

/** A kB field of /proc/meminfo text in bytes, or null when absent. */
function meminfoBytes(meminfo: string, field: string): number | null {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(meminfo);
  return m === null ? null : Number(m[1]) * 1024;
}

/**
 * The largest mapping `mode` (vm.overcommit_memory) grants with /proc/meminfo reading
 * `meminfo`; null under mode 1, an unknown mode or missing fields (no limit known).
 */
export function largestGrantableMapping(mode: number | null, meminfo: string): MappingLimit | null {
  if (mode === 0) {
    const ram = meminfoBytes(meminfo, 'MemTotal');
    const swap = meminfoBytes(meminfo, 'SwapTotal');
    if (ram === null || swap === null) return null;
    return { bytes: ram + swap, applies: 'each', reason: 'vm.overcommit_memory=0 refuses one mapping larger than RAM + swap' };
  }
  if (mode === 2) {
    const limit = meminfoBytes(meminfo, 'CommitLimit');
    const committed = meminfoBytes(meminfo, 'Committed_AS');
    if (limit === null || committed === null) return null;
    return { bytes: Math.max(0, limit - committed), applies: 'together', reason: 'vm.overcommit_memory=2 grants up to CommitLimit − Committed_AS' };
  }
  return null;
}

/** largestGrantableMapping() of this host now; null when /proc is unreadable or the policy sets no limit. */
export function readLargestGrantableMapping(): MappingLimit | null {
  try {
    const mode = Number(fs.readFileSync('/proc/sys/vm/overcommit_memory', 'latin1').trim());
    return largestGrantableMapping(Number.isInteger(mode) ? mode : null, fs.readFileSync('/proc/meminfo', 'latin1'));
  } catch {
    return null;
  }
}
