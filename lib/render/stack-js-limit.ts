/**
 * Terminal text for step 6 of the stack experiment: where JS recursion stops (V8's
 * RangeError, or the kernel's SIGSEGV first), with the node flags the children ran
 * with, and the V8 --stack-size finding (nodejs/node#33090). Formatting only.
 */
import type { StackMeasurements, V8StackSizeRun } from '../experiments/stack/measurements';
import { formatBytes, formatCount } from '../util/format';

function flagsText(execArgv: readonly string[]): string {
  return execArgv.length === 0 ? 'no node flags' : `node flags ${execArgv.join(' ')}`;
}

/** The value of the last --stack-size flag in `execArgv`, in KiB (V8's unit), or null. */
export function stackSizeFlagKiB(execArgv: readonly string[]): number | null {
  let kib: number | null = null;
  for (const flag of execArgv) {
    const m = /^--stack[-_]size=(\d+)$/.exec(flag);
    if (m) kib = Number(m[1]);
  }
  return kib;
}

function v8RunText(r: V8StackSizeRun): string {
  const depth = r.depthBytes === null ? '' : ` with ${formatBytes(r.depthBytes)} of stack in use`;
  const frames = r.frames === null ? '' : `${formatCount(r.frames)} frames`;
  switch (r.outcome) {
    case 'range-error': return `--stack-size=${r.stackSizeKiB} (${formatBytes(r.stackSizeKiB * 1024)}): RangeError after ${frames}${depth}, catchable`;
    case 'signal': return `--stack-size=${r.stackSizeKiB} (${formatBytes(r.stackSizeKiB * 1024)}): the process died of ${r.signal ?? '?'}${frames ? ` after at least ${frames}${depth}` : ''}, no RangeError, nothing to catch`;
    default: return `--stack-size=${r.stackSizeKiB}: ${r.problem ?? r.outcome}`;
  }
}

/** The lines of step 6, each indented by two spaces. */
export function stackJsLimitLines(m: StackMeasurements): string[] {
  const g = m.growth;
  const js = m.jsDepth;
  const out: string[] = [];
  if (js === null) out.push('  not measured.');
  else if (js.rangeError) {
    out.push(`  JS: RangeError after ${formatCount(js.frames)} frames with ${js.depthBytes === null ? '–' : formatBytes(js.depthBytes)} of stack in use (${flagsText(js.execArgv)}); ` +
      `native code in the same child went on to ${formatBytesOrDash(g.deathDepthBytes ?? g.reachedBytes)} (RLIMIT_STACK ${limitText(g.rlimitBytes)}).`);
  } else {
    const kib = stackSizeFlagKiB(js.execArgv);
    const v8Limit = kib === null ? "V8's own stack limit" : `V8's limit, --stack-size=${kib} (${formatBytes(kib * 1024)})`;
    out.push(`  JS never reached V8's RangeError (${flagsText(js.execArgv)}): the child died of ${js.signal ?? '?'} first — RLIMIT_STACK ${limitText(g.rlimitBytes)} is below ${v8Limit}.`);
  }
  const v = m.v8StackSize;
  if (v !== null) {
    out.push(`  V8's --stack-size against RLIMIT_STACK ${limitText(v.rlimitBytes)} (nodejs/node#33090), one child each:`);
    out.push(`    ${v8RunText(v.under)}`);
    out.push(`    ${v8RunText(v.over)}`);
    if (v.under.outcome === 'range-error' && v.over.outcome === 'signal') {
      out.push('    A --stack-size beyond what RLIMIT_STACK lets the stack grow to turns a catchable RangeError into a crash.');
    }
  }
  return out;
}

function formatBytesOrDash(v: number | null): string {
  return v === null ? '–' : formatBytes(v);
}

function limitText(bytes: number | null): string {
  return bytes === null ? 'unlimited' : formatBytes(bytes);
}
