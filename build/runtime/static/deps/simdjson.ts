import type { StaticBuildContext } from '../context.ts';
import { buildStaticLib } from './static-lib.ts';

/** simdjson's amalgamation (one .cpp + one .h), which is what Node's deps/simdjson holds too. Its
 * AVX-512 kernel is off for the same clang 19 'evex512' reason as simdutf's. */
export async function buildSimdjson(ctx: StaticBuildContext): Promise<StaticBuildContext> {
  const lib = await buildStaticLib(ctx, {
    name: 'simdjson',
    source: ctx.sources.simdjson!,
    script: `"$CXX" -std=c++20 -O2 -DSIMDJSON_IMPLEMENTATION_ICELAKE=0 -c src/simdjson.cpp -o simdjson.o
"$AR" rcs "$PREFIX/lib/libsimdjson.a" simdjson.o
# Installed as a system header (as /usr/include would make it): Node builds with -Werror=extra-semi
# and simdjson headers have had stray semicolons.
{ echo '#pragma GCC system_header'; cat src/simdjson.h; } > "$PREFIX/include/simdjson.h"`,
    libNames: ['simdjson'],
  });
  return { ...ctx, libs: { ...ctx.libs, simdjson: lib } };
}
