import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../../shared/toolchain/logger.ts';
import { cachedPackage } from '../package/cached-package.ts';
import { type PackagePin, runtimePin } from '../pin.ts';
import { runShell } from './command.ts';
import type { StaticPipelineContext, Toolchain } from './context.ts';
import { requireBuildHost } from './host-tools.ts';
import { runStage } from './stage.ts';
import type { StaticTarget } from './target.ts';

/**
 * UBSan is on by default in zig cc and traps on V8/OpenSSL's benign UB; -g0 because Zig emits debug
 * info by default (slow, and we strip anyway). The flags after go last so they win over a build's own.
 * No unwind tables for code that cannot throw (Node, V8 and ICU build -fno-exceptions; C never
 * throws): 4.2 MB of Node 24's x64 runtime (.eh_frame and its index) that only a debugger's unwinder
 * reads, and with frame pointers kept (Node's -fno-omit-frame-pointer) perf and gdb still walk the stack;
 * code built with exceptions (ada, simdjson, libc++) keeps its tables. Chromium's official builds drop
 * them too (docs/static-runtime.md, "Size").
 * No -mcpu: Zig's baseline for the triple (x86-64; armv8-a for aarch64, which a Raspberry Pi 4 runs).
 */
export function compileFlagsBefore(target: StaticTarget): string[] {
  return ['-target', target.triple, '-fno-sanitize=undefined'];
}
export const COMPILE_FLAGS_AFTER = ['-g0', '-fno-asynchronous-unwind-tables', '-fno-unwind-tables'];

export interface ZigPackage {
  /** The package directory (zig + lib/), unpacked in the cache. */
  dir: string;
  version: string;
  /** The npm integrity (sha512) of its tarball, pinned in package.json → runtimes.zig and checked. */
  integrity: string;
}

/** The pinned Zig package: name, version, integrity (package.json → runtimes.zig). */
export function zigPin(): PackagePin {
  return runtimePin().zig;
}

/** The pinned Zig, fetched once into <cache>/zig-packages/ (package/cached-package.ts): only the runtime build and `npm run wasm` need it. */
export async function fetchZig(cacheDir: string, log: Logger): Promise<ZigPackage> {
  const pin = zigPin();
  const dir = await cachedPackage(pin, { cacheDir, where: 'zig-packages', ready: 'zig', log, pinnedIn: 'package.json (runtimes.zig)' });
  return { dir, version: pin.version, integrity: pin.integrity };
}

/**
 * Copy Zig into the stage, keyed by version + integrity. Zig's compile cache keys include its own lib
 * dir (libc++ and musl headers), so Zig must always run from one path: the stage's (a Zig run from a
 * checkout's node_modules made a second checkout miss every cached object and recompile Node for two hours).
 */
async function installZig(ctx: StaticPipelineContext): Promise<string> {
  const pin = zigPin();
  const { zig } = await runStage<{ zig: string }>(
    ctx.stageRoot,
    {
      name: 'zig',
      inputs: { package: pin.package, version: pin.version, integrity: pin.integrity },
      stillValid: (r) => existsSync(r.zig),
      run: async ({ dir }) => {
        const pkg = await fetchZig(ctx.options.cacheDir, { info: ctx.options.report, progress: () => {} });
        cpSync(pkg.dir, join(dir, 'dist'), { recursive: true });
        return { zig: join(dir, 'dist', 'zig') };
      },
    },
    ctx.options.report,
  );
  return zig;
}

/**
 * Zig's own cache (libc++, musl and compiler-rt built per target) lives in ONE stable directory.
 * It does NOT cache ninja's compiles: Zig skips its cache for any compile that writes a depfile
 * (-MMD -MF), and gyp's ninja asks for one on every object, so a repeat compile costs a full one
 * (measured: docs/static-runtime.md, "Compile cache: ccache, not Zig's own"). ccache does that job; see ccacheDir.
 */
export function zigCacheDir(cacheDir: string): string {
  return join(cacheDir, 'zig-cache');
}

/**
 * ccache in front of zig cc/c++, in depend mode (the hash comes from the depfile the compile writes
 * anyway, so a miss costs no extra preprocessor run). It stores the object AND the depfile, which
 * keeps ninja's header tracking exact; a hit takes milliseconds. The wrapper's content (Zig's
 * path, the target, the flags) is the compiler's identity.
 */
export function ccacheDir(cacheDir: string): string {
  return join(cacheDir, 'ccache');
}
/** A cap, not a reservation: Node's objects take ~85 MB per target in ccache (170 MB uncompressed). */
export const CCACHE_MAX_SIZE = '12G';

function zigWrapper(zig: string, zigCache: string, tool: string, flags: string[] | undefined): string {
  const before = flags ? ` ${flags.join(' ')}` : '';
  const after = flags ? ` ${COMPILE_FLAGS_AFTER.join(' ')}` : '';
  return ['#!/bin/sh', `export ZIG_GLOBAL_CACHE_DIR='${zigCache}'`, `export ZIG_LOCAL_CACHE_DIR='${zigCache}'`, `exec '${zig}' ${tool}${before} "$@"${after}`, ''].join('\n');
}

function ccacheWrapper(ccache: string, compiler: string): string {
  return ['#!/bin/sh', `export CCACHE_DIR='${ccache}'`, `export CCACHE_MAXSIZE='${CCACHE_MAX_SIZE}'`, 'export CCACHE_COMPILERTYPE=clang CCACHE_COMPILERCHECK=content CCACHE_DEPEND=1', `exec ccache '${compiler}' "$@"`, ''].join('\n');
}

/** The toolchain stage's inputs: the target is in the compile flags, so each target has its own. */
export function toolchainInputs(target: StaticTarget, zig: string, zigVersion: string, cache: string): unknown {
  return { zig, zigVersion, cache, before: compileFlagsBefore(target), after: COMPILE_FLAGS_AFTER, launcher: 'ccache', v: 3 };
}

/**
 * Zig wrapped as cc/c++/ar/ranlib for the target triple, checked by building a static C++ program
 * and running it (under qemu via binfmt_misc for a foreign target, as the build tools will be).
 */
export async function prepareToolchain(ctx: StaticPipelineContext): Promise<string> {
  requireBuildHost(ctx.target);
  const zig = await installZig(ctx);
  const zigVersion = execFileSync(zig, ['version'], { encoding: 'utf8' }).trim();
  const cache = zigCacheDir(ctx.options.cacheDir);
  const before = compileFlagsBefore(ctx.target);
  const toolchain = await runStage<Toolchain>(
    ctx.stageRoot,
    {
      name: 'toolchain',
      inputs: toolchainInputs(ctx.target, zig, zigVersion, cache),
      run: async ({ dir, log }) => {
        const binDir = join(dir, 'bin');
        mkdirSync(binDir, { recursive: true });
        mkdirSync(cache, { recursive: true });
        const ccache = ccacheDir(ctx.options.cacheDir);
        mkdirSync(ccache, { recursive: true });
        const scripts: Record<string, string> = {
          'zig-cc': zigWrapper(zig, cache, 'cc', before),
          'zig-c++': zigWrapper(zig, cache, 'c++', before),
          cc: ccacheWrapper(ccache, join(binDir, 'zig-cc')),
          'c++': ccacheWrapper(ccache, join(binDir, 'zig-c++')),
          ar: zigWrapper(zig, cache, 'ar', undefined),
          ranlib: zigWrapper(zig, cache, 'ranlib', undefined),
        };
        for (const [name, script] of Object.entries(scripts)) {
          const path = join(binDir, name);
          writeFileSync(path, script);
          chmodSync(path, 0o755);
        }
        // Prove it before hours are spent on it: a static C++20 program that runs.
        writeFileSync(join(dir, 'probe.cc'), '#include <iostream>\n#include <span>\nint main(){std::cout<<"ok\\n";}\n');
        await runShell(`./bin/c++ -std=c++20 -O2 probe.cc -o probe && ./probe | grep -qx ok && ! readelf -lW probe | grep -q INTERP && readelf -hW probe | grep -q 'Machine:.*${ctx.target.elfMachine}'`, { cwd: dir, log });
        const env = {
          CC: join(binDir, 'cc'),
          CXX: join(binDir, 'c++'),
          AR: join(binDir, 'ar'),
          RANLIB: join(binDir, 'ranlib'),
          ZIG_GLOBAL_CACHE_DIR: cache,
          ZIG_LOCAL_CACHE_DIR: cache,
        };
        return { zig, binDir, cc: env.CC, cxx: env.CXX, ar: env.AR, ranlib: env.RANLIB, env, zigVersion };
      },
    },
    ctx.options.report,
  );
  ctx.toolchain = toolchain;
  return `zig ${zigVersion} for ${ctx.target.triple}, behind ccache`;
}
