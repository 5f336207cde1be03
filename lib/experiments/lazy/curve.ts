/**
 * The lazy-allocation curve (for the report's chart): one fresh mapping, read in
 * CURVE_CHUNKS equal chunks and then written in the same chunks; after each chunk the
 * cumulative faults (exact: counted inside each native touch), zero pages and private
 * pages (pagemap) and the mapping's RSS (smaps). Extra to steps 1-4, which it does not
 * change: it shows how the counts grow with the pages touched, not only where they end.
 */
import { map, type Mapping } from '../../memory/mapping';
import { mappingVma } from './observe';

/** Chunks each pass is cut into. */
export const CURVE_CHUNKS = 16;

/** One point of the curve: the state after touching `pagesTouched` pages in this pass. */
export interface CurvePoint {
  pass: 'read' | 'write';
  /** Pages touched so far in this pass. */
  pagesTouched: number;
  /** Minor faults so far in this pass (sum of the native touches' exact counts). */
  minorFaults: number;
  /** pagemap: present pages that map the shared zero page. */
  zeroPages: number;
  /** pagemap: present pages with memory of their own. */
  privatePages: number;
  /** smaps Rss of the mapping (bytes), null when the kernel merged it with a neighbour. */
  mappingRssBytes: number | null;
}

/** The curve: a point before any touch, then one per chunk of each pass. */
export interface LazyCurve {
  pages: number;
  chunks: number;
  points: CurvePoint[];
}

function point(mapping: Mapping, pass: CurvePoint['pass'], pagesTouched: number, minorFaults: number): CurvePoint {
  const pm = mapping.pagemap();
  return { pass, pagesTouched, minorFaults, zeroPages: pm.zeroPages, privatePages: pm.presentPages - pm.zeroPages, mappingRssBytes: mappingVma(mapping)?.rssBytes ?? null };
}

/** Maps `sizeBytes`, reads it chunk by chunk, then writes it chunk by chunk, sampling after each chunk. */
export function runLazyCurve(sizeBytes: number, pageSizeBytes: number): LazyCurve {
  const mapping = map({ sizeBytes });
  try {
    const pages = mapping.pages;
    const chunks = Math.min(CURVE_CHUNKS, pages);
    const points: CurvePoint[] = [point(mapping, 'read', 0, 0)];
    for (const pass of ['read', 'write'] as const) {
      let faults = 0;
      let touched = 0;
      for (let i = 0; i < chunks; i++) {
        const startPage = Math.floor((i * pages) / chunks);
        const endPage = Math.floor(((i + 1) * pages) / chunks);
        // The last page may be partial: the mapping's size need not be a page multiple.
        const offsetBytes = startPage * pageSizeBytes;
        const r = mapping.touch({ mode: pass, offsetBytes, lengthBytes: Math.min(endPage * pageSizeBytes, sizeBytes) - offsetBytes });
        faults += r.minorFaults;
        touched += r.pagesTouched;
        points.push(point(mapping, pass, touched, faults));
      }
    }
    return { pages, chunks, points };
  } finally {
    mapping.unmap();
  }
}
