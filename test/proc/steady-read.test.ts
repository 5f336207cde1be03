// readProcTextsSteadily (lib/proc/read.ts): several /proc files read in a row with no
// allocation between their read() calls, and the layout check that rests on it
// (mapsVersusVmSize): exact even when every malloc is an mmap (MALLOC_MMAP_THRESHOLD_=0),
// where vmprobe's own allocations between the pages of a maps read once showed 8 KiB
// that VmSize did not have.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readProcText, readProcTextsSteadily } from '../../lib/proc/read';

test('the texts come back in order and equal what readProcText reads, also when the first buffer is too small', () => {
  const [environ, cmdline] = readProcTextsSteadily('self', ['environ', 'cmdline'], 16);
  assert.equal(environ, readProcText('self', 'environ'));
  assert.equal(cmdline, readProcText('self', 'cmdline'));
  const [maps] = readProcTextsSteadily(process.pid, ['maps'], 64);
  assert.match(maps ?? '', /\[stack\]/);
});

test('bad arguments and a missing process: the errors of readProcText', () => {
  assert.throws(() => readProcTextsSteadily('self', ['../etc/passwd']), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => readProcTextsSteadily(0, ['maps']), { code: 'ERR_INVALID_ARG_VALUE' });
  const max = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  let pid = max - 1;
  while (fs.existsSync(`/proc/${pid}`)) pid--;
  assert.throws(() => readProcTextsSteadily(pid, ['status']), { code: 'ENOENT', message: new RegExp(`Cannot read /proc/${pid}/status \\(is process ${pid} alive`) });
});

test('under MALLOC_MMAP_THRESHOLD_=0 (every malloc an mmap) maps accounts for VmSize exactly, read after read', () => {
  const checks = path.join(__dirname, '..', '..', 'lib', 'experiments', 'layout', 'checks.js');
  const script = `const { mapsVersusVmSize } = require(${JSON.stringify(checks)});
    const out = [];
    for (let i = 0; i < 5; i++) { const x = mapsVersusVmSize('self'); out.push({ stable: x.stable, extraBytes: x.mapsTotalBytes - x.gateBytes - x.vmSizeBytes }); }
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, MALLOC_MMAP_THRESHOLD_: '0' }, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const reads = JSON.parse(r.stdout) as Array<{ stable: boolean; extraBytes: number }>;
  for (const [i, x] of reads.entries()) {
    assert.ok(x.stable, `read ${i + 1}: never stable in 20 attempts`);
    assert.equal(x.extraBytes, 0, `read ${i + 1}: maps lists ${x.extraBytes} bytes more than VmSize (besides the vsyscall page)`);
  }
});
