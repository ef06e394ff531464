/*
 * A pinned npm package the toolchain needs only sometimes (Zig for the static runtime's build, bun for a
 * bench), fetched once with `npm pack` — the user's registry settings apply — into
 * <cache>/<where>/<version>-<integrity hash>/package, its tarball checked against the pin. Not a dependency
 * in package.json: `npm ci` would write all of it into every checkout.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { BuildError } from '../../../shared/toolchain/build-error.ts';
import type { Logger } from '../../../shared/toolchain/logger.ts';
import type { PackagePin } from '../pin.ts';
import { npmIntegrity } from './integrity.ts';
import { npmPackFetch } from './npm-fetch.ts';

/** The unpacked package's directory; `ready` names a file that is there once the package is whole. */
export async function cachedPackage(pin: PackagePin, o: { cacheDir: string; where: string; ready: string; log: Logger; pinnedIn: string }): Promise<string> {
  const dir = join(o.cacheDir, o.where, `${pin.version}-${createHash('sha256').update(pin.integrity).digest('hex').slice(0, 12)}`);
  const unpacked = join(dir, 'package');
  if (existsSync(join(unpacked, o.ready))) return unpacked;
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, '.fetch-'));
  try {
    const spec = `${pin.package}@${pin.version}`;
    const tarball = await npmPackFetch(spec, tmp, process.cwd(), o.log);
    const integrity = await npmIntegrity(tarball);
    if (integrity !== pin.integrity) throw new BuildError(`${spec}: the registry's tarball has integrity ${integrity}, but ${o.pinnedIn} pins ${pin.integrity}; refusing a package that changed under its version`);
    await execa('tar', ['-xzf', tarball, '-C', tmp]);
    rmSync(unpacked, { recursive: true, force: true });
    renameSync(join(tmp, 'package'), unpacked);
    return unpacked;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
