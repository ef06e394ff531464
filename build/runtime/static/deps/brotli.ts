import type { StaticBuildContext } from '../context.ts';
import { buildStaticLib } from './static-lib.ts';

export async function buildBrotli(ctx: StaticBuildContext): Promise<StaticBuildContext> {
  const lib = await buildStaticLib(ctx, {
    name: 'brotli',
    source: ctx.sources.brotli!,
    script: `cmake -S . -B out -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DBROTLI_DISABLE_TESTS=ON \\
  -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib \\
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_AR="$AR" -DCMAKE_RANLIB="$RANLIB"
ninja -C out -j"$JOBS"
ninja -C out install`,
    // Static: decoder and encoder both need brotlicommon, listed last for the linker.
    libNames: ['brotlidec', 'brotlienc', 'brotlicommon'],
  });
  return { ...ctx, libs: { ...ctx.libs, brotli: lib } };
}
