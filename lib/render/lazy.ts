/** Terminal text for the lazy experiment's measurements. */
import type { LazyMeasurements } from '../experiments/lazy/measurements';
import type { StepRecord } from '../experiments/lazy/steps';
import type { FilePass } from '../experiments/lazy/file';
import { formatBytes, formatCount, formatDelta, formatNs, formatRatio } from '../util/format';
import { renderTable } from './table';
import type { Style } from './style';

function stepRow(s: StepRecord, label = s.name): string[] {
  return [
    label, formatCount(s.minorFaults), formatCount(s.majorFaults), formatNs(s.elapsedNs), formatDelta(s.rssDeltaBytes),
    formatDelta(s.vszDeltaBytes), formatCount(s.residentPages), formatCount(s.zeroPages), formatCount(s.privatePages),
  ];
}

const STEP_HEADER = ['step', 'minor', 'major', 'time', 'RSS Δ', 'VSZ Δ', 'resident', 'zero', 'private'];

function passRow(label: string, p: FilePass | null): string[] {
  if (p === null) return [label, '–', '–', '–', '–', '–', '–'];
  const faults = p.minorFaults + p.majorFaults;
  return [label, formatCount(p.pagesTouched), formatCount(p.majorFaults), formatCount(p.minorFaults), formatRatio(faults > 0 ? p.pagesTouched / faults : null), formatCount(p.mappedPagesAfter), formatCount(p.cachedPagesAfter)];
}

/** Renders every step of the lazy experiment. */
export function renderLazy(m: LazyMeasurements, style: Style): string {
  const [mapped, read, write, dontneed, populate, huge, over, file, buffers, mallocStep] = m.steps;
  const out: string[] = [];
  out.push(style.bold(`Anonymous memory: ${formatBytes(m.sizeBytes)} = ${formatCount(m.pages)} pages of ${formatBytes(m.pageSizeBytes)}`));
  out.push(renderTable(STEP_HEADER, [
    stepRow(mapped, '1 map'), stepRow(read, '2 read'), stepRow(write, '3 write'), stepRow(dontneed, '4 dontneed'),
    stepRow(populate, '5 populate'), stepRow(huge, '6 hugepage'),
  ]));
  out.push(style.dim('  minor/major: faults counted inside the measured call (RUSAGE_THREAD); resident: mincore; zero/private: pagemap.'));
  out.push(`  after dontneed, reading again took ${formatCount(dontneed.rereadMinorFaults)} faults for ${formatCount(dontneed.rereadPages)} pages;` +
    ` after populate, writing took ${formatCount(populate.touchMinorFaults)} faults.`);
  out.push(`  mincore calls the ${formatCount(read.zeroPages)} read pages "resident" while RSS did not grow: they all map the kernel's shared zero page` +
    (read.hugeZeroPages > 0 ? ` (${formatCount(read.hugeZeroPages)} of them through the THP huge zero page: one fault maps a whole huge page)` : '') +
    ` (zero pages told apart by ${m.zeroPageMethod === 'pfn' ? "PFN: each read page's frame is the zero page's" : 'pagemap bits: present but not exclusive, in private memory no one else shares'}).`);
  out.push(huge.reason === null
    ? `  hugepage: ${formatBytes(huge.sizeBytes)} written with ${formatCount(huge.minorFaults)} faults (${formatRatio(huge.pagesPerFault)} pages per fault), AnonHugePages ${formatBytes(huge.anonHugePagesBytes ?? 0)}.`
    : `  hugepage: ${huge.reason}.`);
  out.push('');
  out.push(style.bold(`Overcommit: reserving ${formatBytes(over.sizeBytes)} (RAM ${over.physicalMemoryBytes === null ? '?' : formatBytes(over.physicalMemoryBytes)}, vm.overcommit_memory=${over.overcommitMode ?? '?'} ${over.overcommitModeName})`));
  out.push(renderTable(['flags', 'result', 'VSZ Δ', 'RSS Δ'], over.attempts.map((a) => [
    a.noreserve ? 'MAP_NORESERVE' : '(none)', a.succeeded ? 'mapped' : `refused: ${a.errorCode ?? '?'}`,
    a.vszDeltaBytes === null ? '–' : formatDelta(a.vszDeltaBytes), a.rssDeltaBytes === null ? '–' : formatDelta(a.rssDeltaBytes),
  ])));
  out.push('');
  if (file.directory === null) {
    out.push(style.bold('File-backed memory: not measured') + ` — no disk-backed writable directory (checked ${file.directoriesChecked.map((d) => d.path).join(', ')})`);
  } else {
    out.push(style.bold(`File-backed memory: ${formatBytes(file.fileBytes)} file in ${file.directory}, page cache ${file.evicted ? 'emptied' : 'NOT emptied'} before cold passes`));
    out.push(renderTable(['pass', 'pages', 'major', 'minor', 'pages/fault', 'mapped', 'cached'], [
      passRow('cold, 1 byte', file.coldSingle), passRow('cold, all', file.coldFull), passRow('warm, all', file.warmFull),
    ]));
    out.push(style.dim('  mapped: pages present in this process after the pass (fault-around); cached: the file\'s pages in the page cache (readahead).'));
  }
  out.push(`  swap: ${file.swap.available ? `${formatCount(file.swap.swappedPages)} of ${formatCount(file.swap.pages)} pages paged out, ${formatCount(file.swap.majorFaults)} major faults to read them back` : file.swap.reason ?? 'not measured'}`);
  out.push('');
  out.push(style.bold(`Node.js buffers of ${formatBytes(buffers.sizeBytes)}: their own pages right after construction`));
  out.push(renderTable(['constructor', 'pages', 'resident', 'zero', 'private'], buffers.buffers.map((b) => [
    b.kind, formatCount(b.pages), formatCount(b.residentPages), formatCount(b.zeroPages), formatCount(b.privatePages),
  ])));
  out.push('');
  out.push(style.bold('malloc: blocks before and after a write'));
  out.push(renderTable(['block', 'size', 'pages', 'private before', 'faults', 'private after'], mallocStep.blocks.map((b) => [
    b.label, formatBytes(b.sizeBytes), formatCount(b.pages), formatCount(b.untouchedPrivatePages), formatCount(b.touchMinorFaults + b.touchMajorFaults), formatCount(b.touchedPrivatePages),
  ])));
  return out.join('\n');
}
