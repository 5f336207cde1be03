/** JSON output: one document, bigints as hex addresses, Infinity as null (JSON has no Infinity). */

import { invalidArgType, invalidArgValue } from '../util/errors';

/**
 * Serialises a result to JSON text (two-space indent). Throws ERR_INVALID_ARG_TYPE for
 * a value JSON cannot represent at the top level (undefined, a function, a symbol) and
 * ERR_INVALID_ARG_VALUE for a cyclic structure.
 */
export function renderJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v), 2);
  } catch (err) {
    if (err instanceof TypeError) throw invalidArgValue('value', `cannot be serialised: ${err.message}`);
    throw err;
  }
  if (text === undefined) throw invalidArgType('value', 'a JSON-serialisable value', value);
  return text;
}
