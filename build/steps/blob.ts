import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { execa } from 'execa';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { fileFact } from '../../shared/toolchain/file-hash.ts';
import { withLock } from '../../shared/toolchain/lock.ts';
import { type BuildContext, distStep } from '../context.ts';
import type { Ready } from '../pipeline.ts';
import { ASSET_DATA, ASSET_INDEX } from '../project/assets.ts';
import type { Startup } from '../project/config.ts';
import { SNAPSHOT_BUILD_FLAGS, SNAPSHOT_PARENT } from '../project/snapshot.ts';

/** The SEA blob, written by the runtime itself: a blob from another Node version segfaults at start-up. */
async function writeBlob(ctx: Ready<BuildContext, 'bundle' | 'runtime'>): Promise<string> {
  const { bundle, runtime } = ctx;
  // Node options every start of the binary gets (the blob's execArgv; NODE_OPTIONS can still add to them).
  const { nodeOptions } = ctx.project.config;
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
  // Where the blob is made. Node records the main script's path in the blob: as given for a code cache (so,
  // relative to the scratch dir, whose name is random), but resolved to an absolute path in a snapshot. A
  // snapshot is therefore made in a directory named after the bundle's hash, the same on every machine.
  const snapshotDir = startup === 'snapshot' ? join(SNAPSHOT_PARENT, `seal-snapshot-${bundle.sha256.slice(0, 16)}`) : null;
  const make = async (dir: string) => {
    const main = join(dir, basename(bundle.path));
    if (dir !== ctx.workDir) {
      await mkdir(dir, { recursive: true });
      await copyFile(bundle.path, main);
    }
    const config = join(dir, 'sea-config.json');
    const assets = ctx.assets ? { [ASSET_INDEX]: ctx.assets.index.path, [ASSET_DATA]: ctx.assets.data.path } : undefined;
    await writeFile(
      config,
      JSON.stringify(
        {
          main: relative(dir, main),
          output,
          disableExperimentalSEAWarning: true,
          useCodeCache: startup === 'code-cache',
          useSnapshot: startup === 'snapshot',
          execArgv: nodeOptions,
          ...(assets ? { assets } : {}),
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
      const [cmd, args] = launcher.command(runtime.path, ['--random-seed=1', ...snapshotFlags, ...nodeOptions, '--experimental-sea-config', config]);
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
  };
  if (snapshotDir === null) await make(ctx.workDir);
  else {
    // Two builds of one bundle at once would share the directory: one at a time.
    await withLock(
      `${snapshotDir}.lock`,
      `the snapshot in ${snapshotDir}`,
      (line) => ctx.log.info(`  ${line}`),
      async () => {
        try {
          await make(snapshotDir);
        } finally {
          await rm(snapshotDir, { recursive: true, force: true });
        }
      },
    );
  }
  ctx.blob = { ...(await fileFact(output)), startup };
  return `${(ctx.blob.size / 1024).toFixed(1)} KiB, start-up: ${startup}${startup !== configured ? ` (seal.startup "${configured}": neither a code cache nor a snapshot is made under ${launcher.describe})` : ''}`;
}

export const blobStep = distStep({ name: 'blob', needs: ['bundle', 'runtime'], run: writeBlob });
