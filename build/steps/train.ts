import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { type FileFact, fileFact } from '../../shared/toolchain/file-hash.ts';
import { artifactName, type BuildContext, distStep } from '../context.ts';
import type { Ready } from '../pipeline.ts';
import type { TrainRun } from '../project/config.ts';
import { CACHE_ASSET, commandCacheAsset, commandWord, LOADER_FILE, MAIN_FILE, TRAIN_CACHE_ENV, TRAIN_COMPILE_ONLY_ENV, TRAIN_FLAGS, trainerSource, wrapBundle } from '../project/trained-cache.ts';
import { embeddedFiles, seaBlob } from './blob.ts';
import { injectInto } from './inject.ts';
import { stderrExcerpt } from './verify.ts';

/** A run must end within this (one with stopWhen: print its line and exit after SIGTERM); after SIGTERM it gets this long before SIGKILL. */
const RUN_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 10_000;

/** Why a project's seal.train is not used for this build (said in the step's line), or undefined when it is. */
function notTrained(ctx: Ready<BuildContext, 'bundle' | 'runtime'>): string | undefined {
  const { startup } = ctx.project.config;
  if (startup !== 'code-cache') return `start-up is "${startup}" (--startup): there is no code cache to train`;
  if (!ctx.launcher) return 'the runtime cannot run on this host';
  if (ctx.launcher.emulated) return `no code cache is made under ${ctx.launcher.describe}`;
  return undefined;
}

/**
 * seal.train (project/trained-cache.ts): a binary with a training loader, run as the entries say: the runs of each
 * command word one after the other (each one's cache the next one's start), and the other runs so into the default
 * cache — or, with no such run, the default is the top level's, made by compiling alone.
 */
async function trainCodeCache(ctx: Ready<BuildContext, 'bundle' | 'runtime'>): Promise<string> {
  const { bundle, project } = ctx;
  const runs = project.config.train;
  if (runs.length === 0) return "no training runs (no seal.train, or --no-train): the code cache holds the bundle's top level";
  const skipped = notTrained(ctx);
  if (skipped !== undefined) return `skipped: ${skipped}`;
  if (bundle.format === 'esm') throw new BuildError('seal.train is set, but the program has top-level await: it runs as an ES module behind a launcher, and a SEA code cache holds CommonJS code only. Leave seal.train out');
  const dir = join(ctx.workDir, 'train');
  const [cwd, home] = [join(dir, 'cwd'), join(dir, 'home')];
  await Promise.all([mkdir(cwd, { recursive: true }), mkdir(home, { recursive: true })]);
  // The wrapped bundle is in the final blob's loader too: the caches are V8's for exactly this text.
  const main = join(ctx.workDir, MAIN_FILE);
  const wrapped = wrapBundle(await readFile(bundle.path, 'utf8'));
  await writeFile(main, wrapped);
  const trainer = join(dir, LOADER_FILE);
  await writeFile(trainer, trainerSource(basename(bundle.path), wrapped));
  const assets = embeddedFiles(ctx);
  const blob = join(dir, 'train.blob');
  await seaBlob(ctx, { main: trainer, output: blob, startup: 'none', assets, execArgv: [...TRAIN_FLAGS, ...project.config.nodeOptions], dir });
  // Named as the artifact: a binary of several bins picks the one to run by its own name.
  const binary = join(dir, artifactName(ctx));
  await injectInto(ctx, blob, binary);
  const place = { binary, cwd, home };
  let done = 0;
  const trainAll = async (group: TrainRun[], cache: string) => {
    for (const run of group) {
      const started = performance.now();
      await trainingRun(ctx, run, { ...place, cache });
      const size = (await stat(cache)).size;
      ctx.log.info(`  training run ${++done}/${runs.length} '${run.args.join(' ')}': ${((performance.now() - started) / 1000).toFixed(2)} s, its cache ${(size / 1024).toFixed(1)} KiB`);
    }
    return fileFact(cache);
  };
  const words = [...new Set(runs.map((r) => commandWord(r.args)).filter((w) => w !== undefined))];
  const commands: { word: string; cache: FileFact }[] = [];
  for (const [i, word] of words.entries())
    commands.push({
      word,
      cache: await trainAll(
        runs.filter((r) => commandWord(r.args) === word),
        join(dir, commandCacheAsset(i)),
      ),
    });
  const others = runs.filter((r) => commandWord(r.args) === undefined);
  const fallback = join(dir, CACHE_ASSET);
  if (others.length === 0) await trainingRun(ctx, { args: [] }, { ...place, cache: fallback, compileOnly: true });
  const defaultCache = { cache: others.length === 0 ? await fileFact(fallback) : await trainAll(others, fallback), runs: others.length };
  ctx.trained = { main: await fileFact(main), defaultCache, commands, runs: runs.length };
  const sizes = commands.map((c) => `${c.word} ${(c.cache.size / 1024).toFixed(0)}`);
  return `${runs.length} run(s); code caches (KiB): ${[`default ${(defaultCache.cache.size / 1024).toFixed(0)}${others.length === 0 ? ' (the top level)' : ''}`, ...sizes].join(', ')}`;
}

/**
 * One training run: it must exit 0 by itself, or after SIGTERM once a line it prints matches stopWhen, and leave
 * its cache. `compileOnly`: the top level's cache, made without running the program.
 */
async function trainingRun(ctx: Ready<BuildContext, 'bundle' | 'runtime'>, run: TrainRun, o: { binary: string; cache: string; cwd: string; home: string; compileOnly?: boolean }): Promise<void> {
  const launcher = ctx.launcher;
  if (!launcher) throw new BuildError('training needs a runtime that runs on this host');
  const args = run.args.map((a) => a.replaceAll('{root}', ctx.project.root));
  const [cmd, cmdArgs] = launcher.command(o.binary, args);
  const shown = o.compileOnly ? "the top level's compile (seal.train)" : `the training run '${run.args.join(' ')}' (seal.train)`;
  const child = execa(cmd, cmdArgs, {
    cwd: o.cwd,
    reject: false,
    stdin: 'ignore',
    all: true,
    env: { NODE_OPTIONS: '', HOME: o.home, [TRAIN_CACHE_ENV]: o.cache, ...(o.compileOnly ? { [TRAIN_COMPILE_ONLY_ENV]: '1' } : {}) },
    extendEnv: false,
    timeout: RUN_TIMEOUT_MS,
    forceKillAfterDelay: STOP_GRACE_MS,
  });
  let stopped = false;
  if (run.stopWhen !== undefined) {
    const ready = new RegExp(run.stopWhen);
    let pending = '';
    child.all?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      if (!stopped && lines.some((l) => ready.test(l))) {
        stopped = true;
        child.kill('SIGTERM');
      }
    });
  }
  const res = await child;
  const stderr = res.stderr.trim() ? `; its stderr:\n${stderrExcerpt(res.stderr)}` : '';
  if (res.timedOut) {
    const why = run.stopWhen === undefined ? 'give a program that runs until stopped "stopWhen" in its entry' : `no line it printed matched stopWhen /${run.stopWhen}/`;
    throw new BuildError(`${shown} did not exit within ${RUN_TIMEOUT_MS / 1000} s: ${why}${stderr}`);
  }
  if (stopped && res.exitCode === undefined)
    throw new BuildError(
      `${shown} was stopped when it printed a line matching /${run.stopWhen}/ and ended by ${res.signal} without exiting: the cache is written as the program exits, so it must handle SIGTERM and exit (process.exit or letting its event loop end)${stderr}`,
    );
  if (!stopped && res.exitCode !== 0) {
    const unmatched = run.stopWhen === undefined ? '' : ` before printing a line that matches stopWhen /${run.stopWhen}/`;
    throw new BuildError(`${shown} failed (exit ${res.exitCode ?? res.signal})${unmatched}: a training run must succeed, or its cache would train the failure${stderr}`);
  }
  const next = `${o.cache}.next`;
  if (!existsSync(next)) throw new BuildError(`${shown} exited without writing the code cache (did it leave through process.reallyExit or abort?)${stderr}`);
  await rename(next, o.cache);
}

export const trainStep = distStep({ name: 'train', needs: ['bundle', 'runtime'], run: trainCodeCache });
