/**
 * The records a stack child streams (JSON lines on fd 3, see lib/child/spawn.ts): marks and
 * samples written by the native recursion, and the task's own records. Turns the raw
 * lines of /proc text a sample carries into numbers; judges nothing.
 */
import { parseMapsLine } from '../../proc/maps';
import type { StackSample } from './measurements';

/** A mark: written each time the stack in use crosses into a new page. */
export interface MarkRecord { kind: 'mark'; depthFrames: number; depthBytes: number }
/** A full sample as native/stack.cc writes it (raw /proc lines). */
export interface RawSampleRecord {
  kind: 'sample';
  depthFrames: number;
  stackPointer: string;
  depthBytes: number;
  vmStkLine: string;
  stackMapLine: string;
  stackResidentPages: number;
}

function isRecord(r: unknown, kind: string): boolean {
  return typeof r === 'object' && r !== null && (r as { kind?: unknown }).kind === kind;
}

/** The records of one kind, in order. */
export function recordsOfKind<T>(records: readonly unknown[], kind: string): T[] {
  return records.filter((r) => isRecord(r, kind)) as T[];
}

/** The first record of `kind`, or null. */
export function firstRecord<T>(records: readonly unknown[], kind: string): T | null {
  return (records.find((r) => isRecord(r, kind)) as T | undefined) ?? null;
}

const VMSTK_LINE = /^VmStk:\s*([0-9]+) kB$/;

/** "VmStk:\t  132 kB" → bytes; null when the line is empty or another shape. */
export function parseVmStkLine(line: string): number | null {
  const m = VMSTK_LINE.exec(line.trim());
  return m ? Number(m[1]) * 1024 : null;
}

/** A raw sample → StackSample (bytes, hex addresses). */
export function toStackSample(raw: RawSampleRecord, pageSizeBytes: number): StackSample {
  let start: string | null = null;
  let size: number | null = null;
  if (raw.stackMapLine !== '') {
    const entry = parseMapsLine(raw.stackMapLine);
    start = `0x${entry.start.toString(16)}`;
    size = entry.sizeBytes;
  }
  return {
    depthFrames: raw.depthFrames,
    depthBytes: raw.depthBytes,
    stackPointer: raw.stackPointer,
    vmStkBytes: parseVmStkLine(raw.vmStkLine),
    stackMapStart: start,
    stackMapSizeBytes: size,
    stackRssBytes: raw.stackResidentPages < 0 ? null : raw.stackResidentPages * pageSizeBytes,
  };
}

/** The deepest mark, or null when there is none. */
export function deepestMark(records: readonly unknown[]): MarkRecord | null {
  let deepest: MarkRecord | null = null;
  for (const r of records) {
    if (isRecord(r, 'mark') && (deepest === null || (r as MarkRecord).depthBytes > deepest.depthBytes)) deepest = r as MarkRecord;
  }
  return deepest;
}
