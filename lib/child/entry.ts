/**
 * Entry point of a vmprobe child process (see spawn.ts): `node entry.js MODULE
 * EXPORT PAYLOAD_JSON`. Loads MODULE, writes `{type:'started'}` to fd 3, calls
 * MODULE[EXPORT](payload, emit) and writes one JSON line per emitted record, then
 * `{type:'result'}` or `{type:'error'}`. Writes are
 * synchronous, so every record emitted before a crash has reached the parent.
 */
import * as fs from 'node:fs';

const CHANNEL_FD = 3;

function write(message: unknown): void {
  fs.writeSync(CHANNEL_FD, `${JSON.stringify(message, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}\n`);
}

/** A task run in a child: gets the payload and a function to stream records with. */
export type ChildTask<P, R> = (payload: P, emit: (record: unknown) => void) => R | Promise<R>;

async function main(): Promise<void> {
  const [modulePath, exportName, payloadJson] = process.argv.slice(2);
  if (!modulePath || !exportName) throw new Error('usage: entry.js MODULE EXPORT [PAYLOAD_JSON]');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(modulePath) as Record<string, unknown>;
  const task = mod[exportName];
  if (typeof task !== 'function') throw new Error(`${modulePath} has no function export '${exportName}'`);
  const payload: unknown = payloadJson === undefined ? null : JSON.parse(payloadJson);
  // node is up and the task's module (with the addon) loaded: the task's own timeout starts now.
  write({ type: 'started' });
  const value: unknown = await (task as ChildTask<unknown, unknown>)(payload, (record) => write({ type: 'record', value: record }));
  write({ type: 'result', value });
}

main().catch((err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  try {
    write({ type: 'error', message: e.stack ?? e.message, code: (e as { code?: unknown }).code ?? null });
  } catch {
    /* the channel is gone: the exit code still tells */
  }
  process.exitCode = 70;
});
