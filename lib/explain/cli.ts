/**
 * `vmprobe explain`: where a Node process's memory is. This process, `--pid N`, or
 * `-- node app.js [args]` (run the app as a child with the agent preloaded, sample it,
 * print the breakdown at peak RSS and at exit). `--json` prints one document;
 * `--baseline FILE` saves the breakdown, `--diff FILE` shows each owner's change since.
 * Exit codes: 0 done, 1 the process could not be read, 2 usage error.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { captureMemory } from './capture';
import { explainCapture } from './index';
import { diffBreakdowns } from './diff';
import { createWatchSampler, type WatchSample } from './watch-sampler';
import { AGENT_REPLY, AGENT_REQUEST } from './agent-ipc-names';
import { askAgent } from './agent-socket';
import { renderExplain, renderExplainDiff } from '../render/explain';
import { renderExplainHtml } from '../render/explain-html';
import { formatBytes } from '../util/format';
import { UsageError } from '../cli/usage-error';
import { openForWriting, type OutputFile } from '../cli/output-file';
import { handleNextInterrupt } from '../cli/interrupt';
import type { ExplainCapture, MemoryBreakdown } from './types';

const USAGE = `Usage: vmprobe explain [--pid N] [--json] [--depth N] [--baseline FILE] [--diff FILE] [--capture FILE]
       vmprobe explain [--pid N] --watch [--interval 1s] [--count N] [--jsonl FILE] [--html FILE]
       vmprobe explain [--json] [--interval MS] -- node app.js [args]

Where a Node process's memory is: owners (JS heap, Buffers, malloc, stacks, code,
files, shared memory, reservations) summing exactly to the kernel's RSS/PSS/swap.
  --pid N          explain another process (read-only: its /proc files; if it runs
                   the agent, node -r vmprobe/agent, its V8/malloc figures too)
  --json           print one JSON document (schema/explain.schema.json)
  --depth N        nesting levels shown in the text table (default 1)
  --baseline FILE  save this breakdown to FILE (for a later --diff)
  --diff FILE      print what each owner gained or lost since FILE
  --capture FILE   also save the raw capture (a fixture for attribute())
  --watch          sample again every --interval and print each owner's RSS and change since the first sample
  --count N        with --watch: stop after N samples (default: until Ctrl-C or the process exits)
  --jsonl FILE     with --watch: also append every breakdown to FILE, one JSON document per line
  --html FILE      with --watch: write a timeline page (RSS by owner over time) when the watch ends
  --interval T     sampling period: 200ms, 1s or milliseconds (default 200ms for a child, 1s for --watch)
  -- CMD ...       run CMD as a child (node gets the agent preloaded) and explain it at peak RSS and at exit`;

const OPTIONS = {
  pid: { type: 'string' },
  json: { type: 'boolean' },
  depth: { type: 'string' },
  baseline: { type: 'string' },
  diff: { type: 'string' },
  capture: { type: 'string' },
  interval: { type: 'string' },
  watch: { type: 'boolean' },
  count: { type: 'string' },
  jsonl: { type: 'string' },
  html: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The synopsis lines of USAGE (up to its first blank line), printed under a usage error as every other subcommand does. */
const SYNOPSIS = USAGE.slice(0, USAGE.indexOf('\n\n'));

/** Writes a usage error: one line naming what is wrong, then the synopsis; exit code 2. */
function usageError(message: string): number {
  process.stderr.write(`vmprobe explain: ${message}\n${SYNOPSIS}\n`);
  return 2;
}

function positiveInt(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** "200ms", "1s", "1.5s" or plain milliseconds → milliseconds. */
function parseInterval(text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s)?$/.exec(text);
  const ms = m === null ? NaN : Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  if (!Number.isFinite(ms) || ms < 10 || ms > 3_600_000) throw new UsageError(`--interval must be 10ms to 3600s (e.g. 500ms, 1s), got ${JSON.stringify(text)}`);
  return Math.round(ms);
}

const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 19);

/** Text of one --watch sample: top-level RSS now and since the first sample. */
function renderWatchSample(first: MemoryBreakdown, sample: WatchSample): string {
  const now = sample.breakdown;
  const d = diffBreakdowns(first, now);
  const read = sample.reread ? '' : `  (unchanged since the read at ${clock(sample.readAtMs)})`;
  const lines = [`${clock(now.takenAtMs)}  pid ${now.pid}  RSS ${formatBytes(now.totals.rssBytes)} (${d.totals.rssDeltaBytes >= 0 ? '+' : ''}${formatBytes(d.totals.rssDeltaBytes)} since ${clock(first.takenAtMs)})${read}`];
  for (const o of now.owners) {
    const delta = d.owners.find((x) => x.id === o.id)?.rssDeltaBytes ?? 0;
    if (o.rssBytes === 0 && delta === 0) continue;
    lines.push(`  ${o.label.padEnd(52).slice(0, 52)} ${formatBytes(o.rssBytes).padStart(10)}  ${(delta >= 0 ? '+' : '') + formatBytes(delta)}`);
  }
  return lines.join('\n');
}

/** Samples kept for the timeline page; when full, every other one is dropped (the page stays bounded). */
const TIMELINE_MAX_SAMPLES = 1000;

/**
 * --watch: sample every interval (createWatchSampler: smaps is re-read only when the
 * process's fault counters, status, smaps_rollup or threads changed). Keeps the first and
 * latest breakdown for the deltas and, for --html, at most TIMELINE_MAX_SAMPLES (thinned
 * by half when full).
 */
async function watch(pid: number | undefined, intervalMs: number, count: number | null, jsonl: string | undefined, html: OutputFile | undefined): Promise<number> {
  let first: MemoryBreakdown | null = null;
  let timeline: MemoryBreakdown[] = [];
  const writePage = (): void => { if (html !== undefined && timeline.length > 0) html.commit(renderExplainHtml(timeline)); };
  let stop = false;
  // Ctrl-C ends the watch like --count does: the page is written, exit 0 (lib/cli/interrupt.ts).
  const release = handleNextInterrupt(() => { stop = true; });
  const tty = process.stdout.isTTY === true;
  // A process started with `node -r vmprobe/agent` answers at each full read: its rows split as in-process.
  const sample = createWatchSampler(pid, pid === undefined ? {} : { runtime: () => askAgent(pid) });
  try {
    for (let i = 0; count === null || i < count; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, intervalMs));
      if (stop) break;
      let taken: WatchSample;
      try {
        taken = await sample();
      } catch (error) {
        if (first !== null && (error as { code?: unknown }).code === 'ESRCH') {
          writePage();
          process.stdout.write(`process ${pid ?? process.pid} exited\n`);
          return 0;
        }
        throw error;
      }
      const now = taken.breakdown;
      first ??= now;
      if (html !== undefined) {
        if (timeline.length >= TIMELINE_MAX_SAMPLES) timeline = timeline.filter((_, k) => k % 2 === 0);
        timeline.push(now);
      }
      if (jsonl !== undefined) fs.appendFileSync(jsonl, `${JSON.stringify(now)}\n`);
      process.stdout.write(`${tty ? '\x1b[H\x1b[2J' : i > 0 ? '\n' : ''}${renderWatchSample(first, taken)}\n`);
    }
    writePage();
    return 0;
  } finally {
    release();
  }
}

function readBaseline(file: string): MemoryBreakdown {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { breakdown?: MemoryBreakdown } & Partial<MemoryBreakdown>;
  const b = doc.breakdown ?? (doc as MemoryBreakdown);
  if (!Array.isArray(b.owners) || typeof b.totals !== 'object') throw new UsageError(`--diff ${file}: not a vmprobe explain breakdown`);
  return b;
}

interface ChildResult {
  command: string[];
  exitCode: number | null;
  signal: string | null;
  peakRssBytes: number;
  peak: MemoryBreakdown | null;
  exit: MemoryBreakdown | null;
  samples: number;
}

/** Runs `command` with the agent preloaded, samples VmRSS, captures at each new peak and at exit. */
async function runChild(command: string[], intervalMs: number, json: boolean): Promise<ChildResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-explain-'));
  const exitFile = path.join(dir, 'exit.json');
  const agent = path.join(__dirname, 'agent-ipc.js');
  const nodeOptions = `${process.env['NODE_OPTIONS'] ?? ''} --require "${agent}"`.trim();
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, args, {
    stdio: ['inherit', json ? 2 : 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: nodeOptions, VMPROBE_EXPLAIN_EXIT_FILE: exitFile },
  });
  let peakCapture: ExplainCapture | null = null;
  let peakRss = 0;
  let requestedAtRss = 0;
  let outstanding = false;
  let samples = 0;
  let agentAnswered = false;
  // A capture by the agent (with the runtime's figures) beats one read from outside; among
  // captures of the same kind the one with the higher RSS is the peak.
  const better = (c: ExplainCapture, than: ExplainCapture | null): boolean =>
    than === null || (c.self && !than.self) || (c.self === than.self && (c.rollup?.rssBytes ?? 0) >= (than.rollup?.rssBytes ?? 0));
  child.on('message', (m: { type?: string; capture?: ExplainCapture }) => {
    if (m?.type !== AGENT_REPLY) return;
    outstanding = false;
    agentAnswered = true;
    const c = m.capture;
    if (c && better(c, peakCapture)) peakCapture = c;
  });
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    child.once('error', () => resolve(false));
  });
  if (!spawned || child.pid === undefined) throw Object.assign(new Error(`cannot run ${JSON.stringify(file)}`), { code: 'ENOENT' });
  const pid = child.pid;
  const timer = setInterval(() => {
    let rss = 0;
    try {
      const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      rss = Number(m?.[1] ?? 0) * 1024;
    } catch { return; }
    samples++;
    peakRss = Math.max(peakRss, rss);
    // A new peak worth a capture: 5% above the last one asked for (a capture reads smaps: not every tick).
    if (rss > requestedAtRss * 1.05 && !outstanding && child.connected) {
      requestedAtRss = rss;
      outstanding = true;
      child.send({ type: AGENT_REQUEST }, (err) => { if (err) outstanding = false; });
      setTimeout(() => {
        // The agent has not answered (not node, or busy): read the child from outside, and
        // keep asking the agent only if it ever answered.
        if (!outstanding) return;
        if (!agentAnswered) outstanding = false;
        try {
          const c = captureMemory({ pid });
          if (better(c, peakCapture)) peakCapture = c;
        } catch { /* the child exited */ }
      }, 2000).unref();
    }
  }, intervalMs);
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('exit', (code, sig) => resolve([code, sig])));
  clearInterval(timer);
  let exitCapture: ExplainCapture | null = null;
  try { exitCapture = JSON.parse(fs.readFileSync(exitFile, 'utf8')) as ExplainCapture; } catch { /* no agent or it could not write */ }
  fs.rmSync(dir, { recursive: true, force: true });
  const peak: ExplainCapture | null = peakCapture;
  return {
    command, exitCode, signal, peakRssBytes: peakRss, samples,
    peak: peak === null ? null : explainCapture(peak),
    exit: exitCapture === null ? null : explainCapture(exitCapture),
  };
}

/**
 * Runs `vmprobe explain` with `argv` (the arguments after "explain"); prints to stdout
 * (errors to stderr) and resolves to the exit code.
 */
export async function runExplainCli(argv: string[]): Promise<number> {
  const dash = argv.indexOf('--');
  const own = dash === -1 ? argv : argv.slice(0, dash);
  const command = dash === -1 ? [] : argv.slice(dash + 1);
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: false; strict: true }>>['values'];
  try {
    values = parseArgs({ args: own, options: OPTIONS, allowPositionals: false, strict: true }).values;
    if (values.help) { process.stdout.write(`${USAGE}\n`); return 0; }
    if (dash !== -1 && command.length === 0) throw new UsageError('nothing to run after --');
    if (dash !== -1 && values.pid !== undefined) throw new UsageError('--pid and -- CMD are exclusive');
  } catch (error) {
    return usageError(error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error));
  }
  const outputs: OutputFile[] = [];
  try {
    const depth = positiveInt(values.depth, '--depth', 1);
    const pid = values.pid === undefined ? undefined : positiveInt(values.pid, '--pid', 1);
    const intervalMs = parseInterval(values.interval, values.watch ? 1000 : 200);
    if (values.jsonl !== undefined && !values.watch) throw new UsageError('--jsonl needs --watch');
    if (values.html !== undefined && !values.watch) throw new UsageError('--html needs --watch');
    if (values.count !== undefined && !values.watch) throw new UsageError('--count needs --watch');
    if (values.watch && command.length > 0) throw new UsageError('--watch and -- CMD are exclusive (a child is sampled anyway)');
    if (values.watch && (values.json || values.baseline !== undefined || values.diff !== undefined)) throw new UsageError('--watch prints text; use --jsonl FILE for JSON');
    const before = values.diff === undefined ? null : readBaseline(values.diff);
    // Files written at the end are checked now (a bad path is a usage error before any
    // measuring) and written atomically; a failed run leaves no temporary file behind.
    const open = (file: string | undefined, option: string): OutputFile | undefined => {
      if (file === undefined) return undefined;
      const f = openForWriting(file, option, 'explain');
      outputs.push(f);
      return f;
    };
    if (command.length > 0) {
      const r = await runChild(command, intervalMs, values.json === true);
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ schema: 1, kind: 'child', command: r.command, exitCode: r.exitCode, signal: r.signal, peakRssBytes: r.peakRssBytes, samples: r.samples, peak: r.peak, exit: r.exit })}\n`);
      } else {
        const out = [`${r.command.join(' ')} exited with ${r.signal ?? r.exitCode}; highest VmRSS sampled ${formatBytes(r.peakRssBytes)} (${r.samples} samples)`];
        out.push('', '== at peak RSS ==', r.peak ? renderExplain(r.peak, { depth }) : '(no capture: the child ended before the first sample)');
        out.push('', '== at exit ==', r.exit ? renderExplain(r.exit, { depth }) : '(no exit capture: the child was not node, or it was killed)');
        process.stdout.write(`${out.join('\n')}\n`);
      }
      return 0;
    }
    if (values.watch) return await watch(pid, intervalMs, values.count === undefined ? null : positiveInt(values.count, '--count', 1), values.jsonl, open(values.html, '--html'));
    // A process started with `node -r vmprobe/agent` answers with its runtime figures.
    const captureFile = open(values.capture, '--capture');
    const baselineFile = open(values.baseline, '--baseline');
    const runtime = pid === undefined || pid === process.pid ? null : await askAgent(pid);
    const capture = captureMemory(pid === undefined ? {} : runtime === null ? { pid } : { pid, runtime });
    const breakdown = explainCapture(capture);
    captureFile?.commit(`${JSON.stringify(capture)}\n`);
    baselineFile?.commit(`${JSON.stringify({ breakdown })}\n`);
    const diff = before === null ? null : diffBreakdowns(before, breakdown);
    if (values.json) process.stdout.write(`${JSON.stringify(diff === null ? breakdown : { ...breakdown, diff })}\n`);
    else process.stdout.write(`${renderExplain(breakdown, { depth })}${diff ? `\n\n${renderExplainDiff(diff)}` : ''}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message);
    const code = (error as { code?: unknown }).code;
    process.stderr.write(`vmprobe explain: ${typeof code === 'string' ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    for (const f of outputs) f.discard();
  }
}
