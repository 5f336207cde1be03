/**
 * Argument checks for the public API. They run before any native call and give the
 * message a user sees; native code repeats the cheap ones (native/args.h).
 */
import { invalidArgType, invalidArgValue, outOfRange } from './errors';

const TWO_TO_64 = 1n << 64n;

/** A whole number of bytes or pages in `[min, max]` (max at most 2^53 - 1). */
export function validateCount(value: unknown, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw outOfRange(name, `an integer >= ${min} and <= ${max}`, value);
  }
  return value === 0 ? 0 : value; // -0 becomes 0
}

/** Like validateCount, but `undefined` gives `fallback`. */
export function optionalCount(value: unknown, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  return value === undefined ? fallback : validateCount(value, name, min, max);
}

/** `true` or `false`; `undefined` gives `fallback`. */
export function optionalBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidArgType(name, 'of type boolean', value);
  return value;
}

/** One of `choices`; `undefined` gives `fallback` when one is given. */
export function validateChoice<T extends string>(value: unknown, name: string, choices: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  const list = choices.map((c) => `'${c}'`).join(', ');
  if (typeof value !== 'string') throw invalidArgType(name, `one of ${list}`, value);
  if (!(choices as readonly string[]).includes(value)) throw invalidArgValue(name, `must be one of ${list}. Received '${value}'`);
  return value as T;
}

/** A plain options object (or undefined, read as `{}`); rejects arrays, functions, primitives. */
export function validateOptions(value: unknown, name = 'options'): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgType(name, 'of type object', value);
  return value as Record<string, unknown>;
}

/** Rejects option keys the function does not know, so a typo is not silently ignored. */
export function rejectUnknownKeys(options: Record<string, unknown>, name: string, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw invalidArgValue(`${name}.${key}`, `is not a known option. Known options: ${known.join(', ')}`);
    }
  }
}

/** Requires `offset` to be a multiple of `alignment` (e.g. the page size for madvise). */
export function validateAligned(value: number, name: string, alignment: number, why: string): number {
  if (value % alignment !== 0) {
    throw invalidArgValue(name, `must be a multiple of ${alignment} (${why}). Received ${value}`);
  }
  return value;
}

/** An address as a bigint in [0, 2^64): for queries that never dereference it. */
export function validateAddress(value: unknown, name: string): bigint {
  if (typeof value !== 'bigint') throw invalidArgType(name, 'of type bigint', value);
  if (value < 0n || value >= TWO_TO_64) throw outOfRange(name, '>= 0n and < 2n ** 64n', `${value}n`);
  return value;
}

/** A string (ERR_INVALID_ARG_TYPE otherwise). */
export function validateString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw invalidArgType(name, 'of type string', value);
  return value;
}

/** A function (ERR_INVALID_ARG_TYPE otherwise). */
export function validateFunction<F>(value: unknown, name: string): F {
  if (typeof value !== 'function') throw invalidArgType(name, 'of type function', value);
  return value as F;
}

/**
 * An array of objects with bigint `start` and `end` (parsed maps entries, regions):
 * checked element by element so a search never trips over a hole or a foreign object.
 */
export function validateAddressRanges<T extends { start: bigint; end: bigint }>(value: unknown, name: string): readonly T[] {
  if (!Array.isArray(value)) throw invalidArgType(name, 'an array of entries with bigint start and end', value);
  value.forEach((e: unknown, i) => {
    const r = e as { start?: unknown; end?: unknown } | null;
    if (r === null || typeof r !== 'object' || typeof r.start !== 'bigint' || typeof r.end !== 'bigint') {
      throw invalidArgType(`${name}[${i}]`, 'an entry with bigint start and end', e);
    }
  });
  return value as readonly T[];
}
