import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { callerDir, callerPath } from '../../../shared/cli-args/caller-path.ts';
import { listOf, oneOf } from '../../../shared/cli-args/choice.ts';
import { parseCommandArgs, subcommand } from '../../../shared/cli-args/command-args.ts';
import { int } from '../../../shared/cli-args/number.ts';
import { optionsOf, UsageError } from '../../../shared/cli-args/usage-error.ts';
import { BuildError } from '../../../shared/toolchain/build-error.ts';
import { cacheRoot } from '../../../shared/toolchain/cache-root.ts';
import { commandLine, installed } from '../../invocation.ts';
import { packRuntime } from '../package/pack.ts';
import { publishRuntime } from '../package/publish.ts';
import { nodeLines, runtimePin, staticNodeVersion } from '../pin.ts';
import { ALLOCATORS, type Allocator, INTL_MODES, type SourceMode } from './context.ts';
import { detachedPaths, runningStaticBuild } from './detached.ts';
import { requireBuildHost } from './host-tools.ts';
import { staticRuntimeKey } from './key.ts';
import { initialContext, runPipeline, stageNames } from './pipeline.ts';
import { formatProgress, type Progress } from './progress.ts';
import { pruneStages } from './prune.ts';
import { StageError } from './stage.ts';
import { stageArch, stageTimes } from './stage-times.ts';
import { STATIC_ARCHES, staticTarget } from './target.ts';
import { cachedStaticRuntime } from './verify.ts';

const RUNTIME = installed() ? 'npx seal runtime' : 'npm run runtime --';
const USAGE = `${RUNTIME} [--node LINE] [--arch x64|arm64] [--jobs N] [--allocator jemalloc|mimalloc|musl|A,B|all] [--intl full|small|none] [--pointer-compression] [--until STAGE] [--detach]
    [--source distribution|official [--tarball node-vX.tar.xz] [--shasums SHASUMS256.txt]]
${RUNTIME} status [--arch A]   # detached build running? compile steps done/total, ETA
${RUNTIME} times [--arch A] [--node LINE] [--allocator A] [--intl I] [--source S] [--pointer-compression]   # seconds per finished stage
${RUNTIME} key [--arch A] [--node LINE] [--allocator A] [--intl I] [--source S] [--pointer-compression]   # cache key of the finished runtime (CI)
${RUNTIME} prune [--yes]   # stage dirs no cached runtime was made from (dry run without --yes)
${RUNTIME} pack [--arch A] [--node LINE] [--allocator A] [--intl I] [--source S] [--out DIR] [--repository URL]   # the cached runtime as an npm package (DIR default ./dist)
${RUNTIME} publish [pack's options] [--provenance] [--pin-file FILE]   # pack, then npm publish unless that version exists; the pin to FILE
--node: the Node line (major version) to build, one package.json → runtimes pins (default: its default line)
--intl: ICU with every locale (full, the default, as the official runtime), English only (small), or no Intl (none)
--pointer-compression: V8's 32-bit heap pointers (a smaller heap and start-up snapshot; the process's V8 heap is capped
  at 4 GiB, native addons must be built for it): a runtime beside the default one, named …-pointer-compression
--arch arm64 on an x64 host runs the build tools under qemu-aarch64 (binfmt_misc; see docs/static-runtime.md)`;

const HELP_REF = commandLine('runtime', '--help');
const SUBCOMMANDS = ['status', 'times', 'key', 'prune', 'pack', 'publish'] as const;
const SOURCE_MODES: readonly SourceMode[] = ['distribution', 'official'];

/** The options each command uses (a build: no command word). */
const DESCRIBES_ONE = ['arch', 'node', 'allocator', 'intl', 'source', 'pointer-compression'];
const OPTIONS_OF: Record<(typeof SUBCOMMANDS)[number] | 'build', string[]> = {
  build: ['jobs', 'allocator', 'intl', 'pointer-compression', 'until', 'detach', 'arch', 'node', 'source', 'tarball', 'shasums'],
  status: ['arch'],
  times: DESCRIBES_ONE,
  key: DESCRIBES_ONE,
  prune: ['yes'],
  pack: [...DESCRIBES_ONE, 'out', 'repository'],
  publish: [...DESCRIBES_ONE, 'out', 'repository', 'provenance', 'pin-file'],
};

/** Every option checked before anything runs: a typo must never start (or key, or time) the wrong build. */
function parseCli(argv: string[]) {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      jobs: { type: 'string' },
      allocator: { type: 'string' },
      intl: { type: 'string' },
      'pointer-compression': { type: 'boolean', default: false },
      until: { type: 'string' },
      detach: { type: 'boolean', default: false },
      arch: { type: 'string' },
      node: { type: 'string' },
      source: { type: 'string' },
      tarball: { type: 'string' },
      shasums: { type: 'string' },
      help: { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      out: { type: 'string' },
      repository: { type: 'string' },
      provenance: { type: 'boolean', default: false },
      'pin-file': { type: 'string' },
    },
    { command: 'runtime', help: HELP_REF, allowPositionals: true },
  );
  const opt = optionsOf(HELP_REF);
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}' for 'runtime' (see '${HELP_REF}')`);
  const command = subcommand(positionals[0], SUBCOMMANDS, { command: 'runtime', help: HELP_REF });
  // An option the command does not use is a mistake, not something to drop: `--out DIR` on a build would start hours
  // of compile and write nowhere it was asked.
  const allowed = OPTIONS_OF[command ?? 'build'];
  const stray = Object.entries(values).filter(([name, v]) => name !== 'help' && v !== undefined && v !== false && !allowed.includes(name));
  if (stray.length > 0) {
    const what = command === undefined ? 'a build' : `'${command}'`;
    throw new UsageError(
      `${stray.map(([n]) => `--${n}`).join(', ')} ${stray.length === 1 ? 'is not an option' : 'are not options'} of ${what}, whose options are ${allowed.map((n) => `--${n}`).join(', ') || 'none'} (see '${HELP_REF}')`,
    );
  }
  // A list builds each in turn: the compile is shared, each allocator costs one re-link (issue 7's variants).
  const allocators = listOf(values.allocator, opt('--allocator'), ALLOCATORS, { all: true }) ?? ['jemalloc'];
  // times, key and pack describe one runtime, so one allocator.
  if ((command === 'times' || command === 'key' || command === 'pack' || command === 'publish') && allocators.length !== 1) {
    throw new UsageError(`${command} takes one --allocator (${ALLOCATORS.join(', ')}), got '${values.allocator}' (see '${HELP_REF}')`);
  }
  const sourceMode = oneOf(values.source, opt('--source'), SOURCE_MODES) ?? 'distribution';
  // The stage to stop after, by the names of the stages this source mode runs (checked here: --detach forks first).
  const stages = stageNames(sourceMode);
  if (values.until !== undefined && !stages.includes(values.until)) throw new UsageError(`--until must be a stage of this build, one of ${stages.join(', ')}; got '${values.until}' (see '${HELP_REF}')`);
  // The official tarball and its SHASUMS256.txt: from where npm run was called, there before anything runs.
  const officialFile = (name: 'tarball' | 'shasums'): string | undefined => {
    const given = values[name];
    if (given === undefined) return undefined;
    if (sourceMode !== 'official') throw new UsageError(`--${name} is a file of the official source: it goes with --source official (see '${HELP_REF}')`);
    const path = callerPath(given);
    if (!statSync(path, { throwIfNoEntry: false })?.isFile()) throw new UsageError(`--${name} ${path}: no such file (see '${HELP_REF}')`);
    return path;
  };
  const official = { tarball: officialFile('tarball'), shasums: officialFile('shasums') };
  // Runtime packages are named and fetched per arch × allocator × Intl (package/naming.ts): no heap layout yet.
  if ((command === 'pack' || command === 'publish') && values['pointer-compression']) {
    throw new UsageError(`${command} packs the default runtime only: a --pointer-compression runtime is used from the cache (npm run dist -- --runtime PATH)`);
  }
  return {
    command,
    help: values.help,
    detach: values.detach,
    yes: values.yes,
    out: values.out,
    repository: values.repository,
    provenance: values.provenance,
    pinFile: values['pin-file'],
    until: values.until,
    official,
    arch: oneOf(values.arch, opt('--arch'), STATIC_ARCHES) ?? 'x64',
    node: oneOf(values.node, opt('--node'), nodeLines()),
    intl: oneOf(values.intl, opt('--intl'), INTL_MODES) ?? 'full',
    pointerCompression: values['pointer-compression'],
    sourceMode,
    jobs: int(values.jobs, opt('--jobs'), { min: 1, max: 1024 }) ?? 2,
    allocators,
  };
}

let cli: ReturnType<typeof parseCli>;
try {
  cli = parseCli(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  // --help answers even beside a mistake.
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    process.exit(0);
  }
  console.error(`error: ${err.message}`);
  process.exit(2);
}
const { arch, intl, pointerCompression, allocators } = cli;
const nodeVersion = staticNodeVersion(runtimePin(cli.node));
const stageRoot = join(cacheRoot(), 'static');
const { log: detachedLog, pidFile } = detachedPaths(cacheRoot(), arch);

/** `status`: is a detached build of --arch running, and how far is its compile. */
function status(): void {
  const running = runningStaticBuild(cacheRoot(), arch);
  console.log(running ? `build running, pid ${running.pid}, log ${running.log}` : 'no build running');
  // The compile stage written to last is the one that matters; older ones are earlier configurations.
  // A resumed stage's directory keeps its old mtime, so go by its files'.
  const lastWrite = (d: string) =>
    Math.max(
      0,
      ...['compile.log', 'progress.json', 'stage-done.json']
        .map((f) => join(stageRoot, d, f))
        .filter(existsSync)
        .map((f) => statSync(f).mtimeMs),
    );
  const compiles = existsSync(stageRoot)
    ? readdirSync(stageRoot)
        .filter((d) => d.startsWith('compile-') && stageArch(stageRoot, d) === arch)
        .map((d) => ({ d, at: lastWrite(d) }))
        .sort((a, b) => b.at - a.at)
    : [];
  const newest = compiles[0]?.d;
  if (!newest) {
    console.log(`compile (linux-${arch}): not started`);
    return;
  }
  const done = existsSync(join(stageRoot, newest, 'stage-done.json'));
  const progressFile = join(stageRoot, newest, 'progress.json');
  const p = existsSync(progressFile) ? (JSON.parse(readFileSync(progressFile, 'utf8')) as Progress) : undefined;
  console.log(`${newest}: ${done ? 'done' : p ? `${formatProgress(p)} (at ${p.updatedAt})` : 'no progress yet'}`);
  console.log(`  log: ${join(stageRoot, newest, 'compile.log')}`);
}

/**
 * `times`: what each stage of the cached --arch runtime cost (all attempts), from its manifest;
 * without one, the newest finished dir per stage of --arch.
 */
function times(nodeVersion: string): void {
  const allocator = allocators[0] as Allocator;
  const rt = cachedStaticRuntime(cacheRoot(), nodeVersion, allocator, arch, intl, pointerCompression);
  if (!rt?.stages) console.log(`(no manifest with stages for ${arch} ${allocator} intl ${intl}: newest finished dir per stage)`);
  for (const t of rt?.stages ?? stageTimes(stageRoot, arch)) console.log(`${t.stage.padEnd(16)} ${String(t.seconds).padStart(6)} s  (${t.dir})`);
}

if (cli.help) {
  console.log(USAGE);
  process.exit(0);
}
if (cli.command === 'status') {
  status();
  process.exit(0);
}
if (cli.command === 'times') {
  times(nodeVersion);
  process.exit(0);
}
if (cli.command === 'prune') {
  const running = STATIC_ARCHES.map((a) => runningStaticBuild(cacheRoot(), a)).find((r) => r !== undefined);
  if (running) {
    console.error(`a build is running (pid ${running.pid}): prune after it ends`);
    process.exit(1);
  }
  try {
    pruneStages(cacheRoot(), cli.yes, (l) => console.log(l));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  process.exit(0);
}
if (cli.command === 'key') {
  // CI caches the finished runtime under this key (ci/github-actions.yml).
  const root = new URL('../../..', import.meta.url).pathname;
  console.log(staticRuntimeKey({ root, nodeVersion, arch, allocator: allocators[0] as Allocator, intl, sourceMode: cli.sourceMode, pointerCompression }));
  process.exit(0);
}

if (cli.command === 'pack' || cli.command === 'publish') {
  const root = new URL('../../..', import.meta.url).pathname;
  const cwd = callerDir();
  const report = (line: string) => console.error(line);
  try {
    const packed = await packRuntime({
      root,
      cacheDir: cacheRoot(),
      nodeVersion,
      arch,
      allocator: allocators[0] as Allocator,
      intl,
      sourceMode: cli.sourceMode,
      outDir: resolve(cwd, cli.out ?? 'dist'),
      repository: cli.repository,
      report,
    });
    // stdout: the tarball alone; stderr: what to do with it.
    console.log(packed.tarball);
    let pin = packed.pin;
    if (cli.command === 'publish') {
      const { published: _, ...registryPin } = await publishRuntime(packed, { provenance: cli.provenance, cwd, report });
      pin = registryPin;
    } else report(`publish: npm publish ${packed.tarball}  (or ${commandLine('runtime', 'publish')})`);
    const pins = JSON.stringify({ [arch]: pin });
    if (cli.pinFile) writeFileSync(resolve(cwd, cli.pinFile), `${pins}\n`);
    report(`pin (into package.json "runtimes": { "staticRuntime": … }):\npin: ${pins}`);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  }
  process.exit(0);
}

// Before any source is fetched, and in the foreground even for --detach: a missing ccache or qemu is
// one line here, not a failure found in the log after the downloads.
try {
  requireBuildHost(staticTarget(arch));
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
}

if (cli.detach) {
  // The build outlives this shell (hours): its own session, output to a log, pid recorded.
  mkdirSync(stageRoot, { recursive: true });
  const running = runningStaticBuild(cacheRoot(), arch);
  if (running) {
    console.error(`a build is already running (pid ${running.pid}); see ${running.log}`);
    process.exit(1);
  }
  // The same command without --detach; the installed toolchain's seal.mjs took its 'runtime' word out of argv.
  const [script = '', ...given] = process.argv.slice(1);
  const args = [script, ...(installed() ? ['runtime'] : []), ...given.filter((a) => a !== '--detach')];
  const out = openSync(detachedLog, 'a');
  const child = spawn(process.execPath, [...process.execArgv, ...args], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  writeFileSync(pidFile, String(child.pid));
  child.unref();
  console.log(`build started in the background, pid ${child.pid}\n  log: ${detachedLog}\n  progress: ${commandLine('runtime', `status${arch === 'x64' ? '' : ` --arch ${arch}`}`)}`);
  process.exit(0);
}

for (const allocator of allocators) {
  const ctx = initialContext(
    {
      cacheDir: cacheRoot(),
      arch,
      jobs: cli.jobs,
      allocator,
      intl,
      pointerCompression,
      sourceMode: cli.sourceMode,
      official: cli.official,
      until: cli.until,
      report: (line) => console.error(`${new Date().toISOString().slice(11, 19)} ${line}`),
    },
    nodeVersion,
  );
  try {
    const done = await runPipeline(ctx);
    if (done.runtimePath) console.log(done.runtimePath);
  } catch (err) {
    console.error(err instanceof StageError || err instanceof BuildError ? `error: ${err.message}` : err);
    process.exit(1);
  }
}
