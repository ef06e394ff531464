import type { Arch } from '../shared/toolchain/arch.ts';
import type { FileFact } from '../shared/toolchain/file-hash.ts';
import type { Logger } from '../shared/toolchain/logger.ts';
import { type PipelineLog, stepOf } from './pipeline.ts';
import type { Startup } from './project/config.ts';
import type { Project } from './project/project.ts';
import type { Launcher } from './runtime/launcher.ts';
import type { OfficialSource } from './runtime/official.ts';
import type { StaticRuntimePin } from './runtime/pin.ts';
import type { Runtime } from './runtime/runtime.ts';

/** auto: the static runtime when one is at hand (cached or pinned), else the official one (steps/runtime.ts). */
export type RuntimeRequest = { kind: 'auto' } | { kind: 'official' } | { kind: 'static' } | { kind: 'custom'; path: string };

/** Everything the dist pipeline knows; each step reads what earlier steps filled in and adds its own part. */
export interface BuildContext {
  /** The project being built: its directory, package.json facts and seal config. */
  project: Project;
  outDir: string;
  /** Scratch space for intermediates (bundle, blob, SEA config); removed when the build ends. */
  workDir: string;
  cacheDir: string;
  name: string;
  version: string;
  commit: string;
  sourceDateEpoch: number;
  /**
   * The Node versions of the line being built on: the official runtime's, and the static runtime's, built from a
   * distribution's source whose patch release can differ from the one npm carries (Node 24: Debian 24.21.0, npm 24.22.3).
   */
  nodeVersions: { official: string; static: string };
  /** The Node line, when not the toolchain's default one (what the runtime command's --node takes). */
  nodeLine?: string;
  arch: Arch;
  runtimeRequest: RuntimeRequest;
  /** Where the official runtime comes from, and the npm integrity package.json pins for it. */
  officialSource?: OfficialSource;
  officialIntegrity?: string;
  /** The static runtime package package.json pins for this arch: fetched when none is cached. */
  staticPin?: StaticRuntimePin;
  /** --build-runtime: build the static runtime here (hours) when none is cached or published. */
  buildRuntime?: boolean;
  log: Logger;

  runtime?: Runtime;
  /** How the runtime executes on this host (natively or under qemu); undefined when it cannot. */
  launcher?: Launcher;
  /**
   * The files seal.assets matched: globbed once, by dist before any step (a glob that matches nothing stops the build
   * there), else by the first packing; the bundle step packs them again with addons and workers.
   */
  matchedAssets?: string[];
  /** The packed seal.assets (project/assets.ts), when the project has any. */
  assets?: {
    index: FileFact;
    data: FileFact;
    /** Each file's path under the virtual root. */
    paths: string[];
  };
  /** seal.lazy's chunks (project/lazy-chunks.ts), blob assets beside the bundle, each with its code cache once made (steps/chunk-caches.ts). */
  lazy?: { name: string; file: FileFact; cache?: FileFact }[];
  /** The bundle; `esm`: an ES module program behind a CommonJS launcher (project/esm-launcher.ts). */
  bundle?: FileFact & { format: 'cjs' | 'esm' };
  /**
   * seal.train's result (steps/train.ts): the bundle as the loader compiles it, each command word's cache, and the
   * default cache, trained by the runs that start with no word (`runs` of them; 0: the top level's).
   */
  trained?: { main: FileFact; defaultCache: { cache: FileFact; runs: number }; commands: { word: string; cache: FileFact }[]; runs: number };
  /** `startup`: what the blob holds: the configured one, or 'none' when made under qemu; `trainedRuns`: its cache's training. */
  blob?: FileFact & { startup: Startup; trainedRuns?: number };
  /** The runtime copy with the blob injected, not yet verified. */
  injected?: string;
  artifact?: FileFact & { name: string };
  /** `<artifact>.map` in outDir: the bundle's source map, for maintainers (steps/source-map.ts). */
  sourceMap?: FileFact;
  checksums?: FileFact;
  manifest?: FileFact;
  timings: { step: string; ms: number }[];
}

/** The artifact's file name: `<name>-<version>-linux-<arch>`, `-static` on the static runtime. */
export function artifactName(ctx: Pick<BuildContext, 'name' | 'version' | 'arch'> & { runtime: Pick<Runtime, 'kind'> }): string {
  return `${ctx.name}-${ctx.version}-linux-${ctx.arch}${ctx.runtime.kind === 'static' ? '-static' : ''}`;
}

/** A dist step: `needs` names the fields earlier steps set, which run() then reads as present. */
export const distStep = stepOf<BuildContext>();

/** The dist pipeline's progress goes to the build log, and each step's time into the manifest. */
export function distLog(ctx: BuildContext): PipelineLog {
  return { line: (text) => ctx.log.info(text), timed: (step, ms) => ctx.timings.push({ step, ms }) };
}
