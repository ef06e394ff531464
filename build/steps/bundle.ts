import { join } from 'node:path';
import { fileFact } from '../../shared/toolchain/file-hash.ts';
import type { BuildInfo } from '../../src/build-info.ts';
import { bundleApp } from '../app-bundle.ts';
import { type BuildContext, distStep } from '../context.ts';
import type { Ready } from '../pipeline.ts';

/** esbuild turns src/ into one minified CommonJS file (what SEA runs; app-bundle.ts), with build facts baked in. */
async function bundleSource(ctx: Ready<BuildContext, 'runtime'>): Promise<string> {
  const { runtime } = ctx;
  const info: BuildInfo = {
    version: ctx.version,
    commit: ctx.commit,
    sourceDateEpoch: ctx.sourceDateEpoch,
    runtime: { kind: runtime.kind, nodeVersion: runtime.nodeVersion, libc: runtime.libc, allocator: runtime.allocator, intl: runtime.intl ?? 'unknown' },
  };
  const outfile = join(ctx.workDir, 'broker.cjs');
  await bundleApp({ root: ctx.root, outfile, target: `node${runtime.nodeVersion.split('.')[0]}`, minify: true, define: { __BROKER_BUILD__: JSON.stringify(info) } });
  ctx.bundle = await fileFact(outfile);
  return `${(ctx.bundle.size / 1024).toFixed(1)} KiB`;
}

export const bundleStep = distStep({ name: 'bundle', needs: ['runtime'], run: bundleSource });
