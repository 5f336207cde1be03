/**
 * Reading the section table of an ELF file (elf(5)): names, types, sizes, and how many
 * bytes of the FILE each section takes (SHT_NOBITS sections such as .bss take none).
 *
 * Parsed in TypeScript, not C++: it is file-format parsing over bytes any process can
 * read, like the /proc parsers; as a pure function over a byte reader it is tested on
 * any file, and the addon stays a thin layer of syscalls. Only the ELF header and the
 * section headers are read, never the whole file. 64- and 32-bit, either byte order.
 */
import * as fs from 'node:fs';
import { invalidArgType, invalidArgValue } from '../util/errors';
import { validateFunction } from '../util/validate';

/** One section of an ELF file. */
export interface ElfSection {
  name: string;
  /** 'progbits', 'nobits', 'symtab', … (sh_type), or the number when unknown. */
  type: string;
  /** sh_flags as letters: W write, A alloc (occupies memory at run time), X execute. */
  flags: string;
  /** Link-time address (sh_addr), bytes. */
  address: bigint;
  /** Size in memory (sh_size), bytes. */
  sizeBytes: number;
  /** Bytes the section occupies in the file: 0 for SHT_NOBITS, else sh_size. */
  fileSizeBytes: number;
  /** File offset (sh_offset), bytes. */
  offsetBytes: number;
}

/** What the ELF header and the section table say. */
export interface ElfInfo {
  bits: 32 | 64;
  /** 'EXEC' (fixed address), 'DYN' (PIE or shared object), 'REL', 'CORE', or the number. */
  fileType: string;
  sections: ElfSection[];
}

/** Reads `length` bytes at `offset` of the file (returns fewer at the end). */
export type ByteReader = (offset: number, length: number) => Buffer;

const SECTION_TYPES: Readonly<Record<number, string>> = {
  0: 'null', 1: 'progbits', 2: 'symtab', 3: 'strtab', 4: 'rela', 5: 'hash', 6: 'dynamic', 7: 'note', 8: 'nobits',
  9: 'rel', 11: 'dynsym', 14: 'init_array', 15: 'fini_array', 16: 'preinit_array', 17: 'group', 18: 'symtab_shndx',
};
const FILE_TYPES: Readonly<Record<number, string>> = { 1: 'REL', 2: 'EXEC', 3: 'DYN', 4: 'CORE' };
const SHT_NOBITS = 8;
const MAX_SECTIONS = 65535;

function notElf(why: string): Error {
  return invalidArgValue('file', `is not a readable ELF file: ${why}`);
}

/** Parses the ELF header and section headers through `read`. Throws ERR_INVALID_ARG_VALUE on a non-ELF or truncated file. */
export function parseElf(reader: ByteReader): ElfInfo {
  validateFunction<ByteReader>(reader, 'read');
  const read: ByteReader = (offset, length) => {
    const bytes: unknown = reader(offset, length);
    if (!Buffer.isBuffer(bytes)) throw invalidArgValue('read', `must return a Buffer. It returned ${typeof bytes}`);
    return bytes;
  };
  const ident = read(0, 64);
  if (ident.length < 52 || ident.readUInt32BE(0) !== 0x7f454c46) throw notElf('no \\x7fELF magic');
  const bits = ident[4] === 2 ? 64 : ident[4] === 1 ? 32 : null;
  if (bits === null) throw notElf(`unknown class ${ident[4]}`);
  const little = ident[5] === 1;
  if (!little && ident[5] !== 2) throw notElf(`unknown data encoding ${ident[5]}`);
  const u16 = (b: Buffer, o: number): number => (little ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number): number => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (b: Buffer, o: number): bigint => (little ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const word = (b: Buffer, o: number): bigint => (bits === 64 ? u64(b, o) : BigInt(u32(b, o)));
  const num = (v: bigint, what: string): number => {
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw notElf(`${what} ${v} is too large`);
    return Number(v);
  };
  const fileTypeNumber = u16(ident, 16);
  const shoff = num(word(ident, bits === 64 ? 0x28 : 0x20), 'e_shoff');
  const shentsize = u16(ident, bits === 64 ? 0x3a : 0x2e);
  const shnum = u16(ident, bits === 64 ? 0x3c : 0x30);
  const shstrndx = u16(ident, bits === 64 ? 0x3e : 0x32);
  const fileType = FILE_TYPES[fileTypeNumber] ?? String(fileTypeNumber);
  if (shoff === 0 || shnum === 0) return { bits, fileType, sections: [] };
  if (shnum > MAX_SECTIONS || shentsize < (bits === 64 ? 64 : 40)) throw notElf(`implausible section table (${shnum} × ${shentsize} bytes)`);
  const table = read(shoff, shnum * shentsize);
  if (table.length < shnum * shentsize) throw notElf('the section table runs past the end of the file');
  const raw = Array.from({ length: shnum }, (_, i) => {
    const o = i * shentsize;
    return bits === 64
      ? { nameIndex: u32(table, o), type: u32(table, o + 4), flags: u64(table, o + 8), address: u64(table, o + 16), offset: u64(table, o + 24), size: u64(table, o + 32) }
      : { nameIndex: u32(table, o), type: u32(table, o + 4), flags: BigInt(u32(table, o + 8)), address: BigInt(u32(table, o + 12)), offset: BigInt(u32(table, o + 16)), size: BigInt(u32(table, o + 20)) };
  });
  const strtab = raw[shstrndx];
  const names = strtab === undefined ? Buffer.alloc(0) : read(num(strtab.offset, 'shstrtab offset'), num(strtab.size, 'shstrtab size'));
  const nameAt = (index: number): string => {
    if (index >= names.length) return '';
    const end = names.indexOf(0, index);
    return names.toString('latin1', index, end < 0 ? names.length : end);
  };
  const sections = raw.map((s): ElfSection => {
    const sizeBytes = num(s.size, 'sh_size');
    return {
      name: nameAt(s.nameIndex),
      type: SECTION_TYPES[s.type] ?? String(s.type),
      flags: `${(s.flags & 1n) !== 0n ? 'W' : ''}${(s.flags & 2n) !== 0n ? 'A' : ''}${(s.flags & 4n) !== 0n ? 'X' : ''}`,
      address: s.address,
      sizeBytes,
      fileSizeBytes: s.type === SHT_NOBITS ? 0 : sizeBytes,
      offsetBytes: num(s.offset, 'sh_offset'),
    };
  });
  return { bits, fileType, sections };
}

/** Reads the ELF header and section table of the file at `path`. */
export function readElf(path: string): ElfInfo {
  if (typeof path !== 'string') throw invalidArgType('path', 'of type string', path);
  const fd = fs.openSync(path, 'r');
  try {
    return parseElf((offset, length) => {
      const buf = Buffer.alloc(length);
      const got = fs.readSync(fd, buf, 0, length, offset);
      return buf.subarray(0, got);
    });
  } finally {
    fs.closeSync(fd);
  }
}

/** parseElf over a whole file already in memory. */
export function parseElfBuffer(file: Buffer): ElfInfo {
  if (!Buffer.isBuffer(file)) throw invalidArgType('file', 'an instance of Buffer', file);
  return parseElf((offset, length) => file.subarray(offset, offset + length));
}
