/**
 * Finding the kernel's huge zero page (mm/huge_memory.c, `huge_zero_folio`). With THP
 * enabled for a range (`always`, or `madvise` after MADV_HUGEPAGE) and
 * /sys/kernel/mm/transparent_hugepage/use_zero_page = 1, a read fault on untouched,
 * PMD-aligned private anonymous memory maps one PMD-sized page of zeros for the whole
 * aligned block: one fault per 2 MiB (x86-64), no memory of its own (smaps Rss 0).
 *
 * pagemap shows its base pages as present, not exclusive, with bit 61 (file-page or
 * shared-anon) set, because the folio is not anonymous (fs/proc/task_mmu.c,
 * pagemap_pmd_range: `!folio_test_anon` sets PM_FILE), and with consecutive PFNs from
 * the folio's head when PFNs are readable. The 4 KiB zero page shows neither bit.
 */
import { native } from '../native/loader';
import { readThpSettings } from '../system/kernel-settings';
import { readPagemap, decodePagemapEntry } from './pagemap';
import { pageSizeBytes } from '../system/usage';

/** What one probe learned about the huge zero page. */
export interface HugeZeroPageProbe {
  /** THP mode and use_zero_page when probed, e.g. `always/1`; the probe reruns when they change. */
  settings: string;
  /** The probe's read mapped the huge zero page (pagemap: present, not exclusive, bit 61). */
  seen: boolean;
  /** PFN of its head page; null when PFNs are hidden (no CAP_SYS_ADMIN) or it was not seen. */
  headPfn: bigint | null;
  /** Base pages it spans (hpage_pmd_size / page size), e.g. 512; 0 when THP is absent. */
  pages: number;
}

let probed: HugeZeroPageProbe | undefined;

function settingsKey(): { key: string; allowed: boolean; pmdSizeBytes: number } {
  const thp = readThpSettings();
  if (thp === null || thp.pmdSizeBytes === null) return { key: 'none', allowed: false, pmdSizeBytes: 0 };
  return { key: `${thp.enabled}/${thp.useZeroPage === true ? 1 : 0}`, allowed: thp.enabled !== 'never' && thp.useZeroPage === true, pmdSizeBytes: thp.pmdSizeBytes };
}

/**
 * Measures the huge zero page by reading the first byte of a fresh PMD-aligned private
 * anonymous mapping with MADV_HUGEPAGE, then reading that page's pagemap entry. Cached
 * per process and THP setting (the kernel keeps the folio for the life of an mm that
 * mapped it, MMF_HUGE_ZERO_PAGE, so its PFN is stable here). Never throws for a host
 * without THP: `seen` is false then.
 */
export function hugeZeroPage(): HugeZeroPageProbe {
  const { key, allowed, pmdSizeBytes } = settingsKey();
  if (probed !== undefined && probed.settings === key) return probed;
  const page = pageSizeBytes();
  const pages = pmdSizeBytes === 0 ? 0 : pmdSizeBytes / page;
  let result: HugeZeroPageProbe = { settings: key, seen: false, headPfn: null, pages };
  if (allowed) {
    const probe = new native.Mapping({ sizeBytes: pmdSizeBytes, alignBytes: pmdSizeBytes, hugePages: true });
    try {
      probe.touch(0, 1, 1, 'read');
      const entry = decodePagemapEntry(readPagemap(probe.address as bigint, 1)[0] as bigint);
      const seen = entry.present && entry.fileOrShared && !entry.exclusive;
      result = { settings: key, seen, headPfn: seen ? entry.pfn : null, pages };
    } finally {
      probe.unmap(false);
    }
  }
  probed = result;
  return result;
}
