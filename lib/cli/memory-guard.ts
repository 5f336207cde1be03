/**
 * Refusing a size that would push the host into swap or the OOM killer: the bytes an
 * experiment would make resident for a size flag (its SizeBounds.residentPerByte) against
 * the memory this process can still use (lib/system/memory-headroom.ts, read now). A
 * usage error with a one-line hint, unless --force.
 */
import type { SizeBounds } from '../experiments/descriptor';
import type { MemoryHeadroom } from '../system/memory-headroom';
import { formatBytes } from '../util/format';
import { UsageError } from './usage-error';

/** What binds in `headroom`, in words: "MemAvailable" or "the cgroup limit (…)". */
function bindingLimit(headroom: MemoryHeadroom): string {
  const c = headroom.cgroup;
  if (c !== null && c.headroomBytes === headroom.headroomBytes) {
    return `the memory cgroup ${c.directory} (limit ${formatBytes(c.limitBytes)}, ${formatBytes(c.usageBytes)} in use)`;
  }
  return 'MemAvailable in /proc/meminfo';
}

/**
 * Throws a UsageError for `command` when `flag`'s value of `valueBytes` would make more
 * resident than `headroom` leaves; nothing when the size does not drive memory, the
 * headroom is unknown, or `force`.
 */
export function checkMemoryHeadroom(command: string, flag: string, text: string, valueBytes: number, bounds: SizeBounds, headroom: MemoryHeadroom, force: boolean): void {
  if (force || bounds.residentPerByte === 0 || !Number.isFinite(valueBytes) || headroom.headroomBytes === null) return;
  const peakBytes = valueBytes * bounds.residentPerByte;
  if (peakBytes <= headroom.headroomBytes) return;
  const peak = bounds.residentPerByte === 1 ? '' : ` (about ${formatBytes(peakBytes)} resident at its peak)`;
  throw new UsageError(`--${flag} ${text}${peak} exceeds the ${formatBytes(headroom.headroomBytes)} this host can still give without swapping or the OOM killer ` +
    `(${bindingLimit(headroom)}); use a size below ${formatBytes(Math.floor(headroom.headroomBytes / bounds.residentPerByte))}, or add --force to run it anyway`, command);
}
