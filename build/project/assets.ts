/*
 * The files a program reads at run time (seal.assets globs), packed into the SEA blob as two assets:
 *   seal-assets.json  the index: [[virtual path, size], …] sorted by path — each file's bytes in that order
 *   seal-assets.bin   the bytes of every file, one after another
 * No times, modes or build paths are recorded, so equal files give equal bytes. At start the prelude
 * (prelude/assets.cjs) mounts them under VIRTUAL_ROOT, where each module's __dirname points.
 */

import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { glob } from 'tinyglobby';
import { ConfigError } from './config.ts';
import type { Project } from './project.ts';
import { dirsUpTo } from './tree-dirs.ts';
import { treeRoot, virtualPath } from './virtual-paths.ts';

/**
 * How seal.assets names a file or a directory (ending in '/') under the virtual root, from the package whose virtual
 * path is `home`: relative to the package, or as node_modules/<dependency>/… for a dependency npm hoisted above it;
 * undefined for anything else outside the package.
 */
export function assetName(home: string, into: string): string | undefined {
  const rel = posix.relative(home, into);
  if (!rel.startsWith('..')) return rel;
  const dependency = into.lastIndexOf('/node_modules/');
  return dependency >= 0 ? into.slice(dependency + 1) : undefined;
}

export const ASSET_INDEX = 'seal-assets.json';
export const ASSET_DATA = 'seal-assets.bin';

/** Each embedded file's virtual path and size; a size of -1 is a directory with nothing embedded in it (a bin's own). */
export type AssetIndex = [path: string, size: number][];

/** `node_modules/<name>/rest` as a dependency's name and the rest of the glob; undefined for any other glob. */
function dependencyGlob(pattern: string): { name: string; rest: string } | undefined {
  const [, name, rest] = /^node_modules\/((?:@[^/*?{}[\]]+\/)?[^/*?{}[\]]+)\/(.+)$/.exec(pattern) ?? [];
  return name !== undefined && rest !== undefined ? { name, rest } : undefined;
}

/**
 * Where `node_modules/<name>` is for the project: its own, or (an installed package, whose dependencies npm hoisted)
 * the first one up from it within the package tree, as Node's resolution would find it.
 */
function dependencyDir(project: Project, name: string): string | undefined {
  for (const dir of dirsUpTo(project.root, treeRoot(project))) if (existsSync(join(dir, 'node_modules', name))) return join(dir, 'node_modules', name);
  return undefined;
}

/**
 * The files the globs match (relative to the project), each glob required to match at least one. A glob under
 * `node_modules/<name>/` names that dependency's files wherever it is installed, so an installed package can list
 * what its dependencies read (@tailwindcss/oxide-wasm32-wasi's .wasm beside @tailwindcss/cli), as Node finds them.
 */
export async function collectAssets(project: Project): Promise<string[]> {
  const files = new Set<string>();
  const options = { absolute: true, onlyFiles: true, dot: true, followSymbolicLinks: true };
  for (const pattern of project.config.assets) {
    let found = await glob(pattern, { ...options, cwd: project.root });
    const dependency = dependencyGlob(pattern);
    const dir = found.length === 0 && dependency ? dependencyDir(project, dependency.name) : undefined;
    if (dependency && dir) found = await glob(dependency.rest, { ...options, cwd: dir });
    if (found.length === 0) throw new ConfigError(`package.json: seal.assets entry '${pattern}' matches no file in ${dir ?? project.root}`);
    for (const f of found) files.add(f);
  }
  return [...files];
}

/** Writes the two asset files into `dir`; returns their paths and what they hold. */
export async function packAssets(project: Project, files: string[], dir: string, made: { file: string; path: string }[] = []): Promise<{ index: string; data: string; paths: string[]; bytes: number }> {
  const tree = treeRoot(project);
  // `made`: files the build wrote (a worker's bundle) to stand at a path of the tree, in place of the file there.
  const byPath = new Map(files.map((f) => [virtualPath(tree, f), f]));
  for (const m of made) byPath.set(m.path, m.file);
  const entries = [...byPath].map(([path, file]) => ({ file, path })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const index: AssetIndex = [];
  const chunks: Buffer[] = [];
  for (const e of entries) {
    const bytes = await readFile(e.file);
    index.push([e.path, bytes.length]);
    chunks.push(bytes);
  }
  const data = Buffer.concat(chunks);
  // The bins' directories exist, as on disk: a walk up from require.main to the package.json (yargs' default --version)
  // starts with a stat of the bin's directory, which holds no embedded file.
  const embedded = new Set(index.map(([path]) => path));
  const dirs = [...new Set(Object.values(project.config.bins).map((bin) => posix.dirname(virtualPath(tree, join(project.root, bin)))))].sort();
  const listing: AssetIndex = [...index, ...dirs.filter((d) => !embedded.has(d)).map((d): [string, number] => [d, -1])];
  const paths = { index: join(dir, ASSET_INDEX), data: join(dir, ASSET_DATA) };
  await writeFile(paths.index, JSON.stringify(listing));
  await writeFile(paths.data, data);
  return { ...paths, paths: index.map(([path]) => path), bytes: data.length };
}
