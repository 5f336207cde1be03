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
import { meminfoFieldBytes, readOvercommit } from './kernel-settings';

/** The limit and the words that explain it, e.g. 'vm.overcommit_memory=0 refuses one mapping larger than RAM + swap'. */
export interface MappingLimit {
  bytes: number;
  /** 'each': every mapping on its own may be this large (mode 0); 'together': new mappings may add up to this much (mode 2). */
  applies: 'each' | 'together';
  reason: string;
}

/**
 * The largest mapping `mode` (vm.overcommit_memory) grants with /proc/meminfo reading
 * `meminfo`; null under mode 1, an unknown mode or missing fields (no limit known).
 */
export function largestGrantableMapping(mode: number | null, meminfo: string): MappingLimit | null {
  if (mode === 0) {
    const ram = meminfoFieldBytes(meminfo, 'MemTotal');
    const swap = meminfoFieldBytes(meminfo, 'SwapTotal');
    if (ram === null || swap === null) return null;
    return { bytes: ram + swap, applies: 'each', reason: 'vm.overcommit_memory=0 refuses one mapping larger than RAM + swap' };
  }
  if (mode === 2) {
    const limit = meminfoFieldBytes(meminfo, 'CommitLimit');
    const committed = meminfoFieldBytes(meminfo, 'Committed_AS');
    if (limit === null || committed === null) return null;
    return { bytes: Math.max(0, limit - committed), applies: 'together', reason: 'vm.overcommit_memory=2 grants up to CommitLimit − Committed_AS' };
  }
  return null;
}

/** largestGrantableMapping() of this host now; null when /proc is unreadable or the policy sets no limit. */
export function readLargestGrantableMapping(): MappingLimit | null {
  try {
    return largestGrantableMapping(readOvercommit().mode, fs.readFileSync('/proc/meminfo', 'latin1'));
  } catch {
    return null;
  }
}
