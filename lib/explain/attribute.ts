/**
 * attribute: a pure function from a capture to an owners tree. The top-level rows sum
 * EXACTLY to the kernel's totals (smaps_rollup when the capture has it; the difference
 * between the smaps sum and the later rollup read is an explicit "changed between reads"
 * row). Every VMA goes to exactly one owner by what the maps say (measured); only the
 * pool of plain anonymous memory is split further, by the runtime's own figures
 * (in-process or through the agent) and by the shape of V8's pages (v8-shape.ts: the
 * other isolates in-process, every isolate for another process) — those rows are
 * `basis: 'inferred'` and say what they rest on.
 *
 * Sources: proc(5) and Documentation/filesystems/proc.rst (smaps fields), glibc
 * malloc/arena.c (HEAP_MAX_SIZE heaps of thread arenas), V8 src/heap (256 KiB pages).
 */
import { classifyRegions, type Region } from '../layout/regions';
import type { MapsEntry } from '../proc/maps';
import { invalidArgType } from '../util/errors';
import type { CapturedVma, ExplainCapture, MemoryBreakdown, MemoryFigures, OwnerRow } from './types';
import { isV8Shaped } from './v8-shape';

/**
 * Size and alignment of a thread arena's heap: glibc's HEAP_MAX_SIZE, 2 * DEFAULT_MMAP_THRESHOLD_MAX
 * = 2 * 4 * 1024 * 1024 * sizeof(long) = 64 MiB on 64-bit (malloc/arena.c). new_heap() maps it
 * aligned to its size, PROT_NONE, and makes the used head read-write; a FULL heap is one rw-p
 * VMA of exactly this size. Exported for tests.
 */
export const ARENA_HEAP_BYTES = 64 * 1024 * 1024;

const FIELDS: readonly (keyof MemoryFigures)[] = ['virtualBytes', 'rssBytes', 'pssBytes', 'privateBytes', 'sharedBytes', 'swapBytes', 'anonHugePagesBytes'];

/** All-zero figures. */
export function zeroFigures(): MemoryFigures {
  return { virtualBytes: 0, rssBytes: 0, pssBytes: 0, privateBytes: 0, sharedBytes: 0, swapBytes: 0, anonHugePagesBytes: 0 };
}

function vmaFigures(v: CapturedVma): MemoryFigures {
  return {
    virtualBytes: Number(BigInt(v.end) - BigInt(v.start)), rssBytes: v.rssBytes, pssBytes: v.pssBytes,
    privateBytes: v.privateCleanBytes + v.privateDirtyBytes, sharedBytes: v.sharedCleanBytes + v.sharedDirtyBytes,
    swapBytes: v.swapBytes, anonHugePagesBytes: v.anonHugePagesBytes,
  };
}

/** a += b, field by field. */
function add(a: MemoryFigures, b: MemoryFigures): void {
  for (const f of FIELDS) a[f] += b[f];
}

/** Sum of figures. */
export function sumFigures(rows: readonly MemoryFigures[]): MemoryFigures {
  const total = zeroFigures();
  for (const r of rows) add(total, r);
  return total;
}

function figuresOf<T extends MemoryFigures>(r: T): MemoryFigures {
  const out = zeroFigures();
  for (const f of FIELDS) out[f] = r[f];
  return out;
}

/** A group of VMAs sharing an owner. */
interface Bucket { figures: MemoryFigures; vmaCount: number }

function bucket(vmas: readonly CapturedVma[]): Bucket {
  return { figures: sumFigures(vmas.map(vmaFigures)), vmaCount: vmas.length };
}

type RowSpec = Omit<OwnerRow, keyof MemoryFigures | 'children' | 'vmaCount'> & { vmaCount?: number; children?: OwnerRow[] };

function row(spec: RowSpec, figures: MemoryFigures): OwnerRow {
  return { ...spec, ...figuresOf(figures), vmaCount: spec.vmaCount ?? 0, children: spec.children ?? [] };
}

/** A parent whose figures are the sum of its children. */
function parent(spec: Omit<RowSpec, 'children'>, children: OwnerRow[]): OwnerRow {
  const vmaCount = children.reduce((n, c) => n + c.vmaCount, 0);
  return row({ ...spec, vmaCount, children }, sumFigures(children));
}

/**
 * Takes `rssBytes` (and `virtualBytes`) out of `pool`, with the pool's other counters in
 * proportion to the RSS taken (rounded down to whole pages of `pageBytes`), so what is
 * left in the pool stays consistent and the parts sum exactly to the whole.
 */
function carve(pool: MemoryFigures, rssBytes: number, virtualBytes: number, pageBytes: number): MemoryFigures {
  const rss = Math.max(0, Math.min(rssBytes, pool.rssBytes));
  const virt = Math.max(0, Math.min(virtualBytes, pool.virtualBytes));
  const share = pool.rssBytes === 0 ? 0 : rss / pool.rssBytes;
  const scaled = (value: number): number => Math.min(value, Math.floor((value * share) / pageBytes) * pageBytes);
  const part: MemoryFigures = {
    virtualBytes: virt, rssBytes: rss, pssBytes: scaled(pool.pssBytes), privateBytes: scaled(pool.privateBytes),
    sharedBytes: scaled(pool.sharedBytes), swapBytes: scaled(pool.swapBytes), anonHugePagesBytes: scaled(pool.anonHugePagesBytes),
  };
  for (const f of FIELDS) pool[f] -= part[f];
  return part;
}

/**
 * Splits `whole` exactly: RSS (and the counters that follow it) by `weights`, VSZ by
 * `virtualWeights`; the largest part takes the rounding remainders.
 */
function splitByWeights(whole: MemoryFigures, weights: readonly number[], virtualWeights: readonly number[], pageBytes: number): MemoryFigures[] {
  const pool = figuresOf(whole);
  const total = weights.reduce((a, b) => a + b, 0);
  const virtualTotal = virtualWeights.reduce((a, b) => a + b, 0);
  const largest = weights.reduce((best, w, i) => (w > (weights[best] ?? 0) ? i : best), 0);
  const parts = weights.map((w, i) => {
    if (i === largest) return zeroFigures();
    const rss = total === 0 ? 0 : Math.floor((whole.rssBytes * w) / total / pageBytes) * pageBytes;
    const vw = virtualWeights[i] ?? 0;
    const virt = virtualTotal === 0 ? 0 : Math.floor((whole.virtualBytes * vw) / virtualTotal / pageBytes) * pageBytes;
    return carve(pool, rss, virt, pageBytes);
  });
  if (parts.length > 0) parts[largest] = figuresOf(pool);
  return parts;
}

function toMapsEntry(v: CapturedVma): MapsEntry {
  const [major = '0', minor = '0'] = v.dev.split(':');
  const start = BigInt(v.start);
  const end = BigInt(v.end);
  return {
    start, end, sizeBytes: Number(end - start), perms: v.perms, read: v.perms[0] === 'r', write: v.perms[1] === 'w',
    execute: v.perms[2] === 'x', shared: v.perms[3] === 's', offsetBytes: v.offsetBytes, dev: v.dev,
    devMajor: parseInt(major, 16), devMinor: parseInt(minor, 16), inode: v.inode, path: v.path, deleted: v.deleted, pseudo: v.pseudo,
  };
}

const isAnonPrivate = (v: CapturedVma): boolean => v.path === null && v.perms[3] === 'p';

/**
 * Thread-arena heaps: [A, A + 64 MiB) with A aligned to 64 MiB, a VMA starting at A and one
 * ending at A + 64 MiB, covered without gaps by anonymous private VMAs that are read-write
 * first and PROT_NONE after (at most one change) — whatever the fill, so a FULL heap (one
 * rw-p VMA, no PROT_NONE tail) counts too. A heap whose head the kernel merged with a
 * neighbouring VMA has no boundary at A and stays in the anonymous pool.
 * Returns the VMA indexes of each heap.
 */
export function findArenaHeaps(vmas: readonly CapturedVma[]): number[][] {
  const heapBytes = BigInt(ARENA_HEAP_BYTES);
  const heaps: number[][] = [];
  for (let i = 0; i < vmas.length; i++) {
    const first = vmas[i] as CapturedVma;
    const a = BigInt(first.start);
    if (a % heapBytes !== 0n || !isAnonPrivate(first) || first.perms !== 'rw-p') continue;
    const limit = a + heapBytes;
    const members: number[] = [];
    let cursor = a;
    let seenNone = false;
    let ok = true;
    for (let j = i; j < vmas.length && cursor < limit; j++) {
      const v = vmas[j] as CapturedVma;
      if (BigInt(v.start) !== cursor || !isAnonPrivate(v) || BigInt(v.end) > limit) { ok = false; break; }
      if (v.perms === '---p') seenNone = true;
      else if (v.perms !== 'rw-p' || seenNone) { ok = false; break; }
      members.push(j);
      cursor = BigInt(v.end);
    }
    if (ok && cursor === limit) {
      heaps.push(members);
      i = (members[members.length - 1] ?? i);
    }
  }
  return heaps;
}

/** A thread stack found by its stack pointer, and the PROT_NONE guard right below it. */
interface StackHit { tid: number; name: string; main: boolean; indexes: number[] }

function findStacks(capture: ExplainCapture, vmas: readonly CapturedVma[]): StackHit[] {
  const hits: StackHit[] = [];
  const starts = vmas.map((v) => BigInt(v.start));
  const ends = vmas.map((v) => BigInt(v.end));
  const at = (address: bigint): number => {
    let lo = 0;
    let hi = vmas.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (address < (starts[mid] as bigint)) hi = mid - 1;
      else if (address >= (ends[mid] as bigint)) lo = mid + 1;
      else return mid;
    }
    return -1;
  };
  const taken = new Set<number>();
  for (const t of capture.threads) {
    if (t.stackPointer === null) continue;
    const index = at(BigInt(t.stackPointer));
    const v = vmas[index];
    if (v === undefined || taken.has(index)) continue;
    const main = v.path === '[stack]';
    if (!main && !(isAnonPrivate(v) && v.perms.startsWith('rw'))) continue;
    const indexes = [index];
    const below = vmas[index - 1];
    if (!main && below && below.end === v.start && isAnonPrivate(below) && below.perms === '---p') indexes.unshift(index - 1);
    indexes.forEach((i) => taken.add(i));
    hits.push({ tid: t.tid, name: t.name, main, indexes });
  }
  return hits;
}

const codeGroup = (path: string, exe: string | null): 'executable' | 'addons' | 'libraries' =>
  path === exe ? 'executable' : path.endsWith('.node') ? 'addons' : 'libraries';

/** The mapped file name of a replacement malloc or sanitizer runtime whose regions can look like V8's pages, or null. */
function sameShapeAllocator(vmas: readonly CapturedVma[]): string | null {
  const hit = vmas.find((v) => v.path !== null && /\/lib(jemalloc|tcmalloc(_minimal)?|mimalloc|asan)\.so[.\d]*$/.test(v.path));
  return hit?.path?.split('/').pop() ?? null;
}

/**
 * Attributes a capture (see captureMemory) to owners. Pure: reads nothing but `capture`.
 * Throws ERR_INVALID_ARG_TYPE when `capture` is not an object with a `vmas` array.
 */
export function attribute(capture: ExplainCapture): Omit<MemoryBreakdown, 'findings'> {
  if (capture === null || typeof capture !== 'object' || !Array.isArray((capture as { vmas?: unknown }).vmas)) {
    throw invalidArgType('capture', 'an explain capture (an object with a vmas array)', capture);
  }
  const page = capture.pageSizeBytes;
  const vmas = capture.vmas;
  const owner = new Array<string | undefined>(vmas.length).fill(undefined);

  // Stacks: by each thread's stack pointer; [stack] is the main thread's even without one.
  const stacks = findStacks(capture, vmas);
  const mainTid = capture.pid;
  vmas.forEach((v, i) => {
    if (v.path === '[stack]' && !stacks.some((s) => s.indexes.includes(i))) stacks.push({ tid: mainTid, name: capture.command, main: true, indexes: [i] });
  });
  for (const s of stacks) for (const i of s.indexes) owner[i] = 'stack';

  // malloc: the main arena's brk heap, and thread-arena heaps by shape.
  const heaps = findArenaHeaps(vmas).filter((h) => h.every((i) => owner[i] === undefined));
  for (const h of heaps) for (const i of h) owner[i] = 'arena';
  vmas.forEach((v, i) => { if (v.path === '[heap]' && owner[i] === undefined) owner[i] = 'brk'; });

  // Code and data images of the executable and libraries (by file offsets and permissions).
  // Only file-backed and pseudo VMAs, and an anonymous VMA right after one (a bss), can be
  // part of an image: classify that subset (a process may have tens of thousands of anonymous VMAs).
  // classifyRegions' own rule: only a file with an executable mapping is a program or library.
  const executableFiles = new Set(vmas.flatMap((v) => (v.path !== null && !v.pseudo && v.perms[2] === 'x' ? [v.path] : [])));
  const isCandidate = (v: CapturedVma | undefined): boolean => v !== undefined && v.path !== null && !v.pseudo && executableFiles.has(v.path);
  const subset: number[] = [];
  vmas.forEach((v, i) => {
    if (isCandidate(v) || (v.path === null && isCandidate(vmas[i - 1]))) subset.push(i);
  });
  const regions: Region[] = classifyRegions(subset.map((i) => toMapsEntry(vmas[i] as CapturedVma)), { executablePath: capture.executablePath, pageSizeBytes: page });
  const imageOf = new Map<number, string>();
  regions.forEach((r, k) => {
    const i = subset[k] as number;
    if (owner[i] !== undefined) return;
    if (r.objectPath !== null) { owner[i] = 'image'; imageOf.set(i, r.objectPath); }
  });
  vmas.forEach((v, i) => {
    if (owner[i] === undefined && v.pseudo && v.path !== null && /^\[(vdso|vvar|vvar_vclock|vsyscall)\]$/.test(v.path)) owner[i] = 'kernel-image';
  });

  vmas.forEach((v, i) => {
    if (owner[i] !== undefined) return;
    if (v.perms[3] === 's') owner[i] = 'shm';
    else if (v.path !== null && !v.pseudo) owner[i] = 'file';
    else if (v.path === null && v.perms.startsWith('---')) owner[i] = 'reserved';
    else if (v.path === null || v.path.startsWith('[anon')) owner[i] = 'anon';
    else owner[i] = 'other';
  });

  const pick = (kind: string): number[] => owner.flatMap((o, i) => (o === kind ? [i] : []));
  const pickVmas = (indexes: readonly number[]): CapturedVma[] => indexes.map((i) => vmas[i] as CapturedVma);
  const measured = (id: string, label: string, from: string, indexes: readonly number[], detail?: Record<string, number | string>): OwnerRow => {
    const b = bucket(pickVmas(indexes));
    return row({ id, label, basis: 'measured', from, vmaCount: b.vmaCount, ...(detail ? { detail } : {}) }, b.figures);
  };
  const byPath = (prefix: string, indexes: readonly number[], pathOf: (i: number) => string, from: string): OwnerRow[] => {
    const groups = new Map<string, number[]>();
    for (const i of indexes) {
      const p = pathOf(i);
      const list = groups.get(p);
      if (list) list.push(i);
      else groups.set(p, [i]);
    }
    return [...groups.entries()]
      .map(([p, ix]) => measured(`${prefix}:${p}`, p, from, ix))
      .sort((a, b) => b.rssBytes - a.rssBytes || a.label.localeCompare(b.label));
  };

  // --- the anonymous pool, split by the runtime's figures or by V8's page shape ---
  const anonIndexes = pick('anon');
  const pool = bucket(pickVmas(anonIndexes)).figures;
  const rt = capture.runtime;
  const owners: OwnerRow[] = [];
  let mallocMmapped: OwnerRow | null = null;
  let external: OwnerRow | null = null;
  const brkRow = measured('malloc.main-arena', 'main arena (brk heap)', 'smaps: [heap]', pick('brk'));
  const arenaRows = heaps.map((h, n) => measured(`malloc.thread-arenas.${n}`, `heap at ${(vmas[h[0] as number] as CapturedVma).start}`,
    'smaps: 64 MiB-aligned anonymous heap (glibc arena.c HEAP_MAX_SIZE)', h, {
      readWriteBytes: pickVmas(h).filter((v) => v.perms === 'rw-p').reduce((n2, v) => n2 + Number(BigInt(v.end) - BigInt(v.start)), 0),
    }));
  const arenaRssBytes = brkRow.rssBytes + arenaRows.reduce((n, r) => n + r.rssBytes, 0);

  const v8Shaped = anonIndexes.filter((i) => isV8Shaped(vmas[i] as CapturedVma));
  if (rt !== null) {
    const spaces = rt.heapSpaces;
    const physical = spaces.reduce((n, s) => n + s.physicalBytes, 0);
    const committed = spaces.reduce((n, s) => n + s.sizeBytes, 0);
    const js = carve(pool, physical, committed, 1);
    const spaceParts = splitByWeights(js, spaces.map((s) => s.physicalBytes), spaces.map((s) => s.sizeBytes), 1);
    owners.push(row({
      id: 'js-heap', label: 'JS heap (V8)', basis: 'inferred',
      from: 'v8.getHeapSpaceStatistics() physical_space_size, taken out of the anonymous mappings',
      detail: { usedBytes: spaces.reduce((n, s) => n + s.usedBytes, 0), committedBytes: committed },
      children: spaces.map((s, i) => row({
        id: `js-heap.${s.name}`, label: s.name === 'code_space' || s.name === 'code_large_object_space' ? `${s.name} (JIT code)` : s.name,
        basis: 'inferred', from: 'physical_space_size', detail: { usedBytes: s.usedBytes, committedBytes: s.sizeBytes },
      }, spaceParts[i] ?? zeroFigures())),
    }, js));
    const m2 = rt.mallinfo2;
    const mm = m2 === null ? zeroFigures() : carve(pool, m2.mmappedBytes, m2.mmappedBytes, page);
    // ArrayBuffer stores are malloc'd by Node's allocator: large ones are malloc's own mmaps,
    // small ones live in the (main thread's) main arena. Take them from the mmaps first.
    const abBytes = rt.memoryUsage.arrayBuffers;
    const fromMmap = carve(mm, abBytes, abBytes, 1);
    const brkPool = figuresOf(brkRow);
    const inArenaLimit = m2 === null ? 0 : Math.max(0, m2.inUseBytes);
    const fromBrk = carve(brkPool, Math.min(abBytes - fromMmap.rssBytes, inArenaLimit), 0, 1);
    Object.assign(brkRow, brkPool);
    external = parent({ id: 'external', label: 'ArrayBuffer/Buffer backing stores', basis: 'inferred',
      from: 'process.memoryUsage().arrayBuffers, placed in malloc\'s mmaps first, then the main arena',
      detail: { arrayBuffersBytes: abBytes, externalBytes: rt.memoryUsage.external } }, [
      row({ id: 'external.mmapped', label: 'in malloc\'s own mmaps (large stores)', basis: 'inferred', from: 'mallinfo2 hblkhd ∩ arrayBuffers' }, fromMmap),
      row({ id: 'external.main-arena', label: 'in the main arena (small stores)', basis: 'inferred', from: 'arrayBuffers beyond the mmaps, within mallinfo2 uordblks' }, fromBrk),
    ]);
    if (m2 !== null) {
      mallocMmapped = row({ id: 'malloc.mmapped', label: `malloc's own mmaps (${m2.mmappedChunks} chunks)`, basis: 'inferred',
        from: 'mallinfo2 hblkhd (mmapped chunk bytes) taken out of the anonymous mappings, less the ArrayBuffer stores in them',
        detail: { mmappedChunks: m2.mmappedChunks, mmappedBytes: m2.mmappedBytes } }, mm);
    }
    // V8's statistics cover this isolate only: what else is shaped like V8's pages is the
    // heaps of the other isolates (worker threads) and WebAssembly memories. Taken last,
    // from what the exact figures above left.
    const shaped = bucket(pickVmas(v8Shaped)).figures;
    const others = carve(pool, Math.max(0, shaped.rssBytes - js.rssBytes), Math.max(0, shaped.virtualBytes - js.virtualBytes), page);
    owners.push(row({ id: 'other-isolates', label: 'other V8 isolates (worker threads), WebAssembly memory', basis: 'inferred',
      from: 'anonymous VMAs shaped like V8 pages (256 KiB-aligned, placed by V8\'s hints) less this isolate\'s physical_space_size',
      detail: { v8ShapedRssBytes: shaped.rssBytes, v8ShapedVmas: v8Shaped.length } }, others));
  } else {
    // Another process without the agent: every isolate's heap, by the shape of V8's pages.
    const v8Set = new Set(v8Shaped);
    const b = bucket(pickVmas(v8Shaped)).figures;
    for (const f of FIELDS) pool[f] -= b[f];
    anonIndexes.splice(0, anonIndexes.length, ...anonIndexes.filter((i) => !v8Set.has(i)));
    // A replacement malloc or a sanitizer runtime maps regions of the same shape (measured:
    // 50 MiB of Buffers in jemalloc's extents counted here): say so, the row is then an upper bound.
    const lookalike = sameShapeAllocator(vmas);
    owners.push(row({ id: 'js-heap', label: `JS heap (V8, all isolates), by page shape${lookalike ? ', upper bound' : ''}`, basis: 'inferred',
      from: `anonymous VMAs starting on V8's 256 KiB page boundary: below 2^46 (V8's placement hints) any size, elsewhere whole pages; every isolate (worker threads too) and WebAssembly memory (no runtime figures for another process)${lookalike ? `; this process maps ${lookalike}, whose own regions can have that shape and are counted here too (run it with the agent, node -r vmprobe/agent, for V8's own figures)` : ''}`,
      vmaCount: v8Shaped.length }, b));
  }
  if (external) owners.push(external);

  const mallocInUse = rt?.mallinfo2?.inUseBytes;
  const mallocChildren = [brkRow,
    parent({ id: 'malloc.thread-arenas', label: `thread arenas (${heaps.length} heaps)`, basis: 'measured',
      from: 'smaps: 64 MiB-aligned anonymous heaps (glibc arena.c), full or with a PROT_NONE tail' }, arenaRows),
    ...(mallocMmapped ? [mallocMmapped] : [])];
  const mallocRow = parent({ id: 'malloc', label: 'malloc (glibc arenas)', basis: rt?.mallinfo2 ? 'inferred' : 'measured',
    from: rt?.mallinfo2 ? 'smaps [heap] and arena heaps; mallinfo2 for in-use/free and the mmapped chunks' : 'smaps [heap] and arena heaps' }, mallocChildren);
  mallocRow.detail = {
    threadArenaHeaps: heaps.length,
    arenaRssBytes,
    ...(mallocInUse !== undefined ? { inUseBytes: mallocInUse, freeResidentBytes: Math.max(0, arenaRssBytes - mallocInUse) } : {}),
    ...(rt?.mallocArenas != null ? { arenas: rt.mallocArenas } : {}),
  };
  for (const c of mallocRow.children) if (c.id === 'malloc.thread-arenas') c.vmaCount = arenaRows.reduce((n, r) => n + r.vmaCount, 0);
  owners.push(mallocRow);

  const stackRows = stacks
    .sort((a, b) => Number(b.main) - Number(a.main) || a.tid - b.tid)
    .map((s) => measured(`stacks.${s.tid}`, s.main ? `main thread (${s.name})` : `${s.name} [${s.tid}]`,
      s.main ? 'smaps: [stack]' : 'smaps: VMA holding the thread\'s stack pointer (task/<tid>/syscall), with its guard', s.indexes));
  const seen = new Set(stacks.map((s) => s.tid));
  const unseen = capture.threads.filter((t) => !seen.has(t.tid) && t.tid !== capture.pid);
  owners.push(parent({ id: 'stacks', label: `stacks (${stackRows.length} of ${capture.threads.length} threads located)`, basis: 'measured',
    from: 'smaps VMAs at each thread\'s stack pointer' }, stackRows));
  if (unseen.length > 0) {
    const last = owners[owners.length - 1] as OwnerRow;
    last.detail = { threadsNotLocated: unseen.length, notLocated: unseen.map((t) => `${t.name}[${t.tid}]`).slice(0, 20).join(', ') };
  }

  const imageIndexes = pick('image');
  const group = (g: 'executable' | 'addons' | 'libraries'): number[] =>
    imageIndexes.filter((i) => codeGroup(imageOf.get(i) ?? '', capture.executablePath) === g);
  const pathOfImage = (i: number): string => imageOf.get(i) ?? '?';
  owners.push(parent({ id: 'code', label: 'code and its data (executable, libraries, addons)', basis: 'measured',
    from: 'smaps: ELF images by file offset and permissions' }, [
    parent({ id: 'code.executable', label: 'node executable', basis: 'measured', from: 'smaps: /proc/<pid>/exe image' },
      byPath('code.executable', group('executable'), pathOfImage, 'smaps')),
    parent({ id: 'code.libraries', label: 'shared libraries', basis: 'measured', from: 'smaps: mapped ELF images' },
      byPath('code.libraries', group('libraries'), pathOfImage, 'smaps')),
    parent({ id: 'code.addons', label: 'native addons (.node)', basis: 'measured', from: 'smaps: mapped .node images' },
      byPath('code.addons', group('addons'), pathOfImage, 'smaps')),
    measured('code.kernel', 'kernel-provided ([vdso], [vvar])', 'smaps', pick('kernel-image')),
  ]));

  owners.push(parent({ id: 'files', label: 'mapped files', basis: 'measured', from: 'smaps: private file mappings outside the ELF images' },
    byPath('files', pick('file'), (i) => (vmas[i] as CapturedVma).path ?? '?', 'smaps')));
  owners.push(parent({ id: 'shared', label: 'shared memory', basis: 'measured', from: 'smaps: MAP_SHARED mappings (shmem, memfd, /dev/shm, shared files)' },
    byPath('shared', pick('shm'), (i) => (vmas[i] as CapturedVma).path ?? 'anonymous shared', 'smaps')));

  const reservedIx = pick('reserved');
  const reservedVmas = pickVmas(reservedIx);
  const largest = reservedVmas.reduce((n, v) => Math.max(n, Number(BigInt(v.end) - BigInt(v.start))), 0);
  owners.push(measured('reserved', 'PROT_NONE reservations (V8, WebAssembly)', 'smaps: anonymous ---p VMAs that are not stack guards or arena tails',
    reservedIx, { largestBytes: largest }));

  owners.push(row({ id: 'anonymous', label: rt ? 'other anonymous (native mmaps)' : 'other anonymous (malloc mmaps, Buffers, native)', basis: rt ? 'inferred' : 'measured',
    from: rt ? 'anonymous mappings less this isolate\'s JS heap, malloc\'s mmaps and the V8-shaped pages of other isolates' : 'anonymous mappings not otherwise attributed (runtime figures need the process itself or the agent)',
    vmaCount: anonIndexes.length }, pool));
  const otherIx = pick('other');
  if (otherIx.length > 0) owners.push(measured('other', 'other kernel mappings', 'smaps', otherIx));

  const smapsSum = sumFigures(vmas.map(vmaFigures));
  let totals = figuresOf(smapsSum);
  let totalsFrom: MemoryBreakdown['totalsFrom'] = 'smaps';
  if (capture.rollup !== null) {
    totals = { virtualBytes: smapsSum.virtualBytes, ...capture.rollup };
    totalsFrom = 'smaps_rollup';
    const diff = zeroFigures();
    for (const f of FIELDS) diff[f] = totals[f] - smapsSum[f];
    owners.push(row({ id: 'changed-between-reads', label: 'changed between reads (smaps → smaps_rollup)', basis: 'measured',
      from: 'smaps_rollup minus the sum of smaps, read one after the other' }, diff));
  }
  return {
    schema: 1, pid: capture.pid, self: capture.self, command: capture.command, takenAtMs: capture.takenAtMs,
    totals, totalsFrom, smapsSum, owners,
    outsideRss: [{ id: 'page-tables', label: 'page tables', bytes: capture.status.vmPTEBytes, from: '/proc/<pid>/status VmPTE' }],
  };
}
