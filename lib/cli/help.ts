/**
 * What `vmprobe --help`, `vmprobe <command> --help` and a usage error print: the help
 * texts, the one-line usage of each command, the options each command takes, and the
 * exit codes. Text only.
 */
import { EXPERIMENTS, findExperiment, type ExperimentEntry } from '../experiments/registry';
import { OPTIONS } from './args';

/** The exit codes of `vmprobe` (explain uses 0, 1 and 2 alike). */
export const EXIT_CODES: ReadonlyArray<readonly [string, string]> = [
  ['0', 'the run completed, whatever the verdicts'],
  ['1', 'an experiment or another step could not run (one line; --debug adds the stack trace)'],
  ['2', 'usage error: one line naming the option, the value and what is allowed, then the usage; nothing ran'],
  ['141', 'stdout was closed early (piped into head, …): vmprobe stopped quietly, as on SIGPIPE'],
  ['128+n', 'ended by signal n (130 Ctrl-C, 143 SIGTERM) after killing the experiments\' children'],
];

/** Options every command takes. */
const COMMON = ['json', 'debug', 'help', 'version'] as const;

/** Whether any size flag of `entry` drives its memory (then --force applies). */
function takesForce(entry: ExperimentEntry): boolean {
  return Object.values(entry.sizeBounds()).some((b) => b.residentPerByte > 0);
}

/** The option names (without `--`) `command` accepts; undefined for an unknown command. */
export function commandOptions(command: string): Set<string> | undefined {
  if (command === 'report') return new Set(Object.keys(OPTIONS));
  const entry = findExperiment(command);
  if (entry === undefined) return undefined;
  return new Set<string>([...COMMON, ...entry.accepts, 'node-flags', ...(takesForce(entry) ? ['force'] : []), ...(command === 'allocators' ? ['only'] : [])]);
}

/** `--size SIZE` and the like, from an option line of a descriptor. */
function synopsisOf(optionLine: string): string | null {
  const m = /^(--[\w-]+)(?: ([A-Z]+))?/.exec(optionLine);
  return m ? `[${m[1]}${m[2] ? ` ${m[2]}` : ''}]` : null;
}

/** The one-line usage of `command` (the top-level one when unknown or undefined). */
export function usageLine(command: string | undefined): string {
  if (command === 'report') return 'Usage: vmprobe report [--only LIST] [--html FILE] [--details] [--json] [experiment options] [--force] [--node-flags FLAGS]';
  const entry = command === undefined ? undefined : findExperiment(command);
  if (entry === undefined) return 'Usage: vmprobe <experiment> [options]   (vmprobe --help lists them)';
  const own = entry.options.map(synopsisOf).filter((s): s is string => s !== null);
  return `Usage: vmprobe ${entry.name} ${[...own, ...(takesForce(entry) ? ['[--force]'] : []), '[--node-flags FLAGS]', '[--json]'].join(' ')}`;
}

const COMMON_HELP = [
  '--json        print exactly one JSON document on stdout (no progress, no colour)',
  '--node-flags FLAGS  node/V8 flags for every child process, e.g. --node-flags=--stack-size=4000',
  '              (the flags node itself was started with pass to the children too)',
  '--debug       print the stack trace of a runtime error',
];
const FORCE_HELP = '--force       run even when the size asked for exceeds the memory available (MemAvailable, the cgroup limit)';

function exitCodeLines(): string[] {
  return ['Exit codes:', ...EXIT_CODES.map(([code, meaning]) => `  ${code.padEnd(6)} ${meaning}`)];
}

/** `vmprobe --help`. */
export function mainHelp(): string {
  const width = Math.max(...EXPERIMENTS.map((e) => e.name.length), 'explain'.length);
  return [
    'Usage: vmprobe <experiment> [options]',
    '',
    'See how Linux really handles a process\'s memory, measured on this host.',
    '',
    'Experiments:',
    ...EXPERIMENTS.map((e) => `  ${e.name.padEnd(width)}  ${e.description}`),
    `  ${'report'.padEnd(width)}  run every experiment and tally the verdicts`,
    '',
    `  ${'explain'.padEnd(width)}  where a process's memory is: every byte of RSS by owner (vmprobe explain --help)`,
    '',
    'Options:',
    '  --only LIST   (report) comma-separated experiments to run, e.g. --only lazy',
    '  --html FILE   (report) also write the report as one self-contained HTML page with charts',
    '  --details     (report) print each experiment\'s measurement tables before its claims',
    '  --pid PID     (layout) examine another process instead of vmprobe itself',
    ...COMMON_HELP.map((l) => `  ${l}`),
    `  ${FORCE_HELP}`,
    '  -h, --help    help for vmprobe or for one experiment (vmprobe lazy --help)',
    '  --version     print the version',
    '',
    'Sizes accept 64MiB, 128k, 1.5G or plain bytes; units are binary (k = 1024).',
    'Colour follows the terminal; NO_COLOR=1 turns it off.',
    '',
    ...exitCodeLines(),
  ].join('\n');
}

/** `vmprobe <command> --help` (the top-level help for an unknown command). */
export function commandHelp(name: string): string {
  if (name === 'report') {
    return [usageLine('report'), '',
      'Runs every experiment, prints the host, every claim with its verdict (grouped by experiment) and a tally.',
      '--html FILE writes the same report as one self-contained page with charts; --details adds',
      'each experiment\'s measurement tables to the terminal output.',
      'Experiment options (--size, --limit, --frame, --pid, --threads, --scale) pass through to the experiments that take them.',
      `Experiments: ${EXPERIMENTS.map((e) => e.name).join(', ')}`, '',
      'Options:', ...COMMON_HELP.map((l) => `  ${l}`), `  ${FORCE_HELP}`, '', ...exitCodeLines()].join('\n');
  }
  const entry = findExperiment(name);
  if (!entry) return mainHelp();
  return [usageLine(name), '', entry.description, '', 'Options:', ...entry.options.map((o) => `  ${o}`),
    ...(takesForce(entry) ? [`  ${FORCE_HELP}`] : []), ...COMMON_HELP.map((l) => `  ${l}`), '', ...exitCodeLines()].join('\n');
}
