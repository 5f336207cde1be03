/**
 * The frame every report chart shares: an <svg> element sized by its viewBox (it
 * scales to the page's width), an accessible title, and a legend. Plain string
 * building; every text goes through escapeXml.
 */
import { escapeXml } from '../layout-svg';

export { escapeXml };

/** One legend entry: a swatch (line, dashed line or dot) and its name. */
export interface LegendEntry {
  name: string;
  color: string;
  shape: 'line' | 'dashed' | 'dot' | 'band';
}

/** Wraps `body` in an <svg> of `widthPx` × `heightPx` with class "chart". */
export function svgDocument(widthPx: number, heightPx: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${widthPx} ${heightPx}" width="${widthPx}" height="${heightPx}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    ...body,
    '</svg>',
  ].join('\n');
}

/** A legend starting at (x, y), entries laid out left to right, wrapping to a new row before `maxX`. */
export function legend(entries: readonly LegendEntry[], x: number, y: number, maxX = Infinity): string[] {
  const parts: string[] = [];
  let at = x;
  for (const e of entries) {
    const widthPx = 24 + e.name.length * 6.6 + 20;
    if (at > x && at + widthPx - 20 > maxX) {
      at = x;
      y += 18;
    }
    if (e.shape === 'band') parts.push(`<line x1="${at}" y1="${y - 4}" x2="${at + 18}" y2="${y - 4}" style="stroke:${e.color}" stroke-width="9" stroke-opacity="0.3"/>`);
    else if (e.shape === 'dot') parts.push(`<circle cx="${at + 9}" cy="${y - 4}" r="4.5" style="fill:${e.color}"/>`);
    else parts.push(`<line x1="${at}" y1="${y - 4}" x2="${at + 18}" y2="${y - 4}" style="stroke:${e.color}" stroke-width="2.5"${e.shape === 'dashed' ? ' stroke-dasharray="5,3"' : ''}/>`);
    parts.push(`<text x="${at + 24}" y="${y}" class="legend">${escapeXml(e.name)}</text>`);
    at += widthPx;
  }
  return parts;
}
