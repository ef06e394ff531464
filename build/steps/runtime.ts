import { access, constants } from 'node:fs/promises';
import { execa } from 'execa';
import { readElfFile } from '../../shared/elf/file.ts';
import { ElfError, type ElfInfo } from '../../shared/elf/parse.ts';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { sha256File } from '../../shared/toolchain/file-hash.ts';
import { type BuildContext, distStep } from '../context.ts';
import { commandLine } from '../invocation.ts';
import { archOfMachine, type Launcher, launcherFor } from '../runtime/launcher.ts';
import { officialRuntime } from '../runtime/official.ts';
import { fetchStaticRuntime } from '../runtime/package/fetch.ts';
import { PackageUnavailable } from '../runtime/package/npm-fetch.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { runtimeBuildFlags } from '../runtime/static/build-flags.ts';
import { buildStaticRuntime } from '../runtime/static/build-static-runtime.ts';
import { runningStaticBuild } from '../runtime/static/detached.ts';
import { cachedStaticRuntime } from '../runtime/static/verify.ts';

async function customRuntime(path: string, ctx: BuildContext): Promise<Runtime> {
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new BuildError(`--runtime ${path}: not found or not executable`);
  }
  let elf: ElfInfo;
  try {
    elf = readElfFile(path);
  } catch (err) {
    if (err instanceof ElfError) throw new BuildError(`--runtime ${path}: ${err.message}`);
    throw err;
  }
  const arch = archOfMachine(elf.header.machine);
  if (!arch) throw new BuildError(`--runtime ${path}: not an x64 or arm64 executable`);
  const interp = elf.interpreter ?? '';
  const libc = /ld-musl/.test(interp) ? 'musl' : /ld-linux/.test(interp) ? 'glibc' : 'unknown';
  const sha256 = await sha256File(path);
  // The version is learnt by running it (resolveRuntime); until then, the line's.
  return { kind: 'custom', path, nodeVersion: ctx.nodeVersions.official, arch, sha256, libc, allocator: 'unknown', inputs: [{ name: 'custom runtime', version: 'unknown', origin: path, sha256 }] };
}

/** The static runtime at hand without building: cached, or the pinned package fetched and proven; else why not. */
async function availableStaticRuntime(ctx: BuildContext): Promise<{ runtime: Runtime; from: string } | { why: string; building?: number }> {
  const { intl, pointerCompression } = ctx.project.config;
  const cached = cachedStaticRuntime(ctx.cacheDir, ctx.nodeVersions.static, 'jemalloc', ctx.arch, intl, pointerCompression);
  if (cached) return { runtime: cached, from: ['cached', ...(intl === 'full' ? [] : [`intl ${intl}`]), ...(pointerCompression ? ['pointer compression'] : [])].join(', ') };
  const pinKey = `runtimes.${ctx.nodeLine ? `lines.${ctx.nodeLine}.` : ''}staticRuntime.${ctx.arch}`;
  let why = `none is cached and package.json pins no linux-${ctx.arch} static runtime package (${pinKey})`;
  // The published packages carry full ICU: another seal.intl is built here, never swapped for a full one.
  if (intl !== 'full') why = `none with intl ${intl} is cached (seal.intl; the published packages have full ICU)`;
  else if (pointerCompression) why = `none with pointer compression is cached (seal.pointerCompression; no package has it)`;
  else if (ctx.staticPin) {
    const request = { pin: ctx.staticPin, cacheDir: ctx.cacheDir, nodeVersion: ctx.nodeVersions.static, arch: ctx.arch, allocator: 'jemalloc', intl: 'full', cwd: ctx.project.root, log: ctx.log } as const;
    try {
      return { runtime: await fetchStaticRuntime(request), from: `fetched ${ctx.staticPin.package}@${ctx.staticPin.version}` };
    } catch (err) {
      // A package that arrived but failed a check is refused outright: never silently replaced by a build or another runtime.
      if (!(err instanceof PackageUnavailable)) throw err;
      why = `none is cached and ${err.message}`;
    }
  }
  const running = runningStaticBuild(ctx.cacheDir, ctx.arch);
  if (!running) return { why };
  return { why: `${why}; one is being built in the background (pid ${running.pid}; ${commandLine('runtime', `status${runtimeBuildFlags({ arch: ctx.arch })}`)})`, building: running.pid };
}

/** The runtime command's flags that build this build's static runtime: its arch, its Node line and Intl unless the defaults. */
const buildFlags = (ctx: BuildContext) => runtimeBuildFlags({ node: ctx.nodeLine, arch: ctx.arch, intl: ctx.project.config.intl, pointerCompression: ctx.project.config.pointerCompression });
// Measured: x64 with full ICU from an empty cache, 1.6 h (Node 24) to 3–4 h (Node 22, beside other work) on 2 cores (docs/static-runtime.md).
const BUILD_COST = '1.5–4 h on 2 cores with full ICU, resumable';

/**
 * The musl + jemalloc runtime: from the cache in seconds; else the package.json-pinned package, fetched
 * through npm and proven (seconds to a minute); else — nothing pinned, not published, offline — one line
 * saying so and how to build it, or, with --build-runtime, the build itself (hours, resumable).
 */
async function staticRuntime(ctx: BuildContext): Promise<Runtime> {
  const found = await availableStaticRuntime(ctx);
  if ('runtime' in found) return found.runtime;
  const flag = buildFlags(ctx);
  if (found.building !== undefined)
    throw new BuildError(
      `the linux-${ctx.arch} static runtime is being built in the background (pid ${found.building}); follow it with '${commandLine('runtime', `status${runtimeBuildFlags({ arch: ctx.arch })}`)}' and run the build again when it is done`,
    );
  if (!ctx.buildRuntime)
    throw new BuildError(`no linux-${ctx.arch} static runtime: ${found.why}; build it with '${commandLine('runtime', `${flag} --detach`.trim())}' (${BUILD_COST}) and run again, or add --build-runtime to build it now`);
  ctx.log.info(`  no linux-${ctx.arch} static runtime: ${found.why}; building it now (--build-runtime; ${BUILD_COST} — rerun to continue)`);
  const { intl, pointerCompression } = ctx.project.config;
  return buildStaticRuntime({ nodeVersion: ctx.nodeVersions.static, arch: ctx.arch, intl, pointerCompression, report: (line) => ctx.log.info(`  ${line}`) });
}

/**
 * A target that names no runtime (`linux-x64`): the static one when it is at hand (cached or pinned and
 * published), since that is the binary that runs anywhere; the official one otherwise. Never a build. The
 * choice and its reason go to the log on one line. dist.ts turns to the official runtime when the program
 * turns out to load native addons, which the static runtime cannot.
 */
async function autoRuntime(ctx: BuildContext): Promise<Runtime> {
  const found = await availableStaticRuntime(ctx);
  if ('runtime' in found) {
    ctx.log.info(`  linux-${ctx.arch}: the static runtime (${found.from}); --runtime official for the glibc one`);
    return found.runtime;
  }
  ctx.log.info(`  linux-${ctx.arch}: the official runtime, because no static one is at hand: ${found.why}; '${commandLine('runtime', `${buildFlags(ctx)} --detach`.trim())}' builds it (${BUILD_COST})`);
  return officialFor(ctx);
}

function officialFor(ctx: BuildContext): Promise<Runtime> {
  return officialRuntime({ nodeVersion: ctx.nodeVersions.official, arch: ctx.arch, cacheDir: ctx.cacheDir, log: ctx.log, integrity: ctx.officialIntegrity, source: ctx.officialSource });
}

/** Asks the runtime itself for its version; undefined when it cannot execute on this host. */
async function probeVersion(launcher: Launcher, path: string): Promise<string | undefined> {
  try {
    const [cmd, args] = launcher.command(path, ['--version']);
    const { stdout } = await execa(cmd, args, { timeout: 60_000, env: { NODE_OPTIONS: '' } });
    return stdout.trim().replace(/^v/, '');
  } catch {
    return undefined;
  }
}

/** Resolves the Node binary to inject into: the official one (cached), the static one, or a given path. */
async function resolveRuntime(ctx: BuildContext): Promise<string> {
  const req = ctx.runtimeRequest;
  let runtime: Runtime;
  if (req.kind === 'official') runtime = await officialFor(ctx);
  else if (req.kind === 'custom') runtime = await customRuntime(req.path, ctx);
  else if (req.kind === 'static') runtime = await staticRuntime(ctx);
  else runtime = await autoRuntime(ctx);
  if (runtime.kind === 'official' && ctx.project.config.intl !== 'full') ctx.log.info(`  the official runtime has full ICU: seal.intl ${ctx.project.config.intl} applies to the static runtime only`);
  if (runtime.kind === 'official' && ctx.project.config.pointerCompression) ctx.log.info('  the official runtime has no pointer compression: seal.pointerCompression applies to the static runtime only');
  if (runtime.arch !== ctx.arch) throw new BuildError(`runtime ${runtime.path} is linux-${runtime.arch} but the build targets linux-${ctx.arch}: add --arch ${runtime.arch}`);
  // Only a runtime with a loader needs the target's libraries (a sysroot) under qemu.
  const launcher = launcherFor(runtime.arch, readElfFile(runtime.path).interpreter !== null);
  const observed = 'missing' in launcher ? undefined : await probeVersion(launcher, runtime.path);
  if (observed !== undefined && !/^\d+\.\d+\.\d+/.test(observed)) {
    throw new BuildError(`runtime ${runtime.path} answered --version with ${JSON.stringify(observed.split('\n')[0])}: not a Node.js binary`);
  }
  ctx.launcher = observed !== undefined && !('missing' in launcher) ? launcher : undefined;
  if (observed !== undefined && observed !== runtime.nodeVersion) {
    if (req.kind !== 'custom') throw new BuildError(`runtime ${runtime.path} reports Node ${observed}, expected ${runtime.nodeVersion}`);
    runtime = { ...runtime, nodeVersion: observed };
  }
  ctx.runtime = runtime;
  const how = ctx.launcher ? (ctx.launcher.emulated ? ` — runs here under ${ctx.launcher.describe}` : '') : ` — cannot run on this host${'missing' in launcher ? `: ${launcher.missing}` : ''}`;
  return `${runtime.kind} Node ${runtime.nodeVersion} linux-${runtime.arch} (${runtime.libc}, ${runtime.allocator}${runtime.intl ? `, intl ${runtime.intl}` : ''}${runtime.pointerCompression ? ', pointer compression' : ''})${how}`;
}

export const runtimeStep = distStep({ name: 'runtime', run: resolveRuntime });
