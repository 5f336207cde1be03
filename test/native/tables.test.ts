// The addon's name→value tables (native/constants.cc) against the names TypeScript
// types by hand (lib/native/tables.ts): they must match, the check must catch a
// difference, and the limits TypeScript uses must be the addon's.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { native } from '../../lib/native/loader';
import { tableMismatches, ADVICE_NAMES, RLIMIT_NAME_LIST, MALLOPT_PARAM_NAMES, FADVISE_NAMES, PROTECTION_NAMES } from '../../lib/native/tables';
import { ADVICE, MAX_RUNS, RLIMIT_NAMES, MALLOPT_PARAMS, STACK_FRAME_RANGE } from '../../lib/index';
import { FILE_ADVICE } from '../../lib/pages/page-cache';

test('the addon\'s tables name exactly what TypeScript names, in the same order', () => {
  assert.deepEqual(tableMismatches(native.constants), []);
  assert.deepEqual(Object.keys(native.constants.advice), [...ADVICE]);
  assert.deepEqual(Object.keys(native.constants.protection), [...PROTECTION_NAMES]);
  assert.deepEqual(Object.keys(native.constants.rlimit), [...RLIMIT_NAMES]);
  assert.deepEqual(Object.keys(native.constants.mallopt), [...MALLOPT_PARAMS]);
  assert.deepEqual(Object.keys(native.constants.fadvise), [...FILE_ADVICE]);
});

test('the check reports a name added on either side, naming the table', () => {
  const extraNative = { ...native.constants, advice: { ...native.constants.advice, bogus: 99 } };
  assert.match(tableMismatches(extraNative).join('\n'), /^advice: addon \[.*bogus\]/);
  const { stack: _dropped, ...rlimitWithoutStack } = native.constants.rlimit;
  assert.match(tableMismatches({ ...native.constants, rlimit: rlimitWithoutStack }).join('\n'), /^rlimit: /);
  assert.ok(ADVICE_NAMES.length > 0 && RLIMIT_NAME_LIST.length > 0 && MALLOPT_PARAM_NAMES.length > 0 && FADVISE_NAMES.length > 0);
});

test('the values are the kernel ABI\'s: MADV_DONTNEED 4, PROT_READ|PROT_WRITE 3, RLIMIT_STACK 3, POSIX_FADV_DONTNEED 4', () => {
  // Fixed by the Linux UAPI headers (asm-generic/mman-common.h, asm-generic/resource.h,
  // linux/fadvise.h) on every architecture vmprobe builds for.
  assert.equal(native.constants.advice['dontneed'], 4);
  assert.equal(native.constants.protection['read-write'], 3);
  assert.equal(native.constants.rlimit['stack'], 3);
  assert.equal(native.constants.fadvise['dontneed'], 4);
});

test('MAX_RUNS and STACK_FRAME_RANGE are the addon\'s limits', () => {
  assert.equal(MAX_RUNS, native.constants.limits.maxRuns);
  assert.equal(STACK_FRAME_RANGE.minBytes, native.constants.limits.minFrameBytes);
  assert.equal(STACK_FRAME_RANGE.maxBytes, native.constants.limits.maxFrameBytes);
});
