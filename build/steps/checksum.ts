import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileFact, sha256File } from '../../shared/toolchain/file-hash.ts';
import { type BuildContext, distStep } from '../context.ts';
import type { Ready } from '../pipeline.ts';

/** SHA256SUMS over every file of this version in the output dir (artifacts and their source maps), in `sha256sum -c` format. */
async function writeChecksums(ctx: Ready<BuildContext, 'artifact'>): Promise<string> {
  const { artifact } = ctx;
  const prefix = `${ctx.name}-${ctx.version}-linux-`;
  const names = (await readdir(ctx.outDir)).filter((f) => f.startsWith(prefix)).sort();
  const lines: string[] = [];
  for (const name of names) {
    const sha = name === artifact.name ? artifact.sha256 : await sha256File(join(ctx.outDir, name));
    lines.push(`${sha}  ${name}`);
  }
  const path = join(ctx.outDir, 'SHA256SUMS');
  await writeFile(path, `${lines.join('\n')}\n`);
  ctx.checksums = await fileFact(path);
  return `${names.length} file(s)`;
}

export const checksumStep = distStep({ name: 'checksum', needs: ['artifact'], run: writeChecksums });
