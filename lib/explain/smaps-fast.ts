/**
 * A single-pass reader of /proc/<pid>/smaps text straight into CapturedVma rows (only the
 * fields explain uses), for processes with tens of thousands of mappings: no per-line
 * regular expressions or intermediate objects. lib/proc/smaps.ts is the complete, strict
 * parser; this one follows the same format (proc(5): a maps header line, then
 * "Key:   N kB" lines, then VmFlags) and throws ERR_INVALID_ARG_VALUE on a header it
 * cannot read. Tests check both parsers agree on real smaps text.
 */
import { invalidArgValue } from '../util/errors';
import type { CapturedVma } from './types';

type CountKey = 'rssBytes' | 'pssBytes' | 'privateCleanBytes' | 'privateDirtyBytes' | 'sharedCleanBytes' | 'sharedDirtyBytes' | 'swapBytes' | 'anonHugePagesBytes';
const KEYS: Readonly<Record<string, CountKey>> = {
  Rss: 'rssBytes', Pss: 'pssBytes', Private_Clean: 'privateCleanBytes', Private_Dirty: 'privateDirtyBytes',
  Shared_Clean: 'sharedCleanBytes', Shared_Dirty: 'sharedDirtyBytes', Swap: 'swapBytes', AnonHugePages: 'anonHugePagesBytes',
};
const DELETED = ' (deleted)';

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** "00400000" → "400000" (maps pads addresses to 8 digits). */
function trimZeros(hex: string): string {
  let i = 0;
  while (i < hex.length - 1 && hex.charCodeAt(i) === 48) i++;
  return hex.slice(i);
}

function header(line: string, lineNumber: number): CapturedVma {
  // "start-end perms offset dev inode   path"
  const dash = line.indexOf('-');
  const s1 = line.indexOf(' ', dash);
  const s2 = line.indexOf(' ', s1 + 1);
  const s3 = line.indexOf(' ', s2 + 1);
  const s4 = line.indexOf(' ', s3 + 1);
  let s5 = line.indexOf(' ', s4 + 1);
  if (dash <= 0 || s1 < 0 || s2 < 0 || s3 < 0 || s4 < 0) {
    throw invalidArgValue('text', `is not /proc/<pid>/smaps text: line ${lineNumber} ${JSON.stringify(line.slice(0, 120))} is not a mapping header`);
  }
  if (s5 < 0) s5 = line.length;
  let path: string | null = null;
  let deleted = false;
  let p = s5;
  while (p < line.length && line.charCodeAt(p) === 32) p++;
  if (p < line.length) {
    path = line.slice(p);
    if (path.endsWith(DELETED)) { deleted = true; path = path.slice(0, -DELETED.length); }
  }
  return {
    start: `0x${trimZeros(line.slice(0, dash))}`, end: `0x${trimZeros(line.slice(dash + 1, s1))}`, perms: line.slice(s1 + 1, s2),
    offsetBytes: parseInt(line.slice(s2 + 1, s3), 16), dev: line.slice(s3 + 1, s4), inode: Number(line.slice(s4 + 1, s5)),
    path, deleted, pseudo: path !== null && path.startsWith('[') && path.endsWith(']'),
    rssBytes: 0, pssBytes: 0, privateCleanBytes: 0, privateDirtyBytes: 0, sharedCleanBytes: 0, sharedDirtyBytes: 0, swapBytes: 0, anonHugePagesBytes: 0,
  };
}

/** Reads smaps text into one CapturedVma per mapping (kernel order). Sizes in bytes. */
export function parseSmapsFast(text: string): CapturedVma[] {
  const out: CapturedVma[] = [];
  let current: CapturedVma | null = null;
  let pos = 0;
  let lineNumber = 0;
  const n = text.length;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    lineNumber++;
    const c = text.charCodeAt(pos);
    // A header starts with a hex digit and has '-' before the first space; field names start with a letter
    // that may also be a hex digit (e.g. "AnonHugePages"), so look for the colon of "Key:" first.
    const colon = text.indexOf(':', pos);
    const space = text.indexOf(' ', pos);
    if (isHex(c) && (colon < 0 || colon > space || colon > end)) {
      current = header(text.slice(pos, end), lineNumber);
      out.push(current);
    } else if (current !== null && colon > 0 && colon < end) {
      const field = KEYS[text.slice(pos, colon)];
      if (field !== undefined) {
        let p = colon + 1;
        while (text.charCodeAt(p) === 32) p++;
        let value = 0;
        for (let d = text.charCodeAt(p); d >= 48 && d <= 57; d = text.charCodeAt(++p)) value = value * 10 + (d - 48);
        current[field] = value * 1024;
      }
    } else if (end > pos) {
      throw invalidArgValue('text', `is not /proc/<pid>/smaps text: line ${lineNumber} ${JSON.stringify(text.slice(pos, Math.min(end, pos + 120)))}`);
    }
    pos = end + 1;
  }
  return out;
}
