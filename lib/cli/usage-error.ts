/**
 * A usage error of the `vmprobe` command: one line naming the option, the value given and
 * what is allowed. The CLI prints it, then the usage line of `command`, and exits 2.
 */
export class UsageError extends Error {
  override name = 'UsageError';
  /** The subcommand whose usage line follows the message (undefined: the top-level one). */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/**
 * `err`'s message as a CLI line when it is a vmprobe argument error
 * (ERR_INVALID_ARG_VALUE / ERR_OUT_OF_RANGE / ERR_INVALID_ARG_TYPE), else null:
 * "The argument '--size' must be …" reads "--size must be …".
 */
export function argumentErrorLine(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (code !== 'ERR_INVALID_ARG_VALUE' && code !== 'ERR_OUT_OF_RANGE' && code !== 'ERR_INVALID_ARG_TYPE') return null;
  return (err.message.split('\n')[0] ?? '').replace(/^The argument '([^']+)' /, '$1 ');
}
