import { isSea } from 'node:sea';
import { inspectFile } from '../shared/elf/file.ts';
import { buildInfo } from './build-info.ts';

export interface SelfReport {
  nodeVersion: string;
  arch: string;
  platform: string;
  libc: { family: 'glibc' | 'musl' | 'unknown'; version: string | null; source: string };
  executable: string;
  linkage: string | null;
  static: boolean | null;
  sea: boolean;
  /** Node options this process started with: in the artifact, the ones its blob carries. */
  execArgv: string[];
  /** V8 options the runtime itself sets at every start (configure --v8-options; the static runtime's), or null. */
  builtInV8Options: string | null;
  runtimeKind: string;
  allocator: string;
  /** What the runtime's Intl can do, observed: full (every locale), small (English only) or none. */
  intl: { mode: 'full' | 'small' | 'none'; icu: string | null; unicode: string | null; cldr: string | null; tz: string | null };
}

function intlOf(): SelfReport['intl'] {
  const v = process.versions as Record<string, string | undefined>;
  const versions = { icu: v.icu ?? null, unicode: v.unicode ?? null, cldr: v.cldr ?? null, tz: v.tz ?? null };
  if (typeof Intl === 'undefined') return { mode: 'none', ...versions };
  // small-icu carries English only: a German month name falls back to English.
  const german = new Intl.DateTimeFormat('de-DE', { month: 'long', timeZone: 'UTC' }).format(new Date(0)) === 'Januar';
  return { mode: german ? 'full' : 'small', ...versions };
}

function libcOf(): SelfReport['libc'] {
  if (process.platform !== 'linux') return { family: 'unknown', version: null, source: process.platform };
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  if (header?.glibcVersionRuntime) return { family: 'glibc', version: header.glibcVersionRuntime, source: 'process.report glibcVersionRuntime' };
  // Node on Linux is built against glibc or musl; a glibc build always reports its runtime version.
  return { family: 'musl', version: null, source: 'no glibc version in process.report' };
}

function builtInV8Options(): string | null {
  const value = (process.config.variables as Record<string, unknown>).node_v8_options;
  return typeof value === 'string' && value !== '' ? value : null;
}

/** What the running binary observes about itself, to compare with what the build embedded. */
export function observeSelf(): SelfReport {
  const exe = process.platform === 'linux' ? '/proc/self/exe' : process.execPath;
  let linkage: string | null = null;
  try {
    linkage = inspectFile(exe, { fuse: false }).linkage;
  } catch {
    linkage = null;
  }
  return {
    nodeVersion: process.versions.node,
    arch: process.arch,
    platform: process.platform,
    libc: libcOf(),
    executable: process.execPath,
    linkage,
    static: linkage === null ? null : linkage === 'static' || linkage === 'static-pie',
    sea: isSea(),
    execArgv: process.execArgv,
    builtInV8Options: builtInV8Options(),
    runtimeKind: buildInfo.runtime.kind,
    allocator: buildInfo.runtime.allocator,
    intl: intlOf(),
  };
}
