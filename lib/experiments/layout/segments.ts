/**
 * Step 5, bss and data: what the addon's ELF file says about .bss (no file space), and
 * what reading untouched .bss and .data pages and then writing .data pages does —
 * faults counted inside the native touch, page state from pagemap, memory from smaps.
 */
import * as fs from 'node:fs';
import { layoutAddresses, loadedObjects, touchSegmentPages } from '../../layout/probes';
import { readElf, type ElfSection } from '../../layout/elf';
import { summarizePagemap } from '../../pages/summary';
import { readThpSettings } from '../../system/kernel-settings';
import { readSmaps, smapsFor } from '../../proc/smaps';
import { pageSizeBytes } from '../../system/usage';

/** Sizes from the addon's file (section table) and its data PT_LOAD segment. */
export interface ElfFacts {
  addonPath: string;
  fileSizeBytes: number;
  sections: Array<Pick<ElfSection, 'name' | 'type' | 'sizeBytes' | 'fileSizeBytes'>>;
  /** The writable PT_LOAD: bytes in the file vs bytes in memory (the difference is bss). */
  dataSegment: { fileSizeBytes: number; memSizeBytes: number } | null;
  /** The probe array in .bss, bytes. */
  bssArrayBytes: number;
}

/** Reading untouched .bss pages. */
export interface BssStep {
  pages: number;
  /** False when no run of untouched pages was left in the array (earlier runs in this process read them). */
  untouchedFound: boolean;
  presentBefore: number;
  minorFaults: number;
  majorFaults: number;
  presentAfter: number;
  zeroPagesAfter: number;
  /** Of zeroPagesAfter, pages mapping the THP huge zero page (THP 'always' with use_zero_page=1). */
  hugeZeroPagesAfter?: number;
  /** PMD-sized blocks of the range holding huge-zero-page pages: each took one fault. */
  hugeZeroBlocksAfter?: number;
  /** Present pages that are not the zero page: memory of their own. */
  privatePagesAfter: number;
  zeroPageMethod: string;
  /** smaps Rss of the bss mapping before and after the read, bytes. */
  rssBeforeBytes: number | null;
  rssAfterBytes: number | null;
}

/** Reading, then writing, .data pages. */
export interface DataStep {
  pages: number;
  presentBefore: number;
  readMinorFaults: number;
  readMajorFaults: number;
  presentAfterRead: number;
  /** Present pages that are page-cache (file) pages after the read (pagemap bit 61). */
  filePagesAfterRead: number;
  writePages: number;
  writeMinorFaults: number;
  /** Of the written pages: how many are still file pages, and how many are exclusive, after the write. */
  filePagesAfterWrite: number;
  exclusivePagesAfterWrite: number;
  /** smaps Anonymous of the data mapping before and after the write, bytes. */
  anonymousBeforeBytes: number | null;
  anonymousAfterBytes: number | null;
}

/** Reads the addon's ELF facts. */
export function readElfFacts(): ElfFacts {
  const a = layoutAddresses();
  const addonPath = fs.realpathSync(a.addonPath ?? '');
  const elf = readElf(addonPath);
  const addon = loadedObjects().find((o) => o.path === addonPath);
  const data = addon?.segments.find((s) => s.type === 'load' && s.flags.includes('w'));
  return {
    addonPath,
    fileSizeBytes: fs.statSync(addonPath).size,
    sections: elf.sections.filter((s) => ['.text', '.rodata', '.data', '.bss'].includes(s.name))
      .map(({ name, type, sizeBytes, fileSizeBytes }) => ({ name, type, sizeBytes, fileSizeBytes })),
    dataSegment: data ? { fileSizeBytes: data.fileSizeBytes, memSizeBytes: data.memSizeBytes } : null,
    bssArrayBytes: a.bssArrayBytes,
  };
}

function rssAt(address: bigint, field: 'rssBytes' | 'anonymousBytes'): number | null {
  const s = smapsFor(readSmaps('self'), address);
  return s === undefined ? null : s[field] ?? null;
}

/** The first run of `pages` whole pages of the bss array that pagemap says are not present, or null. */
function untouchedBssRun(first: bigint, available: number, pages: number): number | null {
  const page = pageSizeBytes();
  const entries = summarizePagemap(first, available * page, { privateAnonymous: true, entries: true }).entries ?? [];
  let run = 0;
  for (let i = 0; i < entries.length; i++) {
    run = entries[i]?.present ? 0 : run + 1;
    if (run === pages) return i - pages + 1;
  }
  return null;
}

/** Reads `pages` untouched pages of the addon's bss array. */
export function measureBss(pages: number): BssStep {
  const a = layoutAddresses();
  const page = pageSizeBytes();
  const firstWhole = (a.bssArray + BigInt(page) - 1n) / BigInt(page) * BigInt(page);
  const count = Math.min(pages, a.bssPages);
  const start = untouchedBssRun(firstWhole, a.bssPages, count);
  const firstPage = start ?? 0;
  const address = firstWhole + BigInt(firstPage * page);
  const before = summarizePagemap(address, count * page, { privateAnonymous: true });
  const rssBeforeBytes = rssAt(address, 'rssBytes');
  const t = touchSegmentPages('bss', { firstPage, pages: count, mode: 'read' });
  const after = summarizePagemap(address, count * page, { privateAnonymous: true });
  const huge = hugeZeroBlocks(address, count * page);
  return {
    hugeZeroPagesAfter: after.hugeZeroPages, hugeZeroBlocksAfter: huge,
    pages: count, untouchedFound: start !== null, presentBefore: before.presentPages,
    minorFaults: t.minorFaults, majorFaults: t.majorFaults,
    presentAfter: after.presentPages, zeroPagesAfter: after.zeroPages, privatePagesAfter: after.presentPages - after.zeroPages,
    zeroPageMethod: after.zeroPageMethod, rssBeforeBytes, rssAfterBytes: rssAt(address, 'rssBytes'),
  };
}

/** How many PMD-sized blocks meeting [address, address + lengthBytes) hold pages of the huge zero page. */
function hugeZeroBlocks(address: bigint, lengthBytes: number): number {
  const pmd = BigInt(readThpSettings()?.pmdSizeBytes ?? 0);
  if (pmd === 0n || lengthBytes === 0) return 0;
  const end = address + BigInt(lengthBytes);
  let n = 0;
  for (let block = address - (address % pmd); block < end; block += pmd) {
    const from = block > address ? block : address;
    const to = block + pmd < end ? block + pmd : end;
    if (summarizePagemap(from, Number(to - from), { privateAnonymous: true }).hugeZeroPages > 0) n++;
  }
  return n;
}

/** Reads every whole page of the addon's data array, then writes `writePages` of them. */
export function measureData(writePages: number): DataStep {
  const a = layoutAddresses();
  const page = pageSizeBytes();
  const firstWhole = (a.data + BigInt(page) - 1n) / BigInt(page) * BigInt(page);
  const pages = a.dataPages;
  const pm = (n: number): ReturnType<typeof summarizePagemap> => summarizePagemap(firstWhole, n * page, { privateAnonymous: false });
  const before = pm(pages);
  const read = touchSegmentPages('data', { firstPage: 0, pages, mode: 'read' });
  const afterRead = pm(pages);
  // Write the LAST pages: earlier runs in this process wrote the first ones.
  const count = Math.min(writePages, pages);
  const writeFirst = pages - count;
  const writeAddress = firstWhole + BigInt(writeFirst * page);
  const anonymousBeforeBytes = rssAt(writeAddress, 'anonymousBytes');
  const write = touchSegmentPages('data', { firstPage: writeFirst, pages: count, mode: 'write' });
  const afterWrite = summarizePagemap(writeAddress, count * page, { privateAnonymous: false });
  return {
    pages, presentBefore: before.presentPages, readMinorFaults: read.minorFaults, readMajorFaults: read.majorFaults,
    presentAfterRead: afterRead.presentPages, filePagesAfterRead: afterRead.fileOrSharedPages,
    writePages: count, writeMinorFaults: write.minorFaults,
    filePagesAfterWrite: afterWrite.fileOrSharedPages, exclusivePagesAfterWrite: afterWrite.exclusivePages,
    anonymousBeforeBytes, anonymousAfterBytes: rssAt(writeAddress, 'anonymousBytes'),
  };
}
