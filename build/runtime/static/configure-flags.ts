import type { StaticLib } from './context.ts';
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
 * - --with-intl=none: Debian removed icu-small; full ICU from source adds ~1 h of compile and
 *   ~30 MB (Intl.*, String#localeCompare/normalize with locales are absent: decided in docs);
 * - --without-sqlite: node:sqlite is experimental in 22 and Debian's sqlite is not an amalgamation;
 * - --ninja: exact [done/total] progress and `ninja -t commands` to re-link with another allocator.
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
    '--with-intl=none',
    '--without-sqlite',
    '--dest-os=linux',
    `--dest-cpu=${target.arch}`,
    // configure already infers "not cross" from CC's target macros; said explicitly for a foreign
    // target so a CC_host in the environment cannot switch the snapshot off (x64's flags are left
    // as they were: they key its two-hour compile).
    ...(target.arch === 'x64' ? [] : ['--no-cross-compiling']),
    '--ninja',
  ];
}

/** The --shared-* options for the deps we built, pointing at our static libs (link order kept). */
export function sharedDepFlags(libs: Record<string, StaticLib>): string[] {
  const flags: string[] = [];
  for (const [dep, option] of Object.entries(SHARED_DEPS)) {
    const lib = libs[dep];
    if (!lib) throw new Error(`--shared-${option}: dependency "${dep}" was not built`);
    flags.push(
      `--shared-${option}`,
      `--shared-${option}-includes=${lib.includeDir}`,
      `--shared-${option}-libpath=${lib.libDir}`,
      `--shared-${option}-libname=${lib.libNames.join(',')}`,
    );
  }
  return flags;
}

/** Mode (b), a repacked distribution source: base flags plus every removed dep as --shared-*. */
export function distributionSourceFlags(target: StaticTarget, libs: Record<string, StaticLib>): string[] {
  return [...baseFlags(target), ...sharedDepFlags(libs)];
}

/** Mode (a), an official release tarball: its bundled deps are built in, no --shared-* at all. */
export function officialTarballFlags(target: StaticTarget): string[] {
  return baseFlags(target);
}
