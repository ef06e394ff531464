import type { IntlMode, StaticLib } from './context.ts';
import type { StaticTarget } from './target.ts';

/**
 * Which Node deps a distribution source removed and configure must get as --shared-<dep>: key =
 * our lib name, value = configure's option name (http-parser is llhttp's historical name).
 */
export const SHARED_DEPS: Record<string, string> = {
  openssl: 'openssl',
  zlib: 'zlib',
  cares: 'cares',
  nghttp2: 'nghttp2',
  brotli: 'brotli',
  zstd: 'zstd',
  llhttp: 'http-parser',
  simdutf: 'simdutf',
  simdjson: 'simdjson',
  ada: 'ada',
};

/**
 * Flags every static runtime gets, whichever source mode:
 * - --fully-static: -static for every link, so no PT_INTERP and no DT_NEEDED;
 * - no npm/corepack: a runtime for one SEA, not a developer install;
 * - --without-sqlite: node:sqlite is experimental in 22 and Debian's sqlite is not an amalgamation;
 * - --ninja: exact [done/total] progress and `ninja -t commands` to re-link with another allocator;
 * - --v8-options (V8_OPTIONS, when there are any): V8 flags this Node sets at every start, before the command line's,
 *   and also while node_mksnapshot builds the start-up snapshot and the code cache of Node's own modules.
 *
 * A foreign target is built as a native one, --no-cross-compiling: gyp then builds V8 once, for the
 * target, and its build tools (torque, mksnapshot, node_mksnapshot) run under qemu via binfmt_misc.
 * A cross build would compile V8 a second time for the host (mksnapshot's arm64 simulator) and turn
 * off Node's startup snapshot and code cache (docs/static-runtime.md, "arm64").
 */
export function baseFlags(target: StaticTarget): string[] {
  return [
    '--fully-static',
    '--without-npm',
    '--without-corepack',
    '--without-sqlite',
    '--dest-os=linux',
    `--dest-cpu=${target.arch}`,
    // configure already infers "not cross" from CC's target macros; said explicitly for a foreign
    // target so a CC_host in the environment cannot switch the snapshot off (x64's flags are left
    // as they were: they key its two-hour compile).
    ...(target.arch === 'x64' ? [] : ['--no-cross-compiling']),
    '--ninja',
    ...(V8_OPTIONS.length > 0 ? [`--v8-options=${V8_OPTIONS.join(' ')}`] : []),
  ];
}

/**
 * V8 pointer compression, asked for with --pointer-compression. Node's configure keeps the cage per isolate group
 * (not shared): in Node 24 every isolate is in the default group, so workers share one 4 GiB cage.
 */
export function pointerCompressionFlags(pointerCompression: boolean | undefined): string[] {
  return pointerCompression ? ['--experimental-enable-pointer-compression'] : [];
}

/**
 * V8 flags built into the runtime, none: it starts as Node does. It was built with --min-semi-space-size=16 (meant to
 * fix broker's young generation so RSS did not step under load; it doubled it, past V8's own bound of 8 MiB): every start
 * of every program then committed 64 pages of young generation before a line ran, ~10% of `node -e 0` and of broker's
 * `--version` and `record` start on a VM whose page-table changes are slow (docs/benchmarks.md, "The young generation at
 * V8's size"). A program that wants it passes the flag
 * (seal.nodeOptions); Node 24's V8 leaves the heap-size flags out of its code cache's flag hash, Node 22's does not
 * (an artifact passing one to a Node 22 runtime built without it compiles Node's modules from source).
 */
export const V8_OPTIONS: string[] = [];

/**
 * ICU, chosen by --intl (intlFlags). Debian removed deps/icu-small, so a distribution source gets
 * ICU's own source tree (the icu stage: Debian's icu, its data file built there); configure copies
 * it to deps/icu and gyp compiles it with V8's toolchain and flags, data embedded in the binary.
 * The official tarball carries icu-small with the full data: no source option there.
 */
export function intlFlags(intl: IntlMode, icuSource?: string): string[] {
  if (intl === 'none') return ['--with-intl=none'];
  const mode = intl === 'full' ? '--with-intl=full-icu' : '--with-intl=small-icu';
  return icuSource ? [mode, `--with-icu-source=${icuSource}`] : [mode];
}

/**
 * The --shared-* options for the deps we built, pointing at our static libs (link order kept); `notShared`
 * are left to the tree (a Node version whose V8 compiles that dep itself: tree-fixes.ts).
 */
export function sharedDepFlags(libs: Record<string, StaticLib>, notShared: readonly string[] = []): string[] {
  const flags: string[] = [];
  for (const [dep, option] of Object.entries(SHARED_DEPS)) {
    if (notShared.includes(dep)) continue;
    const lib = libs[dep];
    if (!lib) throw new Error(`--shared-${option}: dependency "${dep}" was not built`);
    flags.push(`--shared-${option}`, `--shared-${option}-includes=${lib.includeDir}`, `--shared-${option}-libpath=${lib.libDir}`, `--shared-${option}-libname=${lib.libNames.join(',')}`);
  }
  return flags;
}

/** Mode (b), a repacked distribution source: base flags plus every removed dep as --shared-*. */
export function distributionSourceFlags(target: StaticTarget, libs: Record<string, StaticLib>, intl: IntlMode, icuSource?: string, notShared: readonly string[] = []): string[] {
  if (intl !== 'none' && !icuSource) throw new Error(`--intl ${intl} needs ICU's source (the icu stage has not run)`);
  return [...baseFlags(target), ...intlFlags(intl, icuSource), ...sharedDepFlags(libs, notShared)];
}

/** Mode (a), an official release tarball: its bundled deps are built in, no --shared-* at all. */
export function officialTarballFlags(target: StaticTarget, intl: IntlMode): string[] {
  return [...baseFlags(target), ...intlFlags(intl)];
}
