/**
 * Terminal text for the layout experiment: the address-space picture (high addresses
 * on top, sizes and gaps on a log scale, probe addresses marked), then the tables of
 * the probes, the segments, the faults, ASLR and text sharing.
 */
import type { LayoutMeasurements } from '../experiments/layout/measurements';
import type { Zone } from '../layout/regions';
import { formatBytes, formatCount } from '../util/format';
import { renderTable } from './table';
import { layoutBands, type Band } from './layout-bands';
import { bandLabel, probeLabel } from './layout-labels';
import type { Style } from './style';

const ZONE_COLOURS: Readonly<Record<Zone | 'free', number>> = { kernel: 35, stack: 31, mmap: 36, heap: 33, data: 32, text: 34, free: 2 };
const ZONE_GLYPH: Readonly<Record<Zone | 'free', string>> = { kernel: '▓', stack: '█', mmap: '▒', heap: '█', data: '█', text: '█', free: '┊' };

const hex = (a: bigint): string => `0x${a.toString(16).padStart(12, '0')}`;

/** The reader-facing names of the probes that lie in `band` (vmprobe's own process only). */
function probesIn(band: Band, m: LayoutMeasurements): string[] {
  if (band.type === 'gap' || !m.target.self) return [];
  return Object.entries(m.probes).filter(([, p]) => {
    const a = BigInt(p.address);
    return a >= band.start && a < band.end;
  }).map(([name]) => probeLabel(name));
}

/** The text lines beside one band, as the page's figure words them (layout-labels.ts): label and size, note, probes. */
function bandLines(band: Band, m: LayoutMeasurements, style: Style): string[] {
  if (band.type === 'gap') return [style.dim(`${formatBytes(band.sizeBytes)} free`)];
  const named = bandLabel(band, m);
  const maps = band.regions > 1 && !named.label.includes('×') ? style.dim(` · ${band.regions} maps`) : '';
  const probes = probesIn(band, m);
  const probeLines: string[] = [];
  for (let i = 0; i < probes.length; i += 3) probeLines.push(style.bold(`${i === 0 ? '◀ probe' : '  and'}: ${probes.slice(i, i + 3).join(', ')}`));
  return [`${formatBytes(band.sizeBytes).padStart(10)}  ${named.label}${maps}`, ...(named.note ? [`${' '.repeat(12)}${style.dim(named.note)}`] : []),
    ...probeLines.map((l) => `${' '.repeat(12)}${l}`)];
}

/** The vertical map: one block per band, gaps as dotted columns, heights on a log scale. */
export function renderLayoutPicture(m: LayoutMeasurements, style: Style): string {
  const paint = (zone: Zone | 'free', s: string): string => (style.enabled ? `\x1b[${ZONE_COLOURS[zone]}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const limit = m.addressSpace.userLimit;
  const gate = m.regions.find((r) => r.kind === 'vsyscall');
  lines.push(`${' '.repeat(14)}  ${paint('kernel', '▓▓▓▓')}  kernel half${gate ? ` (maps lists its [vsyscall] gate page at ${gate.start})` : ''}`);
  const bands = layoutBands(m.regions, m.pageSizeBytes);
  const top = bands[0];
  if (limit !== null && top !== undefined && BigInt(limit) > top.end) {
    lines.push(`${hex(BigInt(limit))}  ${paint('free', '┊┊┊┊')}  ${style.dim(`top of user space; ${formatBytes(Number(BigInt(limit) - top.end))} free above the stack`)}`);
  }
  for (const band of bands) {
    const glyph = ZONE_GLYPH[band.zone].repeat(4);
    const text = bandLines(band, m, style);
    for (let row = 0; row < Math.max(band.rows, text.length); row++) {
      const address = row === 0 ? hex(band.end) : ' '.repeat(14);
      lines.push(`${address}  ${paint(band.zone, glyph)}  ${text[row] ?? ''}`.trimEnd());
    }
  }
  lines.push(`${hex(0n)}  ${paint('free', '····')}  ${style.dim(`reserved: nothing may be mapped below vm.mmap_min_addr = ${m.addressSpace.mmapMinAddrBytes ?? '?'} bytes`)}`);
  return lines.join('\n');
}

/** Renders every step of the layout experiment. */
export function renderLayout(m: LayoutMeasurements, style: Style): string {
  const out: string[] = [];
  out.push(style.bold(`Address space of ${m.target.self ? 'this process' : 'process'} ${m.target.pid}: ${formatCount(m.regions.length)} regions, classified by ${m.target.classifiedBy}`));
  out.push(style.dim('  left: the top address of each band; heights and gaps on a log scale (one more row per 1024× in size); colours: stack red, mmap area cyan, heap yellow, data green, text blue'));
  out.push(renderLayoutPicture(m, style));
  out.push(`  order, high to low: ${m.order.join(' > ')};  free below the stack ${m.stackGapBytes === null ? '–' : formatBytes(m.stackGapBytes)}, above the heap ${m.heapGapBytes === null ? '–' : formatBytes(m.heapGapBytes)}`);
  out.push('');
  out.push(style.bold('Probe addresses (vmprobe\'s own process)'));
  out.push(renderTable(['probe', 'address', 'region kind', 'object'], Object.entries(m.probes).map(([name, p]) => [probeLabel(name), p.address, p.regionKind ?? 'NOT MAPPED', (p.objectPath ?? '').split('/').pop() ?? '']), ['left', 'right', 'left', 'left']));
  out.push('');
  const vmprobePid = m.target.vmprobePid ?? '?';
  const mine = m.target.self ? '' : `vmprobe's own, pid ${vmprobePid}, not process ${m.target.pid}: `;
  out.push(style.bold(`64-bit facts and deliberate faults (${mine}each in a child process of vmprobe)`));
  const s = m.addressSpace;
  out.push(`  ${s.pointerBits}-bit pointers, ${s.cpuVirtualBits ?? '?'}-bit virtual addresses: user space below ${s.userLimit ?? '?'}; executable ${s.executableType ?? '?'} at ${s.executableBase ?? '?'}; lowest mapping ${s.lowestMappingAddress}`);
  out.push(renderTable(['access', 'address', 'outcome'], m.faults.map((f) => [f.target, f.address ?? '?', f.survived ? 'SURVIVED' : f.signal ?? (f.timedOut ? 'timed out' : `exit ${f.exitCode ?? '?'}`)]), ['left', 'right', 'left']));
  out.push('');
  out.push(style.bold(`bss and data of the addon (${mine}${m.elf.addonPath.split('/').pop() ?? ''}, file ${formatBytes(m.elf.fileSizeBytes)})`));
  out.push(renderTable(['section', 'type', 'in memory', 'in file'], m.elf.sections.map((x) => [x.name, x.type, formatBytes(x.sizeBytes), formatBytes(x.fileSizeBytes)])));
  const b = m.bss;
  const d = m.data;
  out.push(renderTable(['touch', 'pages', 'present before', 'faults', 'zero pages', 'memory pages', 'file pages'], [
    ['read .bss', formatCount(b.pages), formatCount(b.presentBefore), formatCount(b.minorFaults + b.majorFaults), formatCount(b.zeroPagesAfter), formatCount(b.privatePagesAfter), '0'],
    ['read .data', formatCount(d.pages), formatCount(d.presentBefore), formatCount(d.readMinorFaults + d.readMajorFaults), '–', '–', formatCount(d.filePagesAfterRead)],
    ['write .data', formatCount(d.writePages), formatCount(d.writePages), formatCount(d.writeMinorFaults), '–', formatCount(d.exclusivePagesAfterWrite), formatCount(d.filePagesAfterWrite)],
  ]));
  out.push(style.dim('  faults counted inside the native touch (RUSAGE_THREAD); zero/memory/file pages from pagemap (PFN of the zero page, bit 61).'));
  out.push('');
  const a = m.aslr;
  out.push(style.bold(`ASLR: ${a.randomized.samples.length} fresh children of vmprobe (randomize_va_space=${a.randomizeVaSpace ?? '?'})`));
  const off = a.norandomize.batch;
  out.push(renderTable(['landmark', 'distinct', 'bits differed', 'lowest', 'highest', `${a.norandomize.wrapper.join(' ')}`], a.randomized.spread.map((x) => {
    const o = off?.spread.find((y) => y.landmark === x.landmark);
    return [x.landmark, `${x.distinct}/${x.samples}`, String(x.varyingBits), x.lowest ?? '–', x.highest ?? '–', o ? `${o.distinct}/${o.samples} distinct` : a.norandomize.reason ?? '–'];
  })));
  const k = a.kernelRandomBits;
  out.push(style.dim(`  bits differed: address bits that differed between samples — not an entropy bound: the random offset's carry/borrow flips bits above its field, so it can exceed the kernel's setting${k.mmapRndBits === null ? '' : ` (vm.mmap_rnd_bits = ${k.mmapRndBits}${k.mmapRndCompatBits === null ? '' : `, mmap_rnd_compat_bits = ${k.mmapRndCompatBits}`})`}. ${a.randomized.samples.length} samples can show at most log2(${a.randomized.samples.length}) = ${Math.log2(a.randomized.samples.length).toFixed(0)} bits by counting.`));
  out.push('');
  const t = m.textSharing;
  out.push(style.bold(`node's text in two processes (${m.target.self ? 'vmprobe and a child' : `vmprobe, pid ${vmprobePid}, and a child; not process ${m.target.pid}`})`));
  out.push(`  ${formatCount(t.pages)} pages; ${t.pfnReadable ? `${formatCount(t.samePfnPages)} of ${formatCount(t.comparablePages)} present in both have the same page frame` : 'page frames not readable here'}; second process: Rss ${formatBytes(t.childRssBytes)}, Shared_Clean ${formatBytes(t.childSharedCleanBytes)}, Pss ${formatBytes(t.childPssBytes)}`);
  return out.join('\n');
}
