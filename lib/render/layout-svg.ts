/**
 * The address-space picture as SVG (for the HTML report), drawn as a teaching figure:
 * the live map of the process, high addresses on top, heights and gaps on a log scale;
 * each band labelled in the textbook's words with its size; brackets on the left name
 * the textbook's zones (kernel, stack, mmap area, heap, data + bss, text, reserved) with
 * arrows for the directions the stack, the mmap area and the heap grow; vmprobe's probes
 * marked in their bands; a legend of the colours. Colours are CSS variables (dark mode
 * on the page). Plain string building, no dependency; every text is XML-escaped.
 */
import type { LayoutMeasurements } from '../experiments/layout/measurements';
import type { Zone } from '../layout/regions';
import { formatBytes } from '../util/format';
import { invalidArgType, invalidArgValue } from '../util/errors';
import { layoutBands } from './layout-bands';
import { bandLabel, probeLabel } from './layout-labels';
import { paint, type PaletteName } from './svg/palette';

const ROW_PX = 16;
const WIDTH_PX = 700;
const BAR_X = 214;
const BAR_W = 64;
const TEXT_X = BAR_X + BAR_W + 10;

/** Escapes text for XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const hex = (a: bigint): string => `0x${a.toString(16)}`;

/** The zones' names on the figures' brackets, with the direction each grows. */
export const ZONE_NAMES: Readonly<Record<Zone, { name: string; grows: 'down' | 'up' | null }>> = {
  kernel: { name: 'kernel', grows: null }, stack: { name: 'stack', grows: 'down' }, mmap: { name: 'mmap area', grows: 'down' },
  heap: { name: 'heap', grows: 'up' }, data: { name: 'data + bss', grows: null }, text: { name: 'text', grows: null },
};

/** The colours the figures use, named for the legend (arena-heap and PROT_NONE reservations included). */
export const LAYOUT_LEGEND: ReadonlyArray<{ fill: PaletteName; name: string }> = [
  { fill: 'kernel', name: 'kernel ([vvar], [vdso])' }, { fill: 'stack', name: 'stacks' }, { fill: 'mmap', name: 'mmap area: libraries, mappings' },
  { fill: 'arena', name: 'arena-heap: glibc thread-arena heaps' }, { fill: 'reserve', name: 'PROT_NONE reservation: no memory' },
  { fill: 'heap', name: 'heap (brk)' }, { fill: 'data', name: 'data + bss' }, { fill: 'text', name: 'text (code, constants)' },
];

/** A bracket on the left of the bars from y0 to y1 naming a zone, with an arrow for its growth direction. */
export function zoneBracket(zone: Zone, y0: number, y1: number, x: number): string[] {
  const { name, grows } = ZONE_NAMES[zone];
  const mid = (y0 + y1) / 2;
  const out = [
    `<path d="M${x + 6} ${y0 + 1} H${x} V${y1 - 1} H${x + 6}" fill="none" class="bracket"/>`,
    `<text x="${x - 6}" y="${mid + 4}" text-anchor="end" class="zone">${escapeXml(name)}</text>`,
  ];
  if (grows !== null && y1 - y0 >= 20) {
    const ax = x - 6 - name.length * 8 - 12;
    const [from, to] = grows === 'down' ? [mid - 8, mid + 8] : [mid + 8, mid - 8];
    const head = grows === 'down' ? `${ax - 4},${to - 5} ${ax + 4},${to - 5} ${ax},${to + 1}` : `${ax - 4},${to + 5} ${ax + 4},${to + 5} ${ax},${to - 1}`;
    out.push(`<g class="grows"><title>${escapeXml(`the ${name} grows ${grows}`)}</title><line x1="${ax}" y1="${from}" x2="${ax}" y2="${to}" stroke-width="2"/><polygon points="${head}"/></g>`);
  }
  return out;
}

/** The figures' shared style: CSS classes, colours from the palette's variables. */
export const LAYOUT_SVG_STYLE = '<style>text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:12px;fill:var(--ink,#1f2933)}' +
  '.addr{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:11px;fill:var(--muted,#5f6b7a)}.gap,.note{fill:var(--muted,#5f6b7a)}' +
  `.zone{font-weight:700}.probe{fill:${paint('red')};font-weight:700}.size{fill:var(--muted,#5f6b7a)}.heading{font-weight:700;font-size:13px}` +
  `.bracket{stroke:var(--muted,#5f6b7a);stroke-width:1.2}.grows line{stroke:${paint('red')}}.grows polygon{fill:${paint('red')}}.band{stroke:var(--ink,#1f2933);stroke-width:0.5}</style>`;

/** Builds the SVG document of the map in `m`. */
export function renderLayoutSvg(m: LayoutMeasurements): string {
  if (m === null || typeof m !== 'object' || !Array.isArray(m.regions) || typeof m.pageSizeBytes !== 'number') {
    throw invalidArgType('measurements', 'the measurements of a layout result (with regions and pageSizeBytes)', m);
  }
  try {
    return renderSvg(m);
  } catch (err) {
    // A structure that passed the checks above but is not a real LayoutMeasurements.
    if (err instanceof TypeError && !('code' in err)) throw invalidArgValue('measurements', `is not a layout result's measurements: ${err.message}`);
    throw err;
  }
}

function rect(y: number, h: number, fill: PaletteName, title: string, extra = ''): string {
  return `<rect x="${BAR_X}" y="${y}" width="${BAR_W}" height="${h}" style="fill:${paint(fill)}" class="band"${extra}><title>${escapeXml(title)}</title></rect>`;
}

function renderSvg(m: LayoutMeasurements): string {
  const bands = layoutBands(m.regions, m.pageSizeBytes);
  const parts: string[] = [];
  const brackets: Array<{ zone: Zone; y0: number; y1: number }> = [];
  const bits = m.addressSpace?.pointerBits ?? 64;
  parts.push(`<text x="${BAR_X}" y="16" class="heading">${escapeXml(`This process (pid ${m.target.pid}), ${bits}-bit: measured`)}</text>`);
  let y = 26;
  const gate = m.regions.find((r) => r.kind === 'vsyscall');
  const limit = m.addressSpace?.userLimit ?? null;
  parts.push(rect(y, ROW_PX * 2, 'kernel', `kernel half${gate ? `, vsyscall gate page at ${gate.start}` : ''}`));
  parts.push(`<text x="${TEXT_X}" y="${y + 12}" class="label">kernel half: out of reach of user code</text>`);
  parts.push(`<text x="${TEXT_X}" y="${y + 27}" class="note">${escapeXml(`${limit === null ? '' : `above ${limit}`}${gate ? `; [vsyscall] page at ${gate.start}` : ''}`)}</text>`);
  brackets.push({ zone: 'kernel', y0: y, y1: y + ROW_PX * 2 });
  y += ROW_PX * 2;
  for (const band of bands) {
    const gap = band.type === 'gap';
    const probes = gap || !m.target.self ? [] : Object.entries(m.probes ?? {}).filter(([, p]) => BigInt(p.address) >= band.start && BigInt(p.address) < band.end).map(([n]) => probeLabel(n));
    const named = bandLabel(band, m);
    const probeLines: string[] = [];
    for (let i = 0; i < probes.length; i += 3) probeLines.push(`${i === 0 ? '◀ probe' : '  and'}: ${probes.slice(i, i + 3).join(', ')}`);
    const lines = gap ? 1 : 1 + (named.note ? 1 : 0) + probeLines.length;
    const h = Math.max(band.rows, lines) * ROW_PX;
    const title = gap ? `free ${formatBytes(band.sizeBytes)}` : `${named.label}: kind ${band.kinds.join(', ')}, ${hex(band.start)}–${hex(band.end)}, ${formatBytes(band.sizeBytes)} in ${band.regions} map${band.regions === 1 ? '' : 's'}`;
    parts.push(rect(y, h, named.fill, title, gap ? ' stroke-dasharray="2,3" opacity="0.6"' : ''));
    parts.push(`<text x="${BAR_X - 6}" y="${y + 11}" class="addr" text-anchor="end">${escapeXml(hex(band.end))}</text>`);
    if (gap) {
      parts.push(`<text x="${TEXT_X}" y="${y + 12}" class="gap">${escapeXml(`${formatBytes(band.sizeBytes)} free`)}</text>`);
    } else {
      parts.push(`<text x="${TEXT_X}" y="${y + 12}" class="label">${escapeXml(named.label)} <tspan class="size">${escapeXml(formatBytes(band.sizeBytes))}</tspan></text>`);
      let line = 1;
      if (named.note) parts.push(`<text x="${TEXT_X}" y="${y + 12 + ROW_PX * line++}" class="note">${escapeXml(named.note)}</text>`);
      for (const p of probeLines) parts.push(`<text x="${TEXT_X}" y="${y + 12 + ROW_PX * line++}" class="probe">${escapeXml(p)}</text>`);
      const last = brackets[brackets.length - 1];
      if (last && last.zone === band.zone) last.y1 = y + h;
      else if (band.zone !== 'free') brackets.push({ zone: band.zone, y0: y, y1: y + h });
    }
    y += h;
  }
  parts.push(rect(y, ROW_PX, 'free', `reserved: below vm.mmap_min_addr`, ' stroke-dasharray="2,3"'));
  parts.push(`<text x="${BAR_X - 6}" y="${y + 11}" class="addr" text-anchor="end">${escapeXml(hex(BigInt(m.addressSpace?.mmapMinAddrBytes ?? 0)))}</text>`);
  parts.push(`<text x="${TEXT_X}" y="${y + 12}" class="gap">${escapeXml(`reserved: nothing below vm.mmap_min_addr = ${m.addressSpace?.mmapMinAddrBytes ?? '?'} bytes`)}</text>`);
  parts.push(`<text x="${BAR_X - 6}" y="${y + ROW_PX + 11}" class="addr" text-anchor="end">0x0</text>`);
  const bracketX = BAR_X - 104;
  parts.push(...brackets.flatMap((b) => zoneBracket(b.zone, b.y0, b.y1, bracketX)));
  parts.push(`<text x="${bracketX - 6}" y="${y + 12}" text-anchor="end" class="zone">reserved</text>`);
  y += ROW_PX * 2 + 8;
  // Legend, two columns.
  LAYOUT_LEGEND.forEach((e, i) => {
    const lx = 10 + (i % 2) * 330;
    const ly = y + Math.floor(i / 2) * 18;
    parts.push(`<rect x="${lx}" y="${ly}" width="14" height="12" style="fill:${paint(e.fill)}" class="band"/><text x="${lx + 20}" y="${ly + 10}" class="legend">${escapeXml(e.name)}</text>`);
  });
  y += Math.ceil(LAYOUT_LEGEND.length / 2) * 18 + 6;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="layout" width="${WIDTH_PX}" height="${y}" viewBox="0 0 ${WIDTH_PX} ${y}" role="img" aria-label="${escapeXml(`Address space of process ${m.target.pid}`)}">`,
    `<title>${escapeXml(`Address space of process ${m.target.pid}`)}</title>`,
    LAYOUT_SVG_STYLE,
    ...parts,
    '</svg>',
  ].join('\n');
}
