// `explain --pid` without the agent finds V8's heap by the shape of its pages
// (lib/explain/v8-shape.ts). A replacement malloc maps regions of the same shape: measured
// here, 50 MiB of Buffers in jemalloc's extents came out as "JS heap" (55.4 MiB, against
// 3.0 MiB for the same program under glibc). The row must then say it is an upper bound
// and name the library; under glibc it must not.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { captureMemory } from '../../lib/explain/capture';
import { explainCapture } from '../../lib/explain/index';
import { findAllocators } from '../../lib/experiments/allocators/find-allocators';

const HOLD = "globalThis.k = []; for (let i = 0; i < 32; i++) k.push(Buffer.alloc(1 << 20, 1)); process.stdout.write('ready\\n'); setTimeout(() => {}, 60000);";

async function holder(preload: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', HOLD], { env: { ...process.env, LD_PRELOAD: preload }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', () => resolve());
  });
  return child;
}

function jsHeapRow(pid: number): { label: string; from: string } {
  const row = explainCapture(captureMemory({ pid })).owners.find((o) => o.id === 'js-heap');
  assert.ok(row, 'a js-heap row');
  return { label: row.label, from: row.from };
}

const jemalloc = findAllocators().jemalloc;

test('under LD_PRELOAD jemalloc the by-shape JS heap row says "upper bound" and names libjemalloc; under glibc it does not',
  { skip: jemalloc.status === 'found' ? false : `jemalloc is not installed (Debian package ${jemalloc.debianPackage})`, timeout: 60_000 }, async (t) => {
    const plain = await holder('');
    t.after(() => plain.kill('SIGKILL'));
    const preloaded = await holder(jemalloc.status === 'found' ? jemalloc.path : '');
    t.after(() => preloaded.kill('SIGKILL'));
    const glibcRow = jsHeapRow(plain.pid ?? 0);
    assert.doesNotMatch(glibcRow.label, /upper bound/, glibcRow.from);
    const jeRow = jsHeapRow(preloaded.pid ?? 0);
    assert.match(jeRow.label, /, upper bound$/, jeRow.from);
    assert.match(jeRow.from, /this process maps libjemalloc\.so\.2, whose own regions can have that shape/);
  });
