import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { execa } from 'execa';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { fileFact } from '../../shared/toolchain/file-hash.ts';
import { withLock } from '../../shared/toolchain/lock.ts';
import { type BuildContext, distStep } from '../context.ts';
import type { Ready } from '../pipeline.ts';
import { ASSET_DATA, ASSET_INDEX } from '../project/assets.ts';
import type { Startup } from '../project/config.ts';
import { lazyAsset, lazyCacheAsset } from '../project/lazy-chunks.ts';
import { SNAPSHOT_BUILD_FLAGS, SNAPSHOT_PARENT } from '../project/snapshot.ts';
import { CACHE_ASSET, commandCacheAsset, LOADER_FILE, loaderSource } from '../project/trained-cache.ts';

/** What one SEA blob is made of (seaBlob). */
export interface BlobSpec {
  /** The main script, copied into the directory the blob is made in unless it is there already. */
  main: string;
  output: string;
  startup: Startup;
  /** Asset name → file. */
  assets: Record<string, string>;
  /** The blob's execArgv: the Node options every start of the binary gets (NODE_OPTIONS can still add to them). */
  execArgv: string[];
  /** Where the blob is made (the main script's path is recorded relative to it). */
  dir: string;
}

/** The blob assets that hold the embedded files (project/assets.ts) and seal.lazy's chunks (project/lazy-chunks.ts), by asset name. */
export function embeddedFiles(ctx: Pick<BuildContext, 'assets' | 'lazy'>): Record<string, string> {
  return {
    ...(ctx.assets ? { [ASSET_INDEX]: ctx.assets.index.path, [ASSET_DATA]: ctx.assets.data.path } : {}),
    ...Object.fromEntries((ctx.lazy ?? []).flatMap((c) => [[lazyAsset(c.name), c.file.path], ...(c.cache ? [[lazyCacheAsset(c.name), c.cache.path]] : [])])),
  };
}

/** Writes one SEA blob with the runtime itself: a blob from another Node version segfaults at start-up. */
export async function seaBlob(ctx: Ready<BuildContext, 'runtime'>, spec: BlobSpec): Promise<void> {
  const { runtime, launcher } = ctx;
  if (!launcher) {
    throw new BuildError(`runtime ${runtime.path} (linux-${runtime.arch}) cannot run on this host, and only it may write its SEA blob`);
  }
  const { dir, startup } = spec;
  const main = join(dir, basename(spec.main));
  if (main !== spec.main) {
    await mkdir(dir, { recursive: true });
    await copyFile(spec.main, main);
  }
  const config = join(dir, 'sea-config.json');
  const assets = Object.keys(spec.assets).length > 0 ? { assets: spec.assets } : {};
  await writeFile(
    config,
    JSON.stringify(
      {
        main: relative(dir, main),
        output: spec.output,
        disableExperimentalSEAWarning: true,
        useCodeCache: startup === 'code-cache',
        useSnapshot: startup === 'snapshot',
        execArgv: spec.execArgv,
        ...assets,
      },
      null,
      2,
    ),
  );
  try {
    // V8 writes string hashes seeded from its RNG into the code cache, so every blob differed. A fixed
    // --random-seed makes it byte-stable; unlike --hash-seed it is left out of V8's flag hash, so the
    // cache is still accepted at run time (verify checks for the "Code cache data rejected" warning).
    // The execArgv flags too: V8 rejects a code cache made under a different flag hash, and they are in it.
    // A snapshot: see project/snapshot.ts for what else keeps it byte-stable.
    const snapshotFlags = startup === 'snapshot' ? SNAPSHOT_BUILD_FLAGS : [];
    const [cmd, args] = launcher.command(runtime.path, ['--random-seed=1', ...snapshotFlags, ...spec.execArgv, '--experimental-sea-config', config]);
    await execa(cmd, args, { cwd: dir, env: { NODE_OPTIONS: '' }, timeout: 300_000 });
  } catch (err) {
    const e = err as { stderr?: string; shortMessage?: string };
    const stderr = e.stderr?.trim() ?? '';
    if (startup === 'snapshot' && stderr.includes('setDeserializeMainFunction'))
      throw new BuildError(
        `seal.startup is "snapshot", and the program ran at build time without calling v8.startupSnapshot.setDeserializeMainFunction(main): with a snapshot, the entry's top level runs when the binary is built and only the function it names runs at each start. Call it when v8.startupSnapshot.isBuildingSnapshot() is true (docs/toolchain.md, "Start-up"), or set "startup": "code-cache". Node said: ${stderr.split('\n').at(-1)}`,
      );
    throw new BuildError(`the runtime could not write the SEA blob: ${stderr || e.shortMessage}`);
  }
}

/** The program's SEA blob: the bundle as its main script, or with a trained cache the loader that compiles it (project/trained-cache.ts). */
async function writeBlob(ctx: Ready<BuildContext, 'bundle' | 'runtime'>): Promise<string> {
  const { bundle, runtime, trained } = ctx;
  const launcher = ctx.launcher;
  if (!launcher) {
    throw new BuildError(`runtime ${runtime.path} (linux-${runtime.arch}) cannot run on this host, and only it may write its SEA blob`);
  }
  // Code cache is V8 code for this exact runtime on this CPU. Made under qemu it would be checked only
  // against an emulated CPU, so an emulated blob goes without it (start-up compiles the bundle instead). A
  // snapshot likewise: what V8 keeps in it has not been checked on real arm64 hardware, so none is made there.
  const configured = ctx.project.config.startup;
  const startup: Startup = launcher.emulated ? 'none' : configured;
  const output = join(ctx.workDir, 'sea-prep.blob');
  const assets = {
    ...embeddedFiles(ctx),
    ...(trained ? { [CACHE_ASSET]: trained.defaultCache.cache.path } : {}),
    ...Object.fromEntries((trained?.commands ?? []).map((c, i) => [commandCacheAsset(i), c.cache.path])),
  };
  let main = bundle.path;
  if (trained) {
    main = join(ctx.workDir, LOADER_FILE);
    const caches = Object.fromEntries(trained.commands.map((c, i) => [c.word, commandCacheAsset(i)]));
    await writeFile(main, loaderSource(basename(bundle.path), await readFile(trained.main.path, 'utf8'), caches));
  }
  // With training, Node's code cache is the loader's: it keeps the bundle's text in it unparsed at start.
  const spec = { main, output, startup, assets, execArgv: ctx.project.config.nodeOptions } as const;
  // Where the blob is made. Node records the main script's path in the blob: as given for a code cache (so,
  // relative to the scratch dir, whose name is random), but resolved to an absolute path in a snapshot. A
  // snapshot is therefore made in a directory named after the bundle's hash, the same on every machine.
  if (startup !== 'snapshot') await seaBlob(ctx, { ...spec, dir: ctx.workDir });
  else {
    const dir = join(SNAPSHOT_PARENT, `seal-snapshot-${bundle.sha256.slice(0, 16)}`);
    // Two builds of one bundle at once would share the directory: one at a time.
    await withLock(
      `${dir}.lock`,
      `the snapshot in ${dir}`,
      (line) => ctx.log.info(`  ${line}`),
      async () => {
        try {
          await seaBlob(ctx, { ...spec, dir });
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    );
  }
  ctx.blob = { ...(await fileFact(output)), startup, ...(trained ? { trainedRuns: trained.runs } : {}) };
  const training = trained ? `, trained on ${trained.runs} run(s)` : '';
  return `${(ctx.blob.size / 1024).toFixed(1)} KiB, start-up: ${startup}${training}${startup !== configured ? ` (seal.startup "${configured}": neither a code cache nor a snapshot is made under ${launcher.describe})` : ''}`;
}

export const blobStep = distStep({ name: 'blob', needs: ['bundle', 'runtime'], run: writeBlob });
