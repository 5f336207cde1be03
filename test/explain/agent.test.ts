// The preloadable agent (node -r vmprobe/agent): `explain --pid` of a process running it
// gets that process's V8/malloc figures over a unix socket in a private directory, so the
// Buffers row appears from outside as in-process; the socket goes away at exit.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import { explainCli, startApp, DIST_LIB } from '../helpers/explain-app';
import { agentSocketPath, agentDirectory } from '../../lib/explain/agent-socket';
import type { MemoryBreakdown, OwnerRow } from '../../lib/explain/types';

const MiB = 1024 * 1024;
const find = (rows: readonly OwnerRow[], id: string): OwnerRow | undefined => rows.find((r) => r.id === id);

test('explain --pid of an app started with -r agent: Buffers and JS heap from the app\'s own figures; socket private and removed at exit', async () => {
  const app = await startApp({ EXPLAIN_JS_MIB: '32', EXPLAIN_BUFFER_MIB: '64', EXPLAIN_WORKERS: '2', EXPLAIN_ARENA_MIB: '16' },
    ['-r', path.join(DIST_LIB, 'explain', 'agent.js')]);
  const socket = agentSocketPath(app.facts.pid);
  try {
    assert.ok(fs.existsSync(socket), `no socket at ${socket}`);
    assert.equal(fs.statSync(agentDirectory()).mode & 0o077, 0, 'the socket directory is private to its user');
    const r = explainCli(['--pid', String(app.facts.pid), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const b = JSON.parse(r.stdout) as MemoryBreakdown;
    assert.equal(b.self, false);
    const ext = find(b.owners, 'external');
    assert.ok(ext && Math.abs(ext.rssBytes - 64 * MiB) <= 2 * MiB, `external ${ext?.rssBytes}`);
    const js = find(b.owners, 'js-heap');
    assert.ok(js && js.rssBytes >= 32 * MiB && js.children.length > 0, `js ${js?.rssBytes}`);
    assert.equal(b.owners.reduce((n, o) => n + o.rssBytes, 0), b.totals.rssBytes);
    // --watch asks the agent too, at each full read: the same rows over time.
    const jsonl = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-agent-watch-')), 'samples.jsonl');
    const w = explainCli(['--pid', String(app.facts.pid), '--watch', '--count', '2', '--interval', '100ms', '--jsonl', jsonl]);
    assert.equal(w.status, 0, w.stderr);
    const samples = fs.readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MemoryBreakdown);
    fs.rmSync(path.dirname(jsonl), { recursive: true });
    assert.equal(samples.length, 2);
    for (const [i, sample] of samples.entries()) {
      const wext = find(sample.owners, 'external');
      assert.ok(wext && Math.abs(wext.rssBytes - 64 * MiB) <= 2 * MiB, `watch sample ${i + 1}: external ${wext?.rssBytes} (no agent figures?)`);
      assert.ok((find(sample.owners, 'js-heap')?.children.length ?? 0) > 0, `watch sample ${i + 1}: the JS heap has no V8 spaces`);
    }
    // Anything but the one request is cut off without an answer.
    const answer = await new Promise<string>((resolve) => {
      let got = '';
      const c = net.createConnection(socket, () => c.write('shutdown\n'));
      c.setEncoding('utf8');
      c.on('data', (d: string) => { got += d; });
      c.on('close', () => resolve(got));
      c.on('error', () => resolve(got));
    });
    assert.equal(answer, '');
  } finally {
    await app.stop();
  }
  assert.equal(fs.existsSync(socket), false, 'socket removed at exit');
});
