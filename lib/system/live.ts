/**
 * Live native handles in this process: mappings not yet unmapped, heap blocks not
 * yet freed and block sets not yet closed, whichever thread (main or worker) made them. A leak check: after every
 * handle is released (or collected: finalizers release forgotten ones), both are back
 * where they started.
 */
import { native } from '../native/loader';

/** Counts of live native handles, process-wide. */
export interface LiveHandles {
  /** mmap regions still mapped (a Mapping's ArrayBuffer keeps its region alive). */
  mappings: number;
  /** malloc/calloc blocks still allocated. */
  heapBlocks: number;
  /** Block sets (mallocBlocks) not yet closed, each counted once whatever its block count. */
  blockSets: number;
}

/** Mappings, heap blocks and block sets vmprobe holds right now, across all threads of this process. */
export function liveHandles(): LiveHandles {
  return native.liveHandles();
}
