// `vmprobe layout --pid P` on processes in every state the kernel shows (lib/experiments/
// layout/target.ts): each gets a correct map (exit 0, regions) or one clear coded error
// (exit 1, ERR_VMPROBE_NO_ADDRESS_SPACE / EACCES), never a run of verdicts over an empty map.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readTarget } from '../../../lib/experiments/layout/target';
import { readStatus, type ProcStatus } from '../../../lib/proc/status';

const CLI = path.join(__dirname, '..', '..', '..', 'lib', 'cli', 'main.js');

function layoutOf(pid: number, uid?: number): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'layout', '--pid', String(pid), '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...(uid === undefined ? {} : { uid, gid: uid }) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function stateOf(pid: number): string {
  return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
}

async function waitFor(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

function assertMapped(pid: number, label: string): void {
  const r = layoutOf(pid);
  assert.equal(r.status, 0, `${label}: ${r.stderr}`);
  const result = JSON.parse(r.stdout) as { measurements: { regions: unknown[]; target: { pid: number } } };
  assert.equal(result.measurements.target.pid, pid);
  assert.ok(result.measurements.regions.length > 5, `${label}: ${result.measurements.regions.length} regions`);
}

function assertNoAddressSpace(pid: number, label: string, why: RegExp): void {
  const r = layoutOf(pid);
  assert.equal(r.status, 1, `${label}: ${r.stderr}`);
  assert.equal(r.stdout, '', `${label}: no verdicts printed`);
  assert.match(r.stderr, /ERR_VMPROBE_NO_ADDRESS_SPACE/, label);
  assert.match(r.stderr, why, label);
  assert.equal(r.stderr.trim().split('\n').length, 1, `${label}: one line: ${r.stderr}`);
}

function sleeper(): ChildProcess {
  return spawn('sleep', ['60'], { stdio: 'ignore' });
}

test('--pid of a sleeping process, and of the same process stopped by SIGSTOP, maps it (exit 0)', async () => {
  const child = sleeper();
  try {
    const pid = child.pid as number;
    await waitFor('sleep to run', () => stateOf(pid) === 'S');
    assertMapped(pid, 'sleeping');
    child.kill('SIGSTOP');
    await waitFor('the stop', () => stateOf(pid) === 'T');
    assertMapped(pid, 'stopped');
  } finally {
    child.kill('SIGKILL');
  }
});

test('--pid of a traced process (strace attached) maps it (exit 0)', async (t) => {
  if (!existsSync('/usr/bin/strace')) return t.skip('no /usr/bin/strace to trace a process with');
  const child = sleeper();
  const tracer = spawn('/usr/bin/strace', ['-p', String(child.pid), '-o', '/dev/null'], { stdio: 'ignore' });
  try {
    const pid = child.pid as number;
    await waitFor('strace to attach', () => /^TracerPid:\s+[1-9]/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')));
    assertMapped(pid, 'traced');
  } finally {
    tracer.kill('SIGKILL');
    child.kill('SIGKILL');
  }
});

test('--pid of a zombie is ERR_VMPROBE_NO_ADDRESS_SPACE naming the zombie (exit 1)', async () => {
  // sh starts a short sleep it never waits for, then becomes a long sleep: the short one stays a zombie.
  const parent = spawn('sh', ['-c', 'sleep 0.05 & exec sleep 60'], { stdio: 'ignore' });
  try {
    let zombie = 0;
    await waitFor('a zombie child', () => {
      const children = readFileSync(`/proc/${parent.pid}/task/${parent.pid}/children`, 'utf8').trim().split(/\s+/).filter((s) => s !== '').map(Number);
      zombie = children.find((c) => stateOf(c) === 'Z') ?? 0;
      return zombie !== 0;
    });
    assertNoAddressSpace(zombie, 'zombie', new RegExp(`process ${zombie} \\(sleep\\) is a zombie`));
  } finally {
    parent.kill('SIGKILL');
  }
});

test('--pid 2 (kthreadd, a kernel thread) is ERR_VMPROBE_NO_ADDRESS_SPACE (exit 1)', (t) => {
  if (!existsSync('/proc/2/status') || !/^Name:\s+kthreadd$/m.test(readFileSync('/proc/2/status', 'utf8'))) return t.skip('pid 2 is not kthreadd here (a pid namespace)');
  assertNoAddressSpace(2, 'kthreadd', /process 2 \(kthreadd\) is a kernel thread/);
});

test('--pid of a root process read as uid nobody is EACCES with a clear reason (exit 1)', (t) => {
  if (process.getuid?.() !== 0) return t.skip('not root: cannot start a child as another user');
  const r = layoutOf(process.pid, 65534);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /permission denied/);
  assert.equal(r.stdout, '');
});

test('a process that exits mid-read (a read failing with ENOENT, or an empty map) is ERR_VMPROBE_NO_ADDRESS_SPACE', () => {
  const live = readStatus('self');
  const enoent = (): never => { throw Object.assign(new Error('gone'), { code: 'ENOENT' }); };
  assert.throws(() => readTarget(process.pid, enoent, () => false, () => live),
    { code: 'ERR_VMPROBE_NO_ADDRESS_SPACE', message: new RegExp(`process ${process.pid} exited while it was being read \\(ENOENT\\)`) });
  // The map came back empty and the status now says zombie.
  let calls = 0;
  const dying = (): ProcStatus => (calls++ === 0 ? live : { ...live, state: 'Z' });
  assert.throws(() => readTarget(process.pid, () => [], (r) => r.length === 0, dying), { code: 'ERR_VMPROBE_NO_ADDRESS_SPACE', message: /is a zombie/ });
  // Status gone after the read: reaped.
  calls = 0;
  const reaped = (): ProcStatus => (calls++ === 0 ? live : enoent());
  assert.throws(() => readTarget(process.pid, () => [], (r) => r.length === 0, reaped), { code: 'ERR_VMPROBE_NO_ADDRESS_SPACE', message: /exited while it was being read/ });
  // A live process reads through.
  assert.deepEqual(readTarget(process.pid, () => [1], (r) => r.length === 0, () => live), [1]);
});

test('--pid of a short-lived process that exits before or while vmprobe reads it: exit 0 with a map or exit 1 with a clear reason, never empty verdicts', () => {
  for (let i = 0; i < 3; i++) {
    const child = spawn('sleep', ['0.3'], { stdio: 'ignore' });
    const r = layoutOf(child.pid as number);
    if (r.status === 0) assert.ok((JSON.parse(r.stdout) as { measurements: { regions: unknown[] } }).measurements.regions.length > 0);
    else {
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /ERR_VMPROBE_NO_ADDRESS_SPACE|no process|exited/, r.stderr);
    }
    child.kill('SIGKILL');
  }
});

test('--pid P labels whose process each claim measured: P\'s map, or vmprobe\'s own probes and children (never unlabelled)', async () => {
  const child = sleeper();
  try {
    const pid = child.pid as number;
    await waitFor('sleep to run', () => stateOf(pid) === 'S');
    const r = layoutOf(pid);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { measurements: { target: { pid: number; vmprobePid: number } }; claims: Array<{ id: string; summary: string; evidence: { measuredProcess?: { subject: string; targetPid: number; vmprobePid: number } } }> };
    const vmprobePid = result.measurements.target.vmprobePid;
    assert.notEqual(vmprobePid, pid);
    for (const c of result.claims) {
      const m = c.evidence.measuredProcess;
      assert.ok(m !== undefined, `${c.id}: no measuredProcess`);
      assert.deepEqual([m.targetPid, m.vmprobePid], [pid, vmprobePid], c.id);
      const expected = m.subject === 'target' ? `process ${pid}: ` : m.subject === 'vmprobe' ? `vmprobe's own process (pid ${vmprobePid})` : `process ${pid}'s map, with vmprobe's own`;
      assert.ok(c.summary.startsWith(expected), `${c.id} (${m.subject}): ${c.summary}`);
    }
    const byId = new Map(result.claims.map((c) => [c.id, c.evidence.measuredProcess?.subject]));
    // The thread count is the target's (sleep has one thread), the ASLR samples vmprobe's children.
    assert.equal(byId.get('layout.thread-stacks'), 'target');
    assert.match(result.claims.find((c) => c.id === 'layout.thread-stacks')?.summary ?? '', new RegExp(`^process ${pid}: 1 threads`));
    assert.equal(byId.get('layout.aslr'), 'vmprobe');
    const text = spawnSync(process.execPath, [CLI, 'layout', '--pid', String(pid)], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.match(text.stdout, new RegExp(`bss and data of the addon \\(vmprobe's own, pid \\d+, not process ${pid}`));
  } finally {
    child.kill('SIGKILL');
  }
});
