/**
 * Test helpers for explain: run `vmprobe explain` (runExplainCli) in a child, and start the
 * ground-truth app (test/fixtures/explain/app.js) and talk to it over its stdin/stdout.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams, type SpawnSyncOptions } from 'node:child_process';
import * as path from 'node:path';

/** dist/lib of this build. */
export const DIST_LIB = path.join(__dirname, '..', '..', 'lib');
/** The ground-truth app. */
export const EXPLAIN_APP = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'explain', 'app.js');

/** Exit status and output of one CLI run. */
export interface ExplainRun { status: number | null; stdout: string; stderr: string }

/** Runs `vmprobe explain <args>` through runExplainCli in a fresh node. */
export function explainCli(args: string[], options: SpawnSyncOptions = {}): ExplainRun {
  const script = `require(${JSON.stringify(path.join(DIST_LIB, 'explain', 'cli.js'))}).runExplainCli(process.argv.slice(1)).then((c) => { process.exitCode = c; })`;
  const r = spawnSync(process.execPath, ['-e', script, '--', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 180_000, ...options });
  if (r.error) throw r.error;
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** What the app says it owns (bytes). */
/** What the fixture app owns; workerHeapPhysicalBytes is its workers' own V8 total_physical_size, summed, read after their GC. */
export interface AppFacts { pid: number; jsBytes: number; bufferBytes: number; workers: number; arenaBytes: number; workerJsBytes: number; wasmTouchedBytes: number; workerHeapPhysicalBytes: number }

/** A running ground-truth app. */
export interface RunningApp {
  child: ChildProcessWithoutNullStreams;
  facts: AppFacts;
  /** Sends a command ('self' | 'capture') and resolves with the JSON line it prints. */
  ask(command: 'self' | 'capture'): Promise<unknown>;
  /** Asks the app to exit and waits for it. */
  stop(): Promise<void>;
}

/** Starts the app with sizes from `env` (EXPLAIN_JS_MIB, EXPLAIN_BUFFER_MIB, EXPLAIN_WORKERS, EXPLAIN_ARENA_MIB, EXPLAIN_WORKER_JS_MIB) and waits for READY. */
export async function startApp(env: Record<string, string> = {}, execArgv: string[] = []): Promise<RunningApp> {
  const child = spawn(process.execPath, [...execArgv, EXPLAIN_APP, DIST_LIB], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { prefix: string; resolve: (v: unknown) => void }[] = [];
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const ready = new Promise<AppFacts>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) !== -1) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const space = line.indexOf(' ');
        const prefix = line.slice(0, space);
        const body = JSON.parse(line.slice(space + 1)) as unknown;
        if (prefix === 'READY') resolve(body as AppFacts);
        const i = waiters.findIndex((w) => w.prefix === prefix);
        if (i !== -1) waiters.splice(i, 1)[0]?.resolve(body);
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`explain app exited early (${code ?? signal}): ${err}`)));
  });
  const facts = await ready;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child, facts,
    ask: (command) => new Promise((resolve) => {
      waiters.push({ prefix: command === 'self' ? 'SELF' : 'CAPTURE', resolve });
      child.stdin.write(`${command}\n`);
    }),
    stop: async () => {
      child.stdin.write('exit\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
