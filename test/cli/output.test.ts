// The `vmprobe` command writing to a reader that went away: `vmprobe report --json | head -1`
// and `vmprobe lazy | true` close the pipe early. vmprobe must stop quietly — exit 141
// (128 + SIGPIPE, as a Unix tool killed by SIGPIPE) or 0 when everything fit in the pipe
// first — with nothing on stderr: no stack trace, no "Unhandled 'error' event".
// Real pipes, through bash (PIPESTATUS gives vmprobe's own status).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLOSED_OUTPUT_EXIT_CODE } from '../../lib/cli/output';
import { CLI } from '../helpers/cli';

/** Runs `node CLI args | reader` in bash; vmprobe's exit status, its stderr, and what the reader printed. */
function piped(args: string[], reader: string, t: { after: (fn: () => void) => void }): { status: number; stderr: string; readerOut: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-pipe-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const errFile = path.join(dir, 'stderr');
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync('bash', ['-c', `${quoted} 2>'${errFile}' | ${reader}; echo "status=\${PIPESTATUS[0]}" >&2`], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const m = /status=(\d+)/.exec(r.stderr);
  assert.ok(m, r.stderr);
  return { status: Number(m[1]), stderr: fs.readFileSync(errFile, 'utf8'), readerOut: r.stdout };
}

test('stdout closed before vmprobe writes (`vmprobe lazy --json | true`): exit 141, nothing on stderr', (t) => {
  // `true` exits at once; the experiment takes far longer, so the pipe is closed before the first write.
  for (const args of [['lazy', '--json', '--size', '4MiB'], ['lazy', '--size', '4MiB']]) {
    const r = piped(args, 'true', t);
    assert.equal(r.status, CLOSED_OUTPUT_EXIT_CODE, `vmprobe ${args.join(' ')} | true: exit ${r.status}\n${r.stderr}`);
    assert.equal(r.stderr, '', `vmprobe ${args.join(' ')} | true wrote to stderr`);
  }
});

test('`vmprobe report --json | head -1` stops quietly: the first line arrives, exit 141 or 0, nothing on stderr', (t) => {
  const r = piped(['report', '--json', '--only', 'lazy,layout', '--size', '4MiB'], 'head -1', t);
  assert.equal(r.readerOut, '{\n');
  assert.ok(r.status === CLOSED_OUTPUT_EXIT_CODE || r.status === 0, `exit ${r.status}\n${r.stderr}`);
  assert.equal(r.stderr, '');
});
