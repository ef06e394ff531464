import type { StaticBuildContext } from '../context.ts';
import { buildStaticLib } from './static-lib.ts';

export async function buildNghttp2(ctx: StaticBuildContext): Promise<StaticBuildContext> {
  const lib = await buildStaticLib(ctx, {
    name: 'nghttp2',
    source: ctx.sources.nghttp2!,
    script: `./configure --host="$TARGET" --enable-lib-only --disable-shared --enable-static --prefix="$PREFIX" CFLAGS=-O2
make -C lib -j"$JOBS"
make -C lib install`,
    libNames: ['nghttp2'],
  });
  return { ...ctx, libs: { ...ctx.libs, nghttp2: lib } };
}
