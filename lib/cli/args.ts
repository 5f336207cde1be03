/**
 * Reading the `vmprobe` command line: the option table, the subcommand, and the values,
 * with node:util parseArgs. Every malformed command line becomes one UsageError naming
 * the option and the value (`--size -5` is the size '-5', refused by the size parser,
 * not a missing value), for the subcommand whose usage follows it.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './usage-error';

/** Every option of the experiment commands (explain has its own, lib/explain/cli.ts). */
export const OPTIONS = {
  json: { type: 'boolean' },
  size: { type: 'string' },
  limit: { type: 'string' },
  frame: { type: 'string' },
  only: { type: 'string' },
  pid: { type: 'string' },
  threads: { type: 'string' },
  scale: { type: 'string' },
  html: { type: 'string' },
  details: { type: 'boolean' },
  force: { type: 'boolean' },
  'node-flags': { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** The parsed command line. */
export interface CommandLine {
  /** The subcommand (first positional), or undefined. */
  command: string | undefined;
  values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];
  positionals: string[];
}

const STRING_OPTIONS = new Set(Object.entries(OPTIONS).filter(([, o]) => o.type === 'string').map(([name]) => `--${name}`));
const KNOWN = new Set([...Object.keys(OPTIONS).map((name) => `--${name}`), '-h']);

/** Whether `arg` is one of the command's own options (`--size`, `--size=…`, `-h`). */
function isKnownOption(arg: string): boolean {
  return KNOWN.has(arg.split('=')[0] ?? arg);
}

/**
 * `argv` with each string option's value joined to it (`--size -5` → `--size=-5`,
 * `--node-flags --stack-size=4000` → `--node-flags=--stack-size=4000`) unless the value
 * is one of the command's own options (then it is missing, as parseArgs says).
 */
export function joinOptionValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (STRING_OPTIONS.has(arg) && next !== undefined && next.startsWith('-') && !isKnownOption(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** The subcommand of `argv`: its first argument that is neither an option nor a string option's value. */
export function commandOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return argv[i + 1];
    if (!arg.startsWith('-')) return arg;
    if (STRING_OPTIONS.has(arg)) i++;
  }
  return undefined;
}

/** An example value of each string option, for "needs a value". */
const EXAMPLES: Readonly<Record<string, string>> = {
  '--size': '64MiB', '--limit': '8MiB', '--frame': '4KiB', '--only': 'lazy', '--pid': '1234', '--threads': '4', '--scale': '1',
  '--html': 'report.html', '--node-flags': '--stack-size=4000',
};

/** parseArgs' error as one line naming the option. */
function parseErrorLine(err: Error, known: string | undefined): string {
  const code = (err as { code?: unknown }).code;
  const option = /'(-[^' ]+)/.exec(err.message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${option}'${known ? ` for \`vmprobe ${known}\`` : ''}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // "ambiguous": the next argument is one of the command's own options, so the value is missing.
    return /argument missing|ambiguous/.test(err.message) ? `${option} needs a value${EXAMPLES[option] ? ` (e.g. ${option} ${EXAMPLES[option]})` : ''}`
      : /does not take an argument/.test(err.message) ? `${option} takes no value` : err.message.split('\n')[0] ?? err.message;
  }
  return err.message.split('\n')[0] ?? err.message;
}

/** Parses `argv` (without node and the script). Throws UsageError for the subcommand it names. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const command = commandOf(argv);
  try {
    const { values, positionals } = parseArgs({ args: joinOptionValues(argv), options: OPTIONS, allowPositionals: true, strict: true });
    return { command: positionals[0], values, positionals };
  } catch (err) {
    throw new UsageError(parseErrorLine(err as Error, command), command);
  }
}
