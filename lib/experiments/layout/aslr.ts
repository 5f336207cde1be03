/**
 * Step 3, ASLR: fresh child processes report where their stack, mmap base, heap,
 * executable and vDSO landed; then a few more run under `setarch <arch> -R`
 * (personality ADDR_NO_RANDOMIZE) to show the values repeat when randomisation is off.
 * With N samples the entropy cannot be measured beyond log2(N) bits of distinct
 * values. Each landmark also reports how many address bits differed between samples —
 * NOT an entropy bound: the kernel subtracts a random page offset from (or adds it to)
 * a base, and the borrow/carry flips bits above the random field, so the count can
 * exceed the kernel's random bits (mmap base: 29 bits differed with vm.mmap_rnd_bits =
 * 28). The kernel's configured bits (/proc/sys/vm/mmap_rnd_bits, mmap_rnd_compat_bits;
 * Documentation/admin-guide/sysctl/vm.rst) are read and shown beside it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runChild, requireResult } from '../../child/spawn';
import { readAslrMode } from '../../system/kernel-settings';
import { isCodedError } from '../../util/errors';
import type { AslrSample } from './tasks';

/** The landmarks every sample reports. */
export const ASLR_LANDMARKS = ['stackTop', 'mmapBase', 'heapStart', 'executableBase', 'vdso'] as const;
/** One landmark. */
export type AslrLandmark = (typeof ASLR_LANDMARKS)[number];

/** How one landmark varied across samples. */
export interface LandmarkSpread {
  landmark: AslrLandmark;
  /** Samples where the landmark existed. */
  samples: number;
  distinct: number;
  /**
   * Address bits that differed between samples (popcount of the OR of XORs). Not an
   * entropy bound: a carry or borrow out of the random field flips higher bits too.
   */
  varyingBits: number;
  /** log2(distinct): the most entropy N samples can show. */
  observedBits: number;
  lowest: string | null;
  highest: string | null;
}

/** A batch of samples and their spread. */
export interface AslrBatch {
  samples: AslrSample[];
  spread: LandmarkSpread[];
}

/** The kernel's configured mmap randomisation, bits (null where the file is missing or unreadable). */
export interface KernelRandomBits {
  /** /proc/sys/vm/mmap_rnd_bits: random bits of the mmap base of native processes. */
  mmapRndBits: number | null;
  /** /proc/sys/vm/mmap_rnd_compat_bits: the same for compat (32-bit) processes. */
  mmapRndCompatBits: number | null;
}

function readBitsFile(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n >= 0 ? n : null;
  } catch {
    return null;
  }
}

/** Reads vm.mmap_rnd_bits and vm.mmap_rnd_compat_bits (root-only on some kernels: null then). */
export function readKernelRandomBits(root = '/proc/sys/vm'): KernelRandomBits {
  return { mmapRndBits: readBitsFile(path.join(root, 'mmap_rnd_bits')), mmapRndCompatBits: readBitsFile(path.join(root, 'mmap_rnd_compat_bits')) };
}

/** What step 3 measured. */
export interface AslrMeasurements {
  /** kernel.randomize_va_space: 0 off, 1 stack/mmap/vdso, 2 also brk (the heap). */
  randomizeVaSpace: number | null;
  /** The kernel's configured mmap randomisation, shown beside the bits that differed. */
  kernelRandomBits: KernelRandomBits;
  randomized: AslrBatch;
  /** Under setarch -R; null batch with a reason when setarch could not run. */
  norandomize: { wrapper: string[]; batch: AslrBatch | null; reason: string | null };
}

/** The spread of each landmark over samples (pure). */
export function spreadOf(samples: readonly AslrSample[]): LandmarkSpread[] {
  return ASLR_LANDMARKS.map((landmark) => {
    const values = samples.map((s) => s[landmark]).filter((v): v is string => v !== null).map((v) => BigInt(v));
    const first = values[0];
    let or = 0n;
    for (const v of values) or |= v ^ (first as bigint);
    let varyingBits = 0;
    for (; or > 0n; or >>= 1n) varyingBits += Number(or & 1n);
    const distinct = new Set(values.map(String)).size;
    const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const hex = (v: bigint | undefined): string | null => (v === undefined ? null : `0x${v.toString(16)}`);
    return {
      landmark, samples: values.length, distinct, varyingBits, observedBits: distinct > 0 ? Math.log2(distinct) : 0,
      lowest: hex(sorted[0]), highest: hex(sorted[sorted.length - 1]),
    };
  });
}

const TASKS = path.join(__dirname, 'tasks.js');

async function sampleBatch(children: number, wrapper?: string[]): Promise<AslrBatch> {
  const outcomes = await Promise.all(Array.from({ length: children }, () =>
    runChild<AslrSample>(TASKS, 'aslrSample', null, { timeoutMs: 20_000, ...(wrapper ? { wrapper } : {}) })));
  const samples = outcomes.map((o) => requireResult(o, 'an ASLR sample'));
  return { samples, spread: spreadOf(samples) };
}

/** Runs `children` fresh processes with randomisation and `norandomizeChildren` under setarch -R. */
export async function measureAslr(children: number, norandomizeChildren: number): Promise<AslrMeasurements> {
  const wrapper = ['setarch', os.machine(), '-R'];
  const randomized = await sampleBatch(children);
  let batch: AslrBatch | null = null;
  let reason: string | null = null;
  try {
    batch = await sampleBatch(norandomizeChildren, wrapper);
  } catch (err) {
    if (!isCodedError(err) || err.code !== 'ERR_VMPROBE_CHILD') throw err;
    reason = `\`${wrapper.join(' ')}\` could not run: ${err.message.split('\n')[0] ?? ''}`;
  }
  return { randomizeVaSpace: readAslrMode(), kernelRandomBits: readKernelRandomBits(), randomized, norandomize: { wrapper, batch, reason } };
}
