import { join } from 'node:path';
import { fileFact } from '../../shared/toolchain/file-hash.ts';
import type { BuildInfo } from '../../src/build-info.ts';
import { type BuildContext, distStep } from '../context.ts';
import type { Ready } from '../pipeline.ts';
import { bundleProject } from '../project/bundle.ts';

/** esbuild turns the project into one minified CommonJS file (what SEA runs; project/bundle.ts), with build facts baked in if asked. */
async function bundleSource(ctx: Ready<BuildContext, 'runtime'>): Promise<string> {
  const { runtime, project } = ctx;
  const info: BuildInfo = {
    version: ctx.version,
    commit: ctx.commit,
    sourceDateEpoch: ctx.sourceDateEpoch,
    runtime: { kind: runtime.kind, nodeVersion: runtime.nodeVersion, libc: runtime.libc, allocator: runtime.allocator, intl: runtime.intl ?? 'unknown' },
  };
  const outfile = join(ctx.workDir, `${ctx.name}.cjs`);
  const define = project.config.buildInfo ? { [project.config.buildInfo]: JSON.stringify(info) } : {};
  await bundleProject({ project, outfile, target: `node${runtime.nodeVersion.split('.')[0]}`, minify: true, define });
  ctx.bundle = await fileFact(outfile);
  const bins = Object.keys(project.config.bins);
  return `${(ctx.bundle.size / 1024).toFixed(1)} KiB${bins.length > 1 ? `, ${bins.length} bins: ${bins.join(', ')}` : ''}`;
}

export const bundleStep = distStep({ name: 'bundle', needs: ['runtime'], run: bundleSource });
