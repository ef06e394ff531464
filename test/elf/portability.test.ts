import { describe, expect, it } from 'vitest';
import type { ElfInfo, VersionNeed } from '../../shared/elf/parse.ts';
import { maxVersions, portabilityOf, versionOf } from '../../shared/elf/portability.ts';
import { SEA_FUSE, scanFuse } from '../../shared/elf/sea.ts';
import { bytesSource } from '../../shared/elf/source.ts';

function info(over: Partial<ElfInfo>): ElfInfo {
  return {
    header: { class: 'ELF64', data: 'little-endian', type: 'EXEC', machine: 'Advanced Micro Devices X86-64', machineCode: 62, entry: 0n, phoff: 64, phnum: 0 },
    programHeaders: [],
    interpreter: null,
    needed: [],
    runpath: null,
    rpath: null,
    pie: false,
    versionNeeds: [],
    versionDefs: [],
    notes: [],
    linkage: 'static',
    ...over,
  };
}

/** A dynamic binary on glibc's loader: the libraries it needs and the versions it needs of them. */
const onGlibc = (needed: string[], versionNeeds: VersionNeed[]) => info({ linkage: 'dynamic', interpreter: '/lib64/ld-linux-x86-64.so.2', needed, versionNeeds });

describe('portability verdict', () => {
  it('takes the highest version per family, numerically', () => {
    expect(maxVersions({ file: 'libc.so.6', versions: ['GLIBC_2.2.5', 'GLIBC_2.28', 'GLIBC_2.9', 'GLIBC_PRIVATE'] })).toEqual({ GLIBC: '2.28' });
    expect(maxVersions({ file: 'libstdc++.so.6', versions: ['GLIBCXX_3.4.9', 'GLIBCXX_3.4.21', 'CXXABI_1.3.9', 'CXXABI_1.3'] })).toEqual({ GLIBCXX: '3.4.21', CXXABI: '1.3.9' });
  });

  it('reads version names of every shape libraries use; GLIBC_ABI_DT_RELR is glibc 2.36; one without a number is none', () => {
    const cases: [string, { family: string; version: string } | null][] = [
      ['GLIBC_2.2.5', { family: 'GLIBC', version: '2.2.5' }],
      ['LIBXML2_2.7.3', { family: 'LIBXML2', version: '2.7.3' }],
      ['NCURSES6_TINFO_5.0.19991023', { family: 'NCURSES6_TINFO', version: '5.0.19991023' }],
      ['Qt_5.15', { family: 'Qt', version: '5.15' }],
      ['GNUTLS_3_6_3', { family: 'GNUTLS', version: '3.6.3' }],
      ['LIBFFI_BASE_8.0', { family: 'LIBFFI_BASE', version: '8.0' }],
      ['GLIBC_ABI_DT_RELR', { family: 'GLIBC', version: '2.36' }],
      ['GLIBC_PRIVATE', null],
    ];
    for (const [name, expected] of cases) expect(versionOf(name), name).toEqual(expected);
    expect(maxVersions({ file: 'libc.so.6', versions: ['GLIBC_2.34', 'GLIBC_ABI_DT_RELR'] })).toEqual({ GLIBC: '2.36' });
  });

  it("counts glibc's other libraries (libmvec, libresolv) as glibc, and says when a binary needs glibc's private symbols", () => {
    const r = portabilityOf(
      onGlibc(
        ['libmvec.so.1', 'libresolv.so.2', 'libc.so.6'],
        [
          { file: 'libmvec.so.1', versions: ['GLIBC_2.35'] },
          { file: 'libresolv.so.2', versions: ['GLIBC_2.2.5'] },
          { file: 'libc.so.6', versions: ['GLIBC_2.34', 'GLIBC_PRIVATE'] },
        ],
      ),
      null,
    );
    expect(r.verdict).toBe('dynamic: needs glibc >= 2.35 (and GLIBC_PRIVATE: only the glibc build it was linked with)');
  });

  it('says what a shared library, a core file and an object file are', () => {
    const dyn = { ...info({}).header, type: 'DYN' };
    expect(portabilityOf(info({ linkage: 'shared-library', header: dyn }), null).verdict).toBe('shared library (not an executable): needs no other library');
    expect(portabilityOf(info({ linkage: 'shared-library', header: dyn, needed: ['libc.so.6'], versionNeeds: [{ file: 'libc.so.6', versions: ['GLIBC_2.14'] }] }), null).verdict).toBe(
      'shared library (not an executable): needs glibc >= 2.14',
    );
    expect(portabilityOf(info({ linkage: 'core', header: { ...dyn, type: 'CORE' } }), null).verdict).toBe('core: not an executable');
    expect(portabilityOf(info({ linkage: 'relocatable', header: { ...dyn, type: 'REL' } }), null).verdict).toBe('relocatable: not an executable');
  });

  it('folds glibc parts into one glibc requirement and names libstdc++ versions', () => {
    const r = portabilityOf(
      onGlibc(
        ['libstdc++.so.6', 'libm.so.6', 'libc.so.6'],
        [
          { file: 'libm.so.6', versions: ['GLIBC_2.27'] },
          { file: 'libc.so.6', versions: ['GLIBC_2.17', 'GLIBC_2.28'] },
          { file: 'libstdc++.so.6', versions: ['GLIBCXX_3.4.21'] },
        ],
      ),
      'unflipped',
    );
    expect(r.verdict).toBe('dynamic: needs glibc >= 2.28, libstdc++ (GLIBCXX_3.4.21)');
  });

  it("names a library's version families in one order, whatever order the binary lists them in", () => {
    const verdict = (versions: string[]) => portabilityOf(onGlibc(['libstdc++.so.6', 'libc.so.6'], [{ file: 'libstdc++.so.6', versions }]), null).verdict;
    expect(verdict(['GLIBCXX_3.4.21', 'CXXABI_1.3.9'])).toBe('dynamic: needs glibc, libstdc++ (CXXABI_1.3.9, GLIBCXX_3.4.21)');
    expect(verdict(['CXXABI_1.3.9', 'GLIBCXX_3.4.21'])).toBe('dynamic: needs glibc, libstdc++ (CXXABI_1.3.9, GLIBCXX_3.4.21)');
  });

  it('names a musl loader', () => {
    const r = portabilityOf(info({ linkage: 'dynamic', interpreter: '/lib/ld-musl-x86_64.so.1', needed: ['libc.musl-x86_64.so.1'] }), null);
    expect(r.verdict).toBe('dynamic: needs musl (/lib/ld-musl-x86_64.so.1)');
  });

  it("knows glibc's loader by every architecture's name, names any other loader, and counts musl-gcc's libc.so as musl (a helper's hunt)", () => {
    // ppc64le: ld64.so.2 gave 'glibc >= 2.34, ld64 (GLIBC_2.35)'.
    const ppc = info({
      linkage: 'dynamic',
      interpreter: '/lib64/ld64.so.2',
      needed: ['libc.so.6', 'ld64.so.2'],
      versionNeeds: [
        { file: 'libc.so.6', versions: ['GLIBC_2.34'] },
        { file: 'ld64.so.2', versions: ['GLIBC_2.35'] },
      ],
    });
    expect(portabilityOf(ppc, null).verdict).toBe('dynamic: needs glibc >= 2.35');
    expect(portabilityOf(info({ linkage: 'dynamic', interpreter: '/lib64/ld.so.1', needed: ['libc.so.6'], versionNeeds: [{ file: 'libc.so.6', versions: ['GLIBC_2.17'] }] }), null).verdict).toBe('dynamic: needs glibc >= 2.17');
    // A custom loader and no library: it said 'dynamic: needs ' and nothing more.
    expect(portabilityOf(info({ linkage: 'dynamic', interpreter: '/opt/myld.so' }), null).verdict).toBe('dynamic: needs the loader /opt/myld.so');
    expect(portabilityOf(info({ linkage: 'dynamic', interpreter: '/system/bin/linker64', needed: ['libc.so', 'libdl.so'] }), null).verdict).toBe('dynamic: needs the loader /system/bin/linker64, libc, libdl');
    expect(portabilityOf(info({ linkage: 'dynamic', interpreter: '/lib/ld-musl-x86_64.so.1', needed: ['libc.so'] }), null).verdict).toBe('dynamic: needs musl (/lib/ld-musl-x86_64.so.1)');
  });

  it('says static for static and static-pie', () => {
    expect(portabilityOf(info({}), null).verdict).toBe('static: no loader, no shared libraries');
    expect(portabilityOf(info({ linkage: 'static-pie', header: { ...info({}).header, type: 'DYN' } }), null).verdict).toBe('static-pie: no loader, no shared libraries');
  });
});

describe('SEA fuse scan', () => {
  const pad = (n: number) => new Uint8Array(n).fill(0x41);
  const fuse = (v: string) => new TextEncoder().encode(`${SEA_FUSE}:${v}`);
  const join = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };

  it('finds an unflipped and a flipped fuse, including across the 8 MiB chunk boundary', () => {
    expect(scanFuse(bytesSource(join(pad(100), fuse('0'))))).toEqual({ state: 'unflipped', offsets: [100] });
    const boundary = 8 * 2 ** 20 - 10;
    expect(scanFuse(bytesSource(join(pad(boundary), fuse('1'), pad(50))))).toEqual({ state: 'flipped', offsets: [boundary] });
  });

  it('reports absence and every duplicate', () => {
    expect(scanFuse(bytesSource(pad(1000))).state).toBe('absent');
    expect(scanFuse(bytesSource(join(fuse('0'), pad(10), fuse('0')))).offsets).toHaveLength(2);
  });
});
