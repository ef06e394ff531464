import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Arch } from '../../../shared/toolchain/arch.ts';
import { sha256File } from '../../../shared/toolchain/file-hash.ts';
import { commandLine } from '../../invocation.ts';
import type { StaticRuntimePin } from '../pin.ts';
import { runtimeBuildFlags } from '../static/build-flags.ts';
import type { Allocator, IntlMode, SourceMode } from '../static/context.ts';
import { staticRuntimeKey } from '../static/key.ts';
import { cachedStaticRuntime, type StaticRuntimeManifest } from '../static/verify.ts';
import { runtimePackageName, runtimePackageVersion } from './naming.ts';
import { runtimePackageJson, runtimePackageReadme } from './package-files.ts';
import { runtimeSbom } from './sbom.ts';

export interface PackRuntimeOptions {
  /** The toolchain's root: the key hashes its driver code when the manifest records no key. */
  root: string;
  cacheDir: string;
  nodeVersion: string;
  arch: Arch;
  allocator: Allocator;
  intl: IntlMode;
  sourceMode: SourceMode;
  outDir: string;
  /** package.json repository.url: npm publish --provenance requires it to match the publishing repository. */
  repository?: string;
  report: (line: string) => void;
}

export interface PackedRuntime {
  tarball: string;
  pin: StaticRuntimePin;
}

/**
 * The cached static runtime as an npm package tarball in outDir: bin/node (the stripped binary as
 * cached), manifest.json (its path made relative), sbom.cdx.json, package.json, README.md. Its version
 * comes from the runtime key the manifest records (naming.ts); a runtime cached before keys were recorded
 * gets this checkout's key, and the report says so.
 */
export async function packRuntime(o: PackRuntimeOptions): Promise<PackedRuntime> {
  const flag = runtimeBuildFlags(o);
  const cached = cachedStaticRuntime(o.cacheDir, o.nodeVersion, o.allocator, o.arch, o.intl);
  if (!cached) throw new Error(`no cached linux-${o.arch} static runtime (${o.allocator}, intl ${o.intl}) under ${o.cacheDir}/runtimes to pack: build it first with '${commandLine('runtime', `${flag} --detach`.trim())}'`);
  const sha256 = await sha256File(cached.path);
  if (sha256 !== cached.sha256) throw new Error(`${cached.path} has sha256 ${sha256}, but its manifest says ${cached.sha256}: the cached runtime changed after it was proven; rebuild it (${commandLine('runtime', flag.trim())})`);
  let key = cached.key;
  if (!key) {
    key = staticRuntimeKey({ root: o.root, nodeVersion: o.nodeVersion, arch: o.arch, allocator: o.allocator, intl: o.intl, sourceMode: o.sourceMode });
    o.report(`note: ${cached.path}'s manifest records no runtime key (built before keys were recorded); using this checkout's: ${key}`);
  }
  const name = runtimePackageName(o.arch, o.allocator, o.intl);
  const version = runtimePackageVersion(o.nodeVersion, key);
  // The package describes itself: no cache path, no record of a package it may have been fetched as.
  const { package: _fetchedAs, ...rest } = cached;
  const manifest: StaticRuntimeManifest = { ...rest, path: 'bin/node', key };

  await mkdir(o.outDir, { recursive: true });
  const stage = await mkdtemp(join(o.outDir, '.runtime-pack-'));
  try {
    await mkdir(join(stage, 'bin'));
    await copyFile(cached.path, join(stage, 'bin/node'));
    await chmod(join(stage, 'bin/node'), 0o755);
    const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
    await writeFile(join(stage, 'manifest.json'), json(manifest));
    await writeFile(join(stage, 'sbom.cdx.json'), json(runtimeSbom(manifest, { name, version })));
    await writeFile(join(stage, 'package.json'), json(runtimePackageJson(manifest, name, version, o.repository)));
    await writeFile(join(stage, 'README.md'), runtimePackageReadme(manifest, name, version));
    const { stdout } = await execa('npm', ['pack', stage, '--json', '--pack-destination', o.outDir]);
    const [info] = JSON.parse(stdout) as { filename: string; integrity: string }[];
    if (!info) throw new Error(`npm pack ${stage} reported nothing`);
    return { tarball: join(o.outDir, info.filename), pin: { package: name, version, integrity: info.integrity } };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
