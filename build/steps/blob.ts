import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { fileFact } from '../../shared/toolchain/file-hash.ts';
import { type BuildContext, distStep } from '../context.ts';
import type { Ready } from '../pipeline.ts';
import { ASSET_DATA, ASSET_INDEX } from '../project/assets.ts';

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
  // against an emulated CPU, so an emulated blob goes without it (start-up compiles the bundle instead).
  const codeCache = ctx.project.config.codeCache && !launcher.emulated;
  const output = join(ctx.workDir, 'sea-prep.blob');
  const config = join(ctx.workDir, 'sea-config.json');
  // Paths relative to the scratch dir: the blob records the main script's path as given, and the
  // scratch dir's name is random, so an absolute path would make every build differ.
  const assets = ctx.assets ? { [ASSET_INDEX]: relative(ctx.workDir, ctx.assets.index.path), [ASSET_DATA]: relative(ctx.workDir, ctx.assets.data.path) } : undefined;
  await writeFile(
    config,
    JSON.stringify(
      { main: relative(ctx.workDir, bundle.path), output: relative(ctx.workDir, output), disableExperimentalSEAWarning: true, useCodeCache: codeCache, useSnapshot: false, execArgv: nodeOptions, ...(assets ? { assets } : {}) },
      null,
      2,
    ),
  );
  try {
    // V8 writes string hashes seeded from its RNG into the code cache, so every blob differed. A fixed
    // --random-seed makes it byte-stable; unlike --hash-seed it is left out of V8's flag hash, so the
    // cache is still accepted at run time (verify checks for the "Code cache data rejected" warning).
    // The execArgv flags too: V8 rejects a code cache made under a different flag hash, and they are in it.
    const [cmd, args] = launcher.command(runtime.path, ['--random-seed=1', ...nodeOptions, '--experimental-sea-config', config]);
    await execa(cmd, args, { cwd: ctx.workDir, env: { NODE_OPTIONS: '' }, timeout: 300_000 });
  } catch (err) {
    const e = err as { stderr?: string; shortMessage?: string };
    throw new BuildError(`the runtime could not write the SEA blob: ${e.stderr?.trim() || e.shortMessage}`);
  }
  ctx.blob = { ...(await fileFact(output)), codeCache };
  return `${(ctx.blob.size / 1024).toFixed(1)} KiB, code cache ${codeCache ? 'on' : ctx.project.config.codeCache ? `off (blob made under ${launcher.describe})` : 'off (seal.codeCache)'}`;
}

export const blobStep = distStep({ name: 'blob', needs: ['bundle', 'runtime'], run: writeBlob });
