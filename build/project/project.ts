/*
 * The project a build turns into a binary: its directory, package.json's facts and seal config, the files
 * the config names (checked to exist before anything is built), and the lockfile that pinned its
 * dependencies. The directory is any package: a checkout, or an installed package under node_modules,
 * whose dependencies esbuild then resolves as Node would from there.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, posix, resolve, sep } from 'node:path';
import { ConfigError, type SealConfig, sealConfig } from './config.ts';

export interface Project {
  root: string;
  packageName: string;
  version: string;
  config: SealConfig;
  /** The lockfile that pinned the dependencies (the package's own, or the installing project's), if any. */
  lockfile?: string;
  /** True when the package is installed under some node_modules rather than a checkout of its own. */
  installed: boolean;
}

const LOCKFILES = ['npm-shrinkwrap.json', 'package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock'];

/** The package's own lockfile, else (for an installed package) the one of the project whose node_modules holds it. */
function findLockfile(root: string): string | undefined {
  const own = LOCKFILES.map((f) => join(root, f)).find(existsSync);
  if (own) return own;
  const at = root.indexOf(`${sep}node_modules${sep}`);
  if (at < 0) return undefined;
  const installer = root.slice(0, at);
  return LOCKFILES.map((f) => join(installer, f)).find(existsSync);
}

const MAGIC: [Buffer, string][] = [
  [Buffer.from([0x7f, 0x45, 0x4c, 0x46]), 'a native executable (ELF)'],
  [Buffer.from([0x4d, 0x5a]), 'a Windows executable (PE)'],
  [Buffer.from([0xcf, 0xfa, 0xed, 0xfe]), 'a macOS executable (Mach-O)'],
];

/** What kind of native executable a file is, by its first bytes; undefined for anything else (a script). */
function nativeExecutable(file: string): string | undefined {
  const head = Buffer.alloc(4);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  return MAGIC.find(([magic]) => head.subarray(0, magic.length).equals(magic))?.[1];
}

export async function readProject(dir: string): Promise<Project> {
  const root = resolve(dir);
  const manifest = join(root, 'package.json');
  let text: string;
  try {
    text = await readFile(manifest, 'utf8');
  } catch {
    throw new ConfigError(`${root} has no package.json: give the directory of an npm package (where its package.json is)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${manifest} is not valid JSON: ${(err as Error).message}`);
  }
  const { packageName, version, config } = sealConfig(parsed);
  const files: [string, string][] = [
    ...Object.entries(config.bins).map(([cmd, f]): [string, string] => [Object.keys(config.bins).length === 1 && config.name === cmd ? 'the entry' : `bin ${cmd}`, f]),
    ...Object.entries(config.workers).map(([c, f]): [string, string] => [`seal.workers.${c}`, f]),
  ];
  for (const [what, file] of files) {
    const st = statSync(join(root, file), { throwIfNoEntry: false });
    if (!st) throw new ConfigError(`package.json: ${what} is ${file}, which does not exist in ${root}`);
    if (!st.isFile()) throw new ConfigError(`package.json: ${what} is ${file}, ${st.isDirectory() ? 'a directory' : 'not a regular file'}: give the file the program starts from (e.g. ${posix.join(file, 'cli.js')})`);
    const kind = nativeExecutable(join(root, file));
    if (kind !== undefined) {
      throw new ConfigError(`package.json: ${what} is ${file}, ${kind}, not JavaScript: there is no Node program to build; ship that executable as it is (esbuild's and pnpm's packages install their own binary as the bin)`);
    }
  }
  const lockfile = findLockfile(root);
  return { root, packageName, version, config, installed: dirname(root).split(sep).includes('node_modules'), ...(lockfile ? { lockfile } : {}) };
}
