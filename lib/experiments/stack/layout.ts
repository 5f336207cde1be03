/**
 * Where a thread's stack sits among the process's mappings, read from /proc/self/maps
 * inside the process concerned (a stack child, or a worker thread in one).
 */
import { readMaps, findMapping, type MapsEntry } from '../../proc/maps';
import { hexAddress } from '../../report/result';
import { threadStack, type ThreadStack } from '../../stack/probes';
import type { StackLayout, ThreadStackInfo } from './measurements';

/** The [stack] mapping, or undefined. */
export function mainStackMapping<T extends MapsEntry>(maps: readonly T[]): T | undefined {
  return maps.find((m) => m.path === '[stack]');
}

/** The highest mapping that ends at or below `address`, or undefined. */
export function mappingBelow(maps: readonly MapsEntry[], address: bigint): MapsEntry | undefined {
  let below: MapsEntry | undefined;
  for (const m of maps) if (m.end <= address && (below === undefined || m.end > below.end)) below = m;
  return below;
}

/** The main stack's place in this process, given its soft RLIMIT_STACK (Infinity: unlimited). */
export function readStackLayout(rlimitBytes: number, maps: readonly MapsEntry[] = readMaps(), stack: ThreadStack = threadStack()): StackLayout {
  const stackMap = mainStackMapping(maps);
  const below = stackMap ? mappingBelow(maps, stackMap.start) : undefined;
  const libc = maps.find((m) => m.path !== null && /\/libc[.-]/.test(m.path));
  const lowestAllowed = Number.isFinite(rlimitBytes) ? stack.stackTop - BigInt(rlimitBytes) : null;
  return {
    stackTop: hexAddress(stack.stackTop) as string,
    inUseBytes: stack.inUseBytes,
    stackMapStart: hexAddress(stackMap?.start ?? null),
    stackMapEnd: hexAddress(stackMap?.end ?? null),
    belowStackEnd: hexAddress(below?.end ?? null),
    belowStackPath: below?.path ?? null,
    gapBelowStackBytes: stackMap && below ? Number(stackMap.start - below.end) : null,
    gapBelowLimitBytes: lowestAllowed !== null && below ? Number(lowestAllowed - below.end) : null,
    libcStart: hexAddress(libc?.start ?? null),
  };
}

/** The calling thread's stack and the mapping (and guard mapping) that hold it. */
export function readThreadStackInfo(maps: readonly MapsEntry[] = readMaps(), stack: ThreadStack = threadStack()): ThreadStackInfo {
  const mapping = findMapping(maps, stack.stackPointer);
  const guard = mapping ? maps.find((m) => m.end === mapping.start && !m.read && !m.write && !m.execute) : undefined;
  return {
    mainThread: stack.mainThread,
    stackLow: hexAddress(stack.stackLow) as string,
    stackTop: hexAddress(stack.stackTop) as string,
    stackSizeBytes: stack.stackSizeBytes,
    guardSizeBytes: stack.guardSizeBytes,
    inUseBytes: stack.inUseBytes,
    mappingStart: hexAddress(mapping?.start ?? null),
    mappingEnd: hexAddress(mapping?.end ?? null),
    mappingSizeBytes: mapping?.sizeBytes ?? null,
    mappingPath: mapping?.path ?? null,
    guardMappingBytes: guard?.sizeBytes ?? null,
  };
}
