import { fileFact } from '../../shared/toolchain/file-hash.ts';
import { type BuildContext, distStep } from '../context.ts';
import { collectAssets, packAssets } from '../project/assets.ts';

/**
 * Packs the files seal.assets names (project/assets.ts; globbed once: ctx.matchedAssets), `extra` ones (the native
 * addons the bundle step finds) and `made` ones (worker files it bundled, each at its own path) for the blob; a glob
 * that matches nothing stops the build. Returns the step's summary.
 */
export async function packEmbeddedFiles(ctx: BuildContext, extra: string[] = [], made: { file: string; path: string }[] = []): Promise<string> {
  ctx.matchedAssets ??= await collectAssets(ctx.project);
  const packed = await packAssets(ctx.project, [...new Set([...ctx.matchedAssets, ...extra])], ctx.workDir, made);
  ctx.assets = { index: await fileFact(packed.index), data: await fileFact(packed.data), paths: packed.paths };
  return `${packed.paths.length} file(s), ${(packed.bytes / 1024).toFixed(1)} KiB`;
}

async function packProjectAssets(ctx: BuildContext): Promise<string> {
  if (ctx.project.config.assets.length === 0) return 'none configured (seal.assets)';
  return packEmbeddedFiles(ctx);
}

export const assetsStep = distStep({ name: 'assets', run: packProjectAssets });
