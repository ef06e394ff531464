import type { StaticBuildContext } from '../context.ts';
import { buildStaticLib } from './static-lib.ts';

export async function buildZstd(ctx: StaticBuildContext): Promise<StaticBuildContext> {
  const lib = await buildStaticLib(ctx, {
    name: 'zstd',
    source: ctx.sources.zstd!,
    script: `make -C lib -j"$JOBS" libzstd.a CC="$CC" AR="$AR" CFLAGS=-O2
cp lib/libzstd.a "$PREFIX/lib/"
cp lib/zstd.h lib/zdict.h lib/zstd_errors.h "$PREFIX/include/"`,
    libNames: ['zstd'],
  });
  return { ...ctx, libs: { ...ctx.libs, zstd: lib } };
}
