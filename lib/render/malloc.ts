/** Terminal text for the malloc experiment's measurements. */
import type { MallocMeasurements } from '../experiments/malloc/measurements';
import type { MallocNotMeasured } from '../experiments/malloc/verdicts';
import { formatBytes, formatCount, formatDelta } from '../util/format';
import { renderSourceChart } from './malloc-chart';
import { renderTable } from './table';
import type { Style } from './style';

/** Runs of consecutive request sizes with the same usable size: "1–24 → 24". */
export function roundingRuns(usableBytes: readonly number[]): Array<{ fromBytes: number; toBytes: number; usableBytes: number }> {
  const runs: Array<{ fromBytes: number; toBytes: number; usableBytes: number }> = [];
  usableBytes.forEach((u, i) => {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.usableBytes === u) last.toBytes = i + 1;
    else runs.push({ fromBytes: i + 1, toBytes: i + 1, usableBytes: u });
  });
  return runs;
}

function mb(n: number | null): string {
  return n === null ? '–' : formatBytes(n);
}

/** Renders every step of the malloc experiment. */
export function renderMalloc(m: MallocMeasurements | MallocNotMeasured, style: Style): string {
  if ('skipped' in m) return `Not measured: ${m.skipped}.`;
  const out: string[] = [];
  const t = m.thresholdInForce;
  out.push(style.bold(`1 Sources: ${m.sweep.length} sizes, every block kept live, classified by chunk flags, address vs [heap]/break, and /proc/self/maps`));
  out.push(renderSourceChart(m.sweep, m.crossoverLater.crossoverBytes ?? m.crossoverBytes));
  out.push(style.dim('  ▲ the first mmap request while the sweep ran (the threshold in force then; see 3).'));
  const firstMmap = m.sweep.findIndex((e) => e.source === 'mmap');
  const around = firstMmap < 0 ? [] : m.sweep.slice(Math.max(0, firstMmap - 4), firstMmap + 3);
  out.push(renderTable(['size', 'source', 'usable', 'chunk', 'flags / address / maps', 'top chunk before'], around.map((e) => [
    formatCount(e.sizeBytes) + (e.dense ? ' *' : ''), e.source, formatCount(e.usableBytes), formatCount(e.chunkSizeBytes),
    `${e.witnesses.flags} / ${e.witnesses.address} / ${e.witnesses.maps}`, formatBytes(e.topBeforeBytes),
  ]), ['right', 'left', 'right', 'right', 'left', 'right']));
  out.push(style.dim('  * dense step around the first brk → mmap transition of the sweep.'));
  out.push(`  Witnesses disagreed on ${m.disagreements.length} of ${m.sweep.length} blocks${m.disagreements.length > 0 ? `: ${m.disagreements.map((d) => `${formatCount(d.sizeBytes)} B (${d.witnesses.flags}/${d.witnesses.address}/${d.witnesses.maps})`).join(', ')}` : ''}.`);
  out.push('');
  const b = m.breakStep;
  out.push(style.bold('2 The break'));
  out.push(`  sbrk(0) ${b.breakBefore} → ${b.breakAfter} (${formatDelta(b.breakDeltaBytes)}) for ${formatBytes(b.requestedBytes)} of 1 KiB blocks; [heap] end ${b.heapEndBefore ?? '?'} → ${b.heapEndAfter ?? '?'} (${b.heapSizeDeltaBytes === null ? '?' : formatDelta(b.heapSizeDeltaBytes)}).`);
  out.push('');
  out.push(style.bold(`3 The threshold: ${mb(t.bytes)} of chunk in force (origin: ${t.origin}${t.setting === null ? '' : `, ${t.setting}`}, dynamic: ${t.dynamic ? 'yes' : 'no'})`));
  out.push(renderTable(['measurement', 'first mmap request', 'threshold (chunk)'], [
    [`fresh child, dynamic threshold off from start (${m.startingThreshold.setting})`, mb(m.startingThreshold.crossover.crossoverBytes), mb(m.startingThreshold.crossover.thresholdChunkBytes)],
    ['first thing in a fresh child', mb(m.crossover.crossoverBytes), mb(m.crossover.thresholdChunkBytes)],
    ['after the sweep, same child', mb(m.crossoverLater.crossoverBytes), mb(m.crossoverLater.thresholdChunkBytes)],
    [`after mallopt(M_MMAP_THRESHOLD, ${formatCount(m.mallopt.requestedThresholdBytes)})`, mb(m.mallopt.crossover.crossoverBytes), mb(m.mallopt.crossover.thresholdChunkBytes)],
  ]));
  const startBytes = m.startingThreshold.crossover.thresholdChunkBytes;
  if (startBytes !== null && m.crossover.thresholdChunkBytes !== null && m.crossover.thresholdChunkBytes > startBytes) {
    out.push(`  The runtime's own start-up freed an mmapped chunk before the first probe, and glibc raised the threshold from ${mb(startBytes)} to its size.`);
  }
  if (m.crossoverLater.thresholdChunkBytes !== m.crossover.thresholdChunkBytes) {
    out.push(`  Node's own threads freed an mmapped chunk between the two searches, and glibc raised the threshold to its size.`);
  }
  out.push(`  (a) carving: with M_TOP_PAD=${formatBytes(m.carve.topPadBytes)} the top chunk held ${formatBytes(m.carve.topBeforeBytes)}, and a ${formatBytes(m.carve.requestBytes)} request (above the threshold) came from ${m.carve.source}` +
    `${m.carve.source === 'brk' ? ': glibc only consults the threshold when the top chunk is too small' : ''}.` +
    (m.carve.sweepCarvedSizes.length > 0 ? ` In the sweep itself, ${m.carve.sweepCarvedSizes.map((s) => formatCount(s)).join(', ')} B were carved from the top chunk.` : ''));
  out.push('  (b) dynamic threshold: request, free, request again (top chunk drained each time):');
  out.push(renderTable(['request', 'chunk', 'first', 'after free'], m.dynamicThreshold.trials.map((x) => [formatBytes(x.sizeBytes), mb(x.chunkBytes), x.first, x.afterFree])));
  const exact = (n: number | null): string => (n === null ? '–' : `${formatCount(n)} B`);
  out.push(`      the rise stops between chunks of ${exact(m.dynamicThreshold.largestRaisingChunkBytes)} (still raised it) and ${exact(m.dynamicThreshold.smallestNonRaisingChunkBytes)} (did not): glibc's maximum, measured.`);
  out.push(`  (c) mallopt: ${m.mallopt.accepted ? 'accepted' : 'refused'}; after freeing a ${formatBytes(m.mallopt.dynamicTrial.sizeBytes)} mmapped block the same request went to ${m.mallopt.dynamicTrial.afterFree} (${m.mallopt.dynamicTrial.afterFree === 'mmap' ? 'the dynamic rise is off' : 'still dynamic'}).`);
  out.push('  (d) the environment (MALLOC_MMAP_THRESHOLD_, GLIBC_TUNABLES=glibc.malloc.mmap_threshold=…) sets it at startup and also turns the rise off; the host block lists the tunables in force.');
  out.push('');
  const r = m.rounding;
  out.push(style.bold(`4 Rounding: requests 1–${r.usableBytes.length} B against malloc_usable_size (steps of ${r.granularityBytes} B, minimum ${r.minimumUsableBytes} B)`));
  const runs = roundingRuns(r.usableBytes);
  out.push(renderTable(['requests', 'usable', 'chunk'], [
    ...runs.slice(0, 5).map((x) => [`${x.fromBytes}–${x.toBytes}`, formatCount(x.usableBytes), formatCount(r.chunkBytes[x.fromBytes - 1] ?? 0)]),
    ...(r.example ? [[`${r.example.sizeBytes} (textbook: ${r.example.nextPowerOfTwo})`, formatCount(r.example.usableBytes), formatCount(r.chunkBytes[r.example.sizeBytes - 1] ?? 0)]] : []),
    ...r.large.map((x) => [`${formatCount(x.sizeBytes)}${x.mmapped ? ' (mmap)' : ''}`, formatCount(x.usableBytes), formatCount(x.chunkBytes)]),
  ]));
  if (r.oversized.length > 0) {
    out.push(`  ${r.oversized.length} request(s) got a whole free chunk bigger than their class (splitting it would have left less than a minimum chunk): ${r.oversized.map((o) => `${o.sizeBytes} B → ${o.usableBytes} (class ${o.regularUsableBytes})`).join(', ')}.`);
  }
  out.push('');
  const h = m.sizeHeader;
  out.push(style.bold(`5 The size header: the ${h.headerWordBytes}-byte word before each block`));
  out.push(renderTable(['request', 'source', 'word', 'chunk size', 'usable', 'flags'], h.samples.map((s) => [
    formatCount(s.sizeBytes), s.source, s.rawSizeField, formatCount(s.chunkSizeBytes), formatCount(s.usableBytes),
    [s.flagBits & 1 ? 'PREV_INUSE' : '', s.flagBits & 2 ? 'IS_MMAPPED' : '', s.flagBits & 4 ? 'NON_MAIN_ARENA' : ''].filter((x) => x).join('|') || '–',
  ])));
  out.push('');
  const tr = m.trim;
  out.push(style.bold(`6 Free and trim: ${tr.blocks} blocks of ${formatBytes(tr.blockBytes)}, then one mmapped block of ${formatBytes(tr.mmapBlockBytes)}`));
  out.push(renderTable(['moment', 'program break', '[heap] RSS', 'process anon RSS', 'top chunk'], tr.samples.map((s) => [s.moment, s.break, mb(s.heapRssBytes), mb(s.anonRssBytes), formatBytes(s.topBytes)]), ['left', 'left', 'right', 'right', 'right']));
  out.push(style.dim('  – : not sampled (reading /proc from Node mallocs buffers above the top block, which would stop the heap from shrinking).'));
  out.push(`  malloc_trim(0) ${tr.trimReturned ? 'returned memory' : 'found nothing to return'}; the mmapped block's mapping held ${formatBytes(tr.mmapResidentBeforeFreeBytes)} resident before free() and ${formatBytes(tr.mmapResidentAfterFreeBytes)} after: it is ${tr.mmapMappedAfterFree ? 'STILL mapped' : 'gone from /proc/self/maps'}.`);
  out.push('');
  out.push(style.bold('7 Thread arenas: worker threads allocate, free everything, exit; then malloc_trim(0)'));
  out.push(renderTable(['run', 'arenas', 'worker blocks', 'heap reserve', 'heaps RSS loaded', 'after free', 'after trim'], m.arenas.map((a) => [
    a.arenaMax === null ? 'default' : `arena_max=${a.arenaMax}`, `${a.arenasBefore} → ${a.arenasAfter}`,
    Object.entries(a.workerBlocks.reduce<Record<string, number>>((acc, w) => {
      for (const [k, v] of Object.entries(w.sources)) acc[k] = (acc[k] ?? 0) + v;
      return acc;
    }, {})).map(([k, v]) => `${formatCount(v)} ${k}`).join(', '),
    mb(a.workerBlocks[0]?.arenaHeapReserveBytes ?? null), formatBytes(a.heapsResidentBytes.loaded), formatBytes(a.heapsResidentBytes.afterFree), formatBytes(a.heapsResidentBytes.afterTrim),
  ])));
  out.push('  This is "my Node RSS doesn\'t drop after the load is gone", measured: memory freed in a thread arena stays resident until malloc_trim (or new allocations) reuse it.');
  out.push('');
  const l = m.lazy;
  out.push(style.bold(`8 Lazy, again: a ${formatBytes(l.sizeBytes)} block (${formatCount(l.pages)} pages)`));
  out.push(`  malloc (${l.mallocSource}): ${formatCount(l.mallocResidentBefore)} page(s) resident before touching, ${formatCount(l.touchMinorFaults)} faults to write it, ${formatCount(l.mallocResidentAfter)} resident after.`);
  out.push(`  calloc (${l.callocSource}): ${formatCount(l.callocCreationMinorFaults)} fault(s) and ${formatCount(l.callocResidentAfterCreation)} resident page(s) after the call — a fresh mmap is already zero, so calloc skips the memset.`);
  return out.join('\n');
}
