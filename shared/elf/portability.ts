import { type ElfInfo, type Linkage, PT_NOTE, type VersionNeed } from './parse.ts';
import { type FuseState, findSeaBlob } from './sea.ts';

export interface LibraryNeed {
  library: string;
  /** Highest required version per symbol-version family, e.g. { GLIBC: "2.28" }. */
  maxVersions: Record<string, string>;
}

export interface PortabilityReport {
  class: string;
  data: string;
  machine: string;
  type: string;
  linkage: Linkage;
  interpreter: string | null;
  needed: string[];
  runpath: string | null;
  rpath: string | null;
  requires: LibraryNeed[];
  ptNote: boolean;
  buildId: boolean;
  seaBlob: { present: boolean; size: number };
  /** null when the caller skipped the whole-file scan (cheap self-inspection). */
  seaFuse: FuseState | null;
  verdict: string;
}

// Parts of glibc that ship as separate sonames but always come together (Debian's libc6 holds each of them), its
// loader among them under each architecture's name: ld-linux-* (x86, arm, riscv), ld64.so.2 (ppc64le), ld64.so.1
// (s390x), ld.so.1 (mips, 32-bit powerpc).
const GLIBC_PARTS =
  /^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libutil\.so\.1|libmvec\.so\.1|libresolv\.so\.2|libanl\.so\.1|libnsl\.so\.1|libBrokenLocale\.so\.1|libc_malloc_debug\.so\.0|libthread_db\.so\.1|ld-linux.*|ld64\.so\.[12]|ld\.so\.1)$/;

/** The loader's file name (`/lib64/ld64.so.2` → `ld64.so.2`). */
const loaderName = (interpreter: string | null) => interpreter?.split('/').at(-1) ?? '';

/**
 * glibc's versions that are not a release number but came with one: a binary linked with `-z pack-relative-relocs`
 * needs GLIBC_ABI_DT_RELR, which glibc defines from 2.36 on, and an older one refuses to load it.
 */
const GLIBC_ABI_SINCE: Record<string, string> = { GLIBC_ABI_DT_RELR: '2.36' };

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * A version need as family and number: GLIBC_2.28, LIBXML2_2.7.3, NCURSES6_TINFO_5.0.19991023, Qt_5.15, and
 * GNUTLS_3_6_3 (numbers joined by '_'; read as 3.6.3); null for one that has no number (GLIBC_PRIVATE).
 */
export function versionOf(name: string): { family: string; version: string } | null {
  const since = GLIBC_ABI_SINCE[name];
  if (since !== undefined) return { family: 'GLIBC', version: since };
  // Without a dot, numbers joined by '_' are the version (GNUTLS_3_6_3), the family what comes before them.
  const underscored = name.includes('.') ? null : /^(.*?[^\d_])_(\d+(?:_\d+)+)$/.exec(name);
  if (underscored) return { family: underscored[1] as string, version: (underscored[2] as string).replaceAll('_', '.') };
  const dotted = /^(.+?)_(\d+(?:\.\d+)*)$/.exec(name);
  return dotted ? { family: dotted[1] as string, version: dotted[2] as string } : null;
}

export function maxVersions(need: VersionNeed): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of need.versions) {
    const parsed = versionOf(v);
    if (!parsed) continue;
    const { family, version } = parsed;
    const cur = out[family];
    if (cur === undefined || compareVersions(version, cur) > 0) out[family] = version;
  }
  return out;
}

function describeDynamic(info: ElfInfo, requires: LibraryNeed[]): string {
  const parts: string[] = [];
  const glibc = requires
    .filter((r) => GLIBC_PARTS.test(r.library))
    .map((r) => r.maxVersions.GLIBC)
    .filter((v): v is string => v !== undefined);
  const usesGlibc = info.needed.some((n) => GLIBC_PARTS.test(n)) || GLIBC_PARTS.test(loaderName(info.interpreter));
  if (usesGlibc) {
    const max = glibc.sort(compareVersions).at(-1);
    // GLIBC_PRIVATE: symbols glibc keeps for its own tools (getent, iconv), which may change in any build.
    const exact = info.versionNeeds.some((n) => GLIBC_PARTS.test(n.file) && n.versions.includes('GLIBC_PRIVATE'));
    parts.push(`${max ? `glibc >= ${max}` : 'glibc'}${exact ? ' (and GLIBC_PRIVATE: only the glibc build it was linked with)' : ''}`);
  }
  const musl = /ld-musl/.test(info.interpreter ?? '');
  if (musl) parts.push(`musl (${info.interpreter})`);
  // Any other loader (a custom --dynamic-linker, Android's linker64) is what the binary needs first.
  else if (info.interpreter && !usesGlibc) parts.push(`the loader ${info.interpreter}`);
  for (const lib of info.needed) {
    // musl-gcc links `libc.so`, which is the musl loader itself.
    if (GLIBC_PARTS.test(lib) || /musl/.test(lib) || (musl && lib === 'libc.so')) continue;
    const req = requires.find((r) => r.library === lib);
    // By family name: the order of a binary's version needs is the linker's, and varies between builds of one library.
    const versions = req
      ? Object.entries(req.maxVersions)
          .map(([f, v]) => `${f}_${v}`)
          .sort()
      : [];
    const short = lib.replace(/\.so(\.\d+)*$/, '');
    parts.push(versions.length ? `${short} (${versions.join(', ')})` : short);
  }
  // A shared library is not run but loaded: what it needs is what a program that loads it needs too.
  if (info.linkage === 'shared-library') return `shared library (not an executable): needs ${parts.length ? parts.join(', ') : 'no other library'}`;
  return `dynamic: needs ${parts.length ? parts.join(', ') : 'a loader it does not name'}`;
}

/** Turns parsed ELF facts into what a user needs to know: will this run where there is no glibc? */
export function portabilityOf(info: ElfInfo, fuse: FuseState | null): PortabilityReport {
  const requires = info.versionNeeds.map((n) => ({ library: n.file, maxVersions: maxVersions(n) }));
  const blob = findSeaBlob(info.notes);
  const verdict =
    info.linkage === 'static' || info.linkage === 'static-pie'
      ? `${info.linkage}: no loader, no shared libraries`
      : info.linkage === 'dynamic' || info.linkage === 'shared-library'
        ? describeDynamic(info, requires)
        : `${info.linkage}: not an executable`;
  return {
    class: info.header.class,
    data: info.header.data,
    machine: info.header.machine,
    type: info.header.type,
    linkage: info.linkage,
    interpreter: info.interpreter,
    needed: info.needed,
    runpath: info.runpath,
    rpath: info.rpath,
    requires,
    ptNote: info.programHeaders.some((p) => p.type === PT_NOTE),
    buildId: info.notes.some((n) => n.name === 'GNU' && n.type === 3),
    seaBlob: { present: blob !== undefined, size: blob?.descSize ?? 0 },
    seaFuse: fuse,
    verdict,
  };
}
