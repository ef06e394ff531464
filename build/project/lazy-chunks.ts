/*
 * seal.lazy: packages kept out of the program's bundle, each bundled with what it imports into one CommonJS chunk that
 * the binary stores as a blob asset (`seal-lazy/<name>.cjs`) and compiles the first time the program requires the
 * package (prelude/lazy.cjs). In the bundle the package is a stand-in of a few lines, so a start that does not
 * require it neither reads nor parses its code: broker's undici is replay's only, yet was ~40% of every start's script.
 *
 * One copy of each package: every import of the name, from the program or from another package, gets the chunk of the
 * copy the project itself resolves (another copy elsewhere in the tree is the build's error, not silently swapped). A
 * package imported by a subpath (`undici/lib/x`) cannot be split so, and is refused. What a chunk imports is bundled
 * into it; a package both a chunk and the main bundle hold runs twice, each copy with its own state, which the build
 * says. Each chunk gets a code cache of its own (steps/chunk-caches.ts), and its source map travels in the artifact's
 * (maintainer-map.ts), under the name its frames show: `seal:lazy/<name>.cjs:L:C`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { type BuildOptions, build, type Metafile, type Plugin, type PluginBuild } from 'esbuild';
import { regexpLiteral } from '../../shared/regexp-literal.ts';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { type DynamicLoad, findDynamicLoads } from './dynamic-loads.ts';
import { finishedCode } from './finished-code.ts';
import { maintainerMap } from './maintainer-map.ts';
import { prelude } from './preludes.ts';
import { fileOfPackage, packagesNamed } from './tree-packages.ts';
import { buildLeavingUnresolved, type Unresolved } from './unresolved.ts';

/** The blob assets that hold package `name`'s chunk and its code cache (prelude/lazy.cjs reads them by the same names). */
export function lazyAsset(name: string): string {
  return `seal-lazy/${name}.cjs`;
}
export function lazyCacheAsset(name: string): string {
  return `seal-lazy/${name}.cache`;
}
/** The name a chunk's frames show (prelude/lazy.cjs compiles it so). */
export function lazyScript(name: string): string {
  return `seal:lazy/${name}.cjs`;
}
/** A package name as one file name (a scoped name's slash made `+`), for the build's files of its chunk. */
export function lazyFileStem(name: string): string {
  return name.replace('/', '+');
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

/** What a resolve of a package name needs: esbuild's resolve inside a plugin's setup. */
type Resolve = PluginBuild['resolve'];

/**
 * The file the project's own load of `name` finds, as esbuild resolves it: its `require`'s, or, for a package that
 * exports to `import` only, its `import`'s. Undefined when neither finds one.
 */
async function entryOf(resolve: Resolve, name: string, root: string): Promise<string | undefined> {
  for (const kind of ['require-call', 'import-statement'] as const) {
    const found = await resolve(name, { kind, resolveDir: root, pluginData: OWN });
    if (found.errors.length === 0 && found.path !== '') return found.path;
  }
  return undefined;
}

/** The directory of the package `name` a file of it is in (its nearest package.json of that name), to tell two copies apart. */
function packageRoot(file: string, name: string): string {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    try {
      if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === name) return dir;
    } catch {
      // Not JSON: not the package's manifest; look further up.
    }
  }
  return dirname(file);
}

/**
 * The stand-in's code. A CommonJS package's is one line: its exports are the chunk's. An ES module's is an ES module
 * re-exporting the chunk's names (read by esbuild from the package's entry), so that a default import gets its default
 * export in a `"type": "module"` project too, where esbuild gives a CommonJS module's default import its whole exports.
 */
function standIn(name: string, esm: string[] | undefined): string {
  const load = `${JSON.stringify(prelude('lazy.cjs'))}`;
  if (esm === undefined) return `module.exports = require(${load}).lazyPackage(${JSON.stringify(name)});\n`;
  const names = esm.map((n, i) => `const e${i} = ns[${JSON.stringify(n)}];\n`).join('');
  const list = esm.map((n, i) => `e${i} as ${JSON.stringify(n)}`).join(', ');
  return `import { lazyPackage } from ${load};\nconst ns = lazyPackage(${JSON.stringify(name)});\n${names}export { ${list} };\n`;
}

/** esmExports' answers, by entry file and its modification time: the program is bundled several times a build. */
const exportsOf = new Map<string, Promise<string[] | undefined>>();

/** The names an ES module entry exports (undefined for a CommonJS one), as esbuild links it. */
function esmExports(entry: string, root: string): Promise<string[] | undefined> {
  const key = `${entry}\0${statSync(entry).mtimeMs}`;
  return exportsOf.get(key) ?? (exportsOf.set(key, linkedExports(entry, root)).get(key) as Promise<string[] | undefined>);
}

async function linkedExports(entry: string, root: string): Promise<string[] | undefined> {
  const out = await build({ entryPoints: [entry], absWorkingDir: root, bundle: true, packages: 'external', platform: 'node', format: 'esm', write: false, metafile: true, logLevel: 'silent', outdir: join(root, 'seal-lazy-exports') });
  const input = out.metafile.inputs[relative(root, entry).split(sep).join('/')];
  if (input?.format !== 'esm') return undefined;
  return Object.values(out.metafile.outputs).find((o) => o.entryPoint !== undefined)?.exports ?? [];
}

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
      const entries = new Map<string, Promise<string | undefined>>();
      const entry = (name: string) => entries.get(name) ?? entries.set(name, entryOf(b.resolve, name, root)).get(name);
      b.onResolve({ filter: wanted }, async (args) => {
        if (args.pluginData === OWN || args.namespace === NAMESPACE) return undefined;
        const name = names.find((n) => args.path === n || args.path.startsWith(`${n}/`)) as string;
        const importer = relative(root, args.importer) || args.importer;
        if (args.path !== name) refused.push(`${importer} imports ${args.path}: a lazy package is loaded by its name only (its chunk is what the name exports); import ${name} itself, or take it out of seal.lazy`);
        else {
          const [mine, theirs] = await Promise.all([entry(name), b.resolve(name, { kind: args.kind, resolveDir: args.resolveDir, pluginData: OWN })]);
          if (mine === undefined) refused.push(notInstalled(name));
          // The package's directory, not its file: a package with an entry for import and one for require is one copy.
          else if (theirs.errors.length === 0 && packageRoot(theirs.path, name) !== packageRoot(mine, name))
            refused.push(
              `${importer} imports another copy of ${name} (${relative(root, packageRoot(theirs.path, name))}, not the project's ${relative(root, packageRoot(mine, name))}): one chunk stands for every import of the name, so the copies must be one (npm dedupe), or take ${name} out of seal.lazy`,
            );
        }
        return { path: name, namespace: NAMESPACE };
      });
      b.onLoad({ filter: /.*/, namespace: NAMESPACE }, async (args) => {
        const file = await entry(args.path);
        return { contents: standIn(args.path, file === undefined ? undefined : await esmExports(file, root)), resolveDir: root, loader: 'js' };
      });
    },
  };
}

/** Resolves the chunk's one import (`seal-lazy-entry:<name>`) to the package's entry as entryOf finds it. */
function chunkEntryPlugin(root: string, refused: string[]): Plugin {
  return {
    name: 'seal-lazy-entry',
    setup(b) {
      b.onResolve({ filter: /^seal-lazy-entry:/ }, async (args) => {
        const name = args.path.slice('seal-lazy-entry:'.length);
        const path = await entryOf(b.resolve, name, root);
        if (path !== undefined) return { path };
        refused.push(notInstalled(name));
        return { path: name, namespace: 'seal-lazy-missing' };
      });
      b.onLoad({ filter: /.*/, namespace: 'seal-lazy-missing' }, () => ({ contents: '', loader: 'js' }));
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
    // An import esbuild cannot resolve (an optional dependency not installed) is left to run time, as in the main bundle.
    const out = await buildLeavingUnresolved(
      {
        ...options,
        plugins: [
          chunkEntryPlugin(root, refused),
          lazyPlugin(
            names.filter((n) => n !== name),
            root,
            refused,
          ),
          ...(options.plugins ?? []),
        ],
        stdin: { contents: `module.exports = require(${JSON.stringify(`seal-lazy-entry:${name}`)});\n`, resolveDir: root, sourcefile: `seal-lazy-${name}.js`, loader: 'js' },
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
    const file = lazyScript(name);
    const loads = findDynamicLoads(js.text, map.text, (source) => relative(root, resolve(root, source)), 'script', fileOfPackage(tree), packagesNamed(tree, root));
    chunks.push({ name, code: finished.code, file, map: maintainerMap(finished.map ?? map.text, { bundleDir: root, projectRoot: root, file }), inputs: treeInputs(out.metafile), loads });
  }
  return chunks;
}

/** A metafile's inputs that are files of the package tree (not the toolchain's preludes, not generated modules). */
export function treeInputs(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).filter((p) => p.includes('node_modules/') && !p.includes(':'));
}

/**
 * The files a chunk holds that the main bundle, or a chunk after it, holds too: each runs twice, each copy with its own
 * state. By chunk: with whom (`the main script`, `<name>'s chunk`) and which files.
 */
export function sharedInputs(main: Metafile, chunks: readonly LazyChunk[]): Map<string, { with: string; files: string[] }[]> {
  const holders = [{ with: 'the main script', files: new Set(treeInputs(main)) }, ...chunks.map((c) => ({ with: `${c.name}'s chunk`, files: new Set(c.inputs) }))];
  return new Map(
    chunks.map((c, i) => [
      c.name,
      holders
        .filter((_, j) => j === 0 || j > i + 1)
        .map((h) => ({ with: h.with, files: c.inputs.filter((f) => h.files.has(f)) }))
        .filter((s) => s.files.length > 0),
    ]),
  );
}
