/** Everything the layout experiment measured: `measurements` in its JSON result. */
import type { MapsLineJson } from '../../proc/maps';
import type { Region, RegionKind, Zone } from '../../layout/regions';
import type { AslrMeasurements } from './aslr';
import type { BssStep, DataStep, ElfFacts } from './segments';

/** One region as JSON: its maps line (addresses as hex strings), size and classification. */
export interface RegionJson extends MapsLineJson, Pick<Region, 'sizeBytes' | 'kind' | 'objectPath'> {}

/** One gap as JSON. */
export interface GapJson {
  start: string;
  end: string;
  sizeBytes: number;
  belowKind: RegionKind;
  aboveKind: RegionKind;
}

/** Where one probe address landed. */
export interface ProbeJson {
  address: string;
  /** Kind of the region holding it; null if no region did. */
  regionKind: RegionKind | null;
  objectPath: string | null;
}

/** The probe names: `bss` is the first whole page of the 8 MiB zero array; `zeroGlobal` a zero int, which may share the last file page of .data. */
export type ProbeName = 'text' | 'rodata' | 'data' | 'bss' | 'heap' | 'mmap' | 'stack' | 'zeroGlobal';

/** A child that accessed a forbidden address. */
export interface FaultOutcome {
  target: 'null' | 'small-int' | 'kernel' | 'text-write';
  address: string | null;
  signal: string | null;
  exitCode: number | null;
  timedOut: boolean;
  /** True when the access did not kill the child. */
  survived: boolean;
}

/** Step 4's 64-bit facts. */
export interface AddressSpaceFacts {
  pointerBits: number;
  cpuVirtualBits: number | null;
  /** First address above user space: 2^(virtual bits - 1) on 64-bit. */
  userLimit: string | null;
  highestUserAddress: string;
  executableBase: string | null;
  /** 'EXEC' (fixed address) or 'DYN' (position-independent), from the executable's ELF header. */
  executableType: string | null;
  mmapMinAddrBytes: number | null;
  lowestMappingAddress: string;
}

/** Step 6b: the executable's text in two processes. */
export interface TextSharing {
  pages: number;
  pfnReadable: boolean;
  /** Pages present in both processes with a readable PFN, and of those, with the same PFN. */
  comparablePages: number;
  samePfnPages: number;
  childSharedCleanBytes: number;
  childRssBytes: number;
  childPssBytes: number;
}

/** The layout experiment's measurements. */
export interface LayoutMeasurements {
  /**
   * The process whose map is classified (`pid`), and vmprobe's own (`vmprobePid`): the
   * probes, faults, ASLR children, bss/data touches and text pages are always vmprobe's.
   */
  target: { pid: number; self: boolean; classifiedBy: 'program-headers' | 'permissions'; vmprobePid?: number };
  pageSizeBytes: number;
  regions: RegionJson[];
  order: Zone[];
  gaps: GapJson[];
  /** Free space right below the main stack and right above the heap, bytes (null when absent). */
  stackGapBytes: number | null;
  heapGapBytes: number | null;
  /**
   * Free space from the heap's end to the lowest kernel-placed mmap-area region, and from
   * the highest one below the stack to the stack (see kernelPlacedCount): the gaps of the
   * kernel's layout rule, which mappings placed at requested addresses do not shrink.
   */
  heapToMmapAreaBytes: number | null;
  mmapAreaToStackBytes: number | null;
  stackLimitBytes: number | null;
  /** mmap-area regions (file, anonymous, libraries, thread stacks) lying outside (heap end, stack start). */
  mmapOutside: RegionJson[];
  /**
   * The mmap-area regions whose address the kernel chose by its default (top-down) rule:
   * shared libraries (ld.so maps them without a hint), thread stacks and their guards,
   * [vdso]/[vvar], and the experiment's own hint-less anonymous mapping (when measuring
   * itself). Other anonymous/file mappings may have been placed where their creator asked
   * (V8 asks for random addresses for its heap pages), so layout.mmap-area rests on these.
   */
  kernelPlacedCount: number;
  /** Those of mmapOutside that are kernel-placed (see kernelPlacedCount). */
  kernelPlacedOutside: RegionJson[];
  /** The zone order without the mmapOutside regions that are not kernel-placed (what layout.order judges). */
  placedOrder: Zone[];
  threads: { count: number; stackPointersKnown: number; threadStackRegions: number; outsideMmapArea: number };
  maps: { mapsTotalBytes: number; gateBytes: number; vmSizeBytes: number | null; stable: boolean };
  probes: Record<ProbeName, ProbeJson>;
  addressSpace: AddressSpaceFacts;
  faults: FaultOutcome[];
  elf: ElfFacts;
  bss: BssStep;
  data: DataStep;
  textRegionPerms: string[];
  textSharing: TextSharing;
  aslr: AslrMeasurements;
}
