/**
 * Wrapping terminal text to a width with a hanging indent. Widths are visible columns
 * (string-width: ANSI colour codes count zero, wide characters two); breaking is
 * wrap-ansi's, which keeps colour codes open across the line break.
 */
import wrapAnsi = require('wrap-ansi');
import stringWidth = require('string-width');
import { invalidArgType, invalidArgValue } from '../util/errors';

/** The narrowest width the report wraps to; narrower terminals get lines of this width. */
export const MIN_WIDTH_COLUMNS = 40;
/** The width when the output is not a terminal (a pipe or a file). */
export const DEFAULT_WIDTH_COLUMNS = 80;

/** Visible width of `s` in terminal columns (ANSI escapes excluded). */
export function displayWidth(s: string): number {
  return stringWidth(s);
}

/**
 * The width to wrap to: `columns` of a TTY stream (`process.stdout.columns`), else
 * DEFAULT_WIDTH_COLUMNS; never below MIN_WIDTH_COLUMNS.
 */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  const cols = stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0 ? stream.columns : DEFAULT_WIDTH_COLUMNS;
  return Math.max(MIN_WIDTH_COLUMNS, cols);
}

/**
 * Wraps `text` so that every line, with `indent` in front, fits in `widthColumns`
 * visible columns; the first line gets `firstPrefix` instead of `indent` when given
 * (no wider than `indent`). Lines are joined with '\n'. Throws
 * ERR_INVALID_ARG_TYPE for a non-string text, ERR_INVALID_ARG_VALUE for a width that
 * leaves fewer than 10 columns for the text.
 */
export function wrapHanging(text: string, indent: string, widthColumns: number, firstPrefix: string = indent): string {
  if (typeof text !== 'string') throw invalidArgType('text', 'of type string', text);
  const room = widthColumns - displayWidth(indent);
  if (!Number.isInteger(widthColumns) || room < 10) throw invalidArgValue('widthColumns', `must leave at least 10 columns after the indent (got ${widthColumns})`);
  const lines = text.split('\n').flatMap((para) => wrapAnsi(para, room, { hard: true, trim: true }).split('\n'));
  return lines.map((line, i) => `${i === 0 ? firstPrefix : indent}${line}`).join('\n');
}
