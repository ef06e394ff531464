import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Arch } from '../../../shared/toolchain/arch.ts';
import { sha256File } from '../../../shared/toolchain/file-hash.ts';
import type { Ready } from '../../pipeline.ts';
import type { Runtime } from '../runtime.ts';
import type { Allocator, IntlMode, StaticBuildContext } from './context.ts';
import { sourceInputs } from './context.ts';
import { pointerCompressionSuffix, staticRuntimeKey } from './key.ts';
import { proveRuntime } from './proofs.ts';
import type { StageTime } from './stage.ts';
import { zigPin } from './toolchain.ts';

/** The toolchain's root (this checkout, or the installed toolchain package): the key hashes its driver code. */
const TOOLCHAIN_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export function runtimeName(nodeVersion: string, allocator: Allocator, arch: Arch, intl: IntlMode, pointerCompression?: boolean): string {
  return `node-${nodeVersion}-linux-${arch}-musl-${allocator}-intl-${intl}${pointerCompressionSuffix(pointerCompression)}`;
}

/** Where a proven runtime and its manifest live: <cache>/runtimes/<name>/. */
export function runtimeDir(cacheDir: string, nodeVersion: string, allocator: Allocator, arch: Arch, intl: IntlMode, pointerCompression?: boolean): string {
  return join(cacheDir, 'runtimes', runtimeName(nodeVersion, allocator, arch, intl, pointerCompression));
}

/** A static runtime's manifest.json: the runtime plus how it was made. */
export interface StaticRuntimeManifest extends Runtime {
  /** The target triple it was built for. */
  target?: string;
  configureFlags?: string[];
  /** The stages that made it and their cost (absent in manifests written before it was recorded). */
  stages?: StageTime[];
  /** staticRuntimeKey of the inputs that made it (absent in manifests written before it was recorded). */
  key?: string;
  /** The npm package it was fetched as, when it was not built here. */
  package?: { name: string; version: string; integrity: string };
}

/** The cached, proven runtime, if one was built; what `dist --runtime static` picks up. */
export function cachedStaticRuntime(cacheDir: string, nodeVersion: string, allocator: Allocator = 'jemalloc', arch: Arch = 'x64', intl: IntlMode = 'full', pointerCompression = false): StaticRuntimeManifest | undefined {
  const manifest = join(runtimeDir(cacheDir, nodeVersion, allocator, arch, intl, pointerCompression), 'manifest.json');
  if (!existsSync(manifest)) return undefined;
  const runtime = JSON.parse(readFileSync(manifest, 'utf8')) as StaticRuntimeManifest;
  return existsSync(runtime.path) ? runtime : undefined;
}

/**
 * Prove the runtime (proofs.ts: static, --version, allocator, Intl, page sizes) before publishing it
 * into the cache; a foreign target's binary runs through binfmt_misc + qemu, as its build tools did.
 * Only then the manifest is written, with the runtime key of the inputs that made it.
 */
export async function verifyRuntime(ctx: Ready<StaticBuildContext, 'runtimePath'>): Promise<string> {
  const built = ctx.runtimePath;
  const { allocator, intl, pointerCompression } = ctx.options;
  const { target } = ctx;
  const { version, icu } = proveRuntime(built, { target, nodeVersion: ctx.nodeVersion, allocator, intl, pointerCompression });

  const dir = runtimeDir(ctx.options.cacheDir, ctx.nodeVersion, allocator, target.arch, intl, pointerCompression);
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
    ...(pointerCompression ? { pointerCompression } : {}),
    inputs: [
      ...sourceInputs(ctx),
      {
        name: 'zig',
        version: zig.zigVersion,
        origin: `npm ${zigPin().package} (integrity pinned in package.json runtimes.zig)`,
        sha256: await sha256File(zig.zig),
      },
    ],
  };
  const key = staticRuntimeKey({ root: TOOLCHAIN_ROOT, nodeVersion: ctx.nodeVersion, arch: target.arch, allocator, intl, sourceMode: ctx.options.sourceMode, pointerCompression });
  // stages: the cost of exactly the stages that made this runtime (bench:runtime reads it); key: what `runtime pack` versions it by.
  const manifest: StaticRuntimeManifest = { ...runtime, target: target.triple, configureFlags: ctx.configureFlags, stages: ctx.stages, key };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  ctx.options.report(`[verify] ${path}: static ${target.elfMachine}, ${version}, allocator ${allocator}, intl ${intl}${icu ? ` (ICU ${icu})` : ''}${pointerCompression ? ', pointer compression' : ''}`);
  ctx.runtimePath = path;
  return path;
}
