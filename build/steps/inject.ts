import { readFileSync } from 'node:fs';
import { copyFile, chmod } from 'node:fs/promises';
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
  const warnings = await quietly(() => inject(target, SEA_BLOB_NOTE, readFileSync(blob.path), { sentinelFuse: SEA_FUSE })).catch((err: unknown) => {
    const e = err as Error & { warnings?: string[] };
    throw new BuildError(`postject could not inject the blob into ${runtime.path}: ${e.message}${e.warnings?.length ? `\n  postject said: ${e.warnings.join('\n  ')}` : ''}`);
  });
  ctx.injected = target;
  return `NODE_SEA_BLOB note written${warnings.length ? ` (${new Set(warnings).size} distinct LIEF warning(s) hidden, e.g. "${warnings[0]}")` : ''}`;
}

/**
 * postject's LIEF core prints "Can't find string offset for section name" warnings for every stripped
 * runtime; they are harmless but bury the build log. Collect them and show them only on failure.
 */
async function quietly(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const { warn, log } = console;
  console.warn = console.log = (...args: unknown[]) => void seen.push(args.join(' ').trim());
  try {
    await fn();
    return seen;
  } catch (err) {
    throw Object.assign(err as Error, { warnings: seen });
  } finally {
    console.warn = warn;
    console.log = log;
  }
}
