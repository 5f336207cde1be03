/**
 * Finding the kernel's shared zero page. Reading a never-written page of private
 * anonymous memory maps that one read-only page full of zeros instead of allocating:
 * mincore then calls the page "resident" though it costs no memory. This module
 * measures which page frame the zero page is, so pagemap can tell it apart.
 */
import { native } from '../native/loader';
import { readPagemap, decodePagemapEntry } from './pagemap';
import { pageSizeBytes } from '../system/usage';

/** How zero pages were told apart. */
export type ZeroPageMethod =
  /** The entry's PFN equals the zero page's PFN, measured in this process (needs CAP_SYS_ADMIN to read PFNs). */
  | 'pfn'
  /** Without PFN access: present, not exclusive, not file/shared, in private anonymous memory no other process shares (valid for memory vmprobe mapped itself, not after fork()). */
  | 'present-not-exclusive';

let probed: { pfn: bigint | null } | undefined;

/**
 * The zero page's PFN, measured once per thread by reading one fresh private anonymous
 * page and reading its pagemap entry; `null` when this process may not read PFNs.
 */
export function zeroPagePfn(): bigint | null {
  if (probed === undefined) {
    const probe = new native.Mapping({ sizeBytes: pageSizeBytes() });
    try {
      probe.touch(0, 1, 1, 'read');
      const entry = decodePagemapEntry(readPagemap(probe.address as bigint, 1)[0] as bigint);
      probed = { pfn: entry.present ? entry.pfn : null };
    } finally {
      probe.unmap(false);
    }
  }
  return probed.pfn;
}
