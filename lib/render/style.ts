/** Terminal styling: ANSI colours when enabled, plain text when not. */
import type { Verdict } from '../report/claims';

/** A styler: colours on or off. */
export interface Style {
  enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  verdict(v: Verdict, s?: string): string;
}

const CODES: Readonly<Record<Verdict, number>> = { holds: 32, qualified: 33, refuted: 31, 'not-applicable': 36 };

/** Builds a styler. */
export function makeStyle(enabled: boolean): Style {
  const wrap = (code: number, s: string): string => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s);
  return {
    enabled,
    bold: (s) => wrap(1, s),
    dim: (s) => wrap(2, s),
    verdict: (v, s = v) => wrap(CODES[v], s),
  };
}

/** Colour is on for a TTY unless NO_COLOR is set (https://no-color.org) or FORCE_COLOR=0. */
export function colorWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined) return env['FORCE_COLOR'] !== '0';
  return stream.isTTY === true;
}

/** Visible width of a string, ignoring ANSI escapes. */
export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;
}
