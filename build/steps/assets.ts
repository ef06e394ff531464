import { fileFact } from '../../shared/toolchain/file-hash.ts';
import { type BuildContext, distStep } from '../context.ts';
import { collectAssets, packAssets } from '../project/assets.ts';

/** Packs the files seal.assets names (project/assets.ts) for the blob; a glob that matches nothing stops the build. */
async function packProjectAssets(ctx: BuildContext): Promise<string> {
  if (ctx.project.config.assets.length === 0) return 'none configured (seal.assets)';
  const files = await collectAssets(ctx.project);
  const packed = await packAssets(ctx.project, files, ctx.workDir);
  ctx.assets = { index: await fileFact(packed.index), data: await fileFact(packed.data), paths: packed.paths };
  return `${packed.paths.length} file(s), ${(packed.bytes / 1024).toFixed(1)} KiB`;
}

export const assetsStep = distStep({ name: 'assets', run: packProjectAssets });
