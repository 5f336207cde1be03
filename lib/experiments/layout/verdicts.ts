/**
 * Judging the layout.* and seg.* claims from what the layout experiment measured.
 * Pure functions of the measurements; every verdict each judge returns is reachable
 * (test/experiments/layout/verdicts.test.ts feeds synthetic measurements).
 */
import type { ClaimResult, Verdict } from '../../report/claims';
import { formatBytes, formatCount } from '../../util/format';
import type { Zone } from '../../layout/regions';
import type { FaultOutcome, LayoutMeasurements } from './measurements';

const TEXTBOOK_ORDER: readonly Zone[] = ['stack', 'mmap', 'heap', 'data', 'text'];

const claim = (id: string, verdict: Verdict, summary: string, evidence: Record<string, unknown>): ClaimResult => ({ id, verdict, summary, evidence });

/** Where mappings outside heap..stack that the kernel did not place by its rule are, in words ('' when none). */
function requestedNote(m: LayoutMeasurements): string {
  const kernel = new Set(m.kernelPlacedOutside.map((r) => r.start));
  const requested = m.mmapOutside.filter((r) => !kernel.has(r.start));
  if (requested.length === 0) return '';
  const first = requested[0] as LayoutMeasurements['mmapOutside'][number];
  return `${formatCount(requested.length)} ${first.kind} mapping(s) lie outside heap..stack (e.g. ${formatBytes(first.sizeBytes)} at ${first.start}) at an address their creator asked for — ` +
    'a mapping without a hint goes top-down below the mmap base, as this process\'s own did (V8 asks for random addresses for its heap pages)';
}

/**
 * layout.order: the zones from high to low, against the textbook's. Judged on the
 * placement the kernel chose by its own rule (placedOrder): a mapping its creator placed
 * at a requested address (outside heap..stack, not a library, thread stack or the
 * experiment's own mapping) is named in the summary but does not decide.
 */
export function judgeOrder(m: LayoutMeasurements): ClaimResult {
  const order = m.placedOrder;
  const seen = order.join(' > ');
  const note = requestedNote(m);
  const evidence = { order: m.order, placedOrder: order, textbook: TEXTBOOK_ORDER };
  const tail = note === '' ? '' : `; ${note}`;
  if (seen === TEXTBOOK_ORDER.join(' > ')) return claim('layout.order', 'holds', `high to low: ${seen} (the kernel half above, ${m.addressSpace.lowestMappingAddress} the lowest mapping)${tail}`, evidence);
  const firsts = TEXTBOOK_ORDER.map((z) => order.indexOf(z)).filter((i) => i >= 0);
  const monotone = firsts.every((v, i) => i === 0 || v > (firsts[i - 1] as number));
  if (monotone) return claim('layout.order', 'qualified', `high to low: ${seen}: the textbook zones appear in its order, but interleaved or with one missing${tail}`, evidence);
  return claim('layout.order', 'refuted', `high to low: ${seen}: not the textbook order ${TEXTBOOK_ORDER.join(' > ')}${tail}`, evidence);
}

/**
 * layout.gaps: free room between the stack and the mmap area, and between the mmap area
 * and the heap. Judged on the kernel-placed regions (heapToMmapAreaBytes,
 * mmapAreaToStackBytes); a mapping placed at a requested address closer to the heap or
 * the stack (heapGapBytes / stackGapBytes, the next region of any kind: V8 places its
 * heap pages at random requested addresses, one was seen right at the heap's end) is named.
 */
export function judgeGaps(m: LayoutMeasurements): ClaimResult {
  const s = m.mmapAreaToStackBytes;
  const h = m.heapToMmapAreaBytes;
  const evidence = {
    mmapAreaToStackBytes: s, heapToMmapAreaBytes: h, stackGapBytes: m.stackGapBytes, heapGapBytes: m.heapGapBytes, stackLimitBytes: m.stackLimitBytes, gaps: m.gaps.length,
  };
  const nearer: string[] = [];
  if (m.heapGapBytes !== null && h !== null && m.heapGapBytes < h) nearer.push(`the nearest mapping of any kind sits ${formatBytes(m.heapGapBytes)} above the heap`);
  if (m.stackGapBytes !== null && s !== null && m.stackGapBytes < s) nearer.push(`the nearest mapping of any kind sits ${formatBytes(m.stackGapBytes)} below the stack`);
  const text = `${formatBytes(s ?? 0)} from the mmap area's highest kernel-placed region up to the stack (RLIMIT_STACK ${m.stackLimitBytes === null ? 'unlimited' : formatBytes(m.stackLimitBytes)}), ` +
    `${h === null ? 'no heap' : `${formatBytes(h)} from the heap up to its lowest`}, ${formatCount(m.gaps.length)} gaps in all` +
    (nearer.length > 0 ? ` (${nearer.join('; ')})` : '');
  if (s === null || h === null) return claim('layout.gaps', 'qualified', `${text}: one of the two gaps cannot be measured`, evidence);
  if (s > 0 && h > 0) return claim('layout.gaps', 'holds', text, evidence);
  return claim('layout.gaps', 'refuted', `${text}: a region touches the stack or the heap`, evidence);
}

/**
 * layout.mmap-area: the mmap()ed regions the kernel placed by its own rule (libraries,
 * thread stacks, vdso, the experiment's own hint-less mapping: kernelPlacedCount) lie
 * between heap and stack. Mappings placed at an address their creator asked for are
 * named in the summary, not counted against the claim.
 */
export function judgeMmapArea(m: LayoutMeasurements): ClaimResult {
  const n = m.kernelPlacedOutside.length;
  const total = m.kernelPlacedCount;
  const evidence = {
    kernelPlacedCount: total,
    kernelPlacedOutside: m.kernelPlacedOutside.map((r) => ({ start: r.start, kind: r.kind, path: r.path })),
    outside: m.mmapOutside.map((r) => ({ start: r.start, kind: r.kind, path: r.path })),
  };
  const note = requestedNote(m);
  const tail = note === '' ? '' : `; ${note}`;
  const what = 'mmap()ed regions the kernel placed (libraries, thread stacks, vdso, a fresh anonymous mapping)';
  if (total === 0) return claim('layout.mmap-area', 'not-applicable', `no ${what} to check${tail}`, evidence);
  if (n === 0) return claim('layout.mmap-area', 'holds', `all ${formatCount(total)} ${what} lie between the heap and the stack${tail}`, evidence);
  if (n < total) return claim('layout.mmap-area', 'qualified', `${formatCount(n)} of ${formatCount(total)} ${what} lie outside heap..stack (e.g. ${m.kernelPlacedOutside[0]?.kind} at ${m.kernelPlacedOutside[0]?.start})${tail}`, evidence);
  return claim('layout.mmap-area', 'refuted', `none of the ${formatCount(total)} ${what} lies between heap and stack`, evidence);
}

/** layout.thread-stacks: each thread has its own stack, in the mmap area. */
export function judgeThreadStacks(m: LayoutMeasurements): ClaimResult {
  const t = m.threads;
  const others = t.count - 1;
  const evidence = { ...t };
  const text = `${formatCount(t.count)} threads; ${formatCount(t.stackPointersKnown)} other threads' stack pointers read, in ${formatCount(t.threadStackRegions)} distinct thread-stack mappings`;
  if (t.outsideMmapArea > 0) {
    return claim('layout.thread-stacks', 'refuted', `${text}, ${formatCount(t.outsideMmapArea)} outside the mmap area`, evidence);
  }
  if (others > 0 && t.stackPointersKnown === others && t.threadStackRegions === others) {
    return claim('layout.thread-stacks', 'holds', `${text}, each a mapping of its own in the mmap area with a guard page below`, evidence);
  }
  return claim('layout.thread-stacks', 'qualified', `${text}: ${others === 0 ? 'no other thread to check' : 'some threads were running (no stack pointer) or share a mapping'}`, evidence);
}

/** The kernel's configured mmap random bits, as " (kernel: vm.mmap_rnd_bits = 28, compat 8)", or '' when unreadable. */
export function kernelBitsText(k: { mmapRndBits: number | null; mmapRndCompatBits: number | null } | undefined): string {
  if (k === undefined || k.mmapRndBits === null) return '';
  return ` (kernel: vm.mmap_rnd_bits = ${k.mmapRndBits}${k.mmapRndCompatBits === null ? '' : `, compat ${k.mmapRndCompatBits}`})`;
}

/** layout.aslr: stack, mmap base and heap move at every exec; they repeat with ADDR_NO_RANDOMIZE. */
export function judgeAslr(m: Pick<LayoutMeasurements, 'aslr'>): ClaimResult {
  const a = m.aslr;
  const spread = (name: string): number => a.randomized.spread.find((s) => s.landmark === name)?.distinct ?? 0;
  const n = a.randomized.samples.length;
  const claimed = ['stackTop', 'mmapBase', 'heapStart'];
  const random = claimed.filter((k) => spread(k) > 1);
  const bits = a.randomized.spread.map((s) => `${s.landmark} ${s.distinct}/${s.samples} distinct, ${s.varyingBits} address bits differed${s.landmark === 'mmapBase' ? kernelBitsText(a.kernelRandomBits) : ''}`).join('; ') +
    ' (bits that differed include carries out of the random field: not an entropy bound)';
  const off = a.norandomize.batch;
  const repeats = off === null ? null : off.spread.every((s) => s.distinct <= 1);
  const evidence = { randomizeVaSpace: a.randomizeVaSpace, kernelRandomBits: a.kernelRandomBits, spread: a.randomized.spread, norandomizeSpread: off?.spread ?? null, norandomizeReason: a.norandomize.reason };
  const offText = repeats === null ? `setarch -R not run: ${a.norandomize.reason ?? '?'}` : repeats ? `with setarch -R every value repeated in ${off?.samples.length ?? 0} children` : 'with setarch -R some values still varied';
  if (random.length === 0) return claim('layout.aslr', 'refuted', `randomize_va_space=${a.randomizeVaSpace ?? '?'}: in ${n} children nothing moved (${bits})`, evidence);
  if (random.length === claimed.length && repeats === true) return claim('layout.aslr', 'holds', `randomize_va_space=${a.randomizeVaSpace ?? '?'}, ${n} children: ${bits}; ${offText}`, evidence);
  return claim('layout.aslr', 'qualified', `randomize_va_space=${a.randomizeVaSpace ?? '?'}, ${n} children: ${bits}; ${offText}`, evidence);
}

/** layout.user-split: a 32-bit claim; on 64-bit report the measured split. */
export function judgeUserSplit(m: LayoutMeasurements): ClaimResult {
  const s = m.addressSpace;
  const evidence = { ...s };
  if (s.pointerBits === 64) {
    return claim('layout.user-split', 'not-applicable', `64-bit: ${s.cpuVirtualBits ?? '?'}-bit virtual addresses, user space below ${s.userLimit ?? '?'} (${s.cpuVirtualBits === null ? '?' : formatBytes(2 ** (s.cpuVirtualBits - 1))}), the kernel in the top half; highest user address here ${s.highestUserAddress}`, evidence);
  }
  const high = BigInt(s.highestUserAddress);
  return high < 0xc0000000n
    ? claim('layout.user-split', 'holds', `32-bit: highest user address ${s.highestUserAddress}, below 3 GiB`, evidence)
    : claim('layout.user-split', 'refuted', `32-bit: user mappings reach ${s.highestUserAddress}, above 3 GiB`, evidence);
}

/** layout.exec-base: a 32-bit x86 claim; on 64-bit report where the executable is. */
export function judgeExecBase(m: LayoutMeasurements): ClaimResult {
  const s = m.addressSpace;
  const evidence = { executableBase: s.executableBase, executableType: s.executableType, pointerBits: s.pointerBits };
  const kind = s.executableType === 'DYN' ? 'position-independent (PIE), placed by the kernel' : s.executableType === 'EXEC' ? 'fixed-address (non-PIE)' : 'of unknown type';
  if (s.pointerBits === 64) return claim('layout.exec-base', 'not-applicable', `64-bit: the executable is ${kind}, loaded at ${s.executableBase ?? '?'}`, evidence);
  return s.executableBase === '0x8048000'
    ? claim('layout.exec-base', 'holds', `32-bit executable loaded at 0x08048000 (${kind})`, evidence)
    : claim('layout.exec-base', 'refuted', `32-bit executable loaded at ${s.executableBase ?? '?'} (${kind})`, evidence);
}

const died = (f: FaultOutcome | undefined): boolean => f !== undefined && f.signal !== null && !f.survived;
const fate = (f: FaultOutcome | undefined): string => (f === undefined ? 'not run' : f.survived ? 'survived' : f.signal ?? (f.timedOut ? 'timed out' : `exit ${f.exitCode ?? '?'}`));

/** layout.reserved-low: reading NULL and a small integer faults. */
export function judgeReservedLow(m: LayoutMeasurements): ClaimResult {
  const nul = m.faults.find((f) => f.target === 'null');
  const small = m.faults.find((f) => f.target === 'small-int');
  const evidence = { mmapMinAddrBytes: m.addressSpace.mmapMinAddrBytes, lowestMappingAddress: m.addressSpace.lowestMappingAddress, null: nul ?? null, smallInt: small ?? null };
  const text = `reading 0x0: ${fate(nul)}, reading 0x40: ${fate(small)}; vm.mmap_min_addr ${m.addressSpace.mmapMinAddrBytes === null ? '?' : formatBytes(m.addressSpace.mmapMinAddrBytes)}, lowest mapping ${m.addressSpace.lowestMappingAddress}`;
  if (died(nul) && died(small)) return claim('layout.reserved-low', 'holds', text, evidence);
  if (nul?.survived || small?.survived) return claim('layout.reserved-low', 'refuted', text, evidence);
  return claim('layout.reserved-low', 'qualified', `${text}: a child did not report a clean signal`, evidence);
}

/** layout.kernel-protected: a user-mode read of a kernel address faults. */
export function judgeKernelProtected(m: LayoutMeasurements): ClaimResult {
  const k = m.faults.find((f) => f.target === 'kernel');
  const evidence = { kernel: k ?? null, userLimit: m.addressSpace.userLimit };
  const text = `reading kernel address ${k?.address ?? '?'} from user mode: ${fate(k)}`;
  if (died(k)) return claim('layout.kernel-protected', 'holds', `${text} (whether kernel pages are mapped in this process's page tables — KPTI — is not visible from user space)`, evidence);
  if (k?.survived) return claim('layout.kernel-protected', 'refuted', text, evidence);
  return claim('layout.kernel-protected', 'qualified', `${text}: no clean signal`, evidence);
}

/** layout.maps: the maps total equals VmSize, and every probe is in a listed region. */
export function judgeMaps(m: LayoutMeasurements): ClaimResult {
  const x = m.maps;
  const missing = Object.entries(m.probes).filter(([, p]) => p.regionKind === null).map(([k]) => k);
  const evidence = { ...x, missingProbes: missing };
  const text = `maps lists ${formatBytes(x.mapsTotalBytes)} in ${formatCount(m.regions.length)} regions; VmSize ${x.vmSizeBytes === null ? '?' : formatBytes(x.vmSizeBytes)}`;
  if (missing.length > 0 || x.vmSizeBytes === null || !x.stable) {
    return claim('layout.maps', missing.length > 0 ? 'refuted' : 'qualified', `${text}; ${missing.length > 0 ? `probes outside every listed region: ${missing.join(', ')}` : 'VmSize moved while reading, or is missing'}`, evidence);
  }
  if (x.mapsTotalBytes === x.vmSizeBytes) return claim('layout.maps', 'holds', `${text}: equal, and every probe lies in a listed region`, evidence);
  if (x.mapsTotalBytes - x.gateBytes === x.vmSizeBytes) return claim('layout.maps', 'qualified', `${text}: equal once the ${formatBytes(x.gateBytes)} [vsyscall] gate page is left out — maps lists it though it is the kernel's, not a mapping of the process`, evidence);
  return claim('layout.maps', 'refuted', `${text}: they differ by ${formatBytes(Math.abs(x.mapsTotalBytes - x.vmSizeBytes))}`, evidence);
}

/** seg.bss-no-file-space: .bss is NOBITS and the file is smaller than what bss occupies in memory. */
export function judgeBssNoFileSpace(m: LayoutMeasurements): ClaimResult {
  const e = m.elf;
  const bss = e.sections.find((s) => s.name === '.bss');
  const evidence = { ...e };
  if (!bss) return claim('seg.bss-no-file-space', 'qualified', `the addon's file has no .bss section (stripped section table?)`, evidence);
  const seg = e.dataSegment;
  const text = `addon .bss: ${formatBytes(bss.sizeBytes)} in memory, ${formatBytes(bss.fileSizeBytes)} in the file (type ${bss.type}); whole file ${formatBytes(e.fileSizeBytes)}` +
    (seg ? `; data segment ${formatBytes(seg.fileSizeBytes)} in the file, ${formatBytes(seg.memSizeBytes)} in memory` : '');
  return bss.fileSizeBytes === 0 && e.fileSizeBytes < bss.sizeBytes
    ? claim('seg.bss-no-file-space', 'holds', text, evidence)
    : claim('seg.bss-no-file-space', 'refuted', text, evidence);
}

/** seg.bss-zero-page: reading untouched bss maps the zero page — but does it fault? */
export function judgeBssZeroPage(m: LayoutMeasurements): ClaimResult {
  const b = m.bss;
  const faults = b.minorFaults + b.majorFaults;
  const evidence = { ...b };
  const text = `read ${formatCount(b.pages)} untouched .bss pages: ${formatCount(faults)} faults, ${formatCount(b.zeroPagesAfter)} zero pages, ${formatCount(b.privatePagesAfter)} pages of memory (Rss ${formatBytes(b.rssBeforeBytes ?? 0)} → ${formatBytes(b.rssAfterBytes ?? 0)})`;
  if (!b.untouchedFound || b.presentBefore > 0) return claim('seg.bss-zero-page', 'qualified', `${text}: ${formatCount(b.presentBefore)} pages were already present, not a clean read`, evidence);
  if (b.privatePagesAfter > 0) return claim('seg.bss-zero-page', 'refuted', `${text}: reading allocated memory`, evidence);
  if (faults === 0) return claim('seg.bss-zero-page', 'holds', text, evidence);
  const huge = (b.hugeZeroPagesAfter ?? 0) > 0
    ? ` (${formatCount(b.hugeZeroPagesAfter ?? 0)} pages through the THP huge zero page: one fault per huge page)` : '';
  return claim('seg.bss-zero-page', 'qualified', `${text}: no memory, but not "no page fault" — each first read faults to map the zero page${huge}`, evidence);
}

/** seg.data-faults: reading .data faults and brings in memory (page cache), writing copies. */
export function judgeDataFaults(m: LayoutMeasurements): ClaimResult {
  const d = m.data;
  const evidence = { ...d };
  const absent = d.pages - d.presentBefore;
  const readFaults = d.readMinorFaults + d.readMajorFaults;
  const text = `${formatCount(d.pages)} .data pages, ${formatCount(absent)} not yet mapped: reading took ${formatCount(readFaults)} faults, ${formatCount(d.filePagesAfterRead)} pages then file (page-cache) pages; ` +
    `writing ${formatCount(d.writePages)} took ${formatCount(d.writeMinorFaults)} faults, leaving ${formatCount(d.filePagesAfterWrite)} file pages (Anonymous ${formatBytes(d.anonymousBeforeBytes ?? 0)} → ${formatBytes(d.anonymousAfterBytes ?? 0)})`;
  if (absent === 0) return claim('seg.data-faults', 'qualified', `${text}: every page was already mapped before the read`, evidence);
  if (readFaults === 0 || d.presentAfterRead === d.presentBefore) return claim('seg.data-faults', 'refuted', `${text}: reading mapped nothing`, evidence);
  if (readFaults >= absent && d.filePagesAfterRead === 0) return claim('seg.data-faults', 'holds', text, evidence);
  return claim('seg.data-faults', 'qualified', `${text}: fewer faults than pages (fault-around) and the read maps the file's cached pages; only the write gives private memory (copy-on-write)`, evidence);
}

/** seg.text-readonly: text is mapped without write permission, and writing it kills. */
export function judgeTextReadonly(m: LayoutMeasurements): ClaimResult {
  const w = m.faults.find((f) => f.target === 'text-write');
  const evidence = { textWrite: w ?? null, textRegionPerms: m.textRegionPerms };
  const writable = m.textRegionPerms.some((p) => p[1] === 'w');
  const text = `addon text mapped ${m.textRegionPerms.join(', ') || '?'}; writing one byte of it: ${fate(w)}`;
  if (died(w) && !writable) return claim('seg.text-readonly', 'holds', text, evidence);
  if (w?.survived || writable) return claim('seg.text-readonly', 'refuted', text, evidence);
  return claim('seg.text-readonly', 'qualified', `${text}: no clean signal`, evidence);
}

/** seg.text-shared: two node processes map the same physical text pages. */
export function judgeTextShared(m: LayoutMeasurements): ClaimResult {
  const t = m.textSharing;
  const evidence = { ...t };
  if (t.pfnReadable && t.comparablePages > 0) {
    const text = `node's text: ${formatCount(t.samePfnPages)} of ${formatCount(t.comparablePages)} pages present in both processes have the same page frame`;
    if (t.samePfnPages === t.comparablePages) return claim('seg.text-shared', 'holds', text, evidence);
    if (t.samePfnPages > 0) return claim('seg.text-shared', 'qualified', `${text}; the rest differ`, evidence);
    return claim('seg.text-shared', 'refuted', text, evidence);
  }
  const text = `PFNs not readable; the second process's text: Rss ${formatBytes(t.childRssBytes)}, Shared_Clean ${formatBytes(t.childSharedCleanBytes)}, Pss ${formatBytes(t.childPssBytes)}`;
  if (t.childSharedCleanBytes > 0) return claim('seg.text-shared', 'qualified', `${text}: pages are shared with another process (smaps), not compared frame by frame`, evidence);
  return claim('seg.text-shared', 'refuted', `${text}: no text page is shared`, evidence);
}

/** Every claim of the layout experiment, once each, in CLAIMS.md order. */
export function judgeLayout(m: LayoutMeasurements): ClaimResult[] {
  return [
    judgeOrder(m), judgeGaps(m), judgeMmapArea(m), judgeThreadStacks(m), judgeAslr(m), judgeUserSplit(m), judgeExecBase(m),
    judgeReservedLow(m), judgeKernelProtected(m), judgeMaps(m), judgeBssNoFileSpace(m), judgeBssZeroPage(m), judgeDataFaults(m),
    judgeTextReadonly(m), judgeTextShared(m),
  ];
}
