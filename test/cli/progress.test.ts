// Progress of `vmprobe report` on a terminal (issue 14): stderr shows step k of n, the
// experiment and the time since the command started, on one line rewritten in place;
// nothing of it reaches stdout, and nothing is shown when stderr is not a terminal.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runCommand, type CliIo } from '../../lib/cli/command';

function capture(stderrIsTty: boolean): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out, err,
    io: { stdout: { write: (t: string) => out.push(t), isTTY: false }, stderr: { write: (t: string) => err.push(t), isTTY: stderrIsTty } },
  };
}

test('report progress on a TTY: "[k/n] experiment … · elapsed s" per step, cleared at the end, never on stdout', { timeout: 120_000 }, async () => {
  const c = capture(true);
  const code = await runCommand(['report', '--only', 'lazy,layout'], c.io);
  assert.equal(code, 0, c.err.join(''));
  const lines = c.err.filter((t) => t.startsWith('\r\x1b[K…'));
  assert.match(lines[0] ?? '', /^\r\x1b\[K… \[1\/2\] lazy: starting · \d+\.\d s$/, JSON.stringify(lines));
  assert.ok(lines.some((l) => /^\r\x1b\[K… \[2\/2\] layout: starting · \d+\.\d s$/.test(l)), JSON.stringify(lines));
  const seconds = lines.map((l) => Number(/· (\d+\.\d) s$/.exec(l)?.[1]));
  assert.deepEqual([...seconds].sort((a, b) => a - b), seconds, `elapsed time never goes back: ${seconds.join(', ')}`);
  assert.equal(c.err[c.err.length - 1], '\r\x1b[K', 'the progress line is cleared before the report');
  assert.ok(!c.out.join('').includes('starting'), 'no progress on stdout');
});

test('no progress when stderr is not a terminal', { timeout: 120_000 }, async () => {
  const c = capture(false);
  assert.equal(await runCommand(['report', '--only', 'lazy'], c.io), 0);
  assert.deepEqual(c.err, []);
});
