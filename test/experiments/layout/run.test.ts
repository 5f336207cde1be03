// Tests for the layout experiment on this host: one real run (shared by the tests),
// the probe API's argument checks, the ELF reader, the SVG, and the CLI's --pid.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HEAP_PROBE_BYTES, runLayout, type LayoutResult } from '../../../lib/experiments/layout/index';
import { renderLayoutSvg } from '../../../lib/render/layout-svg';
import { renderLayout, renderLayoutPicture } from '../../../lib/render/layout';
import { probeLabel } from '../../../lib/render/layout-labels';
import { makeStyle } from '../../../lib/render/style';
import { native } from '../../../lib/native/loader';
import { touchSegmentPages, layoutAddresses } from '../../../lib/layout/probes';
import { parseElfBuffer, readElf } from '../../../lib/layout/elf';
import { CLAIMS } from '../../../lib/report/claims';
import * as vmprobe from '../../../lib/index';

const CLI = path.join(__dirname, '..', '..', '..', 'lib', 'cli', 'main.js');
let shared: Promise<LayoutResult> | undefined;
const run = (): Promise<LayoutResult> => (shared ??= runLayout());

test('the result has every layout claim exactly once and survives a JSON round trip', async () => {
  const r = await run();
  const ids = CLAIMS.filter((c) => c.experiment === 'layout').map((c) => c.id);
  assert.deepEqual(r.claims.map((c) => c.id).sort(), [...ids].sort());
  assert.deepEqual(JSON.parse(JSON.stringify({ claims: r.claims, measurements: r.measurements })), { claims: r.claims, measurements: r.measurements });
  const first = r.measurements.regions[0];
  assert.match(first?.start ?? '', /^0x[0-9a-f]+$/);
  for (const key of ['start', 'end', 'perms', 'offsetBytes', 'dev', 'inode', 'path', 'kind']) assert.ok(first && key in first, key);
});

test('each probe address lands in a region of its kind (the 4 KiB malloc probe in [heap], or also mmapped under a lower mmap threshold setting)', async () => {
  const r = await run();
  const p = r.measurements.probes;
  const setting = r.host.malloc.environment['MALLOC_MMAP_THRESHOLD_'] ?? r.host.malloc.glibcTunables['glibc.malloc.mmap_threshold'];
  // A chunk (request + 8, rounded up to 16: 4112 B) at or above a threshold set this low is
  // mmapped when the top chunk cannot serve it (malloc.c sysmalloc), carved from it when it can.
  const heapKinds = setting !== undefined && Number(setting) <= HEAP_PROBE_BYTES + 16 ? ['heap', 'anonymous'] : ['heap'];
  const expected = { text: 'lib-text', rodata: 'lib-rodata', data: 'lib-data', bss: 'lib-bss', mmap: 'anonymous', stack: 'stack' };
  for (const [name, kind] of Object.entries(expected)) {
    assert.equal(p[name as keyof typeof p].regionKind, kind, `${name} at ${p[name as keyof typeof p].address}`);
  }
  assert.ok(heapKinds.includes(p.heap.regionKind ?? 'none'), `heap probe at ${p.heap.address} in ${p.heap.regionKind}, not ${heapKinds.join(' or ')}`);
});

test('ASLR: distinct stack tops in 8 children when randomize_va_space is 2, identical ones under setarch -R', async (t) => {
  const a = (await run()).measurements.aslr;
  const stack = a.randomized.spread.find((s) => s.landmark === 'stackTop');
  assert.equal(a.randomized.samples.length, 8);
  if (a.randomizeVaSpace !== 2) {
    t.skip(`randomize_va_space is ${a.randomizeVaSpace}, not 2`);
    return;
  }
  assert.ok((stack?.distinct ?? 0) >= 2, `only ${stack?.distinct} distinct stack tops in 8 children`);
  if (a.norandomize.batch === null) {
    t.skip(`setarch is not usable here: ${a.norandomize.reason}`);
    return;
  }
  for (const s of a.norandomize.batch.spread) {
    assert.ok(s.distinct <= 1, `${s.landmark}: ${s.distinct} distinct values with ADDR_NO_RANDOMIZE (${s.lowest}..${s.highest})`);
  }
});

test('reading address 0, 0x40 and a kernel address, and writing text, each kill a child with SIGSEGV', async () => {
  const faults = (await run()).measurements.faults;
  assert.deepEqual(faults.map((f) => f.target), ['null', 'small-int', 'kernel', 'text-write']);
  for (const f of faults) assert.equal(f.signal, 'SIGSEGV', `${f.target} at ${f.address}: signal ${f.signal}, exit ${f.exitCode}, survived ${f.survived}`);
  assert.equal(faults[0]?.address, '0x0');
});

test('reading untouched .bss pages takes exactly one fault per page (per huge zero page under THP always) and no memory (zero page)', async () => {
  const r = await run();
  const b = r.measurements.bss;
  assert.ok(b.untouchedFound && b.presentBefore === 0, `present before: ${b.presentBefore}`);
  const hugePages = b.hugeZeroPagesAfter ?? 0;
  if (r.host.thp?.enabled !== 'always' || r.host.thp.useZeroPage !== true) assert.equal(hugePages, 0, 'the huge zero page only under THP always + use_zero_page');
  assert.equal(b.minorFaults + b.majorFaults, (b.hugeZeroBlocksAfter ?? 0) + b.pages - hugePages,
    `${b.minorFaults}+${b.majorFaults} faults for ${b.pages} pages, ${hugePages} of them in ${b.hugeZeroBlocksAfter ?? 0} huge zero pages`);
  assert.equal(b.zeroPagesAfter, b.pages);
  assert.equal(b.privatePagesAfter, 0);
});

test('writing .data pages after reading them: one copy-on-write fault per page, and they stop being file pages', async () => {
  const d = (await run()).measurements.data;
  assert.equal(d.presentAfterRead, d.pages, `after reading, ${d.presentAfterRead} of ${d.pages} present`);
  assert.equal(d.writeMinorFaults, d.writePages, `${d.writeMinorFaults} faults writing ${d.writePages} pages`);
  assert.equal(d.filePagesAfterWrite, 0);
  assert.equal(d.exclusivePagesAfterWrite, d.writePages);
});

test('the addon\'s .bss is NOBITS: 8 MiB in memory, nothing in the file', async () => {
  const e = (await run()).measurements.elf;
  const bss = e.sections.find((s) => s.name === '.bss');
  assert.equal(bss?.type, 'nobits');
  assert.equal(bss?.fileSizeBytes, 0);
  assert.ok((bss?.sizeBytes ?? 0) >= e.bssArrayBytes, `.bss ${bss?.sizeBytes} bytes`);
  assert.ok(e.fileSizeBytes < e.bssArrayBytes, `file ${e.fileSizeBytes} bytes`);
});

test('maps accounts for VmSize exactly once the vsyscall gate page is left out', async (t) => {
  const x = (await run()).measurements.maps;
  if (!x.stable) {
    t.skip('VmSize moved during every read of /proc/self/maps and status: nothing exact to compare');
    return;
  }
  assert.equal(x.mapsTotalBytes - x.gateBytes, x.vmSizeBytes);
});

/** A minimal XML well-formedness check: balanced tags, quoted attributes, known entities only. */
function assertWellFormedXml(xml: string): void {
  const stack: string[] = [];
  const tokens = xml.match(/<[^>]*>|[^<]+/g) ?? [];
  for (const tok of tokens) {
    if (!tok.startsWith('<')) {
      assert.doesNotMatch(tok, /&(?!(amp|lt|gt|quot|apos);)/, `bad entity in ${tok.slice(0, 60)}`);
      continue;
    }
    const m = /^<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>$/.exec(tok);
    assert.ok(m, `malformed tag ${tok.slice(0, 80)}`);
    const [, close, name, , selfClose] = m;
    if (close) assert.equal(stack.pop(), name, `closing </${name}> does not match`);
    else if (!selfClose) stack.push(name as string);
  }
  assert.deepEqual(stack, [], 'unclosed elements');
}

test('the SVG is well-formed XML and names every region kind of the map', async () => {
  const m = (await run()).measurements;
  const svg = renderLayoutSvg(m);
  assert.ok(svg.startsWith('<svg '));
  assertWellFormedXml(svg);
  for (const kind of new Set(m.regions.map((r) => r.kind))) assert.ok(svg.includes(kind), `the SVG never names ${kind}`);
});

test('the terminal picture marks every probe by the page figure\'s name for it (no internal name) and prints the zones high to low', async () => {
  const m = (await run()).measurements;
  const picture = renderLayoutPicture(m, makeStyle(false));
  const probeLines = picture.split('\n').filter((l) => /◀ probe: | and: /.test(l)).join('\n');
  for (const name of Object.keys(m.probes)) {
    assert.ok(probeLines.includes(probeLabel(name)), `probe ${name} is not marked as '${probeLabel(name)}':\n${probeLines}`);
    if (!probeLabel(name).toLowerCase().includes(name.toLowerCase())) assert.doesNotMatch(probeLines, new RegExp(`\\b${name}\\b`), `internal name ${name} printed`);
  }
  assert.doesNotMatch(picture, /zeroGlobal|thread stacks \+ guards|\bvvar ×|\bexe:/, 'an internal band or probe name');
  // Without a brk heap (malloc told to mmap everything, MALLOC_MMAP_THRESHOLD_=0) the malloc probe's mapping stands for it.
  const heapMark = picture.includes('[heap]') ? '[heap]' : probeLabel('heap');
  assert.ok(picture.indexOf('[stack]') >= 0 && picture.indexOf('[stack]') < picture.indexOf(heapMark), `stack drawn above ${heapMark}`);
  assert.match(renderLayout(m, makeStyle(false)), /\.bss global/, 'the probe table uses the same names');
});

test('the probe API rejects bad arguments with coded errors, in TS and in native code', () => {
  assert.throws(() => touchSegmentPages('heap' as 'bss'), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => touchSegmentPages('bss', { firstPage: layoutAddresses().bssPages }), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => touchSegmentPages('data', { pages: 0 }), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => touchSegmentPages('data', { address: 1 } as never), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => native.segmentTouch('data', -1, 1, 'read'), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => native.segmentTouch('data', 0, 1e9, 'read'), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => native.layoutFault('0x1234' as never), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => native.layoutFault(0x1234n as never), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('the library does not export the fault primitive', () => {
  const names = Object.keys(vmprobe);
  assert.ok(!names.some((n) => /Fault/.test(n)), names.filter((n) => /Fault/.test(n)).join(','));
  assert.ok(names.includes('touchSegmentPages'), 'the layout probe API is exported');
});

test('readElf reads the addon\'s section table; a non-ELF buffer is rejected with a code', () => {
  const path = layoutAddresses().addonPath as string;
  const elf = readElf(path);
  assert.equal(elf.bits, 64);
  assert.equal(elf.fileType, 'DYN');
  assert.ok(elf.sections.some((s) => s.name === '.text' && s.flags.includes('X')));
  assert.throws(() => parseElfBuffer(Buffer.from('#!/bin/sh\necho not an ELF file at all, just a script that is long enough\n')), { code: 'ERR_INVALID_ARG_VALUE' });
});

test('readElf agrees with readelf(1) on the addon\'s section sizes and types', (t) => {
  const file = layoutAddresses().addonPath as string;
  const out = spawnSync('readelf', ['-SW', file], { encoding: 'utf8' });
  if (out.error || out.status !== 0) {
    t.skip('readelf (binutils) is not installed');
    return;
  }
  const ours = new Map(readElf(file).sections.map((s) => [s.name, s]));
  let compared = 0;
  for (const line of out.stdout.split('\n')) {
    const m = /\]\s+(\.\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)/.exec(line);
    if (!m) continue;
    const s = ours.get(m[1] as string);
    assert.equal(s?.sizeBytes, Number.parseInt(m[3] as string, 16), `${m[1]} size`);
    const type = m[2] as string;
    if (type === 'PROGBITS' || type === 'NOBITS') assert.equal(s?.type, type.toLowerCase(), `${m[1]} type`);
    if (type === 'NOBITS') assert.equal(s?.fileSizeBytes, 0, `${m[1]} takes no file space`);
    compared++;
  }
  assert.ok(compared >= 10, `only ${compared} sections compared`);
});

test('--pid classifies another process by permissions', async () => {
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const r = await runLayout({ pid: sleeper.pid as number, aslrChildren: 2 });
    assert.equal(r.measurements.target.pid, sleeper.pid);
    assert.equal(r.measurements.target.classifiedBy, 'permissions');
    const kinds = new Set(r.measurements.regions.map((x) => x.kind));
    // A [heap] is expected where the kernel lists one (none when malloc never used brk, e.g. under MALLOC_MMAP_THRESHOLD_=0).
    const kernelHeap = fs.readFileSync(`/proc/${sleeper.pid}/maps`, 'utf8').includes('[heap]');
    for (const k of ['text', 'data', ...(kernelHeap ? ['heap'] : []), 'stack', 'lib-text']) assert.ok(kinds.has(k as never), `no ${k} in the other process`);
    assert.equal(kinds.has('heap'), kernelHeap, `heap region ${kinds.has('heap')}, [heap] in /proc/${sleeper.pid}/maps ${kernelHeap}`);
  } finally {
    sleeper.kill('SIGKILL');
  }
});

test('--pid of a missing process fails with exit 1 (a runtime condition: it may exit at any time); a malformed pid is a usage error (exit 2); one we may not read fails with EACCES (exit 1)', async (t) => {
  const missing = spawnSync(process.execPath, [CLI, 'layout', '--pid', '999999999'], { encoding: 'utf8' });
  assert.equal(missing.status, 1, missing.stderr);
  assert.match(missing.stderr, /no process 999999999/);
  assert.equal(missing.stderr.trim().split('\n').length, 1, `one line: ${missing.stderr}`);
  assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack trace');
  const bad = spawnSync(process.execPath, [CLI, 'layout', '--pid', 'abc'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  if (process.getuid?.() !== 0) {
    t.skip('not root: cannot start a child as another user to provoke EACCES');
    return;
  }
  const denied = spawnSync(process.execPath, [CLI, 'layout', '--pid', '1'], { encoding: 'utf8', uid: 65534, gid: 65534 });
  assert.equal(denied.status, 1, denied.stderr);
  assert.match(denied.stderr, /permission denied/);
});
