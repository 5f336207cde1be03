/**
 * The JSON form of objects that hold addresses as bigint (JSON.stringify throws on a
 * bigint). Such objects get a non-enumerable toJSON(): the same fields, each bigint
 * written as a "0x…" hex string — the form the experiments' JSON results use for
 * addresses (renderJson does the same). Enumerable fields, and so deepEqual and
 * spreading, are unchanged.
 */

function jsonValue(value: unknown): unknown {
  return typeof value === 'bigint' ? `0x${value.toString(16)}` : value;
}

/** The toJSON every such object shares (exported so tests can tell it from any other function). */
export function toJSON(this: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(this)) out[key] = jsonValue(value);
  return out;
}

/** Gives `value` the toJSON() above and returns it. */
export function withJsonForm<T extends object>(value: T): T {
  Object.defineProperty(value, 'toJSON', { value: toJSON, enumerable: false, configurable: true, writable: true });
  return value;
}
