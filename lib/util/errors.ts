/**
 * The errors vmprobe throws. Every one carries a stable `code` (DESIGN.md, "Errors"):
 *
 * | code | when |
 * |---|---|
 * | `ERR_INVALID_ARG_TYPE` | an argument has the wrong type (a `TypeError`) |
 * | `ERR_OUT_OF_RANGE` | a number is negative, fractional, NaN, infinite, too big, or outside the handle (a `RangeError`) |
 * | `ERR_INVALID_ARG_VALUE` | a value of the right type that is not allowed (unknown choice, unaligned offset, access the protection forbids) |
 * | `ENOMEM`, `EINVAL`, `EPERM`, … | a system call failed; `errno` (negative, as Node reports it) and `syscall` say which |
 * | `ERR_VMPROBE_UNSUPPORTED` | this host or runtime lacks what the call needs (not Linux, not glibc, no MADV_PAGEOUT, no external ArrayBuffers) |
 * | `ERR_VMPROBE_CLOSED` | a `Mapping` or `HeapBlock` was used after `unmap()`/`free()` |
 * | `ERR_VMPROBE_BUILD` | the native addon is missing or does not match this JavaScript; the message gives the command that rebuilds it |
 * | `ERR_VMPROBE_CHILD` | an experiment's child process failed to report (crashed, hung past its timeout, or printed nonsense) |
 * | `ERR_VMPROBE_EXPERIMENT` | `runReport`: an experiment could not run (`experiment` names it, `cause` says why) |
 * | `ERR_VMPROBE_PEER_MISSING` | an optional peer dependency a call needs is not installed (`peer` names it) |
 *
 * Native code throws the same codes with the same wording (native/errors.h, native/args.h).
 */

/** The codes vmprobe's own checks use (system-call errors use errno names besides these). */
export type VmprobeErrorCode =
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_OUT_OF_RANGE'
  | 'ERR_INVALID_ARG_VALUE'
  | 'ERR_VMPROBE_UNSUPPORTED'
  | 'ERR_VMPROBE_CLOSED'
  | 'ERR_VMPROBE_BUILD'
  | 'ERR_VMPROBE_CHILD'
  | 'ERR_VMPROBE_EXPERIMENT'
  | 'ERR_VMPROBE_PEER_MISSING';

/** An Error with a `code`, as every vmprobe error is. */
export interface CodedError extends Error {
  code: string;
  errno?: number;
  syscall?: string;
}

function withCode<E extends Error>(err: E, code: string): E & CodedError {
  return Object.assign(err, { code });
}

/** Node's "Received ..." phrase for a bad value. */
export function describeReceived(value: unknown): string {
  if (value === undefined) return 'Received undefined';
  if (value === null) return 'Received null';
  if (typeof value === 'number') return `Received type number (${Object.is(value, -0) ? '-0' : String(value)})`;
  if (typeof value === 'string') {
    const shown = value.length > 28 ? `${value.slice(0, 25)}...` : value;
    return `Received type string ('${shown}')`;
  }
  if (typeof value === 'bigint') return `Received type bigint (${value}n)`;
  if (typeof value === 'boolean' || typeof value === 'symbol') return `Received type ${typeof value} (${String(value)})`;
  if (typeof value === 'function') return `Received function ${value.name || '<anonymous>'}`;
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  return ctor ? `Received an instance of ${ctor}` : 'Received an object with a null prototype';
}

/** `ERR_INVALID_ARG_TYPE`: `The "name" argument must be <expected>. Received ...` */
export function invalidArgType(name: string, expected: string, value: unknown): TypeError & CodedError {
  return withCode(new TypeError(`The "${name}" argument must be ${expected}. ${describeReceived(value)}`), 'ERR_INVALID_ARG_TYPE');
}

/** `ERR_OUT_OF_RANGE`: `The value of "name" is out of range. It must be <allowed>. Received <received>` */
export function outOfRange(name: string, allowed: string, received: unknown): RangeError & CodedError {
  const shown = typeof received === 'number' && Object.is(received, -0) ? '-0' : String(received);
  return withCode(new RangeError(`The value of "${name}" is out of range. It must be ${allowed}. Received ${shown}`), 'ERR_OUT_OF_RANGE');
}

/** `ERR_INVALID_ARG_VALUE`: `The argument 'name' <why>` */
export function invalidArgValue(name: string, why: string): TypeError & CodedError {
  return withCode(new TypeError(`The argument '${name}' ${why}`), 'ERR_INVALID_ARG_VALUE');
}

/** `ERR_VMPROBE_UNSUPPORTED`: the host lacks `what`. */
export function unsupported(what: string): Error & CodedError {
  return withCode(new Error(what), 'ERR_VMPROBE_UNSUPPORTED');
}

/** `ERR_VMPROBE_CLOSED`: a handle used after it was released. */
export function closedHandle(kind: string, releasedBy: string): Error & CodedError {
  return withCode(new Error(`this ${kind} was released by ${releasedBy}() and can no longer be used`), 'ERR_VMPROBE_CLOSED');
}

/** `ERR_VMPROBE_BUILD`: the addon is missing or stale. */
export function buildError(message: string, cause?: unknown): Error & CodedError {
  return withCode(new Error(message, cause === undefined ? undefined : { cause }), 'ERR_VMPROBE_BUILD');
}

/** `ERR_VMPROBE_CHILD`: a child process did not deliver its result. */
export function childError(message: string): Error & CodedError {
  return withCode(new Error(message), 'ERR_VMPROBE_CHILD');
}

/**
 * `ERR_VMPROBE_PEER_MISSING`: `peer`, an optional peer dependency, cannot be resolved
 * from vmprobe's directory; `needs` names the call that wanted it. Carries `peer` and,
 * as `cause`, the resolver's MODULE_NOT_FOUND error.
 */
export function peerMissing(peer: string, needs: string, cause: unknown): Error & CodedError & { peer: string } {
  const message = `${needs} needs the package ${peer}, an optional peer dependency of vmprobe that is not installed: npm install ${peer}`;
  return Object.assign(new Error(message, { cause }), { code: 'ERR_VMPROBE_PEER_MISSING', peer });
}

/** True when `err` is an Error carrying a string `code`. */
export function isCodedError(err: unknown): err is CodedError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string';
}

/**
 * `ERR_VMPROBE_NO_ADDRESS_SPACE`: a process has no user address space to examine (a
 * zombie, a kernel thread, or one that exited while being read). Its stack is the
 * message alone: the CLI prints it as the reason, exit 1.
 */
export function noAddressSpace(why: string): Error & CodedError {
  const err = withCode(new Error(why), 'ERR_VMPROBE_NO_ADDRESS_SPACE');
  err.stack = `Error [ERR_VMPROBE_NO_ADDRESS_SPACE]: ${why}`;
  return err;
}
