/*
 * Modules a program requires through a computed path that is known in full before run time (npm's
 * `require(resolve(__dirname, 'cli/entry.js'))`): esbuild leaves such a require alone, and the module would need
 * its whole graph — package names included — embedded to run unbundled. Instead it is bundled: a generated module,
 * `seal:modules`, holds a table from the path the program passes (under VIRTUAL_ROOT) to a literal require of the
 * file, which esbuild bundles as any other (lazily: it runs when first required), and the bundle's require
 * (full-require.ts) takes a path in the table from there before it asks Node.
 * Packages served by name (served-names.ts) are bundled into the same table, and the files a module with a computed
 * require names by a literal relative name.
 */
import { relative } from 'node:path';
import type { Plugin } from 'esbuild';
import type { DynamicLoad } from './dynamic-loads.ts';
import { type BundledNames, namesStatement } from './served-names.ts';
import { BUNDLES, MODULES_KEY } from './table-keys.ts';
import { moduleOnDisk } from './virtual-paths.ts';

/** Virtual path the program requires → the file on disk that is bundled for it. */
export type BundledModules = Record<string, string>;

const SPECIFIER = 'seal:modules';

/** The modules the loads name in full that the tree has (a name it does not have fails at run time as under node). */
export function bundledModules(loads: readonly DynamicLoad[], tree: string): BundledModules {
  const found: BundledModules = {};
  for (const l of loads) {
    const file = l.bundled && l.into !== undefined ? moduleOnDisk(tree, l.into) : undefined;
    // Code and JSON only: an addon (.node) so named is the addons' business, other data is for seal.assets.
    if (l.into !== undefined && file !== undefined && BUNDLES.test(file)) found[l.into] = file;
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

/** Serves `seal:modules`: the table, each entry a require esbuild resolves from the project root, and the names' table. */
export function modulesPlugin(modules: BundledModules, root: string, names: BundledNames = {}): Plugin {
  const rows = Object.entries(modules)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([virtual, file]) => `  ${JSON.stringify(virtual)}: () => require(${JSON.stringify(`./${relative(root, file).split('\\').join('/')}`)}),`)
    .join('\n');
  const named = namesStatement(names);
  return {
    name: 'seal-modules',
    setup(build) {
      build.onResolve({ filter: /^seal:modules$/ }, () => ({ path: SPECIFIER, namespace: 'seal' }));
      build.onLoad({ filter: /.*/, namespace: 'seal' }, () => ({ contents: `globalThis[Symbol.for(${JSON.stringify(MODULES_KEY)})] = {\n${rows}\n};\n${named}`, resolveDir: root, loader: 'js' }));
    },
  };
}
