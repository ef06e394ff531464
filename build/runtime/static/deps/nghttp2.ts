import type { StaticBuildContext } from '../context.ts';
import { buildStaticLib, cmakeScript } from './static-lib.ts';

// Debian's orig is a git snapshot without ./configure: use its CMake build.
export const NGHTTP2_SCRIPT = cmakeScript(['-DENABLE_LIB_ONLY=ON', '-DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DENABLE_DOC=OFF -DBUILD_TESTING=OFF'], true);

export async function buildNghttp2(ctx: StaticBuildContext): Promise<StaticBuildContext> {
  const lib = await buildStaticLib(ctx, {
    name: 'nghttp2',
    source: ctx.sources.nghttp2!,
    script: NGHTTP2_SCRIPT,
    libNames: ['nghttp2'],
  });
  return { ...ctx, libs: { ...ctx.libs, nghttp2: lib } };
}
