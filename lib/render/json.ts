/** JSON output: one document, bigints as hex addresses, Infinity as null (JSON has no Infinity). */

/** Serialises a result to JSON text. */
export function renderJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v), 2);
}
