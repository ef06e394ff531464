import type { StaticBuildContext } from '../context.ts';
import { buildStaticLib } from './static-lib.ts';

/** c-ares 1.34.5 as vendored in gevent's orig tarball (Node 22 needs c-ares >= 1.28). */
export async function buildCares(ctx: StaticBuildContext): Promise<StaticBuildContext> {
  const lib = await buildStaticLib(ctx, {
    name: 'cares',
    source: ctx.sources.cares!,
    subdir: 'deps/c-ares',
    script: `./configure --host="$TARGET" --disable-shared --enable-static --disable-tests --prefix="$PREFIX" CFLAGS=-O2
make -j"$JOBS"
make install`,
    libNames: ['cares'],
  });
  return { ...ctx, libs: { ...ctx.libs, cares: lib } };
}
