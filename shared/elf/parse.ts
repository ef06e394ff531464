import type { ElfSource } from './source.ts';

/** The only error the parser throws: bad or unsupported input, with a message a user can act on. */
export class ElfError extends Error {
  override name = 'ElfError';
}

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;

const ET_NAMES: Record<number, string> = { 0: 'NONE', 1: 'REL', 2: 'EXEC', 3: 'DYN', 4: 'CORE' };
// As readelf names them: the machines Linux distributions build for.
const EM_NAMES: Record<number, string> = {
  3: 'Intel 80386',
  8: 'MIPS R3000',
  20: 'PowerPC',
  21: 'PowerPC64',
  22: 'IBM S/390',
  40: 'ARM',
  62: 'Advanced Micro Devices X86-64',
  183: 'AArch64',
  243: 'RISC-V',
  258: 'LoongArch',
};

const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
const DT_FLAGS_1 = 0x6ffffffb;
const DT_VERDEF = 0x6ffffffc;
const DT_VERDEFNUM = 0x6ffffffd;
const DT_VERNEED = 0x6ffffffe;
const DT_VERNEEDNUM = 0x6fffffff;
const DF_1_PIE = 0x08000000;

// Bounds on loops driven by file contents, so a hostile file cannot make the parser spin.
const MAX_PHDRS = 0xffff;
const MAX_NOTES = 100_000;
const MAX_VERNEED = 10_000;
const MAX_STRING = 64 * 1024;

export interface ElfHeader {
  class: 'ELF64';
  data: 'little-endian';
  type: string;
  machine: string;
  machineCode: number;
  entry: bigint;
  phoff: number;
  phnum: number;
}

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: bigint;
  filesz: number;
  memsz: number;
  align: number;
}

export interface Note {
  name: string;
  type: number;
  /** File offset of the note header (namesz, descsz, type). */
  offset: number;
  /** File offset and size of the note's descriptor (the payload). */
  descOffset: number;
  descSize: number;
}

export interface VersionNeed {
  file: string;
  versions: string[];
}

export type Linkage = 'static' | 'static-pie' | 'dynamic' | 'shared-library' | 'relocatable' | 'core' | 'unknown-type';

export interface ElfInfo {
  header: ElfHeader;
  programHeaders: ProgramHeader[];
  interpreter: string | null;
  needed: string[];
  runpath: string | null;
  rpath: string | null;
  pie: boolean;
  versionNeeds: VersionNeed[];
  /** Versions a shared library defines (.gnu.version_d), e.g. GLIBC_2.28: what the loader checks needs against. */
  versionDefs: string[];
  notes: Note[];
  linkage: Linkage;
}

/** Little-endian reads with bounds checks that turn every overrun into an ElfError. */
class Reader {
  private readonly view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
    private readonly base: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private check(at: number, width: number): void {
    if (at < 0 || at + width > this.bytes.length) {
      throw new ElfError(`truncated ELF: ${this.what} ends at byte ${this.base + this.bytes.length}, needed ${this.base + at + width}`);
    }
  }
  u8(at: number): number {
    this.check(at, 1);
    return this.view.getUint8(at);
  }
  u16(at: number): number {
    this.check(at, 2);
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    this.check(at, 4);
    return this.view.getUint32(at, true);
  }
  u64(at: number): bigint {
    this.check(at, 8);
    return this.view.getBigUint64(at, true);
  }
  /** A 64-bit offset or size, which must fit a JS number to be usable as a file position. */
  off(at: number): number {
    const v = this.u64(at);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`corrupt ELF: ${this.what} holds an impossible offset ${v}`);
    return Number(v);
  }
}

export function readExact(src: ElfSource, offset: number, length: number, what: string): Reader {
  if (offset < 0 || length < 0 || offset + length > src.size) {
    throw new ElfError(`truncated ELF: ${what} at bytes ${offset}..${offset + length} lies beyond the end of the file (${src.size} bytes)`);
  }
  return new Reader(src.read(offset, length), what, offset);
}

// Buffer, not TextDecoder: a runtime built without ICU (broker's static one) has no latin1 TextDecoder,
// and the reader runs inside it for `broker version --json`.
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function readString(src: ElfSource, offset: number, limit: number, what: string): string {
  const end = Math.min(src.size, offset + Math.min(limit, MAX_STRING));
  if (offset < 0 || offset >= end) throw new ElfError(`corrupt ELF: ${what} points outside the file (offset ${offset})`);
  const bytes = src.read(offset, end - offset);
  const nul = bytes.indexOf(0);
  if (nul < 0) throw new ElfError(`corrupt ELF: ${what} at offset ${offset} is not NUL-terminated`);
  return latin1(bytes.subarray(0, nul));
}

export function parseHeader(src: ElfSource): ElfHeader {
  if (src.size < 4) throw new ElfError(`not an ELF file: only ${src.size} bytes`);
  const ident = src.read(0, 16);
  if (ident[0] !== 0x7f || ident[1] !== 0x45 || ident[2] !== 0x4c || ident[3] !== 0x46) {
    throw new ElfError('not an ELF file: the first bytes are not \\x7fELF');
  }
  if (ident.length < 16) throw new ElfError(`truncated ELF: the identification needs 16 bytes, the file has ${src.size}`);
  if (ident[4] === 1) throw new ElfError('unsupported ELF: 32-bit (ELFCLASS32); broker inspects 64-bit executables only');
  if (ident[4] !== 2) throw new ElfError(`corrupt ELF: unknown class ${ident[4]}`);
  if (ident[5] === 2) throw new ElfError('unsupported ELF: big-endian (ELFDATA2MSB); broker inspects little-endian executables only');
  if (ident[5] !== 1) throw new ElfError(`corrupt ELF: unknown data encoding ${ident[5]}`);
  const h = readExact(src, 0, 64, 'the ELF header');
  const type = h.u16(16);
  const machineCode = h.u16(18);
  const phentsize = h.u16(54);
  const phnum = h.u16(56);
  if (phnum > 0 && phentsize !== 56) throw new ElfError(`corrupt ELF: program header entry size ${phentsize}, expected 56`);
  return {
    class: 'ELF64',
    data: 'little-endian',
    type: ET_NAMES[type] ?? `unknown (0x${type.toString(16)})`,
    machine: EM_NAMES[machineCode] ?? `unknown (${machineCode})`,
    machineCode,
    entry: h.u64(24),
    phoff: h.off(32),
    phnum,
  };
}

export function parseProgramHeaders(src: ElfSource, header: ElfHeader): ProgramHeader[] {
  if (header.phnum === 0) return [];
  if (header.phnum >= MAX_PHDRS) throw new ElfError('unsupported ELF: extended program header numbering (PN_XNUM)');
  const r = readExact(src, header.phoff, header.phnum * 56, 'the program header table');
  const out: ProgramHeader[] = [];
  for (let i = 0; i < header.phnum; i++) {
    const at = i * 56;
    out.push({
      type: r.u32(at),
      flags: r.u32(at + 4),
      offset: r.off(at + 8),
      vaddr: r.u64(at + 16),
      filesz: r.off(at + 32),
      memsz: r.off(at + 40),
      align: r.off(at + 48),
    });
  }
  return out;
}

/** Maps a virtual address to its file offset through the PT_LOAD segments, as the loader would. */
function fileOffsetOf(phdrs: ProgramHeader[], vaddr: bigint, what: string): number {
  for (const p of phdrs) {
    if (p.type !== PT_LOAD) continue;
    if (vaddr >= p.vaddr && vaddr < p.vaddr + BigInt(p.filesz)) return p.offset + Number(vaddr - p.vaddr);
  }
  throw new ElfError(`corrupt ELF: ${what} (address 0x${vaddr.toString(16)}) is not inside any loaded segment`);
}

interface DynamicEntries {
  needed: number[];
  runpath: number | null;
  rpath: number | null;
  strtab: bigint | null;
  strsz: number;
  flags1: number;
  verneed: bigint | null;
  verneednum: number;
  verdef: bigint | null;
  verdefnum: number;
}

function parseDynamic(src: ElfSource, seg: ProgramHeader): DynamicEntries {
  const r = readExact(src, seg.offset, seg.filesz - (seg.filesz % 16), 'the dynamic segment');
  const d: DynamicEntries = { needed: [], runpath: null, rpath: null, strtab: null, strsz: 0, flags1: 0, verneed: null, verneednum: 0, verdef: null, verdefnum: 0 };
  for (let at = 0; at + 16 <= seg.filesz; at += 16) {
    const tag = r.u64(at);
    const val = r.u64(at + 8);
    if (tag === BigInt(DT_NULL)) break;
    const small = val <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(val) : -1;
    switch (Number(tag)) {
      case DT_NEEDED:
        d.needed.push(small);
        break;
      case DT_RUNPATH:
        d.runpath = small;
        break;
      case DT_RPATH:
        d.rpath = small;
        break;
      case DT_STRTAB:
        d.strtab = val;
        break;
      case DT_STRSZ:
        d.strsz = small;
        break;
      case DT_FLAGS_1:
        d.flags1 = small;
        break;
      case DT_VERNEED:
        d.verneed = val;
        break;
      case DT_VERNEEDNUM:
        d.verneednum = small;
        break;
      case DT_VERDEF:
        d.verdef = val;
        break;
      case DT_VERDEFNUM:
        d.verdefnum = small;
        break;
    }
  }
  return d;
}

function parseVerneed(src: ElfSource, start: number, count: number, str: (off: number, what: string) => string): VersionNeed[] {
  const out: VersionNeed[] = [];
  let at = start;
  // One budget for every entry's versions: entries may all point at one long list, and a per-entry bound alone let a
  // 320 KB file take 10,000 × 10,000 steps (minutes). Real binaries need tens to a few hundred versions.
  let versionsLeft = MAX_VERNEED;
  for (let i = 0; i < Math.min(count, MAX_VERNEED); i++) {
    const vn = readExact(src, at, 16, 'a version-needed entry');
    const cnt = vn.u16(2);
    const file = str(vn.u32(4), 'a version-needed file name');
    const versions: string[] = [];
    let aux = at + vn.u32(8);
    for (let j = 0; j < cnt; j++) {
      if (versionsLeft-- === 0) throw new ElfError(`corrupt ELF: more than ${MAX_VERNEED.toLocaleString('en-US')} needed versions (real binaries have a few hundred at most)`);
      const a = readExact(src, aux, 16, 'a version-needed auxiliary entry');
      versions.push(str(a.u32(8), 'a version name'));
      const next = a.u32(12);
      if (next === 0) break;
      aux += next;
    }
    out.push({ file, versions });
    const next = vn.u32(12);
    if (next === 0) break;
    at += next;
  }
  return out;
}

function parseVerdef(src: ElfSource, start: number, count: number, str: (off: number, what: string) => string): string[] {
  const out: string[] = [];
  let at = start;
  for (let i = 0; i < Math.min(count, MAX_VERNEED); i++) {
    const vd = readExact(src, at, 20, 'a version definition');
    const flags = vd.u16(2);
    // The first auxiliary entry names the version; VER_FLG_BASE (1) marks the file's own soname, not a version.
    if (vd.u16(6) > 0 && (flags & 1) === 0) {
      const aux = readExact(src, at + vd.u32(12), 8, 'a version definition name');
      out.push(str(aux.u32(0), 'a version definition name'));
    }
    const next = vd.u32(16);
    if (next === 0) break;
    at += next;
  }
  return out;
}

function parseNotes(src: ElfSource, seg: ProgramHeader): Note[] {
  const notes: Note[] = [];
  // Notes in an 8-aligned segment (e.g. .note.gnu.property) pad to 8; all others to 4.
  const pad = seg.align === 8 ? 8 : 4;
  const round = (n: number) => Math.ceil(n / pad) * pad;
  const end = seg.offset + seg.filesz;
  if (end > src.size) throw new ElfError(`truncated ELF: a PT_NOTE segment ends at ${end}, past the end of the file (${src.size} bytes)`);
  let at = seg.offset;
  while (at + 12 <= end && notes.length < MAX_NOTES) {
    const h = readExact(src, at, 12, 'a note header');
    const namesz = h.u32(0);
    const descsz = h.u32(4);
    const type = h.u32(8);
    const nameAt = at + 12;
    // gABI: the descriptor starts at the header plus name rounded up to the alignment, counted from the note's start.
    const descOffset = at + round(12 + namesz);
    if (descOffset + descsz > end) throw new ElfError(`corrupt ELF: a note at offset ${at} runs past the end of its segment`);
    const nameBytes = src.read(nameAt, namesz);
    const nul = nameBytes.indexOf(0);
    const name = latin1(nul < 0 ? nameBytes : nameBytes.subarray(0, nul));
    notes.push({ name, type, offset: at, descOffset, descSize: descsz });
    at = at + round(descOffset - at + descsz);
  }
  return notes;
}

/** Parses what portability depends on: header, segments, dynamic linking, symbol versions, notes. */
export function parseElf(src: ElfSource): ElfInfo {
  const header = parseHeader(src);
  const programHeaders = parseProgramHeaders(src, header);
  const interpSeg = programHeaders.find((p) => p.type === PT_INTERP);
  const interpreter = interpSeg ? readString(src, interpSeg.offset, interpSeg.filesz, 'PT_INTERP') : null;
  const dynSeg = programHeaders.find((p) => p.type === PT_DYNAMIC);

  let needed: string[] = [];
  let runpath: string | null = null;
  let rpath: string | null = null;
  let pie = false;
  let versionNeeds: VersionNeed[] = [];
  let versionDefs: string[] = [];
  if (dynSeg) {
    const d = parseDynamic(src, dynSeg);
    pie = (d.flags1 & DF_1_PIE) !== 0;
    const hasStrings = d.needed.length > 0 || d.runpath !== null || d.rpath !== null || d.verneed !== null || d.verdef !== null;
    if (hasStrings) {
      if (d.strtab === null) throw new ElfError('corrupt ELF: dynamic entries name strings but there is no DT_STRTAB');
      const strtab = fileOffsetOf(programHeaders, d.strtab, 'DT_STRTAB');
      const strsz = d.strsz > 0 ? d.strsz : src.size - strtab;
      const str = (off: number, what: string): string => {
        if (off < 0 || off >= strsz) throw new ElfError(`corrupt ELF: ${what} lies outside the dynamic string table`);
        return readString(src, strtab + off, strsz - off, what);
      };
      needed = d.needed.map((o) => str(o, 'a DT_NEEDED name'));
      runpath = d.runpath === null ? null : str(d.runpath, 'DT_RUNPATH');
      rpath = d.rpath === null ? null : str(d.rpath, 'DT_RPATH');
      if (d.verneed !== null && d.verneednum > 0) {
        versionNeeds = parseVerneed(src, fileOffsetOf(programHeaders, d.verneed, 'DT_VERNEED'), d.verneednum, str);
      }
      if (d.verdef !== null && d.verdefnum > 0) {
        versionDefs = parseVerdef(src, fileOffsetOf(programHeaders, d.verdef, 'DT_VERDEF'), d.verdefnum, str);
      }
    }
  }
  const notes = programHeaders.filter((p) => p.type === PT_NOTE).flatMap((p) => parseNotes(src, p));
  return { header, programHeaders, interpreter, needed, runpath, rpath, pie, versionNeeds, versionDefs, notes, linkage: linkageOf(header.type, interpreter, needed, pie) };
}

function linkageOf(type: string, interpreter: string | null, needed: string[], pie: boolean): Linkage {
  if (type === 'REL') return 'relocatable';
  // A core dump, or a type ELF does not define (NONE, OS- or processor-specific): nothing a loader runs.
  if (type === 'CORE') return 'core';
  if (type !== 'EXEC' && type !== 'DYN') return 'unknown-type';
  if (interpreter !== null) return 'dynamic';
  if (type === 'EXEC') return needed.length > 0 ? 'dynamic' : 'static';
  // ET_DYN without a loader: a static PIE relocates itself at start-up (musl's rcrt1, glibc's static-pie), and the
  // linker marks it DF_1_PIE as it marks any PIE; without that mark it is a shared library, NEEDED entries or not
  // (readelf says "Shared object file" for it, "Position-Independent Executable" for the PIE).
  return pie ? 'static-pie' : 'shared-library';
}
