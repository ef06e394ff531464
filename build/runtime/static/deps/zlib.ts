import type { StaticBuildContext } from '../context.ts';
import { buildStaticLib } from './static-lib.ts';

export async function buildZlib(ctx: StaticBuildContext): Promise<StaticBuildContext> {
  const lib = await buildStaticLib(ctx, {
    name: 'zlib',
    source: ctx.sources.zlib!,
    script: `CFLAGS='-O2 -fPIC' ./configure --static --prefix="$PREFIX"
make -j"$JOBS" libz.a
make install`,
    libNames: ['z'],
  });
  return { ...ctx, libs: { ...ctx.libs, zlib: lib } };
}
