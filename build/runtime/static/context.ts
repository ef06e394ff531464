import type { Arch } from '../../../shared/toolchain/arch.ts';
import { type Ready, stepOf } from '../../pipeline.ts';
import type { RuntimeInput } from '../runtime.ts';
import type { StageReporter, StageTime } from './stage.ts';
import type { StaticTarget } from './target.ts';

/** Allocator linked into the runtime; `musl` means musl's own malloc (the benchmark baseline). */
export type Allocator = 'jemalloc' | 'mimalloc' | 'musl';
export const ALLOCATORS: readonly Allocator[] = ['jemalloc', 'mimalloc', 'musl'];

/**
 * How much of ICU the runtime carries: `full` every locale (what the official runtime ships),
 * `small` English only (Node's small-icu), `none` no Intl at all.
 */
export type IntlMode = 'full' | 'small' | 'none';
export const INTL_MODES: readonly IntlMode[] = ['full', 'small', 'none'];

/**
 * Where Node's source comes from: (a) `official`, the release tarball with bundled deps, or
 * (b) `distribution`, Debian's repacked tarball plus every removed dep built here.
 */
export type SourceMode = 'official' | 'distribution';

export interface OfficialTarballOptions {
  /** Local node-v<version>.tar.xz (offline). */
  tarball?: string;
  /** Local SHASUMS256.txt. */
  shasums?: string;
  distUrl?: string;
}

export interface StaticBuildOptions {
  sourceMode: SourceMode;
  official?: OfficialTarballOptions;
  /** Root of the cache (cacheRoot() unless a test points elsewhere). */
  cacheDir: string;
  /** The machine the runtime is for; the build host may be another (its tools then run under qemu). */
  arch: Arch;
  jobs: number;
  allocator: Allocator;
  intl: IntlMode;
  /**
   * V8 pointer compression (configure --experimental-enable-pointer-compression): 32-bit heap pointers, so a
   * smaller heap and start-up snapshot, for a 4 GiB cap on the process's V8 heap and native addons built for it.
   * A variant beside the default runtime, never the default (docs/static-runtime.md).
   */
  pointerCompression?: boolean;
  /** Stop after this stage (e.g. "configure"); undefined runs everything. */
  until?: string;
  /** Write stage progress lines here (the CLI passes stderr). */
  report: StageReporter;
}

/** A downloaded source file with its provenance; every one ends up in the manifest. */
export interface SourceArtifact {
  path: string;
  input: RuntimeInput;
}

/** A dependency built as static musl libraries, in the shape configure's --shared-* wants. */
export interface StaticLib {
  includeDir: string;
  libDir: string;
  /** Library names without lib/.a, in link order. */
  libNames: string[];
}

export interface Toolchain {
  /** The Zig binary, copied into the cache (a stable path whatever the checkout). */
  zig: string;
  /** Directory holding the cc, c++, ar, ranlib wrapper scripts. */
  binDir: string;
  cc: string;
  cxx: string;
  ar: string;
  ranlib: string;
  /** Environment every compile runs with (Zig cache dirs, CC/CXX/AR). */
  env: Record<string, string>;
  zigVersion: string;
}

/**
 * Everything a stage may read; stages add their results as they finish. A stage that reads a result
 * declares it in its `needs` (pipeline.ts) and gets the context with that field present.
 */
export interface StaticPipelineContext {
  options: StaticBuildOptions;
  /** options.arch's triple, OpenSSL target, jemalloc page size, strip… */
  target: StaticTarget;
  /** ~/.cache/broker/static */
  stageRoot: string;
  nodeVersion: string;
  sources: Record<string, SourceArtifact>;
  toolchain?: Toolchain;
  libs: Record<string, StaticLib>;
  /** Every stage this build resolved, run or cached, with its cost: goes into the manifest. */
  stages: StageTime[];
  /** JS builtins Debian removed, as files to place at their deps/ paths in the tree. */
  builtins?: Record<string, string>;
  /** ICU's source tree with its little-endian data file in source/data/in (intl full or small). */
  icuSource?: string;
  /** tools/gyp directory to copy into the Node tree. */
  gypDir?: string;
  /** Archive(s) of the allocator; empty for musl. */
  allocatorArchives?: string[];
  /** The configured Node source tree (compiled in place). */
  nodeTree?: string;
  configureFlags?: string[];
  /** The linked, unstripped node and the stripped runtime. */
  linkedNode?: string;
  runtimePath?: string;
}

/** The context every stage after the toolchain's works on (the stage hashes are computed from it). */
export type StaticBuildContext = Ready<StaticPipelineContext, 'toolchain'>;

/** A static runtime stage: `needs` names the results of earlier stages its run() reads. */
export const staticStage = stepOf<StaticPipelineContext>();

export function sourceInputs(ctx: StaticPipelineContext): RuntimeInput[] {
  return Object.values(ctx.sources).map((s) => s.input);
}

/** A source the sources stage fetched; which ones it fetches depends on the mode (sources.ts, sourceNeeded). */
export function fetched(ctx: Pick<StaticPipelineContext, 'sources'>, name: string): SourceArtifact {
  const source = ctx.sources[name];
  if (!source) throw new Error(`the ${name} source was not fetched (sources stage)`);
  return source;
}
