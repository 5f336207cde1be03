/** Byte ranges inside a handle: the `{ offsetBytes, lengthBytes }` options many calls take. */
import { outOfRange } from '../util/errors';
import { optionalCount, rejectUnknownKeys, validateOptions } from '../util/validate';

/** A byte range inside a mapping or block; defaults to all of it. */
export interface RangeOptions {
  /** First byte of the range (default 0). */
  offsetBytes?: number;
  /** Bytes in the range (default: to the end). */
  lengthBytes?: number;
}

/** A resolved, bounds-checked range. */
export interface ByteRange {
  offsetBytes: number;
  lengthBytes: number;
}

/**
 * Validates `options` (an object with only `known` keys) and resolves its range inside
 * `sizeBytes`. Throws ERR_OUT_OF_RANGE naming the bound when the range leaves the handle.
 */
export function resolveRange(options: unknown, sizeBytes: number, known: readonly string[] = ['offsetBytes', 'lengthBytes']): ByteRange & Record<string, unknown> {
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', known);
  const offsetBytes = optionalCount(opts['offsetBytes'], 'offsetBytes', 0);
  if (offsetBytes > sizeBytes) throw outOfRange('offsetBytes', `<= sizeBytes (${sizeBytes})`, offsetBytes);
  const lengthBytes = optionalCount(opts['lengthBytes'], 'lengthBytes', sizeBytes - offsetBytes);
  if (offsetBytes + lengthBytes > sizeBytes) {
    throw outOfRange('lengthBytes', `<= sizeBytes - offsetBytes (${sizeBytes - offsetBytes})`, lengthBytes);
  }
  return { ...opts, offsetBytes, lengthBytes };
}
