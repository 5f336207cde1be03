/**
 * Step 9: which Node.js buffer constructors make memory resident. Measured over each
 * buffer's own pages (mincore + pagemap), not by process-wide RSS, so V8's activity
 * around the allocation does not blur it.
 */
import { bufferPagemap, bufferResidency, type BufferLike } from '../../memory/buffers';

/** One buffer kind's pages right after construction. */
export interface BufferMeasurement {
  kind: string;
  byteLength: number;
  pages: number;
  /** mincore: resident (zero page included). */
  residentPages: number;
  /** pagemap: present pages. */
  presentPages: number;
  /** pagemap: present pages that are the shared zero page. */
  zeroPages: number;
  /** present - zero: pages with memory of their own. */
  privatePages: number;
}

/** Step 9's record. */
export interface NodeBuffersStep {
  name: 'node-buffers';
  sizeBytes: number;
  buffers: BufferMeasurement[];
}

const KINDS: ReadonlyArray<[string, (n: number) => BufferLike]> = [
  ['new ArrayBuffer(N)', (n) => new ArrayBuffer(n)],
  ['Buffer.alloc(N)', (n) => Buffer.alloc(n)],
  ['Buffer.allocUnsafe(N)', (n) => Buffer.allocUnsafe(n)],
  ['Buffer.alloc(N, 1)', (n) => Buffer.alloc(n, 1)],
];

/** Builds each kind of buffer of `sizeBytes` and reads its pages. */
export function runNodeBuffers(sizeBytes: number): NodeBuffersStep {
  const buffers = KINDS.map(([kind, make]): BufferMeasurement => {
    const buffer = make(sizeBytes);
    const residency = bufferResidency(buffer, { maxRuns: 0 });
    const pm = bufferPagemap(buffer);
    return {
      kind, byteLength: residency.byteLength, pages: residency.pages, residentPages: residency.residentPages,
      presentPages: pm.presentPages, zeroPages: pm.zeroPages, privatePages: pm.presentPages - pm.zeroPages,
    };
  });
  return { name: 'node-buffers', sizeBytes, buffers };
}
