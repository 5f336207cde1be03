// Tests for lib/proc: the parsers on captured and hand-written fixtures (exact
// values), their errors, and the live readers on this process.
//
// Fixtures (test/fixtures/proc/):
//   node/     maps, smaps, smaps_rollup, status, statm of one `node` process, read one
//             after another in a single tick; node/pagesize is `getconf PAGESIZE` of the
//             capturing host (4096-byte pages).
//   kthread/  status of kthreadd (pid 2): a kernel thread, without any Vm* line.
//   edge/     hand-written: names with spaces, (deleted), [anon:...], no path, a 5-level
//             paging address, an old kernel's status and smaps, unknown fields, a truncated line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  findMapping,
  parseMaps,
  parseSmaps,
  parseSmapsRollup,
  parseStatm,
  parseStatus,
  readMaps,
  readProcText,
  readSmaps,
  readSmapsRollup,
  readStatm,
  readStatus,
  smapsFor,
  type MapsEntry,
} from '../../lib/proc';
import { mapFile } from '../../lib/memory/mapping';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'proc');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');
const KIB = 1024;

/** The page size of the host that captured fixtures/proc/node (it was 4096 bytes). */
const FIXTURE_PAGE_SIZE_BYTES = Number(fixture('node/pagesize').trim());

/** This host's page size in bytes. */
function hostPageSizeBytes(): number {
  return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());
}

function assertSortedAndDisjoint(entries: readonly MapsEntry[]): void {
  for (let i = 1; i < entries.length; i++) {
    const previous = entries[i - 1]!;
    const entry = entries[i]!;
    assert.ok(previous.end <= entry.start, `entry ${i - 1} ends at ${previous.end.toString(16)} after entry ${i} starts at ${entry.start.toString(16)}`);
  }
}

const within = (actual: number, expected: number, fraction: number): boolean => Math.abs(actual - expected) <= expected * fraction;

// ---------------------------------------------------------------- maps

test('parseMaps reads every line of a captured node maps file, first entry field by field', () => {
  const entries = parseMaps(fixture('node/maps'));
  assert.equal(entries.length, 91);
  assert.deepEqual(entries[0], {
    start: 0x400000n,
    end: 0xb6f000n,
    sizeBytes: 0xb6f000 - 0x400000,
    perms: 'r--p',
    read: true,
    write: false,
    execute: false,
    shared: false,
    offsetBytes: 0,
    dev: 'fe:00',
    devMajor: 0xfe,
    devMinor: 0,
    inode: 260689,
    path: '/usr/bin/node',
    deleted: false,
    pseudo: false,
  });
  assert.equal(entries[1]?.offsetBytes, 0x76f000);
  assertSortedAndDisjoint(entries);
});

test('parseMaps finds [heap], [stack] and [vsyscall] of the captured node maps as pseudo paths', () => {
  const entries = parseMaps(fixture('node/maps'));
  const heap = entries.find((e) => e.path === '[heap]');
  assert.deepEqual(
    [heap?.start, heap?.end, heap?.sizeBytes, heap?.pseudo, heap?.inode],
    [0x13ccd000n, 0x13f90000n, 2828 * KIB, true, 0],
  );
  const stack = entries.find((e) => e.path === '[stack]');
  assert.deepEqual([stack?.start, stack?.end, stack?.perms], [0x7ffc3862f000n, 0x7ffc38650000n, 'rw-p']);
  const vsyscall = entries.at(-1);
  assert.deepEqual([vsyscall?.path, vsyscall?.start, vsyscall?.execute, vsyscall?.read], ['[vsyscall]', 0xffffffffff600000n, true, false]);
  assert.equal(entries.filter((e) => e.path === null).length, 42, 'anonymous mappings without a path');
  assert.equal(entries.filter((e) => e.write).length, 40, 'writable mappings (39 rw-p + 1 rwxp)');
});

test('parseMaps keeps spaces inside paths and strips only the separating run', () => {
  const entries = parseMaps(fixture('edge/maps'));
  assert.equal(entries[0]?.path, '/usr/bin/my prog');
  assert.equal(entries[4]?.path, '/tmp/a file  with two  spaces');
  assert.equal(entries[6]?.path, '[anon:foo bar]');
});

test('parseMaps turns a trailing " (deleted)" into deleted: true and removes it from path', () => {
  const entries = parseMaps(fixture('edge/maps'));
  assert.deepEqual([entries[3]?.path, entries[3]?.deleted, entries[3]?.shared], ['/memfd:shm buf', true, true]);
  assert.deepEqual([entries[4]?.deleted, entries[4]?.offsetBytes], [true, 0x2000]);
  assert.equal(entries[0]?.deleted, false);
});

test('parseMaps gives path null for lines without a path, with or without the trailing space', () => {
  const entries = parseMaps(fixture('edge/maps'));
  assert.deepEqual([entries[5]?.path, entries[5]?.pseudo, entries[5]?.sizeBytes], [null, false, 0x100000]);
  assert.deepEqual([entries[12]?.path, entries[12]?.deleted], [null, false]);
});

test('parseMaps flags every bracketed kernel label as pseudo', () => {
  const entries = parseMaps(fixture('edge/maps'));
  const pseudo = entries.filter((e) => e.pseudo).map((e) => e.path);
  assert.deepEqual(pseudo, [
    '[heap]',
    '[anon:foo bar]',
    '[anon_shmem:ring]',
    '[stack]',
    '[stack:1234]',
    '[vvar]',
    '[vdso]',
    '[anon:la57 high]',
    '[vsyscall]',
  ]);
});

test('parseMaps decodes hex device numbers wider than two digits and 56-bit (5-level paging) addresses', () => {
  const entries = parseMaps(fixture('edge/maps'));
  assert.deepEqual([entries[4]?.dev, entries[4]?.devMajor, entries[4]?.devMinor, entries[4]?.inode], ['103:02', 259, 2, 42]);
  assert.deepEqual([entries[13]?.start, entries[13]?.end, entries[13]?.sizeBytes], [0xff5fff00000000n, 0xff5fff00021000n, 0x21000]);
  assert.deepEqual([entries[14]?.end, entries[14]?.perms], [0xffffffffff601000n, '--xp']);
  assertSortedAndDisjoint(entries);
});

test('parseMaps of empty text is an empty list (a zombie process has no mappings)', () => {
  assert.deepEqual(parseMaps(''), []);
});

test('parseMaps rejects a truncated line with ERR_INVALID_ARG_VALUE naming line 3 and quoting it', () => {
  assert.throws(() => parseMaps(fixture('edge/maps-truncated')), {
    code: 'ERR_INVALID_ARG_VALUE',
    lineNumber: 3,
    message: /at line 3: "7f0000100000-7f00002"/,
  });
});

test('parse errors quote only the first 120 characters of a long bad line', () => {
  const long = `zz${'x'.repeat(300)}`;
  assert.throws(() => parseMaps(long), (error: Error) => {
    const quoted = /"(z+x+)"…/.exec(error.message);
    assert.equal(quoted?.[1]?.length, 120, `quoted part of: ${error.message}`);
    return true;
  });
});

test('parseMaps rejects an offset above 2^53 - 1, a range that ends before it starts, and bad permissions', () => {
  const line = (range: string, perms: string, offset: string): string => `${range} ${perms} ${offset} 00:00 0 `;
  assert.throws(() => parseMaps(line('1000-2000', 'r--p', 'ffffffffffffffff')), { code: 'ERR_INVALID_ARG_VALUE', message: /offset 18446744073709551615 does not fit/ });
  assert.throws(() => parseMaps(line('2000-1000', 'r--p', '0')), { code: 'ERR_INVALID_ARG_VALUE', message: /end address/ });
  assert.throws(() => parseMaps(line('1000-2000', 'rwxq', '0')), { code: 'ERR_INVALID_ARG_VALUE', lineNumber: 1 });
  assert.throws(() => parseMaps(`${line('1000-2000', 'r--p', '0')}\n\n`), { code: 'ERR_INVALID_ARG_VALUE', lineNumber: 2 });
});

test('findMapping returns the entry with start <= address < end, and undefined in gaps and outside', () => {
  const entries = parseMaps(fixture('edge/maps'));
  for (const entry of entries) {
    assert.equal(findMapping(entries, entry.start), entry, `start ${entry.start.toString(16)}`);
    assert.equal(findMapping(entries, entry.end - 1n), entry, `end - 1 ${(entry.end - 1n).toString(16)}`);
  }
  assert.equal(findMapping(entries, 0x00452000n), undefined, 'gap after the first mapping (end is exclusive)');
  assert.equal(findMapping(entries, 0n), undefined, 'below the first mapping');
  assert.equal(findMapping(entries, 0xffffffffffffffffn), undefined, 'above the last mapping');
  assert.equal(findMapping([], 0x1000n), undefined, 'empty list');
  assert.throws(() => findMapping(entries, 0x1000 as unknown as bigint), { code: 'ERR_INVALID_ARG_TYPE', message: /"address"/ });
});

// ---------------------------------------------------------------- smaps

test('parseSmaps reads every block of a captured node smaps with the same headers as maps', () => {
  const entries = parseSmaps(fixture('node/smaps'));
  const maps = parseMaps(fixture('node/maps'));
  assert.equal(entries.length, 91);
  assert.deepEqual(
    entries.map((e) => [e.start, e.end, e.path]),
    maps.map((e) => [e.start, e.end, e.path]),
  );
  const sum = (pick: (e: (typeof entries)[number]) => number | undefined): number => entries.reduce((total, e) => total + (pick(e) ?? 0), 0);
  assert.equal(sum((e) => e.rssBytes), 40452 * KIB);
  assert.equal(sum((e) => e.pssBytes), 38771 * KIB);
  assert.equal(sum((e) => e.anonymousBytes), 6324 * KIB);
  assert.ok(entries.every((e) => e.kernelPageSizeBytes === FIXTURE_PAGE_SIZE_BYTES && e.vmFlags !== undefined && e.thpEligible !== undefined));
});

test('parseSmaps converts every kB field of the captured [heap] block to bytes', () => {
  const heap = parseSmaps(fixture('node/smaps')).find((e) => e.path === '[heap]');
  assert.ok(heap !== undefined);
  const { start, end, sizeBytes, rssBytes, pssBytes, pssDirtyBytes, privateDirtyBytes, anonymousBytes, swapBytes, lockedBytes, thpEligible, protectionKey, fieldsBytes, otherFields } = heap;
  assert.deepEqual(
    { start, end, sizeBytes, rssBytes, pssBytes, pssDirtyBytes, privateDirtyBytes, anonymousBytes, swapBytes, lockedBytes, thpEligible, protectionKey, fieldsBytes, otherFields },
    {
      start: 0x13ccd000n,
      end: 0x13f90000n,
      sizeBytes: 2828 * KIB,
      rssBytes: 2712 * KIB,
      pssBytes: 2712 * KIB,
      pssDirtyBytes: 2712 * KIB,
      privateDirtyBytes: 2712 * KIB,
      anonymousBytes: 2712 * KIB,
      swapBytes: 0,
      lockedBytes: 0,
      thpEligible: 0,
      protectionKey: 0,
      fieldsBytes: {},
      otherFields: {},
    },
  );
  assert.deepEqual(heap.vmFlags, ['rd', 'wr', 'mr', 'mw', 'me', 'ac']);
});

test('parseSmaps leaves fields an older kernel does not print undefined, never 0', () => {
  const [old] = parseSmaps(fixture('edge/smaps'));
  assert.ok(old !== undefined);
  assert.deepEqual(
    [old.pssDirtyBytes, old.ksmBytes, old.lazyFreeBytes, old.swapPssBytes, old.thpEligible, old.protectionKey],
    [undefined, undefined, undefined, undefined, undefined, undefined],
  );
  assert.deepEqual([old.rssBytes, old.pssBytes, old.sharedCleanBytes, old.mmuPageSizeBytes], [4 * KIB, 2 * KIB, 4 * KIB, 4 * KIB]);
  assert.deepEqual(old.vmFlags, ['rd', 'ex', 'mr', 'mw', 'me', 'dw']);
  assert.equal(old.path, '/usr/bin/my prog');
});

test('parseSmaps keeps unknown kB fields in fieldsBytes and unknown other lines in otherFields', () => {
  const newer = parseSmaps(fixture('edge/smaps'))[1];
  assert.ok(newer !== undefined);
  assert.deepEqual(newer.fieldsBytes, { FutureField: 36 * KIB });
  assert.deepEqual(newer.otherFields, { FutureFlag: 'yes please' });
  assert.deepEqual(
    [newer.anonHugePagesBytes, newer.lazyFreeBytes, newer.referencedBytes, newer.swapBytes, newer.swapPssBytes, newer.thpEligible, newer.protectionKey],
    [2048 * KIB, 512 * KIB, 1024 * KIB, 12 * KIB, 6 * KIB, 1, 3],
  );
  assert.deepEqual(newer.vmFlags, ['rd', 'wr', 'mr', 'mw', 'me', 'ac', 'hg']);
});

test('smapsFor returns the smaps entry that contains an address', () => {
  const entries = parseSmaps(fixture('edge/smaps'));
  assert.equal(smapsFor(entries, 0x7f0000300000n)?.path, '[anon:foo bar]');
  assert.equal(smapsFor(entries, 0x00400fffn)?.rssBytes, 4 * KIB);
  assert.equal(smapsFor(entries, 0x7f0000400000n), undefined, 'end is exclusive');
});

test('parseSmaps rejects fields before a header, non-kB sizes, a missing Pss and a Size that disagrees with the header', () => {
  const header = '1000-3000 rw-p 00000000 00:00 0 ';
  assert.throws(() => parseSmaps('Rss: 4 kB\n'), { code: 'ERR_INVALID_ARG_VALUE', lineNumber: 1, message: /header/ });
  assert.throws(() => parseSmaps(`${header}\nRss: 4 MB\nPss: 4 kB\n`), { code: 'ERR_INVALID_ARG_VALUE', lineNumber: 2, message: /"Rss: 4 MB"/ });
  assert.throws(() => parseSmaps(`${header}\nRss: 4 kB\n`), { code: 'ERR_INVALID_ARG_VALUE', lineNumber: 1, message: /no Rss or no Pss/ });
  assert.throws(() => parseSmaps(`${header}\nSize: 4 kB\nRss: 4 kB\nPss: 4 kB\n`), { code: 'ERR_INVALID_ARG_VALUE', lineNumber: 2, message: /8192 bytes/ });
  assert.throws(() => parseSmaps(`${header}\nnot a field\n`), { code: 'ERR_INVALID_ARG_VALUE', lineNumber: 2 });
});

test('parseSmapsRollup reads the captured node smaps_rollup, range and every field', () => {
  const rollup = parseSmapsRollup(fixture('node/smaps_rollup'));
  assert.deepEqual(rollup, {
    start: 0x400000n,
    end: 0x7ffc38650000n,
    rssBytes: 40532 * KIB,
    pssBytes: 38854 * KIB,
    pssDirtyBytes: 6404 * KIB,
    pssAnonBytes: 6404 * KIB,
    pssFileBytes: 32450 * KIB,
    pssShmemBytes: 0,
    sharedCleanBytes: 2656 * KIB,
    sharedDirtyBytes: 0,
    privateCleanBytes: 31472 * KIB,
    privateDirtyBytes: 6404 * KIB,
    referencedBytes: 40532 * KIB,
    anonymousBytes: 6404 * KIB,
    ksmBytes: 0,
    lazyFreeBytes: 0,
    anonHugePagesBytes: 0,
    shmemPmdMappedBytes: 0,
    filePmdMappedBytes: 0,
    sharedHugetlbBytes: 0,
    privateHugetlbBytes: 0,
    swapBytes: 0,
    swapPssBytes: 0,
    lockedBytes: 0,
    fieldsBytes: {},
    otherFields: {},
  });
});

test('parseSmapsRollup accepts a full-width range and rejects text without a [rollup] header', () => {
  const rollup = parseSmapsRollup('00400000-ffffffffff601000 ---p 00000000 00:00 0 [rollup]\nRss: 8 kB\nPss: 4 kB\n');
  assert.deepEqual([rollup.start, rollup.end, rollup.rssBytes, rollup.pssBytes], [0x400000n, 0xffffffffff601000n, 8 * KIB, 4 * KIB]);
  assert.throws(() => parseSmapsRollup(''), { code: 'ERR_INVALID_ARG_VALUE', message: /empty/ });
  assert.throws(() => parseSmapsRollup(fixture('edge/smaps')), { code: 'ERR_INVALID_ARG_VALUE', lineNumber: 1, message: /\[rollup\]/ });
});

// ---------------------------------------------------------------- status

test('parseStatus reads the captured node status: identity, threads and every kB field in bytes', () => {
  const status = parseStatus(fixture('node/status'));
  const { raw, ...typed } = status;
  assert.deepEqual(typed, {
    name: 'node',
    pid: 2521,
    ppid: 2518,
    state: 'R',
    stateName: 'running',
    threads: 7,
    vmPeakBytes: 728452 * KIB,
    vmSizeBytes: 728236 * KIB,
    vmLckBytes: 0,
    vmPinBytes: 0,
    vmHWMBytes: 40540 * KIB,
    vmRSSBytes: 40540 * KIB,
    rssAnonBytes: 6412 * KIB,
    rssFileBytes: 34128 * KIB,
    rssShmemBytes: 0,
    vmDataBytes: 48604 * KIB,
    vmStkBytes: 132 * KIB,
    vmExeBytes: 27208 * KIB,
    vmLibBytes: 4716 * KIB,
    vmPTEBytes: 376 * KIB,
    vmSwapBytes: 0,
    hugetlbPagesBytes: 0,
    fieldsBytes: {},
  });
  assert.equal(Object.keys(raw).length, 59, 'one raw entry per line');
  assert.deepEqual([raw['Umask'], raw['VmRSS'], raw['Groups'], raw['Cpus_allowed_list']], ['0022', '40540 kB', '', '0-1']);
});

test('parseStatus of a kernel thread leaves every memory field undefined', () => {
  const status = parseStatus(fixture('kthread/status'));
  assert.deepEqual([status.name, status.pid, status.ppid, status.state, status.threads], ['kthreadd', 2, 0, 'S', 1]);
  assert.deepEqual([status.vmSizeBytes, status.vmRSSBytes, status.rssAnonBytes, status.vmSwapBytes], [undefined, undefined, undefined, undefined]);
  assert.deepEqual(status.fieldsBytes, {});
});

test('parseStatus of an older kernel: missing fields undefined, unknown kB field kept in fieldsBytes', () => {
  const status = parseStatus(fixture('edge/status-old'));
  assert.deepEqual([status.name, status.stateName, status.threads], ['my prog', 'sleeping', 3]);
  assert.deepEqual([status.rssAnonBytes, status.rssFileBytes, status.rssShmemBytes, status.hugetlbPagesBytes, status.vmPinBytes], [undefined, undefined, undefined, undefined, undefined]);
  assert.deepEqual([status.vmRSSBytes, status.vmSwapBytes], [2044 * KIB, 4 * KIB]);
  assert.deepEqual(status.fieldsBytes, { VmPMD: 12 * KIB });
});

test('parseStatus rejects a malformed line, a non-kB memory value and a missing Threads line', () => {
  const good = fixture('edge/status-old');
  assert.throws(() => parseStatus(good.replace('Tgid:', 'Tgid')), { code: 'ERR_INVALID_ARG_VALUE', lineNumber: 3 });
  assert.throws(() => parseStatus(good.replace('2044 kB', '2044 pages')), { code: 'ERR_INVALID_ARG_VALUE', lineNumber: 11, message: /VmRSS/ });
  assert.throws(() => parseStatus(good.replace('Threads:\t3\n', '')), { code: 'ERR_INVALID_ARG_VALUE', message: /no Threads line/ });
});

// ---------------------------------------------------------------- statm

test('parseStatm converts the captured statm at the capturing host page size (4096 bytes)', () => {
  const page = FIXTURE_PAGE_SIZE_BYTES;
  assert.deepEqual(parseStatm(fixture('node/statm'), page), {
    sizePages: 182059,
    residentPages: 10135,
    sharedPages: 8532,
    textPages: 6802,
    dataPages: 12184,
    sizeBytes: 182059 * page,
    residentBytes: 10135 * page,
    sharedBytes: 8532 * page,
    textBytes: 6802 * page,
    dataBytes: 12184 * page,
  });
  const status = parseStatus(fixture('node/status'));
  assert.equal(10135 * page, 40540 * KIB, 'statm resident pages match status VmRSS of the same capture');
  assert.equal(status.vmRSSBytes, 40540 * KIB);
});

test('parseStatm scales bytes with 16384- and 65536-byte pages and keeps page counts', () => {
  for (const page of [16384, 65536]) {
    const statm = parseStatm(fixture('node/statm'), page);
    assert.deepEqual(
      [statm.residentPages, statm.residentBytes, statm.sizeBytes, statm.dataBytes],
      [10135, 10135 * page, 182059 * page, 12184 * page],
      `page size ${page}`,
    );
  }
});

test('parseStatm requires a power-of-two page size and exactly seven counts on one line', () => {
  const text = fixture('node/statm');
  assert.throws(() => parseStatm(text, undefined as unknown as number), { code: 'ERR_INVALID_ARG_TYPE', message: /"pageSizeBytes"/ });
  assert.throws(() => parseStatm(text, '4096' as unknown as number), { code: 'ERR_INVALID_ARG_TYPE' });
  for (const bad of [0, -4096, 3000, 4096.5, Number.NaN]) {
    assert.throws(() => parseStatm(text, bad), { code: 'ERR_INVALID_ARG_VALUE', message: /'pageSizeBytes'/ }, `page size ${bad}`);
  }
  assert.throws(() => parseStatm('1 2 3 4 5 6\n', 4096), { code: 'ERR_INVALID_ARG_VALUE', lineNumber: 1, message: /"1 2 3 4 5 6"/ });
  assert.throws(() => parseStatm(`${text}1 2 3 4 5 6 7\n`, 4096), { code: 'ERR_INVALID_ARG_VALUE', lineNumber: 2 });
  assert.throws(() => parseStatm('', 4096), { code: 'ERR_INVALID_ARG_VALUE' });
});

// ---------------------------------------------------------------- reading /proc

test('readers reject a pid that is not a positive safe integer or "self", naming pid and the value', () => {
  for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 'me', '123']) {
    assert.throws(() => readMaps(bad as number), { code: 'ERR_INVALID_ARG_VALUE', message: /argument 'pid' must be a positive safe integer or 'self'/ }, `pid ${String(bad)}`);
  }
  for (const bad of [null, {}, 12n, true]) {
    assert.throws(() => readProcText(bad as unknown as number, 'maps'), { code: 'ERR_INVALID_ARG_TYPE', message: /"pid"/ }, `pid ${String(bad)}`);
  }
  assert.throws(() => readStatus(-7), { message: /Received type number \(-7\)$/ });
});

test('readProcText rejects a file name that would leave /proc/<pid>/', () => {
  for (const bad of ['../../etc/passwd', '/etc/passwd', '', 'task/../maps']) {
    assert.throws(() => readProcText('self', bad), { code: 'ERR_INVALID_ARG_VALUE', message: /'file'/ }, `file ${JSON.stringify(bad)}`);
  }
});

test('a read of a process that does not exist rethrows ENOENT with errno and syscall, naming the file', () => {
  const missingPid = 2 ** 22 + 1; // above PID_MAX_LIMIT (2^22), so no process can have it
  assert.throws(() => readSmaps(missingPid), (error: NodeJS.ErrnoException) => {
    assert.deepEqual([error.code, error.errno, error.syscall], ['ENOENT', -2, 'open']);
    assert.match(error.message, new RegExp(`^Cannot read /proc/${missingPid}/smaps`));
    return true;
  });
});

test('readers throw ERR_VMPROBE_UNSUPPORTED off Linux', (t) => {
  const original = Object.getOwnPropertyDescriptor(process, 'platform');
  assert.ok(original !== undefined);
  Object.defineProperty(process, 'platform', { value: 'darwin' });
  t.after(() => Object.defineProperty(process, 'platform', original));
  assert.throws(() => readStatus(), { code: 'ERR_VMPROBE_UNSUPPORTED', message: /darwin/ });
});

// ---------------------------------------------------------------- live process

test('readMaps("self") is sorted, non-overlapping and has [heap], [stack] and the node binary', () => {
  const entries = readMaps();
  assertSortedAndDisjoint(entries);
  assert.ok(entries.some((e) => e.path === '[heap]'), 'no [heap] mapping');
  assert.ok(entries.some((e) => e.path === '[stack]'), 'no [stack] mapping');
  const node = realpathSync(process.execPath);
  assert.ok(entries.some((e) => e.path === node && e.execute), `no executable mapping of ${node}`);
  const byPid = readMaps(process.pid);
  assert.ok(byPid.some((e) => e.path === '[stack]'), `readMaps(${process.pid}) has no [stack]`);
});

test('readSmaps Rss/Pss totals match readSmapsRollup read just before and after, within 5%', () => {
  // The process changes between reads (parsing itself touches fresh V8 heap pages), so
  // smaps is read between two rollups and must land in their range, widened by 5%.
  readSmaps(); // warm-up: compile the parser and touch the heap pages it needs once
  const before = readSmapsRollup('self');
  const entries = readSmaps('self');
  const after = readSmapsRollup('self');
  for (const field of ['rssBytes', 'pssBytes'] as const) {
    const sum = entries.reduce((total, e) => total + e[field], 0);
    const low = Math.min(before[field], after[field]) * 0.95;
    const high = Math.max(before[field], after[field]) * 1.05;
    assert.ok(sum >= low && sum <= high, `smaps ${field} sum ${sum} outside rollup before ${before[field]} / after ${after[field]} +-5%`);
  }
  const stack = entries.find((e) => e.path === '[stack]');
  assert.ok(stack !== undefined && smapsFor(entries, stack.start) === stack, 'smapsFor finds [stack] by its start');
});

test('readStatm resident bytes are within 10% of process.memoryUsage().rss (same kernel RSS counter)', () => {
  const pageSizeBytes = hostPageSizeBytes();
  const statm = readStatm(process.pid, pageSizeBytes);
  const rss = process.memoryUsage().rss;
  assert.ok(within(statm.residentBytes, rss, 0.1), `statm ${statm.residentPages} pages x ${pageSizeBytes} = ${statm.residentBytes} bytes vs memoryUsage().rss ${rss}`);
  assert.ok(statm.sizeBytes >= statm.residentBytes, `size ${statm.sizeBytes} < resident ${statm.residentBytes}`);
});

test('readMaps/readSmaps tell a live file really named "x (deleted)" from an unlinked file, read as self and by pid', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vmprobe-deleted-'));
  const named = path.join(dir, 'x (deleted)');
  const unlinked = path.join(dir, 'gone');
  writeFileSync(named, Buffer.alloc(4096, 1));
  writeFileSync(unlinked, Buffer.alloc(4096, 2));
  const live = mapFile(named, { sizeBytes: 4096 });
  const gone = mapFile(unlinked, { sizeBytes: 4096 });
  unlinkSync(unlinked);
  try {
    for (const entries of [readMaps(), readSmaps(), readMaps(process.pid), readSmaps(process.pid)]) {
      const l = findMapping(entries, live.address as bigint);
      const g = findMapping(entries, gone.address as bigint);
      assert.deepEqual([l?.path, l?.deleted], [named, false], 'a live file named "x (deleted)" is not deleted and keeps its name');
      assert.deepEqual([g?.path, g?.deleted], [unlinked, true], 'an unlinked file is deleted, the suffix removed');
    }
  } finally {
    live.unmap();
    gone.unmap();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readStatm(pid) takes the page size from the host when none is given, like every other reader taking just a pid', () => {
  const page = hostPageSizeBytes();
  for (const pid of [undefined, 'self', process.pid] as const) {
    const implicit = pid === undefined ? readStatm() : readStatm(pid);
    assert.equal(implicit.textBytes, implicit.textPages * page, `pid ${String(pid)}: text ${implicit.textPages} pages = ${implicit.textBytes} bytes at ${page}-byte pages`);
    assert.equal(implicit.sizeBytes, implicit.sizePages * page);
    assert.equal(readStatm(pid, page).textBytes, implicit.textBytes, 'explicit and default page size agree');
  }
  assert.throws(() => readStatm('self', 3000), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => readStatm('self', '4096' as unknown as number), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('readStatus("self") names this process, has >= 1 thread and VmRSS within 10% of statm', () => {
  const status = readStatus();
  const statm = readStatm('self', hostPageSizeBytes());
  assert.deepEqual([status.pid, status.ppid], [process.pid, process.ppid]);
  assert.ok(status.threads >= 1, `threads ${status.threads}`);
  assert.ok(status.vmRSSBytes !== undefined && within(status.vmRSSBytes, statm.residentBytes, 0.1), `VmRSS ${status.vmRSSBytes} vs statm ${statm.residentBytes} bytes`);
});
