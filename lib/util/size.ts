/** Parsing sizes the way the CLI accepts them: `64MiB`, `128k`, `1.5G`, plain bytes. */
import { invalidArgType, invalidArgValue } from './errors';

const MULTIPLIERS: Readonly<Record<string, number>> = {
  '': 1, b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
  t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4,
};

/**
 * Parses a size into bytes. Units are binary whatever their spelling (`k`, `KB`, `KiB`
 * all mean 1024): that is what memory sizes mean in every tool vmprobe sits beside
 * (ulimit, /proc). The result must be a whole number of bytes.
 */
export function parseSize(text: string, name = 'size'): number {
  if (typeof name !== 'string') throw invalidArgType('name', 'of type string', name);
  if (typeof text !== 'string') throw invalidArgType(name, 'of type string', text);
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m?.[2]?.toLowerCase() ?? '';
  const multiplier = MULTIPLIERS[unit];
  if (!m || multiplier === undefined) {
    throw invalidArgValue(name, `must be a size like 64MiB, 128k or 4096. Received '${text}'`);
  }
  const bytes = Number(m[1]) * multiplier;
  if (!Number.isSafeInteger(bytes)) {
    throw invalidArgValue(name, `must be a whole number of bytes below 2^53. Received '${text}' (${bytes} bytes)`);
  }
  return bytes;
}

/** Parses a limit: a size, or `unlimited` (Infinity). */
export function parseLimit(text: string, name = 'limit'): number {
  if (typeof name !== 'string') throw invalidArgType('name', 'of type string', name);
  if (typeof text !== 'string') throw invalidArgType(name, 'of type string', text);
  return /^\s*(unlimited|infinity)\s*$/i.test(text) ? Infinity : parseSize(text, name);
}
