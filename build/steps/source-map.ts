import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileFact } from '../../shared/toolchain/file-hash.ts';
import { type BuildContext, distStep } from '../context.ts';
import type { Ready } from '../pipeline.ts';
import { mapFile } from '../project/bundle.ts';

/**
 * `<artifact>.map` beside the artifact: the bundle's source map, for its maintainers to read a user's crash with
 * (`seal stack`, crash/stack-trace.ts). Not embedded: the binary would carry it at every start for nobody.
 */
async function writeSourceMap(ctx: Ready<BuildContext, 'artifact' | 'bundle'>): Promise<string> {
  const path = join(ctx.outDir, `${ctx.artifact.name}.map`);
  await copyFile(mapFile(ctx.bundle.path), path);
  ctx.sourceMap = await fileFact(path);
  return `${ctx.artifact.name}.map, ${(ctx.sourceMap.size / 1024).toFixed(1)} KiB (read a crash with \`seal stack\`)`;
}

export const sourceMapStep = distStep({ name: 'source map', needs: ['artifact', 'bundle'], run: writeSourceMap });
