import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { BuildError, need, type BuildContext } from '../context.ts';
import { fileFact } from '../hash.ts';

/** The SEA blob, written by the runtime itself: a blob from another Node version segfaults at start-up. */
export async function blobStep(ctx: BuildContext): Promise<string> {
  const bundle = need(ctx, 'bundle', 'blob');
  const runtime = need(ctx, 'runtime', 'blob');
  if (!ctx.runtimeRunsHere) {
    throw new BuildError(`runtime ${runtime.path} (linux-${runtime.arch}) cannot run on this host, and only it may write its SEA blob`);
  }
  // Code cache is V8 bytecode for this exact runtime; it is only valid when the runtime itself makes it.
  const codeCache = true;
  const output = join(ctx.workDir, 'sea-prep.blob');
  const config = join(ctx.workDir, 'sea-config.json');
  await writeFile(config, JSON.stringify({ main: bundle.path, output, disableExperimentalSEAWarning: true, useCodeCache: codeCache, useSnapshot: false }, null, 2));
  try {
    await execa(runtime.path, ['--experimental-sea-config', config], { cwd: ctx.workDir, env: { NODE_OPTIONS: '' }, timeout: 120_000 });
  } catch (err) {
    const e = err as { stderr?: string; shortMessage?: string };
    throw new BuildError(`the runtime could not write the SEA blob: ${e.stderr?.trim() || e.shortMessage}`);
  }
  ctx.blob = { ...(await fileFact(output)), codeCache };
  return `${(ctx.blob.size / 1024).toFixed(1)} KiB, code cache ${codeCache ? 'on' : 'off'}`;
}
