/**
 * Parser for malloc_info(3)'s XML (glibc malloc/malloc.c, __malloc_info): one <heap>
 * element per arena (nr 0 is the main arena), each with free-chunk size classes, free
 * totals, system bytes and address-space bytes; then process-wide totals, including
 * the mmapped chunks. Parsing only; lib/malloc/control.ts reads the XML.
 */
import { invalidArgValue } from '../util/errors';

/** One free-chunk size class of an arena (a <size> or <unsorted> element). */
export interface MallocInfoSizeClass {
  kind: 'size' | 'unsorted';
  fromBytes: number;
  toBytes: number;
  totalBytes: number;
  count: number;
}

/** One arena (a <heap nr="…"> element). */
export interface MallocInfoArena {
  /** 0 = the main arena (brk); others are thread arenas. */
  index: number;
  sizeClasses: MallocInfoSizeClass[];
  /** Free chunks in fastbins and their bytes. */
  fastFree: { count: number; bytes: number };
  /** Other free chunks (bins, unsorted, top) and their bytes. */
  restFree: { count: number; bytes: number };
  /** Bytes the arena holds from the system now, and its maximum. */
  systemCurrentBytes: number;
  systemMaxBytes: number;
  /** Address space of the arena (aspace total / mprotect). */
  addressSpaceBytes: number;
  mprotectBytes: number;
  /** Heaps (sub-heaps) of a thread arena; null for the main arena, which has none. */
  subheaps: number | null;
}

/** malloc_info(3), parsed. */
export interface MallocInfo {
  version: number;
  arenas: MallocInfoArena[];
  totals: {
    fastFree: { count: number; bytes: number };
    restFree: { count: number; bytes: number };
    /** Chunks served by their own mmap, and their bytes. */
    mmapped: { count: number; bytes: number };
    systemCurrentBytes: number;
    systemMaxBytes: number;
    addressSpaceBytes: number;
  };
}

type Attrs = Record<string, string>;

function attrs(text: string): Attrs {
  const out: Attrs = {};
  for (const m of text.matchAll(/([a-z]+)="([^"]*)"/g)) out[m[1] as string] = m[2] as string;
  return out;
}

function num(a: Attrs, key: string, where: string): number {
  const v = a[key];
  if (v === undefined || !/^\d+$/.test(v)) throw invalidArgValue('xml', `is not malloc_info output: ${where} has no numeric ${key}="…" (got ${JSON.stringify(v ?? null)})`);
  return Number(v);
}

interface Totals {
  fast: { count: number; bytes: number };
  rest: { count: number; bytes: number };
  mmap: { count: number; bytes: number };
  system: Record<string, number>;
  aspace: Record<string, number>;
}

function readTotals(body: string, where: string): Totals {
  const t: Totals = { fast: { count: 0, bytes: 0 }, rest: { count: 0, bytes: 0 }, mmap: { count: 0, bytes: 0 }, system: {}, aspace: {} };
  for (const m of body.matchAll(/<(total|system|aspace)\s([^>]*)\/>/g)) {
    const a = attrs(m[2] as string);
    const type = a['type'] ?? '';
    if (m[1] === 'total') {
      const pair = { count: num(a, 'count', where), bytes: num(a, 'size', where) };
      if (type === 'fast') t.fast = pair;
      else if (type === 'rest') t.rest = pair;
      else if (type === 'mmap') t.mmap = pair;
    } else {
      (m[1] === 'system' ? t.system : t.aspace)[type] = num(a, 'size', where);
    }
  }
  return t;
}

/** Parses malloc_info's XML. Throws ERR_INVALID_ARG_VALUE for text that is not malloc_info output. */
export function parseMallocInfo(xml: string): MallocInfo {
  if (typeof xml !== 'string') throw invalidArgValue('xml', `must be a string. Received ${typeof xml}`);
  const root = /<malloc version="(\d+)">([\s\S]*)<\/malloc>/.exec(xml);
  if (root === null) throw invalidArgValue('xml', 'is not malloc_info output: no <malloc version="…"> element');
  const inner = root[2] as string;
  const arenas: MallocInfoArena[] = [];
  for (const m of inner.matchAll(/<heap nr="(\d+)">([\s\S]*?)<\/heap>/g)) {
    const where = `<heap nr="${m[1] as string}">`;
    const body = m[2] as string;
    const sizeClasses: MallocInfoSizeClass[] = [];
    for (const s of body.matchAll(/<(size|unsorted)\s([^>]*)\/>/g)) {
      const a = attrs(s[2] as string);
      sizeClasses.push({ kind: s[1] as 'size' | 'unsorted', fromBytes: num(a, 'from', where), toBytes: num(a, 'to', where), totalBytes: num(a, 'total', where), count: num(a, 'count', where) });
    }
    const t = readTotals(body.replace(/<sizes>[\s\S]*?<\/sizes>/, ''), where);
    arenas.push({
      index: Number(m[1]),
      sizeClasses,
      fastFree: t.fast,
      restFree: t.rest,
      systemCurrentBytes: t.system['current'] ?? 0,
      systemMaxBytes: t.system['max'] ?? 0,
      addressSpaceBytes: t.aspace['total'] ?? 0,
      mprotectBytes: t.aspace['mprotect'] ?? 0,
      subheaps: t.aspace['subheaps'] ?? null,
    });
  }
  const t = readTotals(inner.replace(/<heap nr="\d+">[\s\S]*?<\/heap>/g, ''), '<malloc>');
  return {
    version: Number(root[1]),
    arenas,
    totals: {
      fastFree: t.fast,
      restFree: t.rest,
      mmapped: t.mmap,
      systemCurrentBytes: t.system['current'] ?? 0,
      systemMaxBytes: t.system['max'] ?? 0,
      addressSpaceBytes: t.aspace['total'] ?? 0,
    },
  };
}
