/**
 * Tasks the layout experiment runs in child processes (lib/child/spawn.ts): an ASLR sample of
 * a fresh process, a deliberate fault, and the page frames of the executable's text.
 * `fault` is the only caller of the addon's layoutFault, which kills the process on
 * purpose: it must never run in the parent (lib/index.ts does not export it).
 */
import { layoutFault, type FaultTarget } from '../../native/child-only';
import { layoutAddresses, readLayout } from '../../layout/probes';
import { readSmaps } from '../../proc/smaps';
import { readPagemap, decodePagemapEntry } from '../../pages/pagemap';
import { pageSizeBytes } from '../../system/usage';
import type { Region } from '../../layout/regions';

/** Where the randomised things of one fresh process are (hex strings; null when absent). */
export interface AslrSample {
  stackTop: string | null;
  mmapBase: string | null;
  heapStart: string | null;
  executableBase: string | null;
  vdso: string | null;
}

const hex = (a: bigint | undefined): string | null => (a === undefined ? null : `0x${a.toString(16)}`);

/** The regions' ASLR landmarks, a pure function of a classified layout. */
export function aslrLandmarks(regions: readonly Region[]): AslrSample {
  const libs = regions.filter((r) => r.kind.startsWith('lib-'));
  const exe = regions.find((r) => r.objectPath !== null && !r.kind.startsWith('lib-'));
  return {
    stackTop: hex(regions.find((r) => r.kind === 'stack')?.end),
    // ld.so is mapped first, right below mmap_base: the top of the highest library.
    mmapBase: hex(libs[libs.length - 1]?.end),
    heapStart: hex(regions.find((r) => r.kind === 'heap')?.start),
    executableBase: hex(exe?.start),
    vdso: hex(regions.find((r) => r.kind === 'vdso')?.start),
  };
}

/** Child task: this fresh process's ASLR landmarks. */
export function aslrSample(): AslrSample {
  return aslrLandmarks(readLayout('self'));
}

/** Child task: dereference one enumerated target (expected to die of SIGSEGV). */
export function fault(payload: { target: FaultTarget }, emit: (record: unknown) => void): unknown {
  const address = layoutAddresses().faultTargets[payload.target];
  emit({ target: payload.target, address: address === undefined ? null : `0x${address.toString(16)}` });
  return layoutFault(payload.target);
}

/** The executable's text pages in a process: PFNs (null when absent or hidden) and smaps sharing counters. */
export interface TextPages {
  /** Address of the executable's lowest mapping (offsets are from here). */
  executableBase: string;
  /** Per text region: start offset from executableBase, and each page's PFN as hex or null. */
  regions: Array<{ offsetBytes: number; pfns: Array<string | null> }>;
  sharedCleanBytes: number;
  pssBytes: number;
  rssBytes: number;
}

/** Reads the PFNs and smaps counters of the executable's text in this process. */
export function readTextPages(): TextPages {
  const regions = readLayout('self');
  const exeBase = regions.find((r) => r.objectPath !== null && !r.kind.startsWith('lib-'))?.start ?? 0n;
  const text = regions.filter((r) => r.kind === 'text');
  const page = pageSizeBytes();
  const smaps = readSmaps('self').filter((s) => text.some((t) => t.start === s.start));
  return {
    executableBase: `0x${exeBase.toString(16)}`,
    regions: text.map((t) => ({
      offsetBytes: Number(t.start - exeBase),
      pfns: Array.from(readPagemap(t.start, t.sizeBytes / page), (raw) => {
        const pfn = decodePagemapEntry(raw).pfn;
        return pfn === null ? null : `0x${pfn.toString(16)}`;
      }),
    })),
    sharedCleanBytes: smaps.reduce((n, s) => n + (s.sharedCleanBytes ?? 0), 0),
    pssBytes: smaps.reduce((n, s) => n + s.pssBytes, 0),
    rssBytes: smaps.reduce((n, s) => n + s.rssBytes, 0),
  };
}

/** Child task: the text pages of this (fresh) process. */
export function textPages(): TextPages {
  return readTextPages();
}
