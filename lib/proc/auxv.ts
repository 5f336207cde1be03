/**
 * The auxiliary vector the kernel handed this process at exec (/proc/self/auxv, see
 * getauxval(3)): pairs of native-word key and value. Read here for AT_PAGESZ, so /proc
 * readers learn the page size without loading the addon.
 */
import * as fs from 'node:fs';
import { unsupported } from '../util/errors';

/** AT_PAGESZ (include/uapi/linux/auxvec.h). */
const AT_PAGESZ = 6n;

let cached: number | undefined;

/**
 * This process's page size in bytes, from AT_PAGESZ in /proc/self/auxv (64-bit entries
 * on 64-bit hosts, 32-bit otherwise, by the platform's pointer width). Throws
 * ERR_VMPROBE_UNSUPPORTED when the file has no AT_PAGESZ entry.
 */
export function auxvPageSizeBytes(): number {
  if (cached !== undefined) return cached;
  const bytes = fs.readFileSync('/proc/self/auxv');
  const wordBytes = process.arch.endsWith('64') ? 8 : 4;
  for (let at = 0; at + 2 * wordBytes <= bytes.length; at += 2 * wordBytes) {
    const key = wordBytes === 8 ? bytes.readBigUInt64LE(at) : BigInt(bytes.readUInt32LE(at));
    if (key === 0n) break;  // AT_NULL ends the vector
    if (key === AT_PAGESZ) {
      cached = Number(wordBytes === 8 ? bytes.readBigUInt64LE(at + wordBytes) : bytes.readUInt32LE(at + wordBytes));
      return cached;
    }
  }
  throw unsupported('/proc/self/auxv has no AT_PAGESZ entry: the page size is unknown');
}
