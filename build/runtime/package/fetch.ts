import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import type { Arch } from '../../../shared/toolchain/arch.ts';
import { BuildError } from '../../../shared/toolchain/build-error.ts';
import { sha256File } from '../../../shared/toolchain/file-hash.ts';
import type { Logger } from '../../../shared/toolchain/logger.ts';
import type { StaticRuntimePin } from '../pin.ts';
import type { Allocator, IntlMode } from '../static/context.ts';
import { proveRuntime } from '../static/proofs.ts';
import { staticTarget } from '../static/target.ts';
import { runtimeDir, type StaticRuntimeManifest } from '../static/verify.ts';
import { installRuntime } from './install.ts';
import { npmIntegrity } from './integrity.ts';
import { npmPackFetch } from './npm-fetch.ts';

export interface FetchStaticRuntimeOptions {
  pin: StaticRuntimePin;
  cacheDir: string;
  nodeVersion: string;
  arch: Arch;
  allocator: Allocator;
  intl: IntlMode;
  /** Where npm runs: the project's directory, so its .npmrc (registry, auth) applies. */
  cwd: string;
  log: Logger;
}

/** The package's manifest must describe the runtime asked for, or the proofs would check the wrong claims. */
function checkClaims(spec: string, m: StaticRuntimeManifest, o: FetchStaticRuntimeOptions): void {
  const want = { kind: 'static', nodeVersion: o.nodeVersion, arch: o.arch, allocator: o.allocator, intl: o.intl };
  const wrong = Object.entries(want).filter(([k, v]) => m[k as keyof StaticRuntimeManifest] !== v);
  if (wrong.length) {
    const said = wrong.map(([k, v]) => `${k} ${JSON.stringify(m[k as keyof StaticRuntimeManifest])} (wanted ${v})`).join(', ');
    throw new BuildError(`${spec} is not the runtime asked for: its manifest.json says ${said}; fix runtimes.staticRuntime.${o.arch} in package.json`);
  }
}

/**
 * The pinned static runtime package, fetched through npm and checked before anything reaches the
 * cache: the tarball's integrity against the pin, bin/node's sha256 against the package's manifest,
 * the manifest against the runtime asked for, then the proofs a local build passes (proofs.ts). Only
 * then is it installed where a local build would have put it. Any failure leaves nothing cached and
 * names the package; PackageUnavailable (not published, registry unreachable) lets the caller build instead.
 */
export async function fetchStaticRuntime(o: FetchStaticRuntimeOptions): Promise<StaticRuntimeManifest> {
  const { pin } = o;
  const spec = `${pin.package}@${pin.version}`;
  const dir = runtimeDir(o.cacheDir, o.nodeVersion, o.allocator, o.arch, o.intl);
  await mkdir(dirname(dir), { recursive: true });
  const scratch = await mkdtemp(join(dirname(dir), '.fetch-'));
  try {
    const tarball = await npmPackFetch(spec, scratch, o.cwd, o.log);
    const integrity = await npmIntegrity(tarball);
    if (integrity !== pin.integrity) {
      throw new BuildError(
        `${spec}: the registry's tarball has integrity ${integrity}, but package.json pins ${pin.integrity} (runtimes.staticRuntime.${o.arch}); refusing a runtime that changed under its version — nothing was cached`,
      );
    }
    const files = ['package/bin/node', 'package/manifest.json'];
    const unpacked = await execa('tar', ['-xzf', tarball, '-C', scratch, ...files], { reject: false });
    if (unpacked.exitCode !== 0) throw new BuildError(`${spec} is not a static runtime package: it lacks ${files.join(' or ')} (${unpacked.stderr.trim().split('\n')[0]}); fix runtimes.staticRuntime.${o.arch} in package.json`);
    const binary = join(scratch, 'package/bin/node');
    const manifest = JSON.parse(await readFile(join(scratch, 'package/manifest.json'), 'utf8')) as StaticRuntimeManifest;
    const sha256 = await sha256File(binary);
    if (sha256 !== manifest.sha256) {
      throw new BuildError(`${spec}: bin/node has sha256 ${sha256}, but the package's manifest.json says ${manifest.sha256}; refusing a binary its own manifest does not describe — nothing was cached`);
    }
    checkClaims(spec, manifest, o);
    o.log.info(`  proving ${spec}: static, Node ${o.nodeVersion}, ${o.allocator}, intl ${o.intl}`);
    try {
      proveRuntime(binary, { target: staticTarget(o.arch), nodeVersion: o.nodeVersion, allocator: o.allocator, intl: o.intl });
    } catch (err) {
      throw new BuildError(`${spec} fails the static runtime proofs, so it was not cached: ${(err as Error).message}`);
    }
    const fromPackage = { name: `${pin.package} (npm)`, version: pin.version, origin: `npm:${spec} (${integrity})`, sha256: await sha256File(tarball) };
    const installed = await installRuntime(binary, { ...manifest, package: { name: pin.package, version: pin.version, integrity }, inputs: [...manifest.inputs, fromPackage] }, dir, scratch);
    o.log.info(`  cached ${installed.path} (from ${spec})`);
    return installed;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
