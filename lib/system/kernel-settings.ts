/**
 * Kernel settings that change how memory behaves, read from /proc/sys and /sys.
 * Each reader returns null when the file does not exist on this kernel (the caller
 * reports that), never a guessed default.
 */
import * as fs from 'node:fs';

function readTrimmed(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

function readInteger(file: string): number | null {
  const text = readTrimmed(file);
  if (text === null || !/^-?\d+$/.test(text)) return null;
  return Number(text);
}

/** The bracketed choice of a sysfs selector like `always [madvise] never`. */
export function parseBracketedChoice(text: string): string | null {
  return /\[([^\]]+)\]/.exec(text)?.[1] ?? null;
}

const THP_DIR = '/sys/kernel/mm/transparent_hugepage';

/** Transparent huge pages: the mode, defrag policy and PMD huge page size, or null if THP is absent. */
export interface ThpSettings {
  /** `always`, `madvise` or `never`. */
  enabled: string;
  defrag: string | null;
  /** Size of a PMD-mapped huge page in bytes (hpage_pmd_size). */
  pmdSizeBytes: number | null;
  /** Whether reads of untouched huge-page-aligned memory may map the huge zero page. */
  useZeroPage: boolean | null;
}

/** Reads /sys/kernel/mm/transparent_hugepage; null when THP is not built into this kernel. */
export function readThpSettings(): ThpSettings | null {
  const enabledText = readTrimmed(`${THP_DIR}/enabled`);
  if (enabledText === null) return null;
  const defragText = readTrimmed(`${THP_DIR}/defrag`);
  const zero = readInteger(`${THP_DIR}/use_zero_page`);
  return {
    enabled: parseBracketedChoice(enabledText) ?? enabledText,
    defrag: defragText === null ? null : parseBracketedChoice(defragText) ?? defragText,
    pmdSizeBytes: readInteger(`${THP_DIR}/hpage_pmd_size`),
    useZeroPage: zero === null ? null : zero === 1,
  };
}

/** vm.overcommit_* (proc(5)): the policy that decides whether a big mmap succeeds. */
export interface OvercommitSettings {
  /** 0 heuristic, 1 always, 2 never (strict accounting). */
  mode: number | null;
  modeName: 'heuristic' | 'always' | 'never' | 'unknown';
  ratioPercent: number | null;
  kbytes: number | null;
}

/** Reads /proc/sys/vm/overcommit_{memory,ratio,kbytes}. */
export function readOvercommit(): OvercommitSettings {
  const mode = readInteger('/proc/sys/vm/overcommit_memory');
  const names = ['heuristic', 'always', 'never'] as const;
  return {
    mode,
    modeName: mode !== null && mode >= 0 && mode <= 2 ? names[mode] ?? 'unknown' : 'unknown',
    ratioPercent: readInteger('/proc/sys/vm/overcommit_ratio'),
    kbytes: readInteger('/proc/sys/vm/overcommit_kbytes'),
  };
}

/** kernel.randomize_va_space: 0 off, 1 stack/mmap/vdso, 2 also the heap (brk). */
export function readAslrMode(): number | null {
  return readInteger('/proc/sys/kernel/randomize_va_space');
}

/** vm.mmap_min_addr in bytes: the lowest address a process may map. */
export function readMmapMinAddr(): number | null {
  return readInteger('/proc/sys/vm/mmap_min_addr');
}

/** The kB field `name` of /proc/meminfo text (e.g. 'SwapTotal'), in bytes; null when absent. */
export function meminfoFieldBytes(meminfo: string, name: string): number | null {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(meminfo);
  return m ? Number(m[1]) * 1024 : null;
}

/** SwapTotal and SwapFree from /proc/meminfo, in bytes (null if unreadable). */
export function readSwap(): { totalBytes: number; freeBytes: number } | null {
  const text = readTrimmed('/proc/meminfo');
  if (text === null) return null;
  const totalBytes = meminfoFieldBytes(text, 'SwapTotal');
  const freeBytes = meminfoFieldBytes(text, 'SwapFree');
  return totalBytes === null || freeBytes === null ? null : { totalBytes, freeBytes };
}

/** /proc/sys/vm/fault_around_bytes is in debugfs on modern kernels; read it where mounted. */
export function readFaultAroundBytes(): number | null {
  return readInteger('/sys/kernel/debug/fault_around_bytes');
}
