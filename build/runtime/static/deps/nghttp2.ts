import type { StaticBuildContext } from '../context.ts';
import { buildStaticLib } from './static-lib.ts';

export async function buildNghttp2(ctx: StaticBuildContext): Promise<StaticBuildContext> {
  const lib = await buildStaticLib(ctx, {
    name: 'nghttp2',
    source: ctx.sources.nghttp2!,
    // Debian's orig is a git snapshot without ./configure: use its CMake build.
    script: `cmake -S . -B out -G Ninja -DCMAKE_BUILD_TYPE=Release -DENABLE_LIB_ONLY=ON \\
  -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DENABLE_DOC=OFF -DBUILD_TESTING=OFF \\
  -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib \\
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_AR="$AR" -DCMAKE_RANLIB="$RANLIB"
ninja -C out -j"$JOBS"
ninja -C out install`,
    libNames: ['nghttp2'],
  });
  return { ...ctx, libs: { ...ctx.libs, nghttp2: lib } };
}
