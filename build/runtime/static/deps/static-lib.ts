import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runShell } from '../command.ts';
import type { SourceArtifact, StaticBuildContext, StaticLib } from '../context.ts';
import { runStage } from '../stage.ts';
import { targetInput } from '../target.ts';
import { COMPILE_FLAGS_AFTER, compileFlagsBefore } from '../toolchain.ts';

export interface StaticLibRecipe {
  /** Stage name, e.g. "openssl". */
  name: string;
  source: SourceArtifact;
  /** Directory inside the unpacked tarball to build in (c-ares lives in gevent's deps/c-ares). */
  subdir?: string;
  /**
   * Shell that builds and installs into $PREFIX (include/ and lib/). Runs in the unpacked source
   * with CC/CXX/AR/RANLIB pointing at the Zig wrappers, $JOBS and $TARGET set.
   */
  script: string;
  libNames: string[];
  /** Extra hash inputs (e.g. versions of npm tools the recipe installs). */
  extraInputs?: unknown;
  /**
   * Host paths the recipe needs (e.g. the checkout's tsx): given as environment, never written into
   * the script, so they stay out of the stage's hash and any checkout shares the stage.
   */
  hostEnv?: Record<string, string>;
}

/** Environment for a dependency build: the Zig wrappers first on PATH so a bare `cc` is Zig too. */
export function buildEnv(ctx: StaticBuildContext, extra: Record<string, string> = {}): Record<string, string> {
  const tc = ctx.toolchain;
  return {
    ...tc.env,
    PATH: `${tc.binDir}:${process.env.PATH ?? ''}`,
    JOBS: String(ctx.options.jobs),
    TARGET: ctx.target.triple,
    ...extra,
  };
}

/**
 * The CMake recipe the CMake-built deps share: options (the first group on cmake's own line, each
 * further group on a line of its own), a static build into $PREFIX with the toolchain's compilers,
 * then ninja. The text is a stage input, so it must stay byte-identical for unchanged options.
 */
export function cmakeScript(options: string[], cxx: boolean): string {
  const [first, ...rest] = options;
  return [
    `cmake -S . -B out -G Ninja -DCMAKE_BUILD_TYPE=Release ${first} \\`,
    ...rest.map((o) => `  ${o} \\`),
    '  -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib \\',
    `  -DCMAKE_C_COMPILER="$CC"${cxx ? ' -DCMAKE_CXX_COMPILER="$CXX"' : ''} -DCMAKE_AR="$AR" -DCMAKE_RANLIB="$RANLIB"`,
    'ninja -C out -j"$JOBS"',
    'ninja -C out install',
  ].join('\n');
}

/** A library stage's inputs; the target is one of them (the recipe text is often the same). */
export function staticLibInputs(ctx: StaticBuildContext, recipe: StaticLibRecipe): unknown {
  return {
    source: recipe.source.input.sha256,
    subdir: recipe.subdir,
    script: recipe.script,
    libNames: recipe.libNames,
    zig: ctx.toolchain.zigVersion,
    // The toolchain's wrappers add these to every compile: a change must rebuild the library.
    flags: [...compileFlagsBefore(ctx.target), ...COMPILE_FLAGS_AFTER],
    extra: recipe.extraInputs,
    target: targetInput(ctx.target),
  };
}

/**
 * Unpack a source tarball into a fixed directory under the stage (stable paths keep Zig's cache
 * warm), run its recipe, and check every promised static library exists.
 */
export async function buildStaticLib(ctx: StaticBuildContext, recipe: StaticLibRecipe): Promise<StaticLib> {
  return runStage<StaticLib>(
    ctx.stageRoot,
    {
      name: recipe.name,
      inputs: staticLibInputs(ctx, recipe),
      run: async ({ dir, log }) => {
        const src = join(dir, 'src');
        const prefix = join(dir, 'prefix');
        mkdirSync(src, { recursive: true });
        mkdirSync(join(prefix, 'lib'), { recursive: true });
        mkdirSync(join(prefix, 'include'), { recursive: true });
        await runShell(`tar xf '${recipe.source.path}' --strip-components=1 -C '${src}'`, { cwd: dir, log });
        const cwd = recipe.subdir ? join(src, recipe.subdir) : src;
        await runShell(recipe.script, { cwd, log, nice: true, env: buildEnv(ctx, { ...recipe.hostEnv, PREFIX: prefix }) });
        for (const lib of recipe.libNames) {
          const archive = join(prefix, 'lib', `lib${lib}.a`);
          if (!existsSync(archive)) throw new Error(`${recipe.name}: ${archive} was not produced`);
        }
        return { includeDir: join(prefix, 'include'), libDir: join(prefix, 'lib'), libNames: recipe.libNames };
      },
    },
    ctx.options.report,
  );
}
