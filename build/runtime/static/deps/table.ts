import { fetched, type StaticBuildContext, staticStage } from '../context.ts';
import type { StaticTarget } from '../target.ts';
import { ADA_SCRIPT } from './ada.ts';
import { BROTLI_SCRIPT } from './brotli.ts';
import { CARES_SCRIPT } from './cares.ts';
import { LLHTTP_SCRIPT, LLPARSE_VERSION, llhttpHostEnv } from './llhttp.ts';
import { NGHTTP2_SCRIPT } from './nghttp2.ts';
import { opensslScript } from './openssl.ts';
import { SIMDJSON_SCRIPT } from './simdjson.ts';
import { SIMDUTF_SCRIPT } from './simdutf.ts';
import { buildStaticLib, type StaticLibRecipe } from './static-lib.ts';
import { ZLIB_SCRIPT } from './zlib.ts';
import { ZSTD_SCRIPT } from './zstd.ts';

/** One library Debian's Node source had removed, as a row of the table below. */
export interface Dependency {
  /** The stage's name, its source's name (sources.ts) and its key in ctx.libs (configure-flags.ts). */
  name: string;
  /** The recipe (deps/<name>.ts): shell run in the unpacked source; see StaticLibRecipe. */
  script: string | ((target: StaticTarget) => string);
  /** Archives it installs, without lib/.a, in link order. */
  libNames: string[];
  subdir?: string;
  extraInputs?: unknown;
  /** Host paths the script reads from its environment, resolved when the stage runs. */
  hostEnv?: () => Record<string, string>;
}

/**
 * The removed dependencies, built from Debian's sources in this order (the stage order, and the
 * order deps-probe links them in). Each row's text is a stage input: changing one rebuilds that
 * library and everything after it.
 */
export const DEPENDENCIES: readonly Dependency[] = [
  { name: 'zlib', script: ZLIB_SCRIPT, libNames: ['z'] },
  { name: 'cares', script: CARES_SCRIPT, libNames: ['cares'], subdir: 'deps/c-ares' },
  { name: 'nghttp2', script: NGHTTP2_SCRIPT, libNames: ['nghttp2'] },
  // Static: decoder and encoder both need brotlicommon, listed last for the linker.
  { name: 'brotli', script: BROTLI_SCRIPT, libNames: ['brotlidec', 'brotlienc', 'brotlicommon'] },
  { name: 'zstd', script: ZSTD_SCRIPT, libNames: ['zstd'] },
  { name: 'llhttp', script: LLHTTP_SCRIPT, libNames: ['llhttp'], extraInputs: { llparse: LLPARSE_VERSION }, hostEnv: llhttpHostEnv },
  { name: 'simdutf', script: SIMDUTF_SCRIPT, libNames: ['simdutf'] },
  // The amalgamation, as Node's deps/simdjson holds it; AVX-512 off for simdutf's clang 19 reason.
  { name: 'simdjson', script: SIMDJSON_SCRIPT, libNames: ['simdjson'] },
  { name: 'ada', script: ADA_SCRIPT, libNames: ['ada'] },
  { name: 'openssl', script: opensslScript, libNames: ['ssl', 'crypto'] },
];

/** A row's recipe for this build: its source, and its script for the target. */
export function recipeFor(ctx: StaticBuildContext, dep: Dependency): StaticLibRecipe {
  return {
    name: dep.name,
    source: fetched(ctx, dep.name),
    subdir: dep.subdir,
    script: typeof dep.script === 'string' ? dep.script : dep.script(ctx.target),
    libNames: dep.libNames,
    extraInputs: dep.extraInputs,
    hostEnv: dep.hostEnv?.(),
  };
}

/** The one factory: a row becomes a stage that builds the library and adds it to ctx.libs. */
export function dependencyStage(dep: Dependency) {
  return staticStage({
    name: dep.name,
    needs: ['toolchain'],
    run: async (ctx) => {
      const lib = await buildStaticLib(ctx, recipeFor(ctx, dep));
      ctx.libs[dep.name] = lib;
      return lib.libNames.map((n) => `lib${n}.a`).join(' ');
    },
  });
}
