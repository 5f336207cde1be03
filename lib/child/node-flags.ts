/**
 * The node and V8 flags vmprobe's children run with: the flags this process was started
 * with (process.execArgv: `node --stack-size=4000 app.js` gives every child
 * `--stack-size=4000`, so a child measures the same runtime as its parent), minus those
 * that would make a child do something other than run its task, plus the flags of the
 * VMPROBE_NODE_FLAGS environment variable (what `vmprobe --node-flags` sets; needed for
 * V8 flags such as --stack-size, which NODE_OPTIONS refuses). NODE_OPTIONS itself reaches
 * the children with the environment. No addon.
 */
import { invalidArgValue } from '../util/errors';

/** The environment variable whose whitespace-separated node flags every child gets too. */
export const NODE_FLAGS_ENV = 'VMPROBE_NODE_FLAGS';

/**
 * Flags a child must not get, by name (a trailing '*' matches any suffix): a debugger
 * would claim the parent's port or wait for a client; the others replace the child's
 * program (eval, check, REPL, test runner, watch mode) or print and exit.
 */
const DENIED = [
  '--inspect*', '--debug*', '--debug-port',
  '-e', '--eval', '-p', '--print', '-pe', '-c', '--check', '-i', '--interactive', '--input-type',
  '--test', '--test-*', '--experimental-test-*', '--watch', '--watch-*', '--run',
  '-v', '--version', '-h', '--help', '--v8-options', '--completion-bash', '--prof-process',
] as const;

/** Denied flags whose value may follow as the next argv entry. */
const DENIED_WITH_VALUE = new Set(['-e', '--eval', '-p', '--print', '-pe', '--input-type', '--inspect-port', '--debug-port', '--watch-path', '--run',
  '--test-reporter', '--test-reporter-destination', '--test-name-pattern', '--test-skip-pattern', '--test-concurrency', '--test-timeout', '--test-shard']);

/** The flag's name: the part before '=' ('--stack-size=4000' → '--stack-size'). */
function flagName(flag: string): string {
  const eq = flag.indexOf('=');
  return eq < 0 ? flag : flag.slice(0, eq);
}

/** Whether a child must not get `flag` (see DENIED). */
export function isDeniedNodeFlag(flag: string): boolean {
  const name = flagName(flag).replace(/_/g, '-');
  return DENIED.some((d) => (d.endsWith('*') ? name.startsWith(d.slice(0, -1)) : name === d));
}

/**
 * The entries of `execArgv` a child may get, in order: each denied flag is dropped, with
 * the next entry when it is that flag's separate value (`--eval code`).
 */
export function passThroughNodeFlags(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i] as string;
    if (!isDeniedNodeFlag(flag)) {
      out.push(flag);
      continue;
    }
    if (!flag.includes('=') && DENIED_WITH_VALUE.has(flag) && i + 1 < execArgv.length) i++;
  }
  return out;
}

/**
 * Splits `text` (whitespace-separated flags, no quoting) into node flags. Throws
 * ERR_INVALID_ARG_VALUE naming `name` when an entry is not a flag or is one a child
 * must not get (a debugger, eval, the test runner: DENIED above).
 */
export function parseNodeFlags(text: string, name: string = NODE_FLAGS_ENV): string[] {
  const flags = text.split(/\s+/).filter((f) => f !== '');
  const notFlag = flags.find((f) => !f.startsWith('-'));
  if (notFlag !== undefined) throw invalidArgValue(name, `must be node flags, each starting with '-' (e.g. --stack-size=4000). Received '${text}'`);
  const denied = flags.find(isDeniedNodeFlag);
  if (denied !== undefined) throw invalidArgValue(name, `must not hold ${flagName(denied)}: a child given it would not run its task (a debugger port, eval, the test runner). Received '${text}'`);
  return flags;
}

/**
 * The flags every vmprobe child runs with: the pass-through part of `execArgv`, then
 * those of `env.VMPROBE_NODE_FLAGS` (later flags win in node and V8). Throws
 * ERR_INVALID_ARG_VALUE when VMPROBE_NODE_FLAGS holds a non-flag or a denied flag.
 */
export function childNodeFlags(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = env[NODE_FLAGS_ENV];
  return [...passThroughNodeFlags(execArgv), ...(extra === undefined ? [] : parseNodeFlags(extra))];
}
