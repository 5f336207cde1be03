/**
 * The names TypeScript types by hand (literal unions, for the compiler) and the
 * addon's own tables (native/constants.cc, exported as `constants`): checked against
 * each other when this module loads, so a name added on one side only is a build
 * error (ERR_VMPROBE_BUILD) at import, not a wrong syscall later. Limits come from the
 * addon alone.
 */
import { native, rebuildHint, type NativeConstants } from './loader';
import { buildError } from '../util/errors';

/** madvise advice names, in native/constants.cc order. */
export const ADVICE_NAMES = ['normal', 'random', 'sequential', 'willneed', 'dontneed', 'free', 'hugepage', 'nohugepage', 'cold', 'pageout'] as const;
/** Protection names. */
export const PROTECTION_NAMES = ['none', 'read', 'read-write'] as const;
/** Resource names accepted by getrlimit/setrlimit (RLIMIT_<NAME> in lower case). */
export const RLIMIT_NAME_LIST = [
  'as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio',
  'rttime', 'sigpending', 'stack',
] as const;
/** glibc mallopt(3) parameters. */
export const MALLOPT_PARAM_NAMES = ['M_MMAP_THRESHOLD', 'M_TRIM_THRESHOLD', 'M_TOP_PAD', 'M_MMAP_MAX', 'M_ARENA_MAX'] as const;
/** posix_fadvise(2) advice names. */
export const FADVISE_NAMES = ['normal', 'sequential', 'random', 'noreuse', 'willneed', 'dontneed'] as const;
/** layoutFault targets. */
export const FAULT_TARGET_NAMES = ['null', 'small-int', 'kernel', 'text-write'] as const;

const CHECKED: ReadonlyArray<[keyof Omit<NativeConstants, 'limits'>, readonly string[]]> = [
  ['advice', ADVICE_NAMES],
  ['protection', PROTECTION_NAMES],
  ['rlimit', RLIMIT_NAME_LIST],
  ['mallopt', MALLOPT_PARAM_NAMES],
  ['fadvise', FADVISE_NAMES],
  ['faultTarget', FAULT_TARGET_NAMES],
];

/** The tables whose names differ between TypeScript and `constants`, described ([] when all match). */
export function tableMismatches(constants: NativeConstants): string[] {
  const out: string[] = [];
  for (const [table, names] of CHECKED) {
    const native = Object.keys(constants[table]);
    if (native.join(',') !== names.join(',')) out.push(`${table}: addon [${native.join(', ')}], TypeScript [${names.join(', ')}]`);
  }
  return out;
}

const mismatches = tableMismatches(native.constants);
if (mismatches.length > 0) {
  throw buildError(`vmprobe's native addon and its JavaScript name different constants (${mismatches.join('; ')}): ${rebuildHint()}.`);
}

/** The addon's limits: maxRuns (residency runs per call), minFrameBytes/maxFrameBytes (stack recursion). */
export const LIMITS: Readonly<NativeConstants['limits']> = Object.freeze({ ...native.constants.limits });
