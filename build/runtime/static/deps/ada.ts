import type { StaticBuildContext } from '../context.ts';
import { buildStaticLib } from './static-lib.ts';

export async function buildAda(ctx: StaticBuildContext): Promise<StaticBuildContext> {
  const lib = await buildStaticLib(ctx, {
    name: 'ada',
    source: ctx.sources.ada!,
    script: `cmake -S . -B out -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \\
  -DADA_TESTING=OFF -DADA_TOOLS=OFF -DADA_BENCHMARKS=OFF -DADA_INCLUDE_URL_PATTERN=ON \\
  -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib \\
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_AR="$AR" -DCMAKE_RANLIB="$RANLIB"
ninja -C out -j"$JOBS"
ninja -C out install`,
    libNames: ['ada'],
  });
  return { ...ctx, libs: { ...ctx.libs, ada: lib } };
}
