import type { StaticBuildContext } from '../context.ts';
import { buildStaticLib, cmakeScript } from './static-lib.ts';

export const BROTLI_SCRIPT = cmakeScript(['-DBUILD_SHARED_LIBS=OFF -DBROTLI_DISABLE_TESTS=ON'], false);

export async function buildBrotli(ctx: StaticBuildContext): Promise<StaticBuildContext> {
  const lib = await buildStaticLib(ctx, {
    name: 'brotli',
    source: ctx.sources.brotli!,
    script: BROTLI_SCRIPT,
    // Static: decoder and encoder both need brotlicommon, listed last for the linker.
    libNames: ['brotlidec', 'brotlienc', 'brotlicommon'],
  });
  return { ...ctx, libs: { ...ctx.libs, brotli: lib } };
}
