/**
 * Running measurement code in a fresh child `node` process and reporting its fate.
 *
 * Experiments whose numbers depend on process state (malloc, stack, ASLR), and anything
 * that can kill a process (stack overflow, touching PROT_NONE, setrlimit), run here.
 * The child runs `runChildTask(module, export, payload)` (entry.ts): it loads a
 * module of this package, calls the named export with the payload, and writes JSON
 * records, one per line, to file descriptor 3 — a pipe that survives nothing the child
 * does to its own stdout, and whose lines written before a crash still arrive. The
 * parent collects the records, the exit code or signal, and kills a child that runs
 * past its timeout (SIGKILL), reporting it as timed out. Children never outlive the
 * parent's interest: every live child is killed when the parent exits. A child runs
 * with this process's node flags (node-flags.ts), so it measures the same runtime.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { childError } from '../util/errors';
import { childNodeFlags } from './node-flags';

/** How a child ended and what it said. */
export interface ChildOutcome<T> {
  /** Exit code, or null when a signal ended it. */
  exitCode: number | null;
  /** The signal that ended it ('SIGSEGV', 'SIGKILL', …), or null. */
  signal: string | null;
  /** True when the parent killed it for running past timeoutMs (or for not starting within CHILD_STARTUP_LIMIT_MS). */
  timedOut: boolean;
  /** Milliseconds from spawn until the task began (node started, its module loaded); null when it never began. */
  startupMs: number | null;
  /** The value the task returned, or null when it did not finish. */
  result: T | null;
  /** Records the task streamed before finishing (or dying), in order. */
  records: unknown[];
  /** The error the task threw, if it threw one (message and code). */
  error: { message: string; code: string | null } | null;
  /** The child's stderr (last 64 KiB). */
  stderr: string;
  elapsedMs: number;
}

/** Options of runChild. */
export interface ChildOptions {
  /**
   * Kill the child when its task runs longer than this (default 30 s), counted from when
   * the task began: node's own start-up is bounded separately (CHILD_STARTUP_LIMIT_MS).
   */
  timeoutMs?: number;
  /** Environment of the child (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /**
   * Node flags for the child, after those it gets anyway (childNodeFlags(): this
   * process's execArgv minus debugger/eval/test-runner flags, then VMPROBE_NODE_FLAGS);
   * later flags win, so e.g. ['--stack-size=2000'] here overrides an inherited one.
   */
  execArgv?: string[];
  /** Run the child through this wrapper argv, e.g. ['setarch', 'x86_64', '-R'] (the node command follows). */
  wrapper?: string[];
}

const STDERR_KEEP_BYTES = 64 * 1024;

/**
 * The longest a child may take to start node and load its task's module, ms (when the
 * task's own timeoutMs is shorter). Start-up is node's, not the task's, and a malloc
 * setting can slow it a hundredfold: with MALLOC_MMAP_THRESHOLD_=0 every heap extension
 * is an mmap, and `node -e 0` took 4.2 s here (40 ms without), 8 at once about 17 s on 2
 * cores. It only catches a child that cannot start at all.
 */
export const CHILD_STARTUP_LIMIT_MS = 120_000;
const live = new Set<import('node:child_process').ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/**
 * SIGKILLs every child still running and resolves once each has been reaped (or after
 * `waitMs`). For a CLI's SIGINT/SIGTERM handler: a signal's default action ends the
 * process without running 'exit' handlers, which would leave children orphaned. The
 * library installs no signal handler itself (the importing app owns its signals).
 * Resolves with the number of children it killed.
 */
export function killLiveChildren(waitMs = 2_000): Promise<number> {
  const children = [...live];
  if (children.length === 0) return Promise.resolve(0);
  const reaped = children.map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  }));
  for (const child of children) child.kill('SIGKILL');
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(children.length), waitMs);
    void Promise.all(reaped).then(() => {
      clearTimeout(timer);
      resolve(children.length);
    });
  });
}

/** Path of the generic child entry point (compiled entry.js beside this file). */
export const CHILD_ENTRY = path.join(__dirname, 'entry.js');

/**
 * Runs `exportName` of `modulePath` (an absolute path, or one relative to this
 * package's dist/lib) in a fresh node process with `payload` (JSON-serialisable).
 * Resolves with the outcome whatever happened to the child; rejects only when the
 * child could not be started. Throws ERR_INVALID_ARG_VALUE when VMPROBE_NODE_FLAGS
 * holds something other than node flags a child may get.
 */
export function runChild<T>(modulePath: string, exportName: string, payload: unknown, options: ChildOptions = {}): Promise<ChildOutcome<T>> {
  installExitHook();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const resolved = path.isAbsolute(modulePath) ? modulePath : path.join(__dirname, modulePath);
  const nodeArgv = [...childNodeFlags(), ...(options.execArgv ?? []), CHILD_ENTRY, resolved, exportName, JSON.stringify(payload ?? null)];
  const [command, ...args] = options.wrapper && options.wrapper.length > 0
    ? [...options.wrapper, process.execPath, ...nodeArgv]
    : [process.execPath, ...nodeArgv];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // VMPROBE_CHILD_TASK marks a vmprobe child: native calls that end the process on
    // purpose run only there (native/child_only.h).
    const env = { ...(options.env ?? process.env), VMPROBE_CHILD_TASK: '1' };
    const child = spawn(command as string, args, { env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    live.add(child);
    let stderr = '';
    let buffered = '';
    const records: unknown[] = [];
    let result: T | null = null;
    let error: ChildOutcome<T>['error'] = null;
    let timedOut = false;
    let startupMs: number | null = null;
    const kill = (): void => {
      timedOut = true;
      child.kill('SIGKILL');
    };
    let timer = setTimeout(kill, Math.max(timeoutMs, CHILD_STARTUP_LIMIT_MS));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP_BYTES);
    });
    const channel = child.stdio[3] as NodeJS.ReadableStream | null;
    channel?.setEncoding('utf8');
    channel?.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim() === '') continue;
        let message: { type?: string; value?: unknown; message?: string; code?: string | null };
        try {
          message = JSON.parse(line) as typeof message;
        } catch {
          records.push({ unparsed: line });
          continue;
        }
        if (message.type === 'started') {
          startupMs = Date.now() - started;
          clearTimeout(timer);
          timer = setTimeout(kill, timeoutMs);
        } else if (message.type === 'result') result = message.value as T;
        else if (message.type === 'error') error = { message: String(message.message), code: message.code ?? null };
        else records.push(message.value);
      }
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      live.delete(child);
      reject(childError(`could not start a child process (${command as string}): ${err.message}`));
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ exitCode, signal, timedOut, startupMs, result, records, error, stderr, elapsedMs: Date.now() - started });
    });
  });
}

/** The result of a child that must have finished normally; throws ERR_VMPROBE_CHILD otherwise. */
export function requireResult<T>(outcome: ChildOutcome<T>, what: string): T {
  if (outcome.result !== null) return outcome.result;
  const fate = outcome.timedOut
    ? (outcome.startupMs === null ? `did not start within ${outcome.elapsedMs} ms and was killed` : `was killed after its timeout (${outcome.elapsedMs - outcome.startupMs} ms after it started)`)
    : outcome.error ? `threw: ${outcome.error.message}`
    : outcome.signal ? `died of ${outcome.signal}` : `exited with code ${outcome.exitCode}`;
  const tail = outcome.stderr.trim().split('\n').slice(-5).join('\n');
  throw childError(`the child process measuring ${what} ${fate}${tail ? `\n${tail}` : ''}`);
}
