/*
 * The official runtime's C/C++ headers (include/node: node_api.h, node.h, v8.h, uv.h, common.gypi,
 * config.gypi), for building a native addon against exactly that runtime: `--nodedir=<dir>` for node-gyp
 * and npm. They come from the npm package the official runtime itself comes from (node-linux-<arch>, the
 * Node release's binary tarball repackaged, headers included), checked against the same pinned integrity,
 * and are kept in <cache>/headers/node-v<version>-linux-<arch>/.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Arch } from '../../shared/toolchain/arch.ts';
import { BuildError } from '../../shared/toolchain/build-error.ts';

export interface NodeHeadersOptions {
  nodeVersion: string;
  arch: Arch;
  cacheDir: string;
  /** npm integrity (sha512-…) package.json pins for node-linux-<arch>; a different package is refused. */
  integrity?: string;
}

/** The directory to give as --nodedir (it holds include/node/); fetched once, then from the cache. */
export async function nodeHeaders(o: NodeHeadersOptions): Promise<string> {
  const parent = join(o.cacheDir, 'headers');
  const dir = join(parent, `node-v${o.nodeVersion}-linux-${o.arch}`);
  if (existsSync(join(dir, 'include/node/node_api.h'))) return dir;
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(join(parent, '.fetch-'));
  const spec = `node-linux-${o.arch}@${o.nodeVersion}`;
  try {
    let packed: string;
    try {
      packed = (await execa('npm', ['pack', spec, '--json', '--pack-destination', tmp], { cwd: tmp })).stdout;
    } catch (err) {
      const e = err as { shortMessage?: string; stderr?: string };
      throw new BuildError(`could not fetch ${spec} (the runtime's headers) from the npm registry: ${e.stderr?.trim().split('\n').at(-1) ?? e.shortMessage}`);
    }
    const [info] = JSON.parse(packed) as { filename: string; integrity: string }[];
    if (!info) throw new BuildError(`npm pack ${spec} reported nothing`);
    if (o.integrity && info.integrity !== o.integrity) throw new BuildError(`${spec} has integrity ${info.integrity}, but package.json pins ${o.integrity}`);
    await execa('tar', ['-xzf', join(tmp, info.filename), '-C', tmp, 'package/include']);
    // Renamed into place whole, so a directory that exists is complete; another process may have won the race.
    await rename(join(tmp, 'package'), dir).catch((err: NodeJS.ErrnoException) => {
      if (!existsSync(join(dir, 'include/node/node_api.h'))) throw err;
    });
    return dir;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
