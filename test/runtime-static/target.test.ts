import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jemallocScript, MIMALLOC_SCRIPT } from '../../build/runtime/static/allocator.ts';
import { compileInputs } from '../../build/runtime/static/compile.ts';
import { configureInputs, nodeTreeDir, sysrootDir } from '../../build/runtime/static/configure.ts';
import { baseFlags, distributionSourceFlags, SHARED_DEPS } from '../../build/runtime/static/configure-flags.ts';
import type { StaticBuildContext, StaticLib } from '../../build/runtime/static/context.ts';
import { ADA_SCRIPT } from '../../build/runtime/static/deps/ada.ts';
import { BROTLI_SCRIPT } from '../../build/runtime/static/deps/brotli.ts';
import { NGHTTP2_SCRIPT } from '../../build/runtime/static/deps/nghttp2.ts';
import { opensslScript } from '../../build/runtime/static/deps/openssl.ts';
import { type StaticLibRecipe, staticLibInputs } from '../../build/runtime/static/deps/static-lib.ts';
import { detachedPaths } from '../../build/runtime/static/detached.ts';
import { staticRuntimeKey } from '../../build/runtime/static/key.ts';
import { promisedPageSizes } from '../../build/runtime/static/page-size.ts';
import { sourcesFor } from '../../build/runtime/static/sources.ts';
import { canonicalJson, stageHash } from '../../build/runtime/static/stage.ts';
import { stageArch, stageTimes } from '../../build/runtime/static/stage-times.ts';
import { STATIC_TARGETS, staticTarget, targetInput } from '../../build/runtime/static/target.ts';
import { targetExecutionProblem } from '../../build/runtime/static/target-exec.ts';
import { compileFlagsBefore, toolchainInputs } from '../../build/runtime/static/toolchain.ts';
import { runtimeName } from '../../build/runtime/static/verify.ts';
import type { Arch } from '../../shared/toolchain/arch.ts';
import { repoRoot } from '../fixtures/context.ts';

const ZIG = '/root/.cache/broker/static/zig-a12994d092ed8ad9/dist/zig';
const ZIG_VERSION = '0.14.0-dev.2456+a68119f8f';
const ZIG_CACHE = '/root/.cache/broker/zig-cache';
const STAGES = '/root/.cache/broker/static';
const ICU = `${STAGES}/icu-0000000000000000/icu`;

function source(name: string) {
  const spec = sourcesFor('22.22.2')[name]!;
  return { path: `/sources/${spec.file}`, input: { name, version: spec.version, origin: 'test', sha256: spec.sha256 } };
}

/** A context as the pipeline has it before configure, for one arch (nothing on disk is touched). */
function contextFor(arch: Arch): StaticBuildContext {
  const bin = `${STAGES}/toolchain-${arch}/bin`;
  const libs: Record<string, StaticLib> = Object.fromEntries(Object.keys(SHARED_DEPS).map((d) => [d, { includeDir: `${STAGES}/${d}-${arch}/prefix/include`, libDir: `${STAGES}/${d}-${arch}/prefix/lib`, libNames: [d] }]));
  return {
    options: { cacheDir: '/root/.cache/broker', arch, jobs: 2, allocator: 'jemalloc', intl: 'full', sourceMode: 'distribution', report: () => {} },
    target: staticTarget(arch),
    stageRoot: STAGES,
    nodeVersion: '22.22.2',
    sources: { node: source('node'), jemalloc: source('jemalloc'), openssl: source('openssl'), zlib: source('zlib'), ada: source('ada'), brotli: source('brotli'), nghttp2: source('nghttp2') },
    toolchain: { zig: ZIG, binDir: bin, cc: `${bin}/cc`, cxx: `${bin}/c++`, ar: `${bin}/ar`, ranlib: `${bin}/ranlib`, env: {}, zigVersion: ZIG_VERSION },
    libs,
    stages: [],
    gypDir: `${STAGES}/gyp/package/gyp`,
    builtins: { 'acorn/acorn/dist/acorn.js': `${STAGES}/js-builtins/deps/acorn/acorn/dist/acorn.js` },
  };
}

function recipe(ctx: StaticBuildContext, name: string, script: string, libNames: string[]): StaticLibRecipe {
  return { name, source: ctx.sources[name]!, script, libNames };
}

const x64 = contextFor('x64');
const arm64 = contextFor('arm64');

describe('x64 stage inputs are pinned (a changed compile hash costs a 90-minute compile)', () => {
  // Re-pinned 2026-12-07: no built-in V8 options (V8_OPTIONS) and V8's entropy from libuv (tree-fixes.ts).
  // Re-pinned with issue 20 (ICU): library stages now key on the toolchain's compile flags and
  // configure on --intl, so every stage rebuilt once. Change these only on purpose.
  it('x64 adds no target key to any stage input; arm64 does', () => {
    expect(canonicalJson({ libs: 1, target: targetInput(STATIC_TARGETS.x64) })).toBe(canonicalJson({ libs: 1 }));
    expect(canonicalJson({ libs: 1, target: targetInput(STATIC_TARGETS.arm64) })).toBe('{"libs":1,"target":"aarch64-linux-musl"}');
  });

  it('toolchain, jemalloc, openssl and the CMake deps hash to the pinned x64 stage dirs', () => {
    // The toolchain since ccache fronts Zig (v3, 2026-11-26) and drops unwind tables where nothing throws (2026-12-05):
    // each change re-ran every compile once. The library stages below moved with the flags (jemalloc's is the build's own dir).
    expect(stageHash(toolchainInputs(x64.target, ZIG, ZIG_VERSION, ZIG_CACHE))).toBe('36729c56f52f6841');
    // jemalloc: its script (JEMALLOC_CONF included) and, since issue 20, the toolchain's compile flags.
    expect(stageHash(staticLibInputs(x64, recipe(x64, 'jemalloc', jemallocScript(x64.target), ['jemalloc'])))).toBe('44bb6f7c29aeda9a');
    expect(stageHash(staticLibInputs(x64, recipe(x64, 'openssl', opensslScript(x64.target), ['ssl', 'crypto'])))).toBe('08c7058a8a194c5e');
    // The CMake-built deps share cmakeScript().
    expect(stageHash(staticLibInputs(x64, recipe(x64, 'ada', ADA_SCRIPT, ['ada'])))).toBe('ac33bd5864974668');
    expect(stageHash(staticLibInputs(x64, recipe(x64, 'brotli', BROTLI_SCRIPT, ['brotlidec', 'brotlienc', 'brotlicommon'])))).toBe('b7a9e99ff82ff223');
    expect(stageHash(staticLibInputs(x64, recipe(x64, 'nghttp2', NGHTTP2_SCRIPT, ['nghttp2'])))).toBe('c9c7a6d22ff44d82');
  });

  it('configure flags, tree and sysroot paths are unchanged', () => {
    expect(baseFlags(x64.target)).toEqual(['--fully-static', '--without-npm', '--without-corepack', '--without-sqlite', '--dest-os=linux', '--dest-cpu=x64', '--ninja']);
    expect(compileFlagsBefore(x64.target)).toEqual(['-target', 'x86_64-linux-musl', '-fno-sanitize=undefined']);
    expect(nodeTreeDir(x64)).toBe(`${STAGES}/node-22.22.2-f1a6dfca7ffe`);
    expect(sysrootDir(x64)).toBe(`${STAGES}/sysroot`);
    expect(detachedPaths('/c', 'x64')).toEqual({ log: '/c/static/runtime-build.log', pidFile: '/c/static/runtime-build.pid' });
  });

  it('configure and compile inputs hash to the pinned values for this fixed context', () => {
    const flags = distributionSourceFlags(x64.target, x64.libs, 'full', ICU);
    expect(stageHash(configureInputs(x64, flags))).toBe('757056525a71fe32');
    expect(stageHash(compileInputs({ ...x64, nodeTree: nodeTreeDir(x64), configureFlags: flags }))).toBe('fb2d673804d64f63');
  });
});

describe('arm64 never reuses an x64 stage dir', () => {
  it('every target-dependent stage hashes differently', () => {
    expect(stageHash(toolchainInputs(arm64.target, ZIG, ZIG_VERSION, ZIG_CACHE))).not.toBe(stageHash(toolchainInputs(x64.target, ZIG, ZIG_VERSION, ZIG_CACHE)));
    // Same recipe text (zlib's, mimalloc's): the target alone must separate them.
    for (const [name, script] of [
      ['zlib', 'make'],
      ['jemalloc', MIMALLOC_SCRIPT],
    ] as const) {
      expect(stageHash(staticLibInputs(arm64, recipe(arm64, name, script, ['x'])))).not.toBe(stageHash(staticLibInputs(x64, recipe(x64, name, script, ['x']))));
    }
    const flags = (ctx: StaticBuildContext) => distributionSourceFlags(ctx.target, ctx.libs, 'full', ICU);
    // Same libs, same toolchain paths: the flags alone must separate configure and compile.
    const sameLibs = { ...arm64, libs: x64.libs, toolchain: x64.toolchain };
    expect(stageHash(configureInputs(sameLibs, flags(sameLibs)))).not.toBe(stageHash(configureInputs(x64, flags(x64))));
    expect(stageHash(compileInputs({ ...sameLibs, nodeTree: nodeTreeDir(x64), configureFlags: flags(sameLibs) }))).not.toBe(stageHash(compileInputs({ ...x64, nodeTree: nodeTreeDir(x64), configureFlags: flags(x64) })));
  });

  it('has its own Node tree, sysroot, runtime name, background build files and CI key', () => {
    expect(nodeTreeDir(arm64)).toBe(`${STAGES}/node-22.22.2-f1a6dfca7ffe-arm64`);
    expect(sysrootDir(arm64)).toBe(`${STAGES}/sysroot-arm64`);
    expect(runtimeName('22.22.2', 'jemalloc', 'arm64', 'full')).toBe('node-22.22.2-linux-arm64-musl-jemalloc-intl-full');
    expect(detachedPaths('/c', 'arm64')).toEqual({ log: '/c/static/runtime-build-arm64.log', pidFile: '/c/static/runtime-build-arm64.pid' });
    const key = { root: repoRoot, nodeVersion: '22.22.2', allocator: 'jemalloc' as const, intl: 'full' as const, sourceMode: 'distribution' as const };
    expect(staticRuntimeKey({ ...key, arch: 'arm64' })).toMatch(/^broker-static-runtime-22\.22\.2-linux-arm64-jemalloc-intl-full-[0-9a-f]{16}$/);
    expect(staticRuntimeKey({ ...key, arch: 'arm64' }).slice(-16)).not.toBe(staticRuntimeKey({ ...key, arch: 'x64' }).slice(-16));
    expect(() => staticRuntimeKey({ ...key, arch: 'riscv64' })).toThrow(/no static runtime for linux-riscv64/);
  });

  it('configures a native-style build for aarch64: --dest-cpu=arm64, not cross-compiled', () => {
    const flags = baseFlags(arm64.target);
    expect(flags).toContain('--dest-cpu=arm64');
    expect(flags).toContain('--no-cross-compiling');
    expect(flags).not.toContain('--dest-cpu=x64');
    expect(flags).not.toContain('--cross-compiling');
    expect(compileFlagsBefore(arm64.target)).toEqual(['-target', 'aarch64-linux-musl', '-fno-sanitize=undefined']);
    expect(opensslScript(arm64.target)).toMatch(/^\.\/Configure linux-aarch64 /);
  });

  it('builds jemalloc for 64K pages (so 4K, 16K and 64K kernels) with a fixed huge page size', () => {
    expect(jemallocScript(arm64.target)).toContain('--with-lg-page=16 --with-lg-hugepage=21');
    expect(jemallocScript(x64.target)).not.toContain('--with-lg-page');
    expect(promisedPageSizes(STATIC_TARGETS.arm64)).toEqual([4096, 16384, 65536]);
    expect(promisedPageSizes(STATIC_TARGETS.x64)).toEqual([]);
  });
});

describe('running target programs on the build host', () => {
  const binfmt = mkdtempSync(join(tmpdir(), 'broker-binfmt-'));
  afterAll(() => rmSync(binfmt, { recursive: true, force: true }));

  it('needs nothing for the host arch, and an enabled qemu binfmt_misc entry for another', () => {
    expect(targetExecutionProblem(STATIC_TARGETS.arm64, 'arm64', binfmt)).toBeUndefined();
    expect(targetExecutionProblem(STATIC_TARGETS.arm64, 'x64', binfmt)).toMatch(/no .*qemu-aarch64.*qemu-user-static/);
    mkdirSync(binfmt, { recursive: true });
    writeFileSync(join(binfmt, 'qemu-aarch64'), 'disabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n');
    expect(targetExecutionProblem(STATIC_TARGETS.arm64, 'x64', binfmt)).toMatch(/is disabled/);
    writeFileSync(join(binfmt, 'qemu-aarch64'), 'enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: POF\n');
    expect(targetExecutionProblem(STATIC_TARGETS.arm64, 'x64', binfmt)).toBeUndefined();
    expect(targetExecutionProblem(STATIC_TARGETS.x64, 'arm64', binfmt)).toMatch(/qemu-x86_64/);
  });
});

describe('times and status per arch', () => {
  const root = mkdtempSync(join(tmpdir(), 'broker-stages-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const stage = (dir: string, inputs: unknown, seconds: number) => {
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, 'stage-inputs.json'), canonicalJson(inputs));
    writeFileSync(join(root, dir, 'stage-done.json'), JSON.stringify({ seconds }));
  };

  it('tells the arch of a stage dir from its recorded inputs; shared stages belong to both', () => {
    stage('zlib-aaaaaaaaaaaaaaaa', { script: 'make' }, 25);
    stage('zlib-bbbbbbbbbbbbbbbb', { script: 'make', target: 'aarch64-linux-musl' }, 61);
    stage('compile-cccccccccccccccc', { flags: ['--dest-cpu=arm64', '--no-cross-compiling'] }, 7000);
    stage('compile-dddddddddddddddd', { flags: ['--dest-cpu=x64'] }, 6935);
    stage('gyp-eeeeeeeeeeeeeeee', { source: 'x' }, 0);
    expect(stageArch(root, 'zlib-aaaaaaaaaaaaaaaa')).toBe('x64');
    expect(stageArch(root, 'zlib-bbbbbbbbbbbbbbbb')).toBe('arm64');
    expect(stageArch(root, 'compile-cccccccccccccccc')).toBe('arm64');
    expect(stageArch(root, 'compile-dddddddddddddddd')).toBe('x64');
    expect(stageArch(root, 'gyp-eeeeeeeeeeeeeeee')).toBeUndefined();
    const seconds = (arch: Arch) => Object.fromEntries(stageTimes(root, arch).map((t) => [t.stage, t.seconds]));
    expect(seconds('x64')).toEqual({ zlib: 25, compile: 6935, gyp: 0 });
    expect(seconds('arm64')).toEqual({ zlib: 61, compile: 7000, gyp: 0 });
  });
});
