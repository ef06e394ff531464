import type { StaticBuildContext } from '../context.ts';
import { buildStaticLib, cmakeScript } from './static-lib.ts';

export const ADA_SCRIPT = cmakeScript(['-DBUILD_SHARED_LIBS=OFF', '-DADA_TESTING=OFF -DADA_TOOLS=OFF -DADA_BENCHMARKS=OFF -DADA_INCLUDE_URL_PATTERN=ON'], true);

export async function buildAda(ctx: StaticBuildContext): Promise<StaticBuildContext> {
  const lib = await buildStaticLib(ctx, {
    name: 'ada',
    source: ctx.sources.ada!,
    script: ADA_SCRIPT,
    libNames: ['ada'],
  });
  return { ...ctx, libs: { ...ctx.libs, ada: lib } };
}
