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
import { packNodeLinux } from './official.ts';

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
  try {
    const { tgz } = await packNodeLinux(o, tmp, 'the headers come only from this package: the addon check needs the registry, or an addon built for this runtime already.');
    await execa('tar', ['-xzf', tgz, '-C', tmp, 'package/include']);
    // Renamed into place whole, so a directory that exists is complete; another process may have won the race.
    await rename(join(tmp, 'package'), dir).catch((err: NodeJS.ErrnoException) => {
      if (!existsSync(join(dir, 'include/node/node_api.h'))) throw err;
    });
    return dir;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
