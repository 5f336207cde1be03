/**
 * Steps 1-7 of the lazy experiment, on anonymous memory: map, read, write, dontneed,
 * populate, hugepage, overcommit.
 */
import { map, type Mapping } from '../../memory/mapping';
import { isCodedError } from '../../util/errors';
import { readOvercommit, readThpSettings } from '../../system/kernel-settings';
import { getrlimit } from '../../system/usage';
import { containingVma, mappingVma, processSnapshot, snapshotDelta } from './observe';
import { measureStep, type StepRecord } from './steps';

/** map → read → write → dontneed on one mapping of `sizeBytes`. */
export function runMapReadWriteDontneed(sizeBytes: number): StepRecord[] {
  let mapping: Mapping | undefined;
  const current = (): Mapping => mapping as Mapping;
  try {
    const mapStep = measureStep('map', current, () => {
      mapping = map({ sizeBytes });
      return mapping.creation;
    });
    const read = measureStep('read', current, () => current().touch({ mode: 'read' }));
    const write = measureStep('write', current, () => current().touch({ mode: 'write' }));
    const dontneed = measureStep('dontneed', current, () => current().advise('dontneed'));
    const reread = current().touch({ mode: 'read' });
    return [mapStep, read, write, { ...dontneed, rereadMinorFaults: reread.minorFaults, rereadPages: reread.pagesTouched } as StepRecord];
  } finally {
    mapping?.unmap();
  }
}

/** MAP_POPULATE: faults at map time, none at touch. */
export function runPopulate(sizeBytes: number): StepRecord & { touchMinorFaults: number; touchMajorFaults: number } {
  let mapping: Mapping | undefined;
  try {
    const step = measureStep('populate', () => mapping as Mapping, () => {
      mapping = map({ sizeBytes, populate: true });
      return mapping.creation;
    });
    const touch = (mapping as Mapping).touch({ mode: 'write' });
    return { ...step, touchMinorFaults: touch.minorFaults, touchMajorFaults: touch.majorFaults };
  } finally {
    mapping?.unmap();
  }
}

/** The hugepage step's record: the step fields plus what THP did and why. */
export interface HugepageStep extends StepRecord {
  thpEnabled: string | null;
  thpDefrag: string | null;
  hugePageSizeBytes: number | null;
  sizeBytes: number;
  pages: number;
  /** pages / faults: 1 without huge pages, the huge page's pages with them. */
  pagesPerFault: number | null;
  /** Why huge pages were not used, when they were not. */
  reason: string | null;
}

/** MADV_HUGEPAGE on a huge-page-aligned range at least one huge page long, then write it. */
export function runHugepage(sizeBytes: number, pageSizeBytes: number): HugepageStep {
  const thp = readThpSettings();
  const base = { thpEnabled: thp?.enabled ?? null, thpDefrag: thp?.defrag ?? null, hugePageSizeBytes: thp?.pmdSizeBytes ?? null };
  if (thp === null || thp.pmdSizeBytes === null) {
    return {
      ...emptyStep('hugepage'), ...base, sizeBytes: 0, pages: 0, pagesPerFault: null,
      reason: 'this kernel has no transparent huge pages (/sys/kernel/mm/transparent_hugepage is missing)',
    };
  }
  const huge = thp.pmdSizeBytes;
  const size = Math.max(huge, Math.ceil(sizeBytes / huge) * huge);
  let mapping: Mapping | undefined;
  try {
    const step = measureStep('hugepage', () => mapping as Mapping, () => {
      mapping = map({ sizeBytes: size, hugePages: true });
      return (mapping as Mapping).touch({ mode: 'write' });
    });
    const pages = size / pageSizeBytes;
    const faults = step.minorFaults + step.majorFaults;
    const usedHuge = (step.anonHugePagesBytes ?? 0) > 0;
    let reason: string | null = null;
    if (!usedHuge) {
      reason = thp.enabled === 'never'
        ? "THP mode is 'never' (/sys/kernel/mm/transparent_hugepage/enabled): MADV_HUGEPAGE has no effect"
        : `no huge page was allocated although THP mode is '${thp.enabled}' (defrag '${thp.defrag ?? 'unknown'}'): likely no free 2 MiB-contiguous memory`;
    } else if ((step.anonHugePagesBytes ?? 0) < size) {
      reason = `only ${step.anonHugePagesBytes ?? 0} of ${size} bytes got huge pages; the rest fell back to base pages`;
    }
    return { ...step, ...base, sizeBytes: size, pages, pagesPerFault: faults > 0 ? pages / faults : null, reason };
  } finally {
    mapping?.unmap();
  }
}

function emptyStep(name: string): StepRecord {
  return {
    name, minorFaults: 0, majorFaults: 0, rssDeltaBytes: 0, vszDeltaBytes: 0, pageTableDeltaBytes: null, elapsedNs: 0,
    residentPages: 0, presentPages: 0, zeroPages: 0, hugeZeroPages: 0, privatePages: 0, mappingRssBytes: null, vmaSizeBytes: null, anonHugePagesBytes: null,
  };
}

/** One attempt to map the overcommit step's size. */
export interface OvercommitAttempt {
  noreserve: boolean;
  succeeded: boolean;
  /** errno name when mmap refused. */
  errorCode: string | null;
  rssDeltaBytes: number | null;
  vszDeltaBytes: number | null;
  /** smaps Rss of the reservation's own VMA, when it succeeded and the kernel did not merge it with a neighbour. */
  mappingRssBytes: number | null;
  /** Size and Rss of the VMA holding the reservation (it may include merged neighbours). */
  vmaSizeBytes: number | null;
  vmaRssBytes: number | null;
}

/** The overcommit step: reserve far more than RAM, with and without MAP_NORESERVE. */
export interface OvercommitStep {
  name: 'overcommit';
  sizeBytes: number;
  physicalMemoryBytes: number | null;
  overcommitMode: number | null;
  overcommitModeName: string;
  addressSpaceLimitBytes: number;
  attempts: OvercommitAttempt[];
}

/** Reserve `sizeBytes` (default 1 TiB) with and without MAP_NORESERVE; report the policy's answer. */
export function runOvercommit(sizeBytes: number, physicalMemoryBytes: number | null): OvercommitStep {
  const policy = readOvercommit();
  const attempts = [true, false].map((noreserve): OvercommitAttempt => {
    const before = processSnapshot();
    let mapping: Mapping | undefined;
    try {
      mapping = map({ sizeBytes, noreserve });
      const after = processSnapshot();
      const delta = snapshotDelta(before, after);
      // smaps Rss of just this VMA: reading mincore over 1 TiB would be slow and says the same.
      const vma = containingVma(mapping);
      return {
        noreserve, succeeded: true, errorCode: null, rssDeltaBytes: delta.rssDeltaBytes, vszDeltaBytes: delta.vszDeltaBytes,
        mappingRssBytes: mappingVma(mapping)?.rssBytes ?? null, vmaSizeBytes: vma?.sizeBytes ?? null, vmaRssBytes: vma?.rssBytes ?? null,
      };
    } catch (err) {
      if (!isCodedError(err) || err.syscall !== 'mmap') throw err;
      return { noreserve, succeeded: false, errorCode: err.code, rssDeltaBytes: null, vszDeltaBytes: null, mappingRssBytes: null, vmaSizeBytes: null, vmaRssBytes: null };
    } finally {
      mapping?.unmap();
    }
  });
  return {
    name: 'overcommit', sizeBytes, physicalMemoryBytes, overcommitMode: policy.mode, overcommitModeName: policy.modeName,
    addressSpaceLimitBytes: getrlimit('as').soft, attempts,
  };
}
