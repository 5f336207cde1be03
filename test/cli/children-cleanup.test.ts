// Children are cleaned up when the CLI is interrupted (issue 7.7). `vmprobe report`
// (of that one experiment: --only) runs in a child of this test with a marker in its environment (inherited by every
// process it spawns); once a child of the chosen experiment is running, the CLI gets
// SIGINT (or SIGTERM). It must exit with 128+signal, and no process carrying the
// marker may remain — running, orphaned (reparented to init) or zombie — as a /proc
// scan (what ps reads) shows right after it exits.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const CLI = path.resolve(__dirname, '..', '..', 'lib', 'cli', 'main.js');

interface MarkedProcess { pid: number; state: string; ppid: number; cmd: string }

/** Every process whose environment holds `marker` (like `ps e | grep`), with its state and parent. */
function marked(marker: string): MarkedProcess[] {
  const out: MarkedProcess[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!fs.readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) continue;
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({ pid: Number(entry), state: state ?? '?', ppid: Number(ppid), cmd });
    } catch {
      // gone while we looked, or not ours to read
    }
  }
  return out;
}

async function interruptDuring(experiment: string, signal: 'SIGINT' | 'SIGTERM'): Promise<{ code: number | null; signal: string | null; seen: MarkedProcess[]; left: MarkedProcess[] }> {
  const marker = `VMPROBE_CLEANUP_TEST=${process.pid}-${experiment}-${signal}`;
  const [key, value] = marker.split('=') as [string, string];
  const cli = spawn(process.execPath, [CLI, 'report', '--only', experiment], { env: { ...process.env, [key]: value }, stdio: 'ignore' });
  const exited = new Promise<[number | null, string | null]>((resolve) => cli.once('exit', (code, sig) => resolve([code, sig])));
  let seen: MarkedProcess[] = [];
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && cli.exitCode === null) {
    seen = marked(marker).filter((p) => p.pid !== cli.pid && p.cmd.includes(`/experiments/${experiment}/`));
    if (seen.length > 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  cli.kill(signal);
  const [code, sig] = await exited;
  return { code, signal: sig, seen, left: marked(marker) };
}

for (const experiment of ['lazy', 'stack', 'layout']) {
  test(`SIGINT to \`vmprobe report\` while a ${experiment} child runs: exit 130, no child left running, orphaned or zombie`, async () => {
    const r = await interruptDuring(experiment, 'SIGINT');
    assert.ok(r.seen.length > 0, `no ${experiment} child was seen running before the report ended (exit ${r.code})`);
    assert.equal(r.code, 130, `the CLI ended with code ${r.code} signal ${r.signal}; children seen: ${JSON.stringify(r.seen)}`);
    assert.deepEqual(r.left, [], `processes left behind: ${JSON.stringify(r.left)}`);
  });
}

test('SIGTERM during the stack experiment: exit 143 and nothing left behind', async () => {
  const r = await interruptDuring('stack', 'SIGTERM');
  assert.ok(r.seen.length > 0, 'no stack child was seen');
  assert.equal(r.code, 143, `code ${r.code} signal ${r.signal}`);
  assert.deepEqual(r.left, [], `processes left behind: ${JSON.stringify(r.left)}`);
});
