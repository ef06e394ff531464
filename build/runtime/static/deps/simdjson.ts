import type { StaticBuildContext } from '../context.ts';
import { buildStaticLib } from './static-lib.ts';

/** The repo ships its amalgamation (singleheader/), which is what Node's deps/simdjson holds too. */
export async function buildSimdjson(ctx: StaticBuildContext): Promise<StaticBuildContext> {
  const lib = await buildStaticLib(ctx, {
    name: 'simdjson',
    source: ctx.sources.simdjson!,
    script: `"$CXX" -std=c++20 -O2 -c singleheader/simdjson.cpp -o simdjson.o
"$AR" rcs "$PREFIX/lib/libsimdjson.a" simdjson.o
cp singleheader/simdjson.h "$PREFIX/include/"`,
    libNames: ['simdjson'],
  });
  return { ...ctx, libs: { ...ctx.libs, simdjson: lib } };
}
