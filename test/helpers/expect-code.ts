/**
 * Test helpers: assert that a call throws an Error with a given `code` (and class),
 * and run a small script in a fresh `node` child that loads the built package.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** What vmprobe throws: an Error with a string `code`, and for syscalls `errno`/`syscall`. */
export interface ThrownCoded extends Error {
  code: string;
  errno?: number;
  syscall?: string;
}

type ErrorClass = new (...args: never[]) => Error;

/**
 * Calls `fn`, asserts it throws an Error whose `code` is `code` (and, when given, that it is
 * an instance of `cls` and its message matches `message`). Returns the error.
 */
export function expectCode(fn: () => unknown, code: string, opts: { cls?: ErrorClass; message?: RegExp; label?: string } = {}): ThrownCoded {
  const label = opts.label === undefined ? '' : `${opts.label}: `;
  let threw = false;
  let caught: unknown;
  let returned: unknown;
  try {
    returned = fn();
  } catch (err) {
    threw = true;
    caught = err;
  }
  if (!threw) assert.fail(`${label}expected a throw with code ${code}, but the call returned ${describe(returned)}`);
  assert.ok(caught instanceof Error, `${label}expected an Error with code ${code}, got a thrown ${describe(caught)}`);
  const err = caught as ThrownCoded;
  assert.equal(err.code, code, `${label}expected code ${code}, got code ${String(err.code)} (${err.name}: ${err.message})`);
  if (opts.cls !== undefined) {
    assert.ok(err instanceof opts.cls, `${label}expected an instance of ${opts.cls.name}, got ${err.constructor.name}: ${err.message}`);
  }
  if (opts.message !== undefined) assert.match(err.message, opts.message, `${label}message of the ${code} error`);
  return err;
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Absolute path of the built package entry (dist/lib/index.js), for child processes and workers. */
export const LIB_ENTRY = path.resolve(__dirname, '..', '..', 'lib', 'index.js');
/** Absolute path of the built loader module (dist/lib/native/loader.js). */
export const NATIVE_ENTRY = path.resolve(__dirname, '..', '..', 'lib', 'native', 'loader.js');

/**
 * Runs `script` (CommonJS; `LIB` holds the absolute path of dist/lib/index.js) in a fresh
 * `node`, expects exit code 0 and exactly one JSON document on stdout, and returns it.
 */
export function runChildJson(script: string, opts: { nodeArgs?: string[]; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): unknown {
  const prelude = `const LIB = ${JSON.stringify(LIB_ENTRY)}; const NATIVE = ${JSON.stringify(NATIVE_ENTRY)};\n`;
  const child = spawnSync(process.execPath, [...(opts.nodeArgs ?? []), '-e', prelude + script], {
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 20_000,
    env: opts.env ?? process.env,
  });
  const where = `child exited with status ${String(child.status)} signal ${String(child.signal)}\nstdout: ${child.stdout}\nstderr: ${child.stderr}`;
  const timedOut = (child.error as { code?: string } | undefined)?.code === 'ETIMEDOUT';
  assert.equal(timedOut, false, `the child did not finish within ${opts.timeoutMs ?? 20_000} ms and was killed (${String(child.signal)})`);
  assert.equal(child.error, undefined, `spawning the child failed: ${String(child.error)}`);
  assert.equal(child.status, 0, where);
  try {
    return JSON.parse(child.stdout) as unknown;
  } catch {
    return assert.fail(`child did not print one JSON document. ${where}`);
  }
}
