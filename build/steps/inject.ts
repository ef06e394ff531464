import { copyFile, chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'postject';
import { SEA_BLOB_NOTE, SEA_FUSE } from '../../shared/elf/sea.ts';
import { BuildError, need, type BuildContext } from '../context.ts';

/** Copies the runtime into a scratch artifact and lets postject add the blob note and flip the fuse. */
export async function injectStep(ctx: BuildContext): Promise<string> {
  const runtime = need(ctx, 'runtime', 'inject');
  const blob = need(ctx, 'blob', 'inject');
  const target = join(ctx.workDir, 'artifact');
  await copyFile(runtime.path, target);
  await chmod(target, 0o755);
  try {
    await inject(target, SEA_BLOB_NOTE, await readFile(blob.path), { sentinelFuse: SEA_FUSE });
  } catch (err) {
    throw new BuildError(`postject could not inject the blob into ${runtime.path}: ${(err as Error).message}`);
  }
  ctx.injected = target;
  return 'NODE_SEA_BLOB note written';
}
