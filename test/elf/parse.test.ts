import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectFile, readElfFile } from '../../shared/elf/file.ts';
import { ElfError, parseElf } from '../../shared/elf/parse.ts';
import { bytesSource } from '../../shared/elf/source.ts';
import { compileC, syntheticElf, writeTemp } from '../fixtures/binaries.ts';
import { repoRoot } from '../fixtures/context.ts';
import { readelfFacts } from '../fixtures/readelf.ts';
import { officialTestRuntime } from '../fixtures/runtime.ts';

const SEGMENT_NAMES: Record<number, string> = { 1: 'LOAD', 2: 'DYNAMIC', 3: 'INTERP', 4: 'NOTE', 6: 'PHDR', 7: 'TLS', 1685382480: 'GNU_EH_FRAME', 1685382481: 'GNU_STACK', 1685382482: 'GNU_RELRO', 1685382483: 'GNU_PROPERTY' };

/** The reader and readelf must agree on every fact the portability verdict rests on. */
function expectAgreesWithReadelf(path: string): void {
  const ours = readElfFile(path);
  const theirs = readelfFacts(path);
  expect(ours.header.class).toBe(theirs.class);
  expect(ours.header.type).toBe(theirs.type);
  expect(ours.header.machine).toBe(theirs.machine);
  expect(ours.interpreter).toBe(theirs.interpreter);
  expect(ours.needed).toEqual(theirs.needed);
  expect(ours.runpath).toBe(theirs.runpath);
  expect(ours.rpath).toBe(theirs.rpath);
  expect(ours.pie).toBe(theirs.pie);
  expect(ours.programHeaders.map((p) => SEGMENT_NAMES[p.type] ?? `0x${p.type.toString(16)}`)).toEqual(theirs.segmentTypes);
  expect(ours.versionNeeds).toEqual(theirs.versionNeeds);
  expect(ours.versionDefs).toEqual(theirs.versionDefs);
  // readelf lists notes by section; for these binaries every note section sits in a PT_NOTE segment.
  const sortNotes = (n: { owner: string; size: number }[]) => [...n].sort((a, b) => a.owner.localeCompare(b.owner) || a.size - b.size);
  expect(sortNotes(ours.notes.map((n) => ({ owner: n.name, size: n.descSize })))).toEqual(sortNotes(theirs.notes));
}

describe('ELF reader agrees with readelf -W', () => {
  let node = '';
  beforeAll(async () => {
    node = (await officialTestRuntime()).path;
  }, 120_000);

  it('on the official Node runtime (dynamic, glibc 2.28, libstdc++)', () => {
    expectAgreesWithReadelf(node);
    const r = inspectFile(node);
    expect(r.linkage).toBe('dynamic');
    expect(r.interpreter).toBe('/lib64/ld-linux-x86-64.so.2');
    expect(r.verdict).toMatch(/^dynamic: needs glibc >= 2\.28, libstdc\+\+ \(CXXABI_1\.3\.\d+, GLIBCXX_3\.4\.\d+\)/);
    expect(r.ptNote).toBe(true);
    expect(r.seaFuse).toBe('unflipped');
    expect(r.seaBlob.present).toBe(false);
  });

  it('on /bin/ls (a PIE with 8-aligned property notes)', () => {
    expectAgreesWithReadelf('/bin/ls');
    expect(inspectFile('/bin/ls').linkage).toBe('dynamic');
  });

  it('on glibc and libstdc++ themselves (version definitions)', () => {
    for (const lib of ['/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libstdc++.so.6']) expectAgreesWithReadelf(lib);
    expect(readElfFile('/lib/x86_64-linux-gnu/libc.so.6').versionDefs).toContain('GLIBC_2.28');
  });

  const staticBin = compileC('static', ['-static', '-O1']);
  it.skipIf(!staticBin.path)(`on a gcc -static binary${staticBin.reason ? ` (skipped: ${staticBin.reason})` : ''}`, () => {
    const path = staticBin.path as string;
    expectAgreesWithReadelf(path);
    const r = inspectFile(path);
    expect(r.linkage).toBe('static');
    expect(r.verdict).toBe('static: no loader, no shared libraries');
    expect(r.needed).toEqual([]);
    expect(r.interpreter).toBeNull();
  });

  const staticPie = compileC('static-pie', ['-static-pie', '-fPIE', '-O1']);
  it.skipIf(!staticPie.path)(`on a gcc -static-pie binary${staticPie.reason ? ` (skipped: ${staticPie.reason})` : ''}`, () => {
    const path = staticPie.path as string;
    expectAgreesWithReadelf(path);
    expect(inspectFile(path).verdict).toBe('static-pie: no loader, no shared libraries');
  });

  const library = compileC('libnothing.so', ['-shared', '-fPIC', '-O1'], 'int f(void){return 1;}\n');
  it.skipIf(!library.path)(`on a gcc -shared library that needs no other library: a shared library, not a static PIE${library.reason ? ` (skipped: ${library.reason})` : ''}`, () => {
    const path = library.path as string;
    expectAgreesWithReadelf(path);
    expect(inspectFile(path)).toMatchObject({ linkage: 'shared-library', verdict: 'shared library (not an executable): needs no other library' });
  });

  const relr = compileC('relr', ['-Wl,-z,pack-relative-relocs', '-O1']);
  it.skipIf(!relr.path)(`on a binary linked with -z pack-relative-relocs: glibc 2.36 at least${relr.reason ? ` (skipped: ${relr.reason})` : ''}`, () => {
    const path = relr.path as string;
    expect(execFileSync('readelf', ['-V', path], { encoding: 'utf8' })).toMatch(/GLIBC_ABI_DT_RELR/);
    expect(inspectFile(path).verdict).toMatch(/^dynamic: needs glibc >= 2\.3[6-9]/);
  });

  const rpathBin = compileC('rpath', ['-Wl,-rpath,/opt/broker/lib', '-Wl,--enable-new-dtags']);
  it.skipIf(!rpathBin.path)(`reads DT_RUNPATH${rpathBin.reason ? ` (skipped: ${rpathBin.reason})` : ''}`, () => {
    expectAgreesWithReadelf(rpathBin.path as string);
    expect(readElfFile(rpathBin.path as string).runpath).toBe('/opt/broker/lib');
  });
});

describe('bad input gives an ElfError, never a crash or a hang', () => {
  const ls = readFileSync('/bin/ls');

  it('a truncated file (readelf fails on it too)', () => {
    for (const cut of [10, 63, 64 + 56 * 3, 1000, ls.length / 2]) {
      const path = writeTemp(`truncated-${cut}`, ls.subarray(0, Math.floor(cut)));
      expect(() => inspectFile(path), `cut at ${cut}`).toThrow(ElfError);
    }
  });

  it('not an ELF file', () => {
    expect(() => inspectFile('/etc/passwd')).toThrow(/not an ELF file/);
    expect(() => parseElf(bytesSource(new Uint8Array()))).toThrow(/not an ELF file: only 0 bytes/);
  });

  it('names each machine Linux distributions build for as readelf does', () => {
    for (const machine of [3, 8, 20, 21, 22, 40, 62, 183, 243, 258]) {
      const path = writeTemp(`machine-${machine}`, syntheticElf([1], { machine }));
      const readelf = /Machine:\s+(.*)/.exec(execFileSync('readelf', ['-h', path], { encoding: 'utf8' }))?.[1];
      expect(readElfFile(path).header.machine, String(machine)).toBe(readelf);
    }
  });

  it('32-bit and big-endian files are refused by name', () => {
    expect(() => parseElf(bytesSource(syntheticElf([1], { cls: 1 })))).toThrow(/32-bit/);
    expect(() => parseElf(bytesSource(syntheticElf([1], { data: 2 })))).toThrow(/big-endian/);
  });

  it('a missing file, a directory, a FIFO (whose open would wait for a writer) and a core file', () => {
    expect(() => inspectFile('/nonexistent/broker')).toThrow(/no such file/);
    expect(() => inspectFile('/tmp')).toThrow(/not a regular file/);
    // Said so, not as an errno (ELOOP) or a plain 'no such file' for a link whose file is gone.
    const dangling = writeTemp('dangling', new Uint8Array());
    rmSync(dangling);
    symlinkSync('/nonexistent/broker', dangling);
    expect(() => inspectFile(dangling)).toThrow(new ElfError(`a symbolic link to a file that does not exist: ${dangling}`));
    const loop = writeTemp('loop', new Uint8Array());
    rmSync(loop);
    symlinkSync(loop, loop);
    expect(() => inspectFile(loop)).toThrow(new ElfError(`a loop of symbolic links: ${loop}`));
    // In a child with a timeout (an open that blocks cannot be interrupted here), named relative to the directory npm
    // run was called from, as `npm run inspect -- FILE` takes it.
    const fifo = writeTemp('fifo', new Uint8Array());
    rmSync(fifo);
    execFileSync('mkfifo', [fifo]);
    const r = spawnSync('npm', ['--prefix', repoRoot, 'run', '--silent', 'inspect', '--', basename(fifo)], { cwd: dirname(fifo), encoding: 'utf8', timeout: 60_000 });
    expect([r.signal, r.status, r.stderr.trim()]).toEqual([null, 1, `error: not a regular file: ${fifo}`]);
    // e_type 4 (ET_CORE) in an otherwise runnable image: what gcore writes is no program.
    const core = syntheticElf([1]);
    core[16] = 4;
    expect(inspectFile(writeTemp('core', core))).toMatchObject({ linkage: 'core', verdict: 'core: not an executable' });
  });

  it('version-needed entries that all point at one long list of versions are refused at once, not walked entry by entry (minutes: a helper hunt)', () => {
    // /bin/ls with its DT_VERNEED moved onto 2,000 entries written over its code, each of whose versions is the same
    // chain of 2,000: 4 million steps for the old per-entry bound.
    const bytes = Buffer.from(ls);
    const phoff = Number(bytes.readBigUInt64LE(32));
    const phnum = bytes.readUInt16LE(56);
    const segments = Array.from({ length: phnum }, (_, i) => {
      const at = phoff + i * 56;
      return { type: bytes.readUInt32LE(at), flags: bytes.readUInt32LE(at + 4), offset: Number(bytes.readBigUInt64LE(at + 8)), vaddr: Number(bytes.readBigUInt64LE(at + 16)), filesz: Number(bytes.readBigUInt64LE(at + 32)) };
    });
    const text = segments.find((p) => p.type === 1 && p.flags & 1);
    const dynamic = segments.find((p) => p.type === 2);
    if (!text || !dynamic) throw new Error('/bin/ls has no code segment or no dynamic segment');
    const n = 2000;
    const start = text.offset + 256;
    expect(start + 2 * n * 16).toBeLessThan(text.offset + text.filesz);
    const auxStart = start + n * 16;
    for (let i = 0; i < n; i++) {
      const at = start + i * 16;
      bytes.writeUInt16LE(1, at); // vn_version
      bytes.writeUInt16LE(n, at + 2); // vn_cnt
      bytes.writeUInt32LE(1, at + 4); // vn_file: a name in the string table
      bytes.writeUInt32LE(auxStart - at, at + 8); // vn_aux: every entry's versions are the one chain
      bytes.writeUInt32LE(i === n - 1 ? 0 : 16, at + 12); // vn_next
      const aux = auxStart + i * 16;
      bytes.writeUInt32LE(0, aux);
      bytes.writeUInt32LE(0, aux + 4);
      bytes.writeUInt32LE(1, aux + 8); // vna_name
      bytes.writeUInt32LE(i === n - 1 ? 0 : 16, aux + 12); // vna_next
    }
    for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.filesz; at += 16) {
      const tag = bytes.readBigUInt64LE(at);
      if (tag === 0x6ffffffen) bytes.writeBigUInt64LE(BigInt(text.vaddr + (start - text.offset)), at + 8);
      if (tag === 0x6fffffffn) bytes.writeBigUInt64LE(BigInt(n), at + 8);
    }
    // Without the budget this walk takes minutes, and the test its timeout.
    expect(() => parseElf(bytesSource(bytes))).toThrow(new ElfError('corrupt ELF: more than 10,000 needed versions (real binaries have a few hundred at most)'));
  });

  it('mutated binaries: only ElfError escapes, and every parse ends', () => {
    // A deterministic PRNG keeps failures reproducible.
    let seed = 0x2545f491;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const head = ls.subarray(0, 16384);
    for (let i = 0; i < 400; i++) {
      const bytes = new Uint8Array(ls);
      // Mutate where the parser looks: headers, program headers, dynamic data, version tables.
      for (let k = 0; k < 1 + Math.floor(rand() * 8); k++) bytes[Math.floor(rand() * head.length)] = Math.floor(rand() * 256);
      try {
        parseElf(bytesSource(bytes));
      } catch (err) {
        expect(err, `mutation round ${i}`).toBeInstanceOf(ElfError);
      }
    }
  });
});
