/**
 * What the page tables say about a range: pagemap entries summed up, with the zero
 * page counted (see zeropage.ts). Works on any range: it never dereferences it.
 */
import { decodePagemapEntry, readPagemapChunks, type PagemapEntry } from './pagemap';
import { zeroPagePfn, type ZeroPageMethod } from './zero-page';
import { pageSizeBytes } from '../system/usage';
import { optionalBoolean, rejectUnknownKeys, validateAddress, validateCount, validateOptions } from '../util/validate';
import { invalidArgType, outOfRange } from '../util/errors';

/** The most entries one call returns with entries: true: one object per page could exhaust V8's heap. */
export const MAX_PAGEMAP_ENTRIES = 2 ** 20;

/** Pagemap counts over a range, in pages. */
export interface PagemapSummary {
  pages: number;
  /** Pages with a page-table entry pointing at RAM (bit 63). */
  presentPages: number;
  swappedPages: number;
  exclusivePages: number;
  softDirtyPages: number;
  /** File pages or shared anonymous pages (bit 61). */
  fileOrSharedPages: number;
  /** Present pages that are the shared zero page (no memory of their own). */
  zeroPages: number;
  /** How zeroPages was decided. */
  zeroPageMethod: ZeroPageMethod;
  /** Whether PFNs were readable (CAP_SYS_ADMIN). */
  pfnReadable: boolean;
  /** The decoded entries, when asked for with `entries: true`. */
  entries?: PagemapEntry[];
}

/**
 * Summarises pagemap over the pages spanning `[address, address + lengthBytes)`.
 * `privateAnonymous` must be true only for private anonymous memory that no other
 * process shares: it allows the zero-page heuristic when PFNs are hidden.
 */
export function summarizePagemap(address: bigint, lengthBytes: number, opts: { privateAnonymous: boolean; entries?: boolean }): PagemapSummary {
  validateAddress(address, 'address');
  validateCount(lengthBytes, 'lengthBytes');
  const options = validateOptions(opts, 'opts');
  rejectUnknownKeys(options, 'opts', ['privateAnonymous', 'entries']);
  if (typeof options['privateAnonymous'] !== 'boolean') throw invalidArgType('opts.privateAnonymous', 'of type boolean', options['privateAnonymous']);
  const withEntries = optionalBoolean(options['entries'], 'opts.entries', false);
  const pageSize = BigInt(pageSizeBytes());
  const first = address / pageSize;
  const pages = lengthBytes === 0 ? 0 : Number((address + BigInt(lengthBytes) - 1n) / pageSize - first + 1n);
  if (withEntries && pages > MAX_PAGEMAP_ENTRIES) {
    throw outOfRange('lengthBytes', `at most ${MAX_PAGEMAP_ENTRIES} pages with entries: true (one object per page)`, `${lengthBytes} (${pages} pages)`);
  }
  const zeroPfn = zeroPagePfn();
  const method: ZeroPageMethod = zeroPfn !== null ? 'pfn' : 'present-not-exclusive';
  const summary: PagemapSummary = {
    pages, presentPages: 0, swappedPages: 0, exclusivePages: 0, softDirtyPages: 0, fileOrSharedPages: 0, zeroPages: 0,
    zeroPageMethod: method, pfnReadable: zeroPfn !== null,
  };
  const entries: PagemapEntry[] | undefined = withEntries ? [] : undefined;
  readPagemapChunks(first * pageSize, pages, (raw) => {
    for (const value of raw) {
      const e = decodePagemapEntry(value);
      entries?.push(e);
      if (e.present) summary.presentPages++;
      if (e.swapped) summary.swappedPages++;
      if (e.exclusive) summary.exclusivePages++;
      if (e.softDirty) summary.softDirtyPages++;
      if (e.fileOrShared) summary.fileOrSharedPages++;
      if (isZeroPage(e, zeroPfn, opts.privateAnonymous)) summary.zeroPages++;
    }
  });
  if (entries) summary.entries = entries;
  return summary;
}

function isZeroPage(e: PagemapEntry, zeroPfn: bigint | null, privateAnonymous: boolean): boolean {
  if (!e.present) return false;
  if (zeroPfn !== null) return e.pfn === zeroPfn;
  return privateAnonymous && !e.exclusive && !e.fileOrShared;
}
