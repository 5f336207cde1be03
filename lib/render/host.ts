/** The host summary: every setting that can change a verdict, one line each. */
import type { HostInfo } from '../system/host';
import { formatBytes } from '../util/format';
import type { Style } from './style';
import { terminalWidth, wrapHanging } from './wrap';

function entries(record: Record<string, string>): string {
  const list = Object.entries(record).map(([k, v]) => `${k}=${v}`);
  return list.length === 0 ? 'none' : list.join(' ');
}

/** The host facts as [name, value] rows, in the order the report shows them. */
export function hostRows(host: HostInfo): Array<[string, string]> {
  const aslrNames = ['off', 'stack/mmap/vdso', 'full (stack/mmap/vdso/heap)'];
  return [
    ['kernel', `Linux ${host.kernelRelease} (${host.arch})`],
    ['libc', (host.libc.version ? `${host.libc.name} ${host.libc.version}` : host.libc.name) +
      (host.libc.replacementAllocator ? ` (malloc replaced by ${host.libc.replacementAllocator}${host.libc.replacementAllocatorVersion ? ` ${host.libc.replacementAllocatorVersion}` : ''})` : '')],
    ['node', host.nodeVersion],
    ['page size', formatBytes(host.pageSizeBytes)],
    ['memory', host.physicalMemoryBytes === null ? 'unknown' : `${formatBytes(host.physicalMemoryBytes)} RAM, ${host.swap === null ? 'swap unknown' : host.swap.totalBytes === 0 ? 'no swap' : `${formatBytes(host.swap.totalBytes)} swap`}`],
    ['THP', host.thp === null ? 'not available' : `${host.thp.enabled} (defrag ${host.thp.defrag ?? '?'}, huge page ${host.thp.pmdSizeBytes === null ? '?' : formatBytes(host.thp.pmdSizeBytes)})`],
    ['overcommit', `${host.overcommit.mode ?? '?'} (${host.overcommit.modeName}), ratio ${host.overcommit.ratioPercent ?? '?'}%`],
    ['ASLR', host.aslr === null ? 'unknown' : `${host.aslr} (${aslrNames[host.aslr] ?? 'unknown'})`],
    ['RLIMIT_STACK', `soft ${formatBytes(host.stackLimit.softBytes)}, hard ${formatBytes(host.stackLimit.hardBytes)}`],
    ['malloc tunables', `GLIBC_TUNABLES: ${entries(host.malloc.glibcTunables)}; env: ${entries(host.malloc.environment)}`],
    ['CPU address bits', host.cpuAddressBits === null ? 'unknown' : `${host.cpuAddressBits.virtual} virtual, ${host.cpuAddressBits.physical} physical`],
    ...(host.nodeFlags !== undefined && host.nodeFlags.length > 0 ? [['node flags', `${host.nodeFlags.join(' ')} (every child process of the experiments ran with them)`] as [string, string]] : []),
  ];
}

/** Renders the host block; long values wrap to `widthColumns` under their own column. */
export function renderHost(host: HostInfo, style: Style, widthColumns: number = terminalWidth()): string {
  const rows = hostRows(host);
  const width = Math.max(...rows.map(([k]) => k.length));
  const indent = ' '.repeat(width + 4);
  return [style.bold('Host'), ...rows.map(([k, v]) => wrapHanging(v, indent, widthColumns, `  ${k.padEnd(width)}  `))].join('\n');
}
