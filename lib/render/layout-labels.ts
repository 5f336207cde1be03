/**
 * Reader-facing names for the address-space figures: a band's label in the textbook's
 * words (never "stack (stack)"), its colour, and the probes' names ("zeroGlobal" →
 * ".bss global"). Naming only: no measuring.
 */
import type { LayoutMeasurements, RegionJson } from '../experiments/layout/measurements';
import type { Band } from './layout-bands';
import type { PaletteName } from './svg/palette';

/** What each of vmprobe's probes is, as a student would name it. */
export const PROBE_LABELS: Readonly<Record<string, string>> = {
  text: 'code (.text)', rodata: '.rodata constant', data: '.data global', bss: '.bss array', zeroGlobal: '.bss global',
  heap: 'malloc() block', mmap: 'mmap() block', stack: 'local variable',
};

/** The probe's reader-facing name (its key when it has none). */
export function probeLabel(name: string): string {
  return PROBE_LABELS[name] ?? name;
}

/** Regions of `regions` inside the band's span with one of its kinds. */
function regionsOf(band: Band, regions: readonly RegionJson[]): RegionJson[] {
  return regions.filter((r) => band.kinds.includes(r.kind) && BigInt(r.start) >= band.start && BigInt(r.end) <= band.end);
}

/** Whether at least 90% of the band's bytes are PROT_NONE ('---p'): reserved address space, no memory. */
export function isReservation(band: Band, regions: readonly RegionJson[]): boolean {
  if (band.type === 'gap' || !band.kinds.every((k) => k === 'anonymous')) return false;
  const none = regionsOf(band, regions).filter((r) => r.perms.startsWith('---')).reduce((n, r) => n + r.sizeBytes, 0);
  return band.sizeBytes > 0 && none >= 0.9 * band.sizeBytes;
}

const SEGMENT_WORDS: Readonly<Record<string, string>> = {
  text: '.text (code)', rodata: '.rodata (constants)', relro: 'RELRO (read-only after relocation)', data: '.data (initialised globals)', bss: '.bss (zero-filled globals)',
};

/** The band's label, an optional second line, and its fill colour for the figure. */
export function bandLabel(band: Band, m: LayoutMeasurements): { label: string; note?: string; fill: PaletteName } {
  if (band.type === 'gap') return { label: 'free', fill: 'free' };
  const first = band.kinds[0];
  const over = / over \S+ \S+$/.exec(band.label)?.[0] ?? '';
  const count = band.regions > 1 ? ` ×${band.regions}` : '';
  if (isReservation(band, m.regions)) {
    return { label: `PROT_NONE reservations${m.target.self ? ' (V8/WebAssembly)' : ''}${count}`, note: `${over.trim()}: address space, no memory`.replace(/^: /, ''), fill: 'reserve' };
  }
  const exe = band.label.startsWith('library ') ? null : /\(([^)]*)\)$/.exec(band.label)?.[1];
  switch (first) {
    case 'stack': return { label: '[stack] of the main thread, grows down', fill: 'stack' };
    case 'heap': return { label: '[heap]: malloc\'s brk heap, grows up', fill: 'heap' };
    case 'arena-heap': return { label: `glibc thread-arena heaps${count}`, fill: 'arena' };
    case 'thread-stack': case 'guard': return { label: `thread stacks and their guard pages${count}`, fill: 'stack' };
    case 'vdso': case 'vvar': return { label: `${band.kinds.map((k) => `[${k}]`).join(' ')}: kernel data and code mapped in`, fill: 'kernel' };
    case 'anonymous': return over ? { label: `anonymous mappings${count}`, note: over.trim(), fill: 'mmap' } : { label: `anonymous mappings${count}`, fill: 'mmap' };
    case 'file': return over ? { label: `file mappings${count}`, note: over.trim(), fill: 'mmap' } : { label: `file mappings${count}`, fill: 'mmap' };
    case 'text': case 'rodata': case 'relro': case 'data': case 'bss':
      return { label: `${SEGMENT_WORDS[first] ?? first} of ${exe ?? 'the program'}`, fill: first === 'text' || first === 'rodata' ? 'text' : 'data' };
    default:
      if (band.label.startsWith('library ')) return { label: `${band.label.slice('library '.length)} (shared library)${over}`, fill: 'mmap' };
      return { label: `${band.label}`, fill: 'mmap' };
  }
}
