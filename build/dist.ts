import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import type { Arch } from '../shared/toolchain/arch.ts';
import { cacheRoot } from '../shared/toolchain/cache-root.ts';
import type { Logger } from '../shared/toolchain/logger.ts';
import { type BuildContext, distLog, type RuntimeRequest } from './context.ts';
import { type AnyStep, runSteps } from './pipeline.ts';
import { AddonsNeedLoader } from './project/addon-check.ts';
import { collectAssets } from './project/assets.ts';
import { ConfigError, type Startup, type Target } from './project/config.ts';
import { type Project, readProject } from './project/project.ts';
import type { OfficialSource } from './runtime/official.ts';
import { nodeLines, type RuntimePin, runtimePin, staticNodeVersion } from './runtime/pin.ts';
import type { IntlMode } from './runtime/static/context.ts';
import { assetsStep } from './steps/assets.ts';
import { blobStep } from './steps/blob.ts';
import { bundleStep } from './steps/bundle.ts';
import { checksumStep } from './steps/checksum.ts';
import { chunkCachesStep } from './steps/chunk-caches.ts';
import { injectStep } from './steps/inject.ts';
import { manifestStep } from './steps/manifest.ts';
import { preflightStep } from './steps/preflight.ts';
import { reportStep } from './steps/report.ts';
import { runtimeStep } from './steps/runtime.ts';
import { sourceMapStep } from './steps/source-map.ts';
import { trainStep } from './steps/train.ts';
import { verifyStep } from './steps/verify.ts';

export interface DistOptions {
  /** The project's directory (where its package.json is). */
  project: string;
  outDir?: string;
  /** 'auto', 'official', 'static', or a path to any Node binary; with arch, overrides the config's targets. */
  runtime?: string;
  arch?: Arch;
  officialSource?: OfficialSource;
  /** Build the static runtime (hours) when it is neither cached nor published, instead of stopping. */
  buildRuntime?: boolean;
  /** The Node line to build on (--node); overrides the config's seal.node. */
  node?: string;
  /** How the binary starts (--startup); overrides the config's seal.startup. */
  startup?: Startup;
  /** The static runtime's ICU (--intl); overrides the config's seal.intl. */
  intl?: IntlMode;
  /** The static runtime with V8 pointer compression (--pointer-compression); overrides the config's seal.pointerCompression. */
  pointerCompression?: boolean;
  /** --no-train: leave the config's seal.train out (a quicker build, or the untrained binary to compare). */
  noTrain?: boolean;
  log: Logger;
}

// The whole build, in order. The runtime comes first: the bundle embeds which runtime it will run on.
export const distSteps: AnyStep<BuildContext>[] = [runtimeStep, assetsStep, bundleStep, preflightStep, trainStep, chunkCachesStep, blobStep, injectStep, verifyStep, sourceMapStep, checksumStep, manifestStep, reportStep];

async function git(root: string, args: string[]): Promise<string | undefined> {
  const res = await execa('git', args, { cwd: root, reject: false });
  return res.exitCode === 0 ? res.stdout.trim() : undefined;
}

/** Commit and SOURCE_DATE_EPOCH: the only build facts that reach the artifact, so equal commits give equal bytes. */
async function sourceFacts(project: Project, log: Logger): Promise<{ commit: string; sourceDateEpoch: number }> {
  const { root } = project;
  // An installed package's directory may sit inside the installing project's checkout, whose commit is not its own.
  const head = project.installed ? undefined : await git(root, ['rev-parse', 'HEAD']);
  const dirty = head !== undefined && (await git(root, ['status', '--porcelain', '--untracked-files=no'])) !== '';
  const commit = head === undefined ? 'unknown' : `${head}${dirty ? '-dirty' : ''}`;
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return { commit, sourceDateEpoch: Number(fromEnv) };
  const ct = head === undefined ? undefined : await git(root, ['log', '-1', '--format=%ct']);
  if (ct === undefined) log.info('  note: not a git checkout and no SOURCE_DATE_EPOCH set; using 0');
  return { commit, sourceDateEpoch: ct === undefined ? 0 : Number(ct) };
}

/** What to build: the --runtime/--arch flags when given (one binary), else every target of the config. */
function requests(opts: DistOptions, targets: Target[]): { arch: Arch; runtime: RuntimeRequest }[] {
  if (opts.runtime === undefined && opts.arch === undefined) return targets.map((t) => ({ arch: t.arch, runtime: { kind: t.runtime } }));
  const named = opts.runtime ?? 'auto';
  const runtime: RuntimeRequest = named === 'auto' || named === 'official' || named === 'static' ? { kind: named } : { kind: 'custom', path: resolve(named) };
  return [{ arch: opts.arch ?? 'x64', runtime }];
}

interface TargetFacts {
  project: Project;
  arch: Arch;
  commit: string;
  sourceDateEpoch: number;
  pin: RuntimePin;
  opts: DistOptions;
  matchedAssets: string[];
}

/** One binary: the whole pipeline in a scratch dir of its own. */
async function build(t: TargetFacts, runtime: RuntimeRequest): Promise<BuildContext> {
  const { project, arch, pin, opts } = t;
  const workDir = await mkdtemp(join(tmpdir(), 'seal-build-'));
  const ctx: BuildContext = {
    project,
    outDir: resolve(opts.outDir ?? join(project.root, 'dist')),
    workDir,
    cacheDir: cacheRoot(),
    name: project.config.name,
    version: project.version,
    commit: t.commit,
    sourceDateEpoch: t.sourceDateEpoch,
    nodeVersions: { official: pin.nodeVersion, static: staticNodeVersion(pin) },
    ...(pin.line === nodeLines()[0] ? {} : { nodeLine: pin.line }),
    arch,
    runtimeRequest: runtime,
    officialSource: opts.officialSource,
    officialIntegrity: pin.runtimeIntegrity?.[arch],
    staticPin: pin.staticRuntime?.[arch],
    buildRuntime: opts.buildRuntime,
    matchedAssets: t.matchedAssets,
    log: opts.log,
    timings: [],
  };
  try {
    return await runSteps(ctx, distSteps, distLog(ctx));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** `npm run dist` / `pack`: for each target, bundle the project, make the SEA blob with the runtime, inject, verify, checksum, describe. */
export async function dist(opts: DistOptions): Promise<BuildContext[]> {
  const read = await readProject(opts.project);
  const project = {
    ...read,
    config: {
      ...read.config,
      ...(opts.startup === undefined ? {} : { startup: opts.startup }),
      ...(opts.intl === undefined ? {} : { intl: opts.intl }),
      ...(opts.pointerCompression === undefined ? {} : { pointerCompression: opts.pointerCompression }),
      ...(opts.noTrain ? { train: [] } : {}),
    },
  };
  const line = opts.node ?? project.config.node;
  if (line !== undefined && !nodeLines().includes(line)) {
    throw new ConfigError(`package.json: seal.node must be a Node line the toolchain pins (${nodeLines().join(', ')}), got ${JSON.stringify(line)}`);
  }
  const pin = runtimePin(line);
  // Globbed once for every target, now: a glob that matches nothing is a config mistake, said before a runtime is fetched.
  const matchedAssets = await collectAssets(project);
  const facts = await sourceFacts(project, opts.log);
  const done: BuildContext[] = [];
  for (const { arch, runtime } of requests(opts, project.config.targets)) {
    const target = { ...facts, project, arch, pin, opts, matchedAssets };
    try {
      done.push(await build(target, runtime));
    } catch (err) {
      // Left to choose, the build took the static runtime, which cannot load the addons the program turned out to need.
      if (!(err instanceof AddonsNeedLoader && runtime.kind === 'auto')) throw err;
      opts.log.info(`  linux-${arch}: the program loads native addons, which the static runtime cannot (no dynamic loader): building on the official runtime instead`);
      done.push(await build(target, { kind: 'official' }));
    }
  }
  return done;
}
