/**
 * The classic 32-bit Linux process layout the textbook articles draw (3 GiB / 1 GiB
 * split): kernel space on top from 0xC0000000, the stack below it growing down, the
 * memory-mapping segment growing down, the heap growing up from the end of .bss, .bss,
 * .data, .text at 0x08048000 (the i386 ELF default base), and the unmapped 128 MiB
 * below it. A fixed reference figure (not measured; heights not to scale), drawn in the
 * same vertical order and colours as the live map so the two can be compared.
 */
import { escapeXml, LAYOUT_SVG_STYLE, zoneBracket } from '../layout-svg';
import type { Zone } from '../../layout/regions';
import { paint, type PaletteName } from './palette';

interface ClassicBand { top: string | null; zone: Zone | null; fill: PaletteName; rows: number; label: string; note?: string }

/** The textbook's bands, top to bottom (sizes are the classic defaults, not measured). */
export const CLASSIC_32BIT_BANDS: readonly ClassicBand[] = [
  { top: '0xffffffff', zone: 'kernel', fill: 'kernel', rows: 3, label: 'kernel space, 1 GiB', note: 'in every process, out of user reach' },
  { top: '0xc0000000', zone: 'stack', fill: 'stack', rows: 2, label: 'stack (RLIMIT_STACK 8 MiB)', note: 'random offset below the top' },
  { top: null, zone: null, fill: 'free', rows: 1, label: 'free' },
  { top: null, zone: 'mmap', fill: 'mmap', rows: 3, label: 'memory-mapping segment', note: 'libraries, mmap(), big malloc()' },
  { top: null, zone: null, fill: 'free', rows: 2, label: 'free' },
  { top: null, zone: 'heap', fill: 'heap', rows: 2, label: 'heap: brk moves its end up', note: 'small malloc() blocks' },
  { top: null, zone: 'data', fill: 'data', rows: 1, label: '.bss: zero-filled globals' },
  { top: null, zone: 'data', fill: 'data', rows: 1, label: '.data: initialised globals' },
  { top: null, zone: 'text', fill: 'text', rows: 2, label: '.text: code (read-only)', note: 'and .rodata constants' },
  { top: '0x08048000', zone: null, fill: 'free', rows: 2, label: 'reserved: 128 MiB unmapped', note: 'NULL dereferences fault here' },
];

const ROW_PX = 16;
const WIDTH_PX = 458;
const BAR_X = 178;
const BAR_W = 48;
const TEXT_X = BAR_X + BAR_W + 10;

/** The classic 32-bit layout as an SVG document (class "layout"). */
export function renderClassicLayoutSvg(): string {
  const parts: string[] = [`<text x="10" y="16" class="heading">Textbook: 32-bit Linux (i386), 4 GiB, not to scale</text>`];
  let y = 26;
  let bracket: { zone: Zone; y0: number; y1: number } | null = null;
  const brackets: Array<{ zone: Zone; y0: number; y1: number }> = [];
  for (const b of CLASSIC_32BIT_BANDS) {
    const h = b.rows * ROW_PX;
    const free = b.fill === 'free';
    parts.push(`<rect x="${BAR_X}" y="${y}" width="${BAR_W}" height="${h}" style="fill:${paint(b.fill)}" class="band"${free ? ' stroke-dasharray="2,3" opacity="0.6"' : ''}><title>${escapeXml(b.label)}</title></rect>`);
    if (b.top !== null) parts.push(`<text x="${BAR_X - 6}" y="${y + 11}" class="addr" text-anchor="end">${b.top}</text>`);
    parts.push(`<text x="${TEXT_X}" y="${y + 12}" class="${free ? 'gap' : 'label'}">${escapeXml(b.label)}</text>`);
    if (b.note && b.rows > 1) parts.push(`<text x="${TEXT_X}" y="${y + 12 + ROW_PX}" class="note">${escapeXml(b.note)}</text>`);
    if (b.zone !== null) {
      if (bracket && bracket.zone === b.zone) bracket.y1 = y + h;
      else brackets.push((bracket = { zone: b.zone, y0: y, y1: y + h }));
    } else bracket = null;
    y += h;
  }
  parts.push(`<text x="${BAR_X - 6}" y="${y + 11}" class="addr" text-anchor="end">0x0</text>`);
  const bracketX = BAR_X - 78;
  parts.push(...brackets.flatMap((b) => zoneBracket(b.zone, b.y0, b.y1, bracketX)));
  parts.push(`<text x="${bracketX - 6}" y="${y - 12}" text-anchor="end" class="zone">reserved</text>`);
  y += ROW_PX + 4;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="layout classic" width="${WIDTH_PX}" height="${y}" viewBox="0 0 ${WIDTH_PX} ${y}" role="img" aria-label="The classic 32-bit process layout">`,
    '<title>The classic 32-bit process layout (textbook reference, not measured)</title>',
    LAYOUT_SVG_STYLE,
    ...parts,
    '</svg>',
  ].join('\n');
}
