import { join } from 'node:path';
import { fetched, type StaticBuildContext } from './context.ts';
import { buildStaticLib } from './deps/static-lib.ts';
import type { StaticTarget } from './target.ts';

/**
 * jemalloc's built-in settings (MALLOC_CONF still overrides each one). Two arenas instead of four
 * per CPU, and a background thread that returns freed pages after 1 s instead of 10 s, off the
 * allocating threads: a lower peak and final RSS in the bloat test at the same speed (bench:alloc's
 * table in docs/static-runtime.md, "Allocator"). Not one arena per CPU (percpu_arena), which bench:alloc
 * liked as much: a thread then allocates from whichever CPU's arena it runs on, and broker's event loop,
 * moved between the 2 CPUs, swung RSS by megabytes for seconds at a time where two arenas stayed flat
 * (docs/static-runtime.md). Purging without the background thread happens inline, several times slower
 * for one thread (dirty_decay_ms:0, same table).
 */
export const JEMALLOC_CONF = 'narenas:2,background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0';

/**
 * jemalloc: --disable-cxx (no operator new override needed: libc++'s goes through malloc),
 * static only, empty symbol prefix so it replaces malloc/free outright when linked with
 * --whole-archive (musl's mallocng members are then never pulled from libc.a).
 *
 * Page size: jemalloc bakes it in and aborts ("Unsupported system page size") on a kernel whose
 * page is larger. x64 keeps configure's probe (4K on every x64 kernel). A foreign target gets it
 * explicitly (configure would otherwise probe qemu's 4K through binfmt), and the huge page size
 * too (configure reads the BUILD host's /proc/meminfo; 2M is what THP uses on 4K kernels and only
 * the opt-in THP options read it). Settings: JEMALLOC_CONF.
 */
export function jemallocScript(target: StaticTarget): string {
  const page = target.largestPageLg === undefined ? '' : ` --with-lg-page=${target.largestPageLg} --with-lg-hugepage=21`;
  return `./configure --host="$TARGET" --disable-cxx --disable-shared --enable-static \\
  --with-jemalloc-prefix= --disable-doc --prefix="$PREFIX" CFLAGS=-O2${page} \\
  --with-malloc-conf=${JEMALLOC_CONF}
make -j"$JOBS" build_lib_static
make install_lib_static install_include`;
}

/** mimalloc's single translation unit (src/static.c) with the malloc override on. It asks the
 * kernel for its page size at run time, so the same recipe serves every target. */
export const MIMALLOC_SCRIPT = `"$CC" -O2 -DNDEBUG -DMI_MALLOC_OVERRIDE -Iinclude -c src/static.c -o mimalloc.o
"$AR" rcs "$PREFIX/lib/libmimalloc.a" mimalloc.o
cp -r include/. "$PREFIX/include/"`;

/** The allocator archives to link with --whole-archive; none for musl's own malloc. */
export async function buildAllocator(ctx: StaticBuildContext): Promise<string> {
  const kind = ctx.options.allocator;
  if (kind === 'musl') {
    ctx.allocatorArchives = [];
    return "musl's own malloc: nothing to build";
  }
  const lib =
    kind === 'jemalloc'
      ? await buildStaticLib(ctx, { name: 'jemalloc', source: fetched(ctx, 'jemalloc'), script: jemallocScript(ctx.target), libNames: ['jemalloc'] })
      : await buildStaticLib(ctx, { name: 'mimalloc', source: fetched(ctx, 'mimalloc'), script: MIMALLOC_SCRIPT, libNames: ['mimalloc'] });
  ctx.allocatorArchives = lib.libNames.map((n) => join(lib.libDir, `lib${n}.a`));
  return ctx.allocatorArchives.join(' ');
}
