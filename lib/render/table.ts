/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
import { visibleLength } from './style';

/** Column alignment. */
export type Align = 'left' | 'right';

/** Renders rows under a header; `align` per column (default: left for the first, right for the rest). */
export function renderTable(header: string[], rows: string[][], align?: Align[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => visibleLength(r[c] ?? ''))));
  const alignOf = (c: number): Align => align?.[c] ?? (c === 0 ? 'left' : 'right');
  const line = (r: string[]): string =>
    r.map((cell, c) => {
      const pad = ' '.repeat((widths[c] ?? 0) - visibleLength(cell));
      return alignOf(c) === 'right' ? pad + cell : cell + pad;
    }).join('  ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
