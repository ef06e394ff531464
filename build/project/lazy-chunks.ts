/*
 * seal.lazy: packages kept out of the program's bundle, each bundled with what it imports into one CommonJS chunk that
 * the binary stores as a blob asset (`seal-lazy/<name>.cjs`) and compiles the first time the program requires the
 * package (prelude/lazy.cjs). In the bundle the package is a stand-in module of one line, so a start that does not
 * require it neither reads nor parses its code: broker's undici is replay's only, yet was ~40% of every start's script.
 *
 * One copy of each package: every import of the name, from the program or from another package, gets the chunk of the
 * copy the project itself resolves (another copy elsewhere in the tree is the build's error, not silently swapped). A
 * package imported by a subpath (`undici/lib/x`) cannot be split so, and is refused. What a chunk imports is bundled
 * into it; a package both a chunk and the main bundle hold runs twice, each copy with its own state, which the build
 * says. Each chunk gets a code cache of its own (steps/chunk-caches.ts), and its source map travels in the artifact's
 * (maintainer-map.ts), under the name its frames show: `seal:lazy/<name>.cjs:L:C`.
 */
import { join, relative, resolve } from 'node:path';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';
import { regexpLiteral } from '../../shared/regexp-literal.ts';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { type DynamicLoad, findDynamicLoads } from './dynamic-loads.ts';
import { finishedCode } from './finished-code.ts';
import { maintainerMap } from './maintainer-map.ts';
import { prelude } from './preludes.ts';
import { packageInTree } from './tree-dirs.ts';
import { fileOfPackage, packagesNamed } from './tree-packages.ts';
import { buildLeavingUnresolved, type Unresolved } from './unresolved.ts';

/** The blob assets that hold package `name`'s chunk and its code cache (prelude/lazy.cjs reads them by the same names). */
export function lazyAsset(name: string): string {
  return `seal-lazy/${name}.cjs`;
}
export function lazyCacheAsset(name: string): string {
  return `seal-lazy/${name}.cache`;
}

export interface LazyChunk {
  name: string;
  /** The chunk's code, finished as the main bundle's is. */
  code: string;
  /** Its source map as kept beside the artifact (maintainer-map.ts), under the name its frames show (`file`). */
  map: string;
  file: string;
  /** Files of the tree the chunk holds (its metafile's inputs, relative to the project), to compare with the main bundle's. */
  inputs: string[];
  /** The loads in it esbuild could not follow (dynamic-loads.ts): the main bundle embeds what such loads need, a chunk does not. */
  loads: DynamicLoad[];
}

const NAMESPACE = 'seal-lazy';
/** Marks the plugin's own resolve of a name, which must not come back to it. */
const OWN = Symbol('seal-lazy');

/**
 * In the main bundle (and in each chunk, for the other lazy packages): an import of a lazy package by its name becomes
 * the stand-in that asks prelude/lazy.cjs for it. One by a subpath, or of another copy of the package, is added to
 * `refused` (the caller's BuildError once esbuild is done, in words rather than as a plugin's failure).
 */
export function lazyPlugin(names: readonly string[], root: string, refused: string[]): Plugin {
  return {
    name: 'seal-lazy',
    setup(b) {
      if (names.length === 0) return;
      const wanted = new RegExp(`^(?:${names.map(regexpLiteral).join('|')})(?:/.*)?$`);
      const projectCopy = new Map<string, string | undefined>();
      b.onResolve({ filter: wanted }, async (args) => {
        if (args.pluginData === OWN || args.namespace === NAMESPACE) return undefined;
        const name = names.find((n) => args.path === n || args.path.startsWith(`${n}/`)) as string;
        const importer = relative(root, args.importer) || args.importer;
        if (args.path !== name) refused.push(`${importer} imports ${args.path}: a lazy package is loaded by its name only (its chunk is what the name exports); import ${name} itself, or take it out of seal.lazy`);
        else {
          const [mine, theirs] = await Promise.all([own(name), b.resolve(name, { kind: args.kind, resolveDir: args.resolveDir, pluginData: OWN })]);
          if (mine === undefined) refused.push(notInstalled(name));
          else if (theirs.errors.length === 0 && theirs.path !== mine)
            refused.push(
              `${importer} imports another copy of ${name} (${relative(root, theirs.path)}, not the project's ${relative(root, mine)}): one chunk stands for every import of the name, so the copies must be one (npm dedupe), or take ${name} out of seal.lazy`,
            );
        }
        return { path: name, namespace: NAMESPACE };
      });
      b.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ contents: `module.exports = require(${JSON.stringify(prelude('lazy.cjs'))}).lazyPackage(${JSON.stringify(args.path)});\n`, resolveDir: root, loader: 'js' }));
      // The file the project's own require of the name finds, as esbuild resolves it.
      async function own(name: string): Promise<string | undefined> {
        if (!projectCopy.has(name)) {
          const found = await b.resolve(name, { kind: 'require-call', resolveDir: root, pluginData: OWN });
          projectCopy.set(name, found.errors.length > 0 ? undefined : found.path);
        }
        return projectCopy.get(name);
      }
    },
  };
}

const notInstalled = (name: string) => `${name} is not installed where the program finds it (npm install it, or take it out of seal.lazy)`;

/** What lazyPlugin refused, as the build's error. */
export function refusedError(refused: readonly string[]): BuildError {
  const each = [...new Set(refused)];
  return new BuildError(`seal.lazy: ${each.length === 1 ? each[0] : `\n${each.map((r) => `  ${r}`).join('\n')}`}`);
}

/**
 * Each lazy package bundled on its own with `options` (the main bundle's: its plugins, target, defines), as the
 * project's require of the name finds it; the other lazy packages stay stand-ins in it.
 */
export async function bundleLazyChunks(names: readonly string[], options: BuildOptions, where: { root: string; tree: string }, unresolved: Unresolved[]): Promise<LazyChunk[]> {
  const { root, tree } = where;
  const chunks: LazyChunk[] = [];
  const refused: string[] = [];
  for (const name of names) {
    if (packageInTree(name, `${root}/seal-resolve.js`, tree) === undefined) throw refusedError([notInstalled(name)]);
    // An import esbuild cannot resolve (an optional dependency not installed) is left to run time, as in the main bundle.
    const out = await buildLeavingUnresolved(
      {
        ...options,
        plugins: [
          lazyPlugin(
            names.filter((n) => n !== name),
            root,
            refused,
          ),
          ...(options.plugins ?? []),
        ],
        stdin: { contents: `module.exports = require(${JSON.stringify(name)});\n`, resolveDir: root, sourcefile: `seal-lazy-${name}.js`, loader: 'js' },
        format: 'cjs',
        supported: { 'dynamic-import': false },
        // Named for the map's sources (relative to it); nothing is written.
        outfile: join(root, 'seal-lazy.cjs'),
        sourcemap: 'external',
        metafile: true,
        write: false,
      },
      tree,
      unresolved,
    );
    if (refused.length > 0) throw refusedError(refused);
    const js = out.outputFiles.find((f) => f.path.endsWith('.cjs'));
    const map = out.outputFiles.find((f) => f.path.endsWith('.map'));
    if (js === undefined || map === undefined) throw new Error(`esbuild wrote no chunk or no map for ${name}`);
    const finished = await finishedCode(js.text, options.minify === true, map.text);
    const file = `seal:lazy/${name}.cjs`;
    const loads = findDynamicLoads(js.text, map.text, (source) => relative(root, resolve(root, source)), 'script', fileOfPackage(tree), packagesNamed(tree, root));
    chunks.push({ name, code: finished.code, file, map: maintainerMap(finished.map ?? map.text, { bundleDir: root, projectRoot: root, file }), inputs: treeInputs(out.metafile), loads });
  }
  return chunks;
}

/** A metafile's inputs that are files of the package tree (not the toolchain's preludes, not generated modules). */
export function treeInputs(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).filter((p) => p.includes('node_modules/') && !p.includes(':'));
}

/** The files both the main bundle and a chunk hold: each runs twice, each copy with its own state. */
export function sharedInputs(main: Metafile, chunks: readonly LazyChunk[]): { name: string; files: string[] }[] {
  const mine = new Set(treeInputs(main));
  return chunks.map((c) => ({ name: c.name, files: c.inputs.filter((f) => mine.has(f)) })).filter((s) => s.files.length > 0);
}
