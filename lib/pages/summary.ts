/**
 * What the page tables say about a range: pagemap entries summed up, with the zero
 * page counted (see zero-page.ts). Works on any range: it never dereferences it.
 */
import { decodePagemapEntry, readPagemapChunks, type PagemapEntry } from './pagemap';
import { zeroPagePfn, type ZeroPageMethod } from './zero-page';
import { pageSizeBytes } from '../system/usage';
import { optionalBoolean, rejectUnknownKeys, validateAddress, validateCount, validateOptions } from '../util/validate';
import { invalidArgType, outOfRange } from '../util/errors';
import { hugeZeroPage, type HugeZeroPageProbe } from './huge-zero-page';

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
  /**
   * Present pages that map a zero page and have no memory of their own: the 4 KiB
   * shared zero page and the base pages of the huge zero page (THP) together.
   */
  zeroPages: number;
  /** Of zeroPages, those mapping the huge zero page (THP, one PMD entry per 2 MiB on x86-64). */
  hugeZeroPages: number;
  /** How zeroPages was decided (for both zero pages). */
  zeroPageMethod: ZeroPageMethod;
  /** Head PFN of the huge zero page as measured in this process (decimal string), or null when PFNs are hidden or THP did not map it. */
  hugeZeroPageHeadPfn: string | null;
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
  const huge = hugeZeroPage();
  const summary: PagemapSummary = {
    pages, presentPages: 0, swappedPages: 0, exclusivePages: 0, softDirtyPages: 0, fileOrSharedPages: 0, zeroPages: 0, hugeZeroPages: 0,
    zeroPageMethod: method, hugeZeroPageHeadPfn: huge.headPfn === null ? null : String(huge.headPfn), pfnReadable: zeroPfn !== null,
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
      const kind = zeroPageKind(e, zeroPfn, huge, opts.privateAnonymous);
      if (kind !== null) summary.zeroPages++;
      if (kind === 'huge') summary.hugeZeroPages++;
    }
  });
  if (entries) summary.entries = entries;
  return summary;
}

/**
 * Which zero page an entry maps, if any. With PFNs: the 4 KiB zero page's PFN, or one
 * of the huge zero page's consecutive PFNs. Without: in private anonymous memory no
 * other process shares, a present page that is not exclusive is a zero page; bit 61
 * (not anonymous) tells the huge one (see huge-zero-page.ts).
 */
function zeroPageKind(e: PagemapEntry, zeroPfn: bigint | null, huge: HugeZeroPageProbe, privateAnonymous: boolean): 'small' | 'huge' | null {
  if (!e.present) return null;
  if (zeroPfn !== null) {
    if (e.pfn === zeroPfn) return 'small';
    if (huge.headPfn !== null) return e.pfn !== null && e.pfn >= huge.headPfn && e.pfn < huge.headPfn + BigInt(huge.pages) ? 'huge' : null;
    // Not probed under the current THP setting (e.g. mapped under `always`, now `never`): the bits still tell.
    return privateAnonymous && !e.exclusive && e.fileOrShared ? 'huge' : null;
  }
  if (!privateAnonymous || e.exclusive) return null;
  return e.fileOrShared ? 'huge' : 'small';
}
