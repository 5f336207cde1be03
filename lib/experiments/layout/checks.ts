/**
 * The layout experiment's single-purpose measurements: maps against VmSize, a
 * deliberate fault in a child, node's text frames in two processes, and the 64-bit
 * facts of the address space.
 */
import * as path from 'node:path';
import { hexAddress } from '../../report/result';
import { layoutAddresses } from '../../layout/probes';
import { zoneOf, type Region } from '../../layout/regions';
import { parseStatus } from '../../proc/status';
import { parseMaps, type MapsEntry } from '../../proc/maps';
import { readProcTextsSteadily } from '../../proc/read';
import { readElf } from '../../layout/elf';
import { readMmapMinAddr } from '../../system/kernel-settings';
import { zeroPagePfn } from '../../pages/zero-page';
import { runChild } from '../../child/spawn';
import { childError } from '../../util/errors';
import type { TextPages } from './tasks';
import type { AddressSpaceFacts, FaultOutcome, LayoutMeasurements, TextSharing } from './measurements';

const TASKS = path.join(__dirname, 'tasks.js');
/** Timeout of every child the layout experiment starts, ms. */
export const CHILD_TIMEOUT_MS = 20_000;

/** Attempts of mapsVersusVmSize before it reports the reads unstable. */
export const MAPS_READ_ATTEMPTS = 20;

/**
 * maps total vs VmSize, read until they are taken from one unchanging address space:
 * VmSize, maps, VmSize, maps, VmSize in a row, allocating nothing between the reads
 * (readProcTextsSteadily: vmprobe's own allocations would otherwise land between the
 * pages of a maps read, each an mmap under MALLOC_MMAP_THRESHOLD_=0); stable when the
 * three VmSize readings agree and both maps totals too (other threads may map meanwhile).
 */
export function mapsVersusVmSize(pid: number | 'self'): LayoutMeasurements['maps'] {
  let last: LayoutMeasurements['maps'] = { mapsTotalBytes: 0, gateBytes: 0, vmSizeBytes: null, stable: false };
  const total = (entries: readonly MapsEntry[]): number => entries.reduce((n, e) => n + e.sizeBytes, 0);
  for (let attempt = 0; attempt < MAPS_READ_ATTEMPTS; attempt++) {
    const [s1, m1, s2, m2, s3] = readProcTextsSteadily(pid, ['status', 'maps', 'status', 'maps', 'status']) as [string, string, string, string, string];
    const [before, between, after] = [s1, s2, s3].map((t) => parseStatus(t).vmSizeBytes ?? null) as [number | null, number | null, number | null];
    const entries = parseMaps(m1);
    const gateBytes = total(entries.filter((e) => e.path === '[vsyscall]'));
    const mapsTotalBytes = total(entries);
    last = { mapsTotalBytes, gateBytes, vmSizeBytes: between, stable: before === between && between === after && mapsTotalBytes === total(parseMaps(m2)) };
    if (last.stable) break;
  }
  return last;
}

export async function runFault(target: FaultOutcome['target']): Promise<FaultOutcome> {
  const o = await runChild<unknown>(TASKS, 'fault', { target }, { timeoutMs: CHILD_TIMEOUT_MS });
  if (o.error) throw childError(`the child accessing the ${target} target threw instead of faulting: ${o.error.message}`);
  const record = o.records.find((r): r is { address: string | null } => typeof r === 'object' && r !== null && 'address' in r);
  return { target, address: record?.address ?? null, signal: o.signal, exitCode: o.exitCode, timedOut: o.timedOut, survived: o.result !== null };
}

export function compareText(mine: TextPages, child: TextPages): TextSharing {
  let pages = 0;
  let comparablePages = 0;
  let samePfnPages = 0;
  for (const region of mine.regions) {
    const other = child.regions.find((r) => r.offsetBytes === region.offsetBytes);
    region.pfns.forEach((pfn, i) => {
      pages++;
      const theirs = other?.pfns[i] ?? null;
      if (pfn === null || theirs === null) return;
      comparablePages++;
      if (pfn === theirs) samePfnPages++;
    });
  }
  return {
    pages, pfnReadable: zeroPagePfn() !== null, comparablePages, samePfnPages,
    childSharedCleanBytes: child.sharedCleanBytes, childRssBytes: child.rssBytes, childPssBytes: child.pssBytes,
  };
}

export function addressSpaceFacts(regions: readonly Region[], cpuVirtualBits: number | null): AddressSpaceFacts {
  const user = regions.filter((r) => zoneOf(r.kind) !== 'kernel');
  const exe = regions.find((r) => r.objectPath !== null && !r.kind.startsWith('lib-'));
  let executableType: string | null = null;
  try {
    if (exe?.objectPath) executableType = readElf(exe.objectPath).fileType;
  } catch {
    executableType = null;
  }
  const pointerBits = layoutAddresses().pointerBits;
  return {
    pointerBits, cpuVirtualBits,
    userLimit: pointerBits === 64 && cpuVirtualBits !== null ? hexAddress(1n << BigInt(cpuVirtualBits - 1)) : null,
    highestUserAddress: hexAddress((user[user.length - 1]?.end ?? 1n) - 1n) as string,
    executableBase: hexAddress(exe?.start ?? null), executableType,
    mmapMinAddrBytes: readMmapMinAddr(),
    lowestMappingAddress: hexAddress(regions[0]?.start ?? 0n) as string,
  };
}
