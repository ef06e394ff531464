/*
 * Symbol tables of an ELF64 little-endian file, read through its section headers: .dynsym (what a
 * shared object exports to and imports from the loader — `nm -D`) and .symtab (every symbol, local
 * ones too — `nm`; gone once the file is stripped). Pure: bytes in, names and values out. The native
 * addon check (node-addon.ts) reads an addon's registration from them without loading it.
 */
import { ElfError, latin1, parseHeader, readExact } from './parse.ts';
import type { ElfSource } from './source.ts';

export const SHT_SYMTAB = 2;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;

const SHDR_SIZE = 64;
const SYM_SIZE = 24;
// Bounds on what file contents may make the reader allocate or loop over.
const MAX_SECTIONS = 0xff00; // SHN_LORESERVE: beyond it the count lives elsewhere (not needed for addons)
const MAX_SYMBOLS = 4_000_000;
const MAX_STRTAB = 256 * 1024 * 1024;

export interface SectionHeader {
  type: number;
  /** Virtual address when loaded (0 for sections that are not). */
  addr: bigint;
  offset: number;
  size: number;
  /** For a symbol table: the index of its string table. */
  link: number;
}

export interface ElfSymbol {
  name: string;
  /** Defined in this file (an export, or a local); false for an import the loader must find elsewhere. */
  defined: boolean;
  type: 'notype' | 'object' | 'func' | 'section' | 'file' | 'common' | 'tls' | 'ifunc' | 'other';
  bind: 'local' | 'global' | 'weak' | 'other';
  value: bigint;
  size: number;
  /** Index of the section the symbol lives in (0 when undefined). */
  section: number;
}

/** The section header table; empty when the file has none (the loader does not need it). */
export function parseSectionHeaders(src: ElfSource): SectionHeader[] {
  parseHeader(src); // a 64-bit little-endian ELF, or an ElfError saying what it is instead
  const h = readExact(src, 0, 64, 'the ELF header');
  const shoff = h.off(40);
  const shentsize = h.u16(58);
  const shnum = h.u16(60);
  if (shoff === 0 || shnum === 0) return [];
  if (shentsize !== SHDR_SIZE) throw new ElfError(`corrupt ELF: section header entry size ${shentsize}, expected ${SHDR_SIZE}`);
  if (shnum >= MAX_SECTIONS) throw new ElfError('unsupported ELF: extended section numbering');
  const r = readExact(src, shoff, shnum * SHDR_SIZE, 'the section header table');
  const out: SectionHeader[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = i * SHDR_SIZE;
    out.push({ type: r.u32(at + 4), addr: r.u64(at + 16), offset: r.off(at + 24), size: r.off(at + 32), link: r.u32(at + 40) });
  }
  return out;
}

const TYPES = { 0: 'notype', 1: 'object', 2: 'func', 3: 'section', 4: 'file', 5: 'common', 6: 'tls', 10: 'ifunc' } as const;
const BINDS = ['local', 'global', 'weak'] as const;

function readTable(src: ElfSource, sections: SectionHeader[], table: SectionHeader, what: string): ElfSymbol[] {
  const strings = sections[table.link];
  if (!strings) throw new ElfError(`corrupt ELF: ${what} links to string table ${table.link}, which does not exist`);
  if (strings.size > MAX_STRTAB) throw new ElfError(`unsupported ELF: ${what}'s string table is ${strings.size} bytes`);
  const count = Math.floor(table.size / SYM_SIZE);
  if (count > MAX_SYMBOLS) throw new ElfError(`unsupported ELF: ${what} holds ${count} symbols`);
  const names = src.read(strings.offset, strings.size);
  if (names.length < strings.size) throw new ElfError(`truncated ELF: ${what}'s string table ends past the end of the file`);
  const r = readExact(src, table.offset, count * SYM_SIZE, what);
  const out: ElfSymbol[] = [];
  // Entry 0 is the reserved null symbol.
  for (let i = 1; i < count; i++) {
    const at = i * SYM_SIZE;
    const nameAt = r.u32(at);
    if (nameAt >= names.length) throw new ElfError(`corrupt ELF: a symbol name in ${what} lies outside its string table`);
    const end = names.indexOf(0, nameAt);
    if (end < 0) throw new ElfError(`corrupt ELF: a symbol name in ${what} is not NUL-terminated`);
    const info = r.u8(at + 4);
    const section = r.u16(at + 6);
    out.push({
      name: latin1(names.subarray(nameAt, end)),
      defined: section !== 0,
      type: TYPES[(info & 0xf) as keyof typeof TYPES] ?? 'other',
      bind: BINDS[info >> 4] ?? 'other',
      value: r.u64(at + 8),
      size: r.off(at + 16),
      section,
    });
  }
  return out;
}

/** The symbols in the first section of `type` (SHT_DYNSYM or SHT_SYMTAB); empty when there is none. */
export function readSymbols(src: ElfSource, type: typeof SHT_DYNSYM | typeof SHT_SYMTAB, sections: SectionHeader[] = parseSectionHeaders(src)): ElfSymbol[] {
  const table = sections.find((s) => s.type === type);
  return table ? readTable(src, sections, table, type === SHT_DYNSYM ? '.dynsym' : '.symtab') : [];
}

/** The first `length` bytes of a defined data symbol's initial value, as the file holds them (zeros for .bss). */
export function symbolBytes(src: ElfSource, sections: SectionHeader[], symbol: ElfSymbol, length: number): Uint8Array {
  const home = sections[symbol.section];
  if (!symbol.defined || !home) throw new ElfError(`symbol ${symbol.name} is not defined in a section of this file`);
  if (symbol.value < home.addr || symbol.value + BigInt(length) > home.addr + BigInt(home.size)) {
    throw new ElfError(`corrupt ELF: symbol ${symbol.name} does not lie inside its section`);
  }
  if (home.type === SHT_NOBITS) return new Uint8Array(length);
  const at = home.offset + Number(symbol.value - home.addr);
  const bytes = src.read(at, length);
  if (bytes.length < length) throw new ElfError(`truncated ELF: the value of ${symbol.name} ends past the end of the file`);
  return bytes;
}
