// Tests for lib/system/memory-headroom.ts (MemAvailable and the cgroup memory limit, read
// from the host) and the CLI's refusal of a size that would push the host into swap or
// the OOM killer (lib/cli/memory-guard.ts): refused with a one-line hint, exit 2, nothing
// allocated — unless --force. No test allocates beyond memory.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  memoryCgroupDirectories, parseCgroupBytes, parseCgroupMemberships, parseCgroupMounts, parseMemAvailable, readMemoryHeadroom,
  tightestCgroupLimit, type MemoryHeadroom,
} from '../../lib/system/memory-headroom';
import { checkOptions } from '../../lib/cli/option-values';
import { UsageError } from '../../lib/cli/usage-error';
import { constants as bufferConstants } from 'node:buffer';
import { getrlimit } from '../../lib/index';
import { CLI } from '../helpers/cli';

const MiB = 1024 * 1024;

test('parseMemAvailable reads the kB field as bytes; null when the kernel has none', () => {
  assert.equal(parseMemAvailable('MemTotal:       16000000 kB\nMemFree:  100 kB\nMemAvailable:   12345678 kB\n'), 12345678 * 1024);
  assert.equal(parseMemAvailable('MemTotal: 1 kB\nMemFree: 1 kB\n'), null);
});

test('/proc/self/cgroup and mountinfo parse into memberships and cgroup mounts (v1, v2, escaped paths)', () => {
  assert.deepEqual(parseCgroupMemberships('12:memory:/a/b\n4:cpu,cpuacct:/\n0::/user.slice/x.scope\n'), [
    { hierarchyId: 12, controllers: ['memory'], path: '/a/b' },
    { hierarchyId: 4, controllers: ['cpu', 'cpuacct'], path: '/' },
    { hierarchyId: 0, controllers: [], path: '/user.slice/x.scope' },
  ]);
  const mounts = parseCgroupMounts([
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    '41 31 0:38 /ns /sys/fs/cgroup/uni\\040fied rw,relatime - cgroup2 cgroup2 rw',
  ].join('\n'));
  assert.deepEqual(mounts, [
    { version: 1, mountPoint: '/sys/fs/cgroup/memory', root: '/', controllers: ['rw', 'memory'] },
    { version: 2, mountPoint: '/sys/fs/cgroup/uni fied', root: '/ns', controllers: [] },
  ]);
});

test('memoryCgroupDirectories lists the cgroup and its ancestors up to the mount, for v2 and the v1 memory hierarchy', () => {
  const v2 = [{ version: 2 as const, mountPoint: '/sys/fs/cgroup', root: '/', controllers: [] }];
  assert.deepEqual(memoryCgroupDirectories(parseCgroupMemberships('0::/user.slice/app.scope\n'), v2), [
    { version: 2, directories: ['/sys/fs/cgroup/user.slice/app.scope', '/sys/fs/cgroup/user.slice', '/sys/fs/cgroup'] },
  ]);
  // A cgroup namespace or bind mount shows a subtree: the path is taken below the mount's root.
  assert.deepEqual(memoryCgroupDirectories(parseCgroupMemberships('0::/ns/job\n'), [{ ...v2[0] as (typeof v2)[0], root: '/ns' }]), [
    { version: 2, directories: ['/sys/fs/cgroup/job', '/sys/fs/cgroup'] },
  ]);
  const hybrid = parseCgroupMemberships('4:memory:/box\n0::/\n');
  const mounts = [{ version: 1 as const, mountPoint: '/sys/fs/cgroup/memory', root: '/', controllers: ['rw', 'memory'] }, { version: 2 as const, mountPoint: '/sys/fs/cgroup/unified', root: '/', controllers: [] }];
  assert.deepEqual(memoryCgroupDirectories(hybrid, mounts), [
    { version: 2, directories: ['/sys/fs/cgroup/unified'] },
    { version: 1, directories: ['/sys/fs/cgroup/memory/box', '/sys/fs/cgroup/memory'] },
  ]);
  assert.deepEqual(memoryCgroupDirectories(hybrid, []), [], 'nothing mounted: nothing to read');
});

test('cgroup memory files: "max" and v1\'s near-2^63 "no limit" are no limit; the tightest limit minus usage over the ancestors binds', () => {
  assert.equal(parseCgroupBytes('max\n'), null);
  assert.equal(parseCgroupBytes('9223372036854771712\n'), null);
  assert.equal(parseCgroupBytes('536870912\n'), 512 * MiB);
  const files: Record<string, string> = {
    '/cg/a/b/memory.max': 'max', '/cg/a/b/memory.current': String(10 * MiB),
    '/cg/a/memory.max': String(300 * MiB), '/cg/a/memory.current': String(200 * MiB),
    '/cg/memory.max': String(1024 * MiB), '/cg/memory.current': String(500 * MiB),
  };
  const read = (f: string): string | null => files[f] ?? null;
  assert.deepEqual(tightestCgroupLimit(2, ['/cg/a/b', '/cg/a', '/cg'], read), { version: 2, directory: '/cg/a', limitBytes: 300 * MiB, usageBytes: 200 * MiB, headroomBytes: 100 * MiB });
  assert.equal(tightestCgroupLimit(2, ['/cg/a/b'], read), null, 'no limit in the only directory read');
  const host = readMemoryHeadroom((f) => ({
    '/proc/meminfo': 'MemAvailable:   2097152 kB\n', '/proc/self/cgroup': '0::/a/b\n',
    '/proc/self/mountinfo': '41 31 0:38 / /cg rw - cgroup2 cgroup2 rw\n',
  } as Record<string, string>)[f] ?? read(f));
  assert.equal(host.memAvailableBytes, 2048 * MiB);
  assert.equal(host.cgroup?.directory, '/cg/a');
  assert.equal(host.headroomBytes, 100 * MiB, 'the cgroup leaves less than MemAvailable');
  assert.deepEqual(readMemoryHeadroom(() => null), { memAvailableBytes: null, cgroup: null, headroomBytes: null });
});

test('readMemoryHeadroom().memAvailableBytes agrees with `free -b` (procps) within 256 MiB; the headroom is at most it', (t) => {
  const free = spawnSync('free', ['-b'], { encoding: 'utf8' });
  if (free.error !== undefined || free.status !== 0) {
    t.skip('procps `free` is not installed: no independent reader of MemAvailable');
    return;
  }
  const h = readMemoryHeadroom();
  const header = (free.stdout.split('\n')[0] ?? '').trim().split(/\s+/);
  const mem = (free.stdout.split('\n').find((l) => l.startsWith('Mem:')) ?? '').trim().split(/\s+/);
  const available = Number(mem[header.indexOf('available') + 1]);
  assert.ok(h.memAvailableBytes !== null && Number.isFinite(available), `${JSON.stringify(h)} / ${free.stdout}`);
  assert.ok(Math.abs(h.memAvailableBytes - available) < 256 * MiB, `vmprobe read MemAvailable ${h.memAvailableBytes}, free says ${available}`);
  assert.ok(h.headroomBytes !== null && h.headroomBytes <= h.memAvailableBytes);
});

/** Runs the CLI from a fresh node that reports RUSAGE_CHILDREN's peak RSS: its only child is the CLI, so that is the CLI's peak. */
function cliWithPeak(args: string[]): { status: number | null; stderr: string; peakRssBytes: number } {
  const script = `const { spawnSync } = require('node:child_process');
const { getrusage } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'lib', 'index.js'))});
const r = spawnSync(process.execPath, ${JSON.stringify([CLI, ...args])}, { encoding: 'utf8' });
process.stdout.write(JSON.stringify({ status: r.status, stderr: r.stderr, peakRssBytes: getrusage('children').maxRssBytes }));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { status: number | null; stderr: string; peakRssBytes: number };
}

test('a size just above MemAvailable is refused (exit 2, one line naming it, what binds and --force), and nothing is allocated', () => {
  const h = readMemoryHeadroom();
  assert.ok(h.headroomBytes !== null && h.memAvailableBytes !== null, JSON.stringify(h));
  const above = h.memAvailableBytes + MiB;
  const hard = getrlimit('stack').hard;
  // MemAvailable moves as other processes allocate and free, but lazy and stack hold twice
  // their size at their peak: a size a MiB above MemAvailable is refused by a wide margin.
  // A value beyond what the experiment can take at all (lazy's Buffer limit, the hard
  // RLIMIT_STACK) is refused by that bound first.
  const cases = [
    ['lazy', '--size', above, above > bufferConstants.MAX_LENGTH ? /must be at least 1 byte and at most .*buffer\.constants\.MAX_LENGTH/ : null],
    ['stack', '--limit', above, above > hard ? /must be .*the hard RLIMIT_STACK/ : null],
  ] as const;
  for (const [command, flag, bytes, bound] of cases) {
    const r = cliWithPeak([command, flag, String(bytes), '--json']);
    assert.equal(r.status, 2, `${command} ${flag} ${bytes}: ${r.stderr}`);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0] ?? '', bound ?? new RegExp(`^vmprobe: ${flag} ${bytes} \\(about [\\d.]+ \\w+ resident at its peak\\) exceeds the [\\d.]+ \\w+ this host can still give without swapping or the OOM killer \\((MemAvailable in /proc/meminfo|the memory cgroup .*)\\); use a size below [\\d.]+ \\w+, or add --force to run it anyway$`));
    assert.match(lines[0] ?? '', new RegExp(`${flag}.*${bytes}`));
    assert.match(lines[1] ?? '', new RegExp(`^Usage: vmprobe ${command} `));
    // A refused run stays at node's own size: far below what it was asked to make resident.
    assert.ok(r.peakRssBytes < 256 * MiB, `the refused \`vmprobe ${command} ${flag} ${bytes}\` peaked at ${r.peakRssBytes} bytes RSS`);
  }
});

test('--force lets such a size through the checks (seen by the next check failing instead; nothing runs)', (t) => {
  const h = readMemoryHeadroom();
  assert.ok(h.memAvailableBytes !== null);
  const big = h.memAvailableBytes + MiB;
  // A value the experiment can take but the host cannot give: stack's --limit up to the hard limit, or lazy's --size up to the Buffer limit.
  const hard = getrlimit('stack').hard;
  const [command, flag] = big <= hard ? ['stack', '--limit'] : ['lazy', '--size'];
  if (command === 'lazy' && big > bufferConstants.MAX_LENGTH) {
    t.skip(`MemAvailable ${h.memAvailableBytes} is beyond both the hard RLIMIT_STACK and the Buffer limit: no size passes the bounds and fails the guard`);
    return;
  }
  const refused = spawnSync(process.execPath, [CLI, command, flag, String(big), '--node-flags=--no-such-node-flag'], { encoding: 'utf8' });
  assert.match(refused.stderr, new RegExp(`^vmprobe: ${flag} ${big} .*exceeds`), 'without --force the guard refuses it first');
  const r = spawnSync(process.execPath, [CLI, command, flag, String(big), '--force', '--node-flags=--no-such-node-flag'], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^vmprobe: --node-flags '--no-such-node-flag' are not flags this node accepts/);
  // In process, with a known headroom: refused without --force, accepted with it.
  const headroom = (): MemoryHeadroom => ({ memAvailableBytes: 100 * MiB, cgroup: null, headroomBytes: 100 * MiB });
  assert.throws(() => checkOptions('lazy', { size: '60MiB' }, headroom), (err: unknown) => err instanceof UsageError && /--size 60MiB \(about 120\.0 MiB resident at its peak\) exceeds the 100\.0 MiB/.test(err.message));
  assert.equal(checkOptions('lazy', { size: '60MiB', force: true }, headroom).options.sizeBytes, 60 * MiB);
  assert.equal(checkOptions('lazy', { size: '40MiB' }, headroom).options.sizeBytes, 40 * MiB, 'a peak within the headroom passes');
  assert.equal(checkOptions('malloc', { size: '1GiB' }, headroom).options.sizeBytes, 1024 ** 3, "malloc's sweep size does not drive its memory (10 times the headroom passes)");
});

test('in a memory cgroup with a 256 MiB limit, the cgroup binds: a size beyond its headroom is refused naming it', (t) => {
  const h = readMemoryHeadroom();
  const hierarchies = memoryCgroupDirectories(parseCgroupMemberships(fs.readFileSync('/proc/self/cgroup', 'utf8')), parseCgroupMounts(fs.readFileSync('/proc/self/mountinfo', 'utf8')));
  // The hierarchy that accounts this process's memory: its cgroup has the usage file.
  const usable = hierarchies.find((x) => fs.existsSync(path.join(x.directories[0] ?? '/nonexistent', x.version === 2 ? 'memory.current' : 'memory.usage_in_bytes')));
  if (usable === undefined || process.getuid?.() !== 0) {
    t.skip(usable === undefined ? 'no memory cgroup this process can see' : 'not root: cannot create a cgroup');
    return;
  }
  const dir = path.join(usable.directories[0] as string, `vmprobe-test-${process.pid}`);
  try {
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, usable.version === 2 ? 'memory.max' : 'memory.limit_in_bytes'), String(256 * MiB));
  } catch (err) {
    try { fs.rmdirSync(dir); } catch { /* not created */ }
    t.skip(`cannot create a memory cgroup with a limit under ${usable.directories[0]}: ${(err as Error).message}`);
    return;
  }
  t.after(() => fs.rmdirSync(dir));
  const inCgroup = (args: string[]): { status: number | null; stderr: string } => {
    const r = spawnSync('/bin/sh', ['-c', `echo $$ > "$0/cgroup.procs" && exec "$@"`, dir, process.execPath, CLI, ...args], { encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  };
  if (h.headroomBytes !== null && h.headroomBytes <= 512 * MiB) {
    t.skip(`this host has only ${h.headroomBytes} bytes available: a 256 MiB cgroup limit would not be what binds`);
    return;
  }
  const refused = inCgroup(['lazy', '--size', '160MiB', '--json']);
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, new RegExp(`^vmprobe: --size 160MiB \\(about 320\\.0 MiB resident at its peak\\) exceeds the .* \\(the memory cgroup ${dir} \\(limit 256\\.0 MiB, `));
  // 16 MiB fits: the guard lets it through (the bad node flag stops it before anything runs).
  const passed = inCgroup(['lazy', '--size', '16MiB', '--node-flags=--no-such-node-flag']);
  assert.equal(passed.status, 2, passed.stderr);
  assert.match(passed.stderr, /^vmprobe: --node-flags/);
});
