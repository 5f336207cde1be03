/**
 * The address-space picture as SVG (for the HTML report): the same bands as the
 * terminal picture, high addresses on top, heights and gaps on a log scale, each band
 * labelled with its kind, range and size, probe addresses marked. Plain string
 * building, no dependency; every text is XML-escaped.
 */
import type { LayoutMeasurements } from '../experiments/layout/measurements';
import type { Zone } from '../layout/regions';
import { formatBytes } from '../util/format';
import { invalidArgType, invalidArgValue } from '../util/errors';
import { layoutBands } from './layout-bands';

const FILL: Readonly<Record<Zone | 'free', string>> = {
  kernel: '#b07cc6', stack: '#e06c75', mmap: '#56b6c2', heap: '#e5c07b', data: '#98c379', text: '#61afef', free: '#ffffff',
};
const ROW_PX = 16;
const WIDTH_PX = 900;
const BAR_X = 130;
const BAR_W = 90;

/** Escapes text for XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const hex = (a: bigint): string => `0x${a.toString(16)}`;

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

function renderSvg(m: LayoutMeasurements): string {
  const bands = layoutBands(m.regions, m.pageSizeBytes);
  const parts: string[] = [];
  let y = 10;
  const gate = m.regions.find((r) => r.kind === 'vsyscall');
  parts.push(`<rect x="${BAR_X}" y="${y}" width="${BAR_W}" height="${ROW_PX * 2}" fill="${FILL.kernel}"><title>kernel half</title></rect>`);
  parts.push(`<text x="${BAR_X + BAR_W + 10}" y="${y + ROW_PX}" class="label">kernel half${gate ? escapeXml(` — vsyscall gate page at ${gate.start}`) : ''}</text>`);
  y += ROW_PX * 2;
  for (const band of bands) {
    const h = band.rows * ROW_PX;
    const gap = band.type === 'gap';
    const title = gap ? `free ${formatBytes(band.sizeBytes)}` : `${band.label}: ${band.kinds.join(', ')}, ${hex(band.start)}–${hex(band.end)}, ${formatBytes(band.sizeBytes)}`;
    parts.push(`<rect x="${BAR_X}" y="${y}" width="${BAR_W}" height="${h}" fill="${FILL[band.zone]}" stroke="#555" stroke-width="${gap ? 0 : 0.5}"${gap ? ' stroke-dasharray="2,3"' : ''}><title>${escapeXml(title)}</title></rect>`);
    parts.push(`<text x="${BAR_X - 6}" y="${y + 11}" class="addr" text-anchor="end">${escapeXml(hex(band.end))}</text>`);
    const text = gap ? `${formatBytes(band.sizeBytes)} free` : `${band.label} (${band.kinds.join(', ')}) ${formatBytes(band.sizeBytes)}`;
    parts.push(`<text x="${BAR_X + BAR_W + 10}" y="${y + 12}" class="${gap ? 'gap' : 'label'}">${escapeXml(text)}</text>`);
    if (!gap && m.target.self) {
      const probes = Object.entries(m.probes).filter(([, p]) => BigInt(p.address) >= band.start && BigInt(p.address) < band.end).map(([n]) => n);
      // On a band's second row when it has one: a long band label would run under the marks.
      const probeY = y + 12 + (band.rows > 1 ? ROW_PX : 0);
      if (probes.length > 0) parts.push(`<text x="${WIDTH_PX - 10}" y="${probeY}" class="probe" text-anchor="end">${escapeXml(`◀ ${probes.join(', ')}`)}</text>`);
    }
    y += h;
  }
  parts.push(`<text x="${BAR_X + BAR_W + 10}" y="${y + 14}" class="gap">${escapeXml(`reserved low region: below vm.mmap_min_addr = ${m.addressSpace.mmapMinAddrBytes ?? '?'} bytes`)}</text>`);
  y += 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH_PX}" height="${y}" viewBox="0 0 ${WIDTH_PX} ${y}" role="img">`,
    `<title>${escapeXml(`Address space of process ${m.target.pid}`)}</title>`,
    '<style>text{font-family:monospace;font-size:11px}.addr{fill:#444}.gap{fill:#888}.probe{fill:#c00;font-weight:bold}</style>',
    ...parts,
    '</svg>',
  ].join('\n');
}
