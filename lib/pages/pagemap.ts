/**
 * /proc/self/pagemap: one 64-bit entry per virtual page (kernel docs,
 * admin-guide/mm/pagemap.rst). Read with plain file reads at offset page * 8, decoded
 * here. Reading pagemap never touches the pages it describes.
 *
 * Bits: 0-54 PFN when present (zero without CAP_SYS_ADMIN since Linux 4.2), or swap
 * type (0-4) and offset (5-54) when swapped; 55 soft-dirty; 56 exclusively mapped
 * (Linux 4.2+); 57 uffd write-protected; 61 file page or shared anonymous; 62 swapped;
 * 63 present.
 */
import * as fs from 'node:fs';
import { validateAddress, validateCount } from '../util/validate';
import { outOfRange } from '../util/errors';
import { pageSizeBytes } from '../system/usage';

/** One page's pagemap entry, decoded. */
export interface PagemapEntry {
  present: boolean;
  swapped: boolean;
  /** Mapped by this process only (bit 56). */
  exclusive: boolean;
  softDirty: boolean;
  /** A file page or shared anonymous memory (bit 61). */
  fileOrShared: boolean;
  uffdWriteProtected: boolean;
  /** Page frame number; `null` when not present or hidden (PFNs need CAP_SYS_ADMIN). */
  pfn: bigint | null;
  /** Swap type and offset of a swapped page, else null. */
  swap: { type: number; offset: bigint } | null;
}

const PFN_MASK = (1n << 55n) - 1n;

/** Decodes one raw pagemap entry. */
export function decodePagemapEntry(raw: bigint): PagemapEntry {
  validateAddress(raw, 'raw');
  const bit = (n: bigint): boolean => ((raw >> n) & 1n) === 1n;
  const present = bit(63n);
  const swapped = bit(62n);
  const low = raw & PFN_MASK;
  return {
    present,
    swapped,
    exclusive: bit(56n),
    softDirty: bit(55n),
    fileOrShared: bit(61n),
    uffdWriteProtected: bit(57n),
    pfn: present && low !== 0n ? low : null,
    swap: swapped ? { type: Number(low & 0x1fn), offset: low >> 5n } : null,
  };
}

const CHUNK_PAGES = 65536; // 512 KiB of entries per read

/**
 * Reads the raw entries of `pages` pages starting at the page containing `address`,
 * calling `visit` with each chunk (so a huge range never needs one huge buffer).
 */
export function readPagemapChunks(address: bigint, pages: number, visit: (entries: BigUint64Array, firstIndex: number) => void): void {
  validateAddress(address, 'address');
  validateCount(pages, 'pages');
  const pageSize = BigInt(pageSizeBytes());
  const firstPage = Number(address / pageSize);
  const fd = fs.openSync('/proc/self/pagemap', 'r');
  try {
    const buf = Buffer.alloc(Math.min(pages, CHUNK_PAGES) * 8);
    for (let done = 0; done < pages; ) {
      const n = Math.min(pages - done, CHUNK_PAGES);
      const got = fs.readSync(fd, buf, 0, n * 8, (firstPage + done) * 8);
      // pagemap ends at the top of the user address space: reading past it returns less.
      if (got !== n * 8) {
        throw outOfRange('address', 'inside the user address space (pagemap has no entries beyond it)', `0x${address.toString(16)} + ${pages} pages`);
      }
      visit(new BigUint64Array(buf.buffer, buf.byteOffset, n), done);
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Most pages readPagemap returns in one array (8 bytes each: 128 MiB). */
const MAX_PAGEMAP_ARRAY_PAGES = 2 ** 24;

/** Raw entries for a range, as one array (use readPagemapChunks for big ranges). */
export function readPagemap(address: bigint, pages: number): BigUint64Array {
  validateAddress(address, 'address');
  // One array holds every entry: cap it well below what a typed array may hold.
  validateCount(pages, 'pages', 0, MAX_PAGEMAP_ARRAY_PAGES);
  const out = new BigUint64Array(pages);
  readPagemapChunks(address, pages, (entries, first) => out.set(entries, first));
  return out;
}
