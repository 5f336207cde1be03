/**
 * From the command line's strings to the experiments' options, checked before anything
 * runs: each option applies to the command (or, for `report`, to an experiment it runs),
 * each size is within the bounds of every experiment that takes it and within the memory
 * this host can give (unless --force), --pid names a live process, --node-flags are flags
 * node accepts. Every refusal is a UsageError naming the option and the value.
 */
import { spawnSync } from 'node:child_process';
import { EXPERIMENTS, findExperiment, type ExperimentCliFlag, type ExperimentCliOptions, type ExperimentEntry } from '../experiments/registry';
import type { SizeBounds, SizeFlag } from '../experiments/descriptor';
import { EXPERIMENT_NAMES, isExperimentName, type ExperimentName } from '../experiments/names';
import { NODE_FLAGS_ENV, parseNodeFlags } from '../child/node-flags';
import { readMemoryHeadroom, type MemoryHeadroom } from '../system/memory-headroom';
import { parseLimit, parseSize } from '../util/size';
import { formatBytes } from '../util/format';
import type { CommandLine } from './args';
import { commandOptions } from './help';
import { checkMemoryHeadroom } from './memory-guard';
import { UsageError, argumentErrorLine } from './usage-error';

const EXPERIMENT_FLAGS: readonly ExperimentCliFlag[] = ['size', 'limit', 'frame', 'pid', 'threads', 'scale'];
const SIZE_FLAGS: readonly SizeFlag[] = ['size', 'limit', 'frame'];

/** What the command will run, with its options. */
export interface CheckedOptions {
  /** The experiments to run, in report order (one for an experiment command). */
  experiments: ExperimentEntry[];
  /** For `report --only`: the names chosen. */
  only: ExperimentName[] | undefined;
  options: ExperimentCliOptions;
}

type Values = CommandLine['values'];

/** Runs `fn`; a vmprobe argument error it throws becomes a UsageError for `command`. */
function asUsage<T>(command: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const line = argumentErrorLine(err);
    if (line !== null) throw new UsageError(line, command);
    throw err;
  }
}

/** "4096 bytes (4.0 KiB, the page size)". */
function bytesText(n: number, reason: string | null): string {
  const notes = [...(n < 1024 ? [] : [formatBytes(n)]), ...(reason === null ? [] : [reason])];
  return `${n} ${n === 1 ? 'byte' : 'bytes'}${notes.length === 0 ? '' : ` (${notes.join(', ')})`}`;
}

/** The allowed range of a size flag, in words. */
function allowedText(bounds: SizeBounds): string {
  const min = `at least ${bytesText(bounds.minBytes, bounds.minReason)}`;
  const max = bounds.maxBytes === null ? '' : ` and at most ${bytesText(bounds.maxBytes, bounds.maxReason)}`;
  return `${min}${max}${bounds.unlimited ? ", or 'unlimited'" : ''}`;
}

/** Throws unless every option given applies to `command` (report: to at least one experiment it runs). */
function rejectInapplicable(command: string, values: Values, chosen: readonly ExperimentEntry[]): void {
  if (command !== 'report') {
    if (values.only !== undefined && command !== 'allocators') throw new UsageError('--only applies to `vmprobe report` (experiments) and `vmprobe allocators` (configurations)', command);
    if (values.html !== undefined) throw new UsageError(`--html applies to \`vmprobe report\` (try \`vmprobe report --only ${command} --html ${values.html}\`)`, command);
    if (values.details !== undefined) throw new UsageError(`--details applies to \`vmprobe report\` (\`vmprobe ${command}\` prints its details already)`, command);
    const allowed = commandOptions(command) ?? new Set<string>();
    const entry = chosen[0];
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined || allowed.has(name)) continue;
      const takes = entry === undefined || entry.accepts.length === 0 ? 'no experiment options' : entry.accepts.map((f) => `--${f}`).join(', ');
      throw new UsageError(`--${name} does not apply to \`vmprobe ${command}\` (it takes ${takes})`, command);
    }
    return;
  }
  for (const flag of EXPERIMENT_FLAGS) {
    if (values[flag] === undefined || chosen.some((e) => e.accepts.includes(flag))) continue;
    const takers = EXPERIMENTS.filter((e) => e.accepts.includes(flag)).map((e) => e.name);
    throw new UsageError(`--${flag} applies to none of the experiments this report runs (${chosen.map((e) => e.name).join(', ')}); ${takers.join(', ')} take${takers.length === 1 ? 's' : ''} it`, command);
  }
  if (values.force !== undefined && !chosen.some((e) => Object.values(e.sizeBounds()).some((b) => b.residentPerByte > 0))) {
    throw new UsageError(`--force applies to none of the experiments this report runs (${chosen.map((e) => e.name).join(', ')})`, command);
  }
}

/** The experiments `command` runs: one, or the report's (all, or --only's). */
function chosenExperiments(command: string, values: Values): { experiments: ExperimentEntry[]; only: ExperimentName[] | undefined } {
  if (command !== 'report') {
    const entry = findExperiment(command);
    if (entry === undefined) throw new UsageError(`unknown experiment '${command}'. Known: ${[...EXPERIMENT_NAMES, 'report', 'explain'].join(', ')}`, undefined);
    return { experiments: [entry], only: undefined };
  }
  if (values.only === undefined) return { experiments: [...EXPERIMENTS], only: undefined };
  const listed = values.only.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = listed.find((n) => !isExperimentName(n));
  if (unknown !== undefined || listed.length === 0) {
    throw new UsageError(`--only names an unknown experiment '${unknown ?? values.only}'. Known: ${EXPERIMENT_NAMES.join(', ')}`, command);
  }
  const only = listed.filter(isExperimentName);
  return { experiments: EXPERIMENTS.filter((e) => only.includes(e.name)), only };
}

/** Parses and bounds-checks one size flag against every chosen experiment that takes it. */
function sizeValue(command: string, flag: SizeFlag, text: string, chosen: readonly ExperimentEntry[], force: boolean, headroom: () => MemoryHeadroom): number {
  const bytes = asUsage(command, () => (flag === 'limit' ? parseLimit(text, `--${flag}`) : parseSize(text, `--${flag}`)));
  for (const entry of chosen) {
    const bounds = entry.accepts.includes(flag) ? entry.sizeBounds()[flag] : undefined;
    if (bounds === undefined) continue;
    const inRange = bytes === Infinity ? bounds.unlimited : bytes >= bounds.minBytes && (bounds.maxBytes === null || bytes <= bounds.maxBytes);
    if (!inRange) {
      const who = command === 'report' ? ` for ${entry.name}` : '';
      throw new UsageError(`--${flag} must be ${allowedText(bounds)}${who}. Received '${text}'`, command);
    }
    checkMemoryHeadroom(command, flag, text, bytes, bounds, headroom(), force);
  }
  return bytes;
}

/**
 * --pid: a positive integer. Whether that process exists is not a usage question (it can
 * exit between this check and the read): the experiment's reader fails with ESRCH/ENOENT,
 * exit 1, as issue 10 §4 and explain's errors want.
 */
function pidValue(command: string, text: string): number {
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`--pid must be a positive process id. Received '${text}'`, command);
  return Number(text);
}

/**
 * Checks `flags` (text of --node-flags or VMPROBE_NODE_FLAGS, named `name`) and that node
 * starts with them: a flag node refuses would make every child fail.
 */
function checkNodeFlags(command: string, name: string, text: string): void {
  const flags = asUsage(command, () => parseNodeFlags(text, name));
  const run = spawnSync(process.execPath, [...flags, '-e', '0'], { encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) {
    const why = run.error?.message ?? (run.stderr.trim().split('\n').find((l) => l.trim() !== '') ?? `exit ${String(run.status ?? run.signal)}`);
    throw new UsageError(`${name} '${text}' are not flags this node accepts: ${why.trim()}`, command);
  }
}

/**
 * Checks the command line's options for `command` and maps them onto the experiments'.
 * Sets VMPROBE_NODE_FLAGS in this process's environment for --node-flags (every child
 * reads it). Throws UsageError; `headroom` is read only when a size needs it.
 */
export function checkOptions(command: string, values: Values, headroom: () => MemoryHeadroom = readMemoryHeadroom): CheckedOptions {
  const { experiments, only } = chosenExperiments(command, values);
  rejectInapplicable(command, values, experiments);
  const options: ExperimentCliOptions = {};
  const force = values.force === true;
  let measured: MemoryHeadroom | undefined;
  const once = (): MemoryHeadroom => (measured ??= headroom());
  for (const flag of SIZE_FLAGS) {
    const text = values[flag];
    if (text === undefined) continue;
    const bytes = sizeValue(command, flag, text, experiments, force, once);
    if (flag === 'size') options.sizeBytes = bytes;
    else if (flag === 'limit') options.limitBytes = bytes;
    else options.frameBytes = bytes;
  }
  if (values.pid !== undefined) options.pid = pidValue(command, values.pid);
  if (values.threads !== undefined) options.threads = values.threads;
  if (values.scale !== undefined) options.scale = values.scale;
  if (command === 'allocators' && values.only !== undefined) options.configurations = values.only;
  for (const entry of experiments) asUsage(command, () => entry.checkOptions?.(options));
  const inherited = process.env[NODE_FLAGS_ENV];
  if (inherited !== undefined && inherited.trim() !== '') checkNodeFlags(command, NODE_FLAGS_ENV, inherited);
  const given = values['node-flags'];
  if (given !== undefined) {
    checkNodeFlags(command, '--node-flags', given);
    process.env[NODE_FLAGS_ENV] = [inherited ?? '', given].join(' ').trim();
  }
  return { experiments, only, options };
}
