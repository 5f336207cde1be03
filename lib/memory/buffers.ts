/**
 * "Is this Buffer really in RAM?" — residency and pagemap of the pages any
 * ArrayBuffer, Buffer, TypedArray or DataView spans. These calls only ask the kernel
 * about the range (mincore, pagemap); they never read or write the bytes.
 *
 * A small buffer shares its pages with whatever else lives beside it in the heap, so
 * its pages being resident says little about the buffer itself; large buffers (above
 * malloc's mmap threshold) have pages of their own.
 */
import { types } from 'node:util';
import { native } from '../native/loader';
import { invalidArgType } from '../util/errors';
import { optionalBoolean, rejectUnknownKeys, validateOptions } from '../util/validate';
import { summarizePagemap, type PagemapSummary } from '../pages/summary';
import { toResidency, maxRunsOption } from './residency';
import { withJsonForm } from '../util/json-form';
import type { Residency } from './types';

/** Anything whose bytes live in an ArrayBuffer. */
export type BufferLike = ArrayBuffer | ArrayBufferView;

/** Where a buffer's bytes are: display-only address and length. */
export interface BufferSpan {
  /** Address of the first byte (display only); null for an empty or detached buffer. */
  address: bigint | null;
  byteLength: number;
}

function span(buffer: unknown): BufferSpan {
  // util.types, not instanceof: buffers from another realm (vm contexts) count too.
  if (!types.isArrayBuffer(buffer) && !ArrayBuffer.isView(buffer)) {
    throw invalidArgType('buffer', 'an instance of ArrayBuffer, Buffer, TypedArray or DataView', buffer);
  }
  return native.bufferRange(buffer);
}

/** The address and length of a buffer's bytes. */
export function bufferSpan(buffer: BufferLike): BufferSpan {
  return withJsonForm(span(buffer));
}

/** mincore(2) residency of the pages a buffer's bytes span. */
export function bufferResidency(buffer: BufferLike, options: { maxRuns?: number } = {}): Residency & BufferSpan {
  const s = span(buffer);
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['maxRuns']);
  const maxRuns = maxRunsOption(opts['maxRuns']);
  if (s.address === null) return withJsonForm({ ...s, pages: 0, residentPages: 0, runs: [], runCount: 0, runsTruncated: false });
  return withJsonForm({ ...s, ...toResidency(native.mincoreScan(s.address, s.byteLength, maxRuns)) });
}

/**
 * pagemap over the pages a buffer spans, with zero pages counted. Node's buffers are
 * private anonymous memory of this process, so the zero-page heuristic applies when
 * PFNs are hidden — unless the process has fork()ed since the buffer was filled.
 */
export function bufferPagemap(buffer: BufferLike, options: { entries?: boolean } = {}): PagemapSummary & BufferSpan {
  const s = span(buffer);
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['entries']);
  const entries = optionalBoolean(opts['entries'], 'entries', false);
  // An empty or detached buffer spans no pages: an empty summary, as bufferResidency gives.
  return withJsonForm({ ...s, ...summarizePagemap(s.address ?? 0n, s.address === null ? 0 : s.byteLength, { privateAnonymous: true, entries }) });
}
