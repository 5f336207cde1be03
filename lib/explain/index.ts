/**
 * `explainMemory()` and `explainBuffer()`: where a Node process's memory is. capture →
 * attribute → advise (see lib/explain/*.ts and DESIGN.md "Explaining a process's memory").
 */
import { types } from 'node:util';
import { bufferResidency, bufferSpan, type BufferLike } from '../memory/buffers';
import { pageSizeBytes } from '../system/usage';
import { formatBytes } from '../util/format';
import { invalidArgType, invalidArgValue } from '../util/errors';
import { rejectUnknownKeys, validateOptions } from '../util/validate';
import { captureMemory } from './capture';
import { attribute } from './attribute';
import { advise } from './advise';
import type { ExplainCapture, MemoryBreakdown } from './types';

export { captureMemory, captureRuntime } from './capture';
export type { CaptureOptions } from './capture';
export { attribute, findArenaHeaps, sumFigures, ARENA_HEAP_BYTES } from './attribute';
export { isV8Shaped, V8_PAGE_BYTES, V8_HINT_LIMIT } from './v8-shape';
export { advise } from './advise';
export { diffBreakdowns } from './diff';
export type { BreakdownDiff, OwnerDelta } from './diff';
export * from './types';

/** Attributes an existing capture and adds the findings. Pure. */
export function explainCapture(capture: ExplainCapture): MemoryBreakdown {
  const b = attribute(capture);
  return { ...b, findings: advise(b) };
}

/**
 * Where the memory of this process (default) or `options.pid` is: owners whose top-level
 * rows sum exactly to the kernel's totals, with findings. In-process the JS heap,
 * ArrayBuffer stores and malloc split come from V8 and mallinfo2 (`basis: 'inferred'`
 * rows say so); for a pid the split rests on the maps alone.
 * Errors: as captureMemory (bad pid, kernel thread, ESRCH, EACCES).
 */
export function explainMemory(options: ExplainOptions = {}): MemoryBreakdown {
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['pid']);
  const pid = opts['pid'];
  if (pid !== undefined && typeof pid !== 'number') throw invalidArgType('options.pid', 'of type number', pid);
  return explainCapture(captureMemory(pid === undefined ? {} : { pid }));
}

/** Options of explainMemory(). */
export interface ExplainOptions {
  /** Process to explain (default: this one). */
  pid?: number;
}

/** What a view keeps alive: its own bytes vs the backing store behind it. */
export interface BufferExplanation {
  /** The view's own length, bytes. */
  viewBytes: number;
  /** Length of the ArrayBuffer (backing store) the view keeps alive, bytes. */
  storeBytes: number;
  /** Store bytes the view does not cover but keeps alive, bytes. */
  retainedBeyondViewBytes: number;
  /** Resident bytes of the pages the view spans (mincore), bytes. */
  viewResidentBytes: number;
  /** Resident bytes of the pages the whole store spans (mincore), bytes. */
  storeResidentBytes: number;
  /** Addresses (display only), hex; null when empty or detached. */
  viewAddress: string | null;
  storeAddress: string | null;
  /** One sentence with the figures. */
  message: string;
}

/**
 * The backing store a Buffer/TypedArray/DataView keeps alive, next to its own pages
 * ("a 128 B view keeps an 8.0 KiB store resident"). Residency is mincore(2) over the
 * spans; pages may be shared with other small allocations beside them.
 * Errors: ERR_INVALID_ARG_TYPE for anything but an ArrayBuffer view; ERR_INVALID_ARG_VALUE for a SharedArrayBuffer-backed view is not raised (it works the same).
 */
export function explainBuffer(view: BufferLike): BufferExplanation {
  if (!ArrayBuffer.isView(view) && !types.isArrayBuffer(view)) {
    throw invalidArgType('view', 'an instance of Buffer, TypedArray, DataView or ArrayBuffer', view);
  }
  const store = ArrayBuffer.isView(view) ? view.buffer : view;
  if (!types.isArrayBuffer(store) && !types.isSharedArrayBuffer(store)) throw invalidArgValue('view', 'has no ArrayBuffer behind it');
  const page = pageSizeBytes();
  const v = bufferSpan(view);
  const s = bufferSpan(store as ArrayBuffer);
  const vr = bufferResidency(view, { maxRuns: 0 });
  const sr = bufferResidency(store as ArrayBuffer, { maxRuns: 0 });
  const storeResident = sr.residentPages * page;
  const out: BufferExplanation = {
    viewBytes: v.byteLength, storeBytes: s.byteLength, retainedBeyondViewBytes: s.byteLength - v.byteLength,
    viewResidentBytes: vr.residentPages * page, storeResidentBytes: storeResident,
    viewAddress: v.address === null ? null : `0x${v.address.toString(16)}`,
    storeAddress: s.address === null ? null : `0x${s.address.toString(16)}`,
    message: '',
  };
  out.message = s.byteLength > v.byteLength
    ? `a ${formatBytes(v.byteLength)} view keeps a ${formatBytes(s.byteLength)} store alive (${formatBytes(storeResident)} of its pages resident)`
    : `the view covers its whole ${formatBytes(s.byteLength)} store (${formatBytes(storeResident)} of its pages resident)`;
  return out;
}
