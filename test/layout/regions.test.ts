// Tests for lib/layout-regions: the classifier on captured maps texts of several
// shapes and on the live process.
//
// Fixtures (test/fixtures/layout/, captured on the development host, 4096-byte pages):
//   pie-cat.maps        `cat /proc/self/maps`: /usr/bin/cat is a PIE (ELF type DYN).
//   node-threads.maps   /proc/self/maps of `node` (a non-PIE, ELF type EXEC, at 0x400000)
//   node-threads.sps    with 4 worker threads running, and the stack pointers of its 10
//                       other threads from /proc/self/task/<tid>/syscall.
//   ../proc/edge/maps   hand-written: names with spaces, (deleted) files, memfd,
//                       [anon:…], a pre-4.5 [stack:tid], a 5-level paging address.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseMaps } from '../../lib/proc/maps';
import { classifyRegions, findGaps, regionAt, zoneOrder, segmentOf, zoneOf, type Region, type RegionKind } from '../../lib/layout/regions';
import { readLayout, layoutAddresses, parseSyscallStackPointer } from '../../lib/layout/probes';
import { malloc } from '../../lib/memory/heap';
import { map } from '../../lib/memory/mapping';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');
const kindsOf = (regions: Region[], pathName: string): RegionKind[] => regions.filter((r) => r.path === pathName || r.objectPath === pathName).map((r) => r.kind);
const at = (regions: Region[], address: string): RegionKind | undefined => regionAt(regions, BigInt(address))?.kind;

test('PIE (cat): its own mappings are text/rodata/relro/data, libraries lib-*, and the textbook order holds', () => {
  const regions = classifyRegions(parseMaps(fixture('layout/pie-cat.maps')), { executablePath: '/usr/bin/cat' });
  assert.deepEqual(kindsOf(regions, '/usr/bin/cat'), ['rodata', 'text', 'rodata', 'relro', 'data']);
  assert.deepEqual(kindsOf(regions, '/usr/lib/x86_64-linux-gnu/libc.so.6'), ['lib-rodata', 'lib-text', 'lib-rodata', 'lib-relro', 'lib-data', 'lib-bss']);
  assert.equal(at(regions, '0x55bcb425a000'), 'heap');
  assert.equal(at(regions, '0x7ffdfc042000'), 'stack');
  assert.equal(at(regions, '0x7f2a5f58f000'), 'vdso');
  assert.equal(regions[regions.length - 1]?.kind, 'vsyscall');
  // Locale files are read-only file mappings without code: plain files, not libraries.
  assert.ok(regions.filter((r) => r.path?.startsWith('/usr/lib/locale/')).every((r) => r.kind === 'file'));
  assert.deepEqual(zoneOrder(regions), ['stack', 'mmap', 'heap', 'data', 'text']);
});

test('non-PIE node with worker threads: 0x400000 executable, bss after data, V8\'s builtins remap is a file mapping, thread stacks with guards', () => {
  const entries = parseMaps(fixture('layout/node-threads.maps'));
  const sps = fixture('layout/node-threads.sps').trim().split('\n').map((s) => BigInt(s));
  const regions = classifyRegions(entries, { executablePath: '/usr/bin/node', threadStackPointers: sps });
  const exe = regions.filter((r) => r.objectPath === '/usr/bin/node');
  assert.equal(exe[0]?.start, 0x400000n);
  assert.deepEqual(exe.map((r) => r.kind), ['rodata', 'text', 'text', 'text', 'rodata', 'relro', 'data', 'bss']);
  const remapped = regions.filter((r) => r.path === '/usr/bin/node' && r.start > 0x7f0000000000n);
  assert.ok(remapped.length >= 1 && remapped.every((r) => r.kind === 'file'), `remapped builtins: ${remapped.map((r) => r.kind).join(',')}`);
  const stacks = regions.filter((r) => r.kind === 'thread-stack');
  // Every stack pointer lies in a thread-stack region; threads never share one.
  for (const sp of sps) assert.equal(regionAt(regions, sp)?.kind, 'thread-stack', `sp 0x${sp.toString(16)}`);
  assert.equal(stacks.length, new Set(sps.map((sp) => regionAt(regions, sp)?.start)).size);
  assert.equal(stacks.length, sps.length, `${stacks.length} thread-stack regions for ${sps.length} stack pointers`);
  for (const s of stacks) {
    const below = regions[regions.indexOf(s) - 1];
    assert.equal(below?.kind, 'guard', `below the stack at 0x${s.start.toString(16)}: ${below?.kind} ${below?.perms}`);
  }
  assert.deepEqual(zoneOrder(regions), ['stack', 'mmap', 'heap', 'data', 'text']);
});

test('hand-written edge cases: spaces in names, deleted files, memfd, named anonymous memory, [stack:tid]', () => {
  const regions = classifyRegions(parseMaps(fixture('proc/edge/maps')));
  const byPath = (p: string): Region | undefined => regions.find((r) => r.path === p);
  // With no executable path given, the first file-backed mapping's file is the executable.
  assert.deepEqual(kindsOf(regions, '/usr/bin/my prog'), ['text', 'data']);
  assert.equal(byPath('[heap]')?.kind, 'heap');
  assert.equal(byPath('/memfd:shm buf')?.kind, 'file');
  assert.equal(byPath('/memfd:shm buf')?.deleted, true);
  assert.equal(byPath('/tmp/a file  with two  spaces')?.kind, 'file');
  assert.equal(byPath('[anon:foo bar]')?.kind, 'anonymous');
  assert.equal(byPath('[stack:1234]')?.kind, 'thread-stack');
  assert.equal(byPath('[anon:la57 high]')?.kind, 'anonymous');
  assert.equal(byPath('[vvar]')?.kind, 'vvar');
  assert.equal(byPath('[vsyscall]')?.kind, 'vsyscall');
  assert.equal(zoneOf('vsyscall'), 'kernel');
  assert.equal(segmentOf('lib-bss'), 'bss');
  assert.equal(segmentOf('heap'), null);
});

test('findGaps lists every hole between consecutive regions with its exact size', () => {
  const regions = classifyRegions(parseMaps(fixture('layout/pie-cat.maps')));
  const gaps = findGaps(regions);
  for (const g of gaps) assert.equal(BigInt(g.sizeBytes), g.end - g.start);
  const mapped = regions.reduce((n, r) => n + BigInt(r.sizeBytes), 0n);
  const free = gaps.reduce((n, g) => n + BigInt(g.sizeBytes), 0n);
  const first = regions[0] as Region;
  const last = regions[regions.length - 1] as Region;
  assert.equal(mapped + free, last.end - first.start);
});

test('parseSyscallStackPointer reads the sp field, and null for a running thread', () => {
  assert.equal(parseSyscallStackPointer('202 0x2ea3f9a0 0x189 0x0 0x0 0x0 0xffffffff 0x7ff0ab21bc70 0x7ff0abaa3f16\n'), 0x7ff0ab21bc70n);
  assert.equal(parseSyscallStackPointer('running\n'), null);
  assert.equal(parseSyscallStackPointer('-1 0x7ffc 0x0\n'), null);
});

test('live process: each probe address lands in a region of its kind', () => {
  // 4 KiB: above glibc's tcache (at most 1,032 B), which is per thread, not per arena, and
  // can hand the main thread a small chunk another thread's arena owns (a worker's object
  // freed on the main thread); below the mmap threshold, so the main arena serves it.
  const block = malloc({ sizeBytes: 4096 });
  const mapping = map({ sizeBytes: 4096 * 4 });
  try {
    const regions = readLayout();
    const a = layoutAddresses();
    const page = BigInt(4096);
    const firstWholeBss = (a.bssArray + page - 1n) / page * page;
    const expect: Array<[string, bigint, RegionKind]> = [
      ['text', a.text, 'lib-text'], ['rodata', a.rodata, 'lib-rodata'], ['data', a.data, 'lib-data'], ['bss', firstWholeBss, 'lib-bss'],
      ['heap', block.address as bigint, 'heap'], ['mmap', mapping.address as bigint, 'anonymous'], ['stack', a.stack, 'stack'],
    ];
    for (const [name, address, kind] of expect) {
      const r = regionAt(regions, address);
      assert.equal(r?.kind, kind, `${name} probe 0x${address.toString(16)} is in ${r?.kind} ${r?.perms} ${r?.path}`);
    }
    assert.equal(regionAt(regions, a.text)?.objectPath, a.addonPath);
  } finally {
    block.free();
    mapping.unmap();
  }
});
