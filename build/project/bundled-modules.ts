/*
 * Modules a program requires through a computed path that is known in full before run time (npm's
 * `require(resolve(__dirname, 'cli/entry.js'))`): esbuild leaves such a require alone, and the module would need
 * its whole graph — package names included — embedded to run unbundled. Instead it is bundled: a generated module,
 * `seal:modules`, holds a table from the path the program passes (under VIRTUAL_ROOT) to a literal require of the
 * file, which esbuild bundles as any other (lazily: it runs when first required), and the bundle's require
 * (full-require.ts) takes a path in the table from there before it asks Node.
 * A package a module requires by a name computed at run time (webpack-cli's `require(module)` with "webpack") is
 * served the same way: when a module of package P has such a require, the packages P declares (dependencies and
 * peer dependencies, installed) are bundled by their main file, and a second table, `seal.names`, takes each name
 * to that file's path — the bundle's require and require.resolve look a bare name up there first, as Node would
 * have found it from P. Their package.json files are embedded, so a check that the package is installed finds it.
 * A seal.external package is in the names' table too, with its main's path among the embedded files, where it runs.
 */
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Plugin } from 'esbuild';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import type { DynamicLoad } from './dynamic-loads.ts';
import { fileAsRequireFinds } from './relative-name.ts';
import { packageInTree } from './tree-dirs.ts';
import type { DeclaredPackage } from './tree-packages.ts';
import { onDisk, VIRTUAL_ROOT, virtualPath } from './virtual-paths.ts';

/** Virtual path the program requires → the file on disk that is bundled for it. */
export type BundledModules = Record<string, string>;

/** Package name a module may require by a computed name → the virtual path of the file bundled for it. */
export type BundledNames = Record<string, string>;

/** The global the table is kept under, for the bundle's require to find (full-require.ts). */
export const MODULES_KEY = 'seal.modules';
/** The global the names' table is kept under. */
export const NAMES_KEY = 'seal.names';
const SPECIFIER = 'seal:modules';

const BUNDLES = /\.(?:[cm]?js|json)$/;

/** The file a virtual path names as Node's require finds it (the extension left out, a directory's index.js), if the tree has one. */
function fileFor(tree: string, virtual: string): string | undefined {
  return fileAsRequireFinds(onDisk(tree, virtual), (f) => existsSync(f) && statSync(f).isFile());
}

/** The modules the loads name in full that the tree has (a name it does not have fails at run time as under node). */
export function bundledModules(loads: readonly DynamicLoad[], tree: string): BundledModules {
  const found: BundledModules = {};
  for (const l of loads) {
    const file = l.bundled && l.into !== undefined ? fileFor(tree, l.into) : undefined;
    // Code and JSON only: an addon (.node) so named is the addons' business, other data is for seal.assets.
    if (l.into !== undefined && file !== undefined && BUNDLES.test(file)) found[l.into] = file;
  }
  return found;
}

/** The packages served by name: for each computed require left to run time, those its module's package declares. */
export interface PackagesByName {
  modules: BundledModules;
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

/** The files modules with a computed require name by a literal relative name (virtual-paths.ts), code and JSON only. */
export function relativeModules(relatives: ReadonlyMap<string, string>): BundledModules {
  return Object.fromEntries([...relatives].filter(([, file]) => BUNDLES.test(file)));
}

/** The entry's statement that loads the table first (`import` in an ES module entry: imports run in order). */
export function modulesStatement(format: 'cjs' | 'esm'): string {
  return format === 'esm' ? `import ${JSON.stringify(SPECIFIER)};\n` : `require(${JSON.stringify(SPECIFIER)});\n`;
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

/** Serves `seal:modules`: the table, each entry a require esbuild resolves from the project root, and the names' table. */
export function modulesPlugin(modules: BundledModules, root: string, names: BundledNames = {}): Plugin {
  const rows = Object.entries(modules)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([virtual, file]) => `  ${JSON.stringify(virtual)}: () => require(${JSON.stringify(`./${relative(root, file).split('\\').join('/')}`)}),`)
    .join('\n');
  const named = Object.keys(names).length === 0 ? '' : `globalThis[Symbol.for(${JSON.stringify(NAMES_KEY)})] = ${JSON.stringify(names, Object.keys(names).sort())};\n${EMBEDDED_NAMES}`;
  return {
    name: 'seal-modules',
    setup(build) {
      build.onResolve({ filter: /^seal:modules$/ }, () => ({ path: SPECIFIER, namespace: 'seal' }));
      build.onLoad({ filter: /.*/, namespace: 'seal' }, () => ({ contents: `globalThis[Symbol.for(${JSON.stringify(MODULES_KEY)})] = {\n${rows}\n};\n${named}`, resolveDir: root, loader: 'js' }));
    },
  };
}
