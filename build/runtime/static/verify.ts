import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../../../shared/toolchain/arch.ts';
import { sha256File } from '../../../shared/toolchain/file-hash.ts';
import type { Ready } from '../../pipeline.ts';
import type { Runtime } from '../runtime.ts';
import { assertAllocator } from './allocator-proof.ts';
import type { Allocator, IntlMode, StaticBuildContext } from './context.ts';
import { sourceInputs } from './context.ts';
import { assertStatic } from './elf-check.ts';
import { assertIntl } from './intl-proof.ts';
import { pageSizeProblem } from './page-size.ts';
import type { StageTime } from './stage.ts';
import { ZIG_PACKAGE } from './toolchain.ts';

export function runtimeName(nodeVersion: string, allocator: Allocator, arch: Arch, intl: IntlMode): string {
  return `node-${nodeVersion}-linux-${arch}-musl-${allocator}-intl-${intl}`;
}

/** Where a proven runtime and its manifest live: <cache>/runtimes/<name>/. */
export function runtimeDir(cacheDir: string, nodeVersion: string, allocator: Allocator, arch: Arch, intl: IntlMode): string {
  return join(cacheDir, 'runtimes', runtimeName(nodeVersion, allocator, arch, intl));
}

/** A static runtime's manifest.json: the runtime plus how it was made. */
export interface StaticRuntimeManifest extends Runtime {
  configureFlags?: string[];
  /** The stages that made it and their cost (absent in manifests written before it was recorded). */
  stages?: StageTime[];
}

/** The cached, proven runtime, if one was built; what `dist --runtime static` picks up. */
export function cachedStaticRuntime(cacheDir: string, nodeVersion: string, allocator: Allocator = 'jemalloc', arch: Arch = 'x64', intl: IntlMode = 'full'): StaticRuntimeManifest | undefined {
  const manifest = join(runtimeDir(cacheDir, nodeVersion, allocator, arch, intl), 'manifest.json');
  if (!existsSync(manifest)) return undefined;
  const runtime = JSON.parse(readFileSync(manifest, 'utf8')) as StaticRuntimeManifest;
  return existsSync(runtime.path) ? runtime : undefined;
}

/**
 * Prove the runtime before publishing it into the cache: static and for the target's machine
 * (no PT_INTERP, no DT_NEEDED, a PT_NOTE for postject), runs --version with the expected version,
 * the expected allocator prints its statistics, its Intl is the one asked for, and — for a target whose kernels differ in page
 * size — it starts on every page size it promises. A foreign target's binary runs through
 * binfmt_misc + qemu, as its build tools did. Only then the manifest is written.
 */
export async function verifyRuntime(ctx: Ready<StaticBuildContext, 'runtimePath'>): Promise<string> {
  const built = ctx.runtimePath;
  const { allocator, intl } = ctx.options;
  const { target } = ctx;
  assertStatic(built, target);
  const version = execFileSync(built, ['--version'], { encoding: 'utf8', env: {} }).trim();
  if (version !== `v${ctx.nodeVersion}`) throw new Error(`${built} --version says ${version}, expected v${ctx.nodeVersion}`);
  assertAllocator(built, ['-e', '0'], allocator);
  const pages = pageSizeProblem(target, built, ['-e', 'process.exit(0)']);
  if (pages) throw new Error(pages);
  const { icu } = assertIntl(built, intl);

  const dir = runtimeDir(ctx.options.cacheDir, ctx.nodeVersion, allocator, target.arch, intl);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'node');
  copyFileSync(built, path);
  const zig = ctx.toolchain;
  const runtime: Runtime = {
    kind: 'static',
    path,
    nodeVersion: ctx.nodeVersion,
    arch: target.arch,
    sha256: await sha256File(path),
    libc: 'musl',
    allocator,
    intl,
    ...(icu ? { icu } : {}),
    inputs: [
      ...sourceInputs(ctx),
      {
        name: 'zig',
        version: zig.zigVersion,
        origin: `npm ${ZIG_PACKAGE} (integrity pinned in package-lock.json)`,
        sha256: await sha256File(zig.zig),
      },
    ],
  };
  // stages: the cost of exactly the stages that made this runtime (bench:runtime reads it).
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify({ ...runtime, target: target.triple, configureFlags: ctx.configureFlags, stages: ctx.stages }, null, 2)}\n`);
  ctx.options.report(`[verify] ${path}: static ${target.elfMachine}, ${version}, allocator ${allocator}, intl ${intl}${icu ? ` (ICU ${icu})` : ''}`);
  ctx.runtimePath = path;
  return path;
}
