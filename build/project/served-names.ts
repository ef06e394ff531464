/*
 * A package a module requires by a name computed at run time (webpack-cli's `require(module)` with "webpack"), served
 * from the bundle: when a module of package P has such a require, the packages P declares (dependencies and peer
 * dependencies, installed) are bundled by their main file (into bundled-modules.ts's table), and a second table,
 * `seal.names`, takes each name to that file's path — the bundle's require and require.resolve look a bare name up
 * there first, as Node would have found it from P. Their package.json files are embedded, so a check that the package
 * is installed finds it. A seal.external package is in the names' table too, with its main's path among the embedded
 * files, where it runs.
 */
import { join } from 'node:path';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import type { DynamicLoad } from './dynamic-loads.ts';
import { BUNDLES, MODULES_KEY, NAMES_KEY } from './table-keys.ts';
import { packageInTree } from './tree-dirs.ts';
import type { DeclaredPackage } from './tree-packages.ts';
import { VIRTUAL_ROOT, virtualPath } from './virtual-paths.ts';

/** Package name a module may require by a computed name → the virtual path of the file for it. */
export type BundledNames = Record<string, string>;

/** The packages served by name: for each computed require left to run time, those its module's package declares. */
export interface PackagesByName {
  /** Virtual path → the file bundled for it, for bundled-modules.ts's table. */
  modules: Record<string, string>;
  names: BundledNames;
  /** The package.json of each, to embed (on disk). */
  embed: string[];
}

/**
 * The packages a module with a computed require may load by name (`declared` lists them for a source file), not those
 * `omit` names (seal.omit, seal.external), each bundled by its main file when that is code or JSON. Where two modules' packages declare one
 * name that resolves to two installed versions, the first (by name, then source) is the one served.
 */
export function packagesByName(loads: readonly DynamicLoad[], declared: (from: string) => DeclaredPackage[], tree: string, omit: readonly string[]): PackagesByName {
  const sources = [...new Set(loads.filter((l) => l.kind === 'require' && l.into === undefined && !l.at.startsWith('bundle:')).map((l) => l.at.slice(0, l.at.lastIndexOf(':'))))].sort();
  const found: PackagesByName = { modules: {}, names: {}, embed: [] };
  for (const from of sources) {
    for (const p of declared(from)) {
      if (Object.hasOwn(found.names, p.name) || omit.includes(p.name) || !BUNDLES.test(p.file)) continue;
      const path = virtualPath(tree, p.file);
      found.names[p.name] = path;
      found.modules[path] = p.file;
      found.embed.push(p.manifest);
    }
  }
  return found;
}

/**
 * The packages seal.external keeps out of the bundle: each one's main, found as Node's require finds it from the
 * project, is named in the names' table (the bundle's require of the name loads it from the embedded files, where it
 * runs as under node) and embedded with its module graph (`embed`). A package not installed is the build's error.
 */
export function externalPackages(names: readonly string[], tree: string, root: string): { names: BundledNames; embed: string[] } {
  const found: { names: BundledNames; embed: string[] } = { names: {}, embed: [] };
  for (const name of names) {
    const p = packageInTree(name, join(root, 'seal-resolve.js'), tree);
    if (p === undefined) throw new BuildError(`seal.external names ${name}, which is not installed where the program finds it (npm install it, or take it out of seal.external)`);
    found.names[name] = virtualPath(tree, p.file);
    found.embed.push(p.file, join(p.root, 'package.json'));
  }
  return found;
}

/**
 * A module run from the embedded files (loaded by exact path, not bundled) that requires a package served by name gets
 * the bundle's copy too, as the bundle's own modules do: one instance of it in the process (webpack checks
 * `instanceof Compilation` across the plugins that require it). Only for modules under the virtual root: the user's
 * own files resolve a name from their own place, as under node.
 */
const EMBEDDED_NAMES = `{
  const names = globalThis[Symbol.for(${JSON.stringify(NAMES_KEY)})], table = globalThis[Symbol.for(${JSON.stringify(MODULES_KEY)})];
  const Module = require("node:module"), load = Module._load;
  Module._load = function (request, parent, ...rest) {
    const served = typeof request === "string" && Object.hasOwn(names, request) && parent?.filename?.startsWith(${JSON.stringify(`${VIRTUAL_ROOT}/`)}) ? table[names[request]] : undefined;
    return served ? served() : load.call(this, request, parent, ...rest);
  };
}
`;

/** The names' table and the hook for embedded modules, as the statements `seal:modules` ends with (none without names). */
export function namesStatement(names: BundledNames): string {
  if (Object.keys(names).length === 0) return '';
  return `globalThis[Symbol.for(${JSON.stringify(NAMES_KEY)})] = ${JSON.stringify(names, Object.keys(names).sort())};\n${EMBEDDED_NAMES}`;
}
