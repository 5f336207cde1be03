// The /proc readers: pure parsers (text in, typed object out) and thin live
// wrappers that read /proc/<pid>/<file>. Sizes are in bytes unless named *Pages.
export { findMapping, parseMaps, parseMapsLine, readMaps } from './maps';
export type { MapsEntry } from './maps';
export { parseSmaps, parseSmapsRollup, readSmaps, readSmapsRollup, smapsFor } from './smaps';
export type { SmapsCounters, SmapsEntry, SmapsRollup } from './smaps';
export { parseStatus, readStatus } from './status';
export type { ProcStatus } from './status';
export { parseStatm, readStatm } from './statm';
export type { ProcStatm } from './statm';
export { readProcText } from './read';
export type { CodedError, ProcParseError, ProcPid } from './read';
