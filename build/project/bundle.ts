/*
 * esbuild's passes that make a project's one CommonJS file (what SEA runs): first each worker entry of the
 * config on its own, then the program with those workers' code inside as string constants — a SEA has no
 * file a worker thread could start from. Several bins become one program that dispatches (dispatch.ts), and
 * each module sees the __dirname it had in the package tree (virtual-paths.ts).
 * Native addons and the files loaded where esbuild could not follow are known only once the program is bundled
 * (embedded-files.ts); when the binary is to embed some, the program is bundled again with the preludes that let
 * them load (entry.ts), and the worker files it starts from its tree are bundled on their own (worker-files.ts).
 * The dist step, the benchmarks and the tests all bundle this way.
 */
import { writeFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildFailure, type BuildOptions, build } from 'esbuild';
import { present } from '../../shared/checked.ts';
import { firstFew } from '../../shared/first-few.ts';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { type AddonFile, addonRequirePlugin, bindingsPlugin } from './addon-files.ts';
import { addonPlaces } from './addon-places.ts';
import { bannerFor } from './banner.ts';
import { type BundledModules, bundledModules, modulesPlugin, relativeModules } from './bundled-modules.ts';
import { type DynamicLoad, findDynamicLoads } from './dynamic-loads.ts';
import { embeddedFiles } from './embedded-files.ts';
import { type Embeds, programEntry } from './entry.ts';
import { esmLauncher, esmUrl } from './esm-launcher.ts';
import { finishedCode } from './finished-code.ts';
import { fsPromisesPlugin } from './fs-promises.ts';
import { type LazyCandidate, lazyCandidates } from './lazy-candidates.ts';
import { bundleLazyChunks, lazyFileStem, lazyPlugin, refusedError, sharedInputs } from './lazy-chunks.ts';
import { maintainerMap } from './maintainer-map.ts';
import { PRELUDE_DIR, preludesPlugin } from './preludes.ts';
import type { Project } from './project.ts';
import { type BundledNames, externalPackages, packagesByName } from './served-names.ts';
import { declaredPackages, fileOfPackage, packagesNamed } from './tree-packages.ts';
import { buildLeavingUnresolved, type Unresolved } from './unresolved.ts';
import { treeRoot, VIRTUAL_ROOT, virtualPath, virtualPathsPlugin } from './virtual-paths.ts';
import { bundleWorkers, type WorkerFile, workerBootstrap, workerPaths } from './worker-files.ts';

export interface BundleOptions {
  /** The project: its directory (the config's paths are relative to it) and its config. */
  project: Pick<Project, 'root' | 'installed' | 'config'>;
  outfile: string;
  /** esbuild target, e.g. node22. */
  target: string;
  minify: boolean;
  /** Extra compile-time constants (the dist step's build facts). */
  define?: Record<string, string>;
  /** Judges the native addons the program needs and returns those the binary embeds (addon-check.ts); without it, all of them. */
  addons?: (found: AddonFile[]) => Promise<AddonFile[]>;
  /** seal.assets' files under the virtual root (the assets step's): a load into a place they cover embeds nothing more. */
  assets?: readonly string[];
  /**
   * seal.lazy's packages each into a chunk of its own (lazy-chunks.ts), which only a SEA blob can carry: the dist
   * build's. Otherwise (a bundle run by node: the tests; by bun: bench:startup's peer) they are bundled as any package.
   */
  lazy?: boolean;
}

export interface Bundled {
  /** The loads esbuild could not follow (dynamic-loads.ts), for the caller to judge. */
  loads: DynamicLoad[];
  /** The native addons the binary embeds, to be packed with the assets. */
  addons: AddonFile[];
  /** The worker files the program starts from the mounted tree, bundled, to be packed with the assets. */
  workers: WorkerFile[];
  /** Imports esbuild could not resolve, left to run time (unresolved.ts). */
  unresolved: Unresolved[];
  /**
   * Files of the package tree the program loads by exact path where esbuild does not follow (createRequire(import.meta.url)'s
   * require of a JSON file or a module, a hidden import()), with the modules' own relative loads and package.json
   * files: they travel with the assets.
   */
  files: string[];
  /** esm: the program has top-level await, so it is one ES module run by a CommonJS launcher (esm-launcher.ts). */
  format: 'cjs' | 'esm';
  /** Virtual paths of the modules bundled for computed requires known in full (bundled-modules.ts). */
  modules: string[];
  /** seal.lazy's chunks, when asked for (`lazy`): each written to `file`; `shared`, the files the main bundle or a later chunk holds too (each then runs twice). */
  lazy: { name: string; file: string; bytes: number; shared: { with: string; files: string[] }[]; loads: DynamicLoad[] }[];
  /** With `lazy`: the packages the program loads only through import(), which seal.lazy could also take out of every start (lazy-candidates.ts). */
  lazyCandidates: LazyCandidate[];
}

/** esbuild's refusal to put a top-level await into CommonJS: the program must be an ES module. */
const isTopLevelAwaitInCjs = (err: unknown) => ((err as Partial<BuildFailure>).errors ?? []).some((e) => /^Top-level await is currently not supported with the "cjs" output format/.test(e.text));

type Common = Pick<BundleOptions, 'project' | 'target' | 'minify'>;

/** The bins' files on disk: their own `require.main` is their module (virtual-paths.ts). */
const binFiles = (project: BundleOptions['project']) => new Set(Object.values(project.config.bins).map((f) => resolve(project.root, f)));

/** How many times modules required by a path known in full may bring more such modules into the bundle. */
const MODULE_ROUNDS = 4;

const common = (o: Common, required = new Set<string>(), resolved = new Set<string>(), relatives = new Map<string, string>()): BuildOptions => ({
  absWorkingDir: o.project.root,
  plugins: [
    virtualPathsPlugin(treeRoot(o.project), { resolved, bins: binFiles(o.project), relatives, preludes: PRELUDE_DIR, omit: o.project.config.omit }),
    addonRequirePlugin(treeRoot(o.project), required),
    bindingsPlugin(treeRoot(o.project), o.project.root),
    fsPromisesPlugin(),
    preludesPlugin(),
  ],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: o.target,
  minify: o.minify,
  // Functions and classes keep their names: programs read `constructor.name` (webpack checks a compilation's is
  // "Compilation"), and esbuild renames a class that refers to itself (`_Compilation`) even unminified.
  keepNames: true,
  legalComments: 'none',
  logLevel: 'error',
  external: o.project.config.external.flatMap((name) => [name, `${name}/*`]),
});

/** Where bundleProject writes the bundle's source map for maintainers (maintainer-map.ts). */
export const mapFile = (outfile: string) => `${outfile}.map`;

/** One file of the project bundled alone, as text (a worker's code; tests start workers with it directly). */
export async function bundleFile(o: Common & { entry: string }): Promise<string> {
  return (await bundleWorker(o)).code;
}

/** The name a seal.workers bundle's frames show (`seal:worker/<CONSTANT>.js`), given by its sourceURL comment. */
export const workerScript = (constant: string) => `seal:worker/${constant}.js`;

/**
 * One file bundled alone with its map, as the maintainers' map keeps it. Given a `script` name, the code ends with a
 * sourceURL comment naming it: a worker started from a string (`eval: true`) would show `[worker eval]` in its frames,
 * the same for every worker; with the name, `seal stack` knows whose map to read them with.
 */
async function bundleWorker(o: Common & { entry: string; script?: string }): Promise<{ code: string; map: string }> {
  const outfile = resolve(o.project.root, 'seal-worker.cjs');
  const out = await build({ ...common(o), entryPoints: [o.entry], outfile, sourcemap: 'external', write: false });
  const js = present(
    out.outputFiles?.find((f) => f.path === outfile),
    `esbuild's output for ${o.entry}`,
  );
  const map = present(
    out.outputFiles?.find((f) => f.path === `${outfile}.map`),
    `esbuild's map for ${o.entry}`,
  );
  const finished = await finishedCode(js.text, o.minify, map.text);
  const script = o.script ?? basename(o.entry);
  return {
    code: o.script === undefined ? finished.code : `${finished.code}\n//# sourceURL=${o.script}\n`,
    map: maintainerMap(finished.map ?? map.text, { bundleDir: o.project.root, projectRoot: o.project.root, file: script }),
  };
}

/**
 * The whole program into `outfile`: seal.workers first (their code becomes constants), then the entry or the bins'
 * dispatcher, then again with the preludes if the binary embeds native addons or starts workers from its files,
 * then those worker files on their own.
 */
export async function bundleProject(o: BundleOptions): Promise<Bundled> {
  const inlined: Record<string, string> = {};
  // The maps of the other scripts the binary runs (seal.workers' bundles, seal.lazy's chunks, worker files), by the name their frames show.
  const scriptMaps: Record<string, string> = {};
  for (const [constant, entry] of Object.entries(o.project.config.workers)) {
    const worker = await bundleWorker({ ...o, entry, script: workerScript(constant) });
    inlined[constant] = JSON.stringify(worker.code);
    scriptMaps[workerScript(constant)] = worker.map;
  }
  // __SEAL_ADDON_LIBRARIES__ is known once the addons are (prelude/addons.cjs, addon-places.ts).
  const define: Record<string, string> = { ...o.define, ...inlined, __SEAL_VIRTUAL_ROOT__: JSON.stringify(VIRTUAL_ROOT), __SEAL_APP_NAME__: JSON.stringify(o.project.config.name), __SEAL_ADDON_LIBRARIES__: '{}' };
  const required = new Set<string>();
  // Files the program's modules name by a literal relative require.resolve (virtual-paths.ts).
  const resolved = new Set<string>();
  // Files a module with a computed require names by a literal relative name, by the path it would require (virtual-paths.ts).
  const relatives = new Map<string, string>();
  let unresolved: Unresolved[] = [];
  // A computed import() becomes a require, so both kinds of load go through the one full require
  // (full-require.ts) and are found the same way; require loads ESM too, except a module with top-level
  // await. (The mounted files would serve import() as well: the vfs library hooks it through
  // module.registerHooks, present from Node 22.15; measured on 22.22.2 and 24.22.3.)
  let format = 'cjs' as 'cjs' | 'esm';
  let modules: BundledModules = {};
  // Packages served by name (served-names.ts): name → path, and their package.json files to embed.
  let names: BundledNames = {};
  let namedEmbed: string[] = [];
  // seal.external: required by name, run from the embedded files.
  const external = externalPackages(o.project.config.external, treeRoot(o.project), o.project.root);
  // What require.main describes (main-module.ts): the one bin from the banner, or the chosen one from the dispatcher.
  const mains = Object.fromEntries(Object.entries(o.project.config.bins).map(([cmd, file]) => [cmd, virtualPath(treeRoot(o.project), resolve(o.project.root, file))]));
  const [onlyMain] = Object.keys(mains).length === 1 ? Object.values(mains) : [];
  // seal.lazy: its packages' imports made stand-ins (ahead of the plugins that resolve names), what cannot be refused here.
  const lazyNames = o.lazy ? o.project.config.lazy : [];
  const refused: string[] = [];
  const program = (embeds: Embeds) => {
    unresolved = [];
    const options = common(o, required, resolved, relatives);
    const withModules = { ...embeds, modules: Object.keys(modules).length > 0 || Object.keys(external.names).length > 0, installed: o.project.installed };
    return buildLeavingUnresolved(
      {
        ...options,
        plugins: [lazyPlugin(lazyNames, o.project.root, refused), ...(options.plugins ?? []), modulesPlugin(modules, o.project.root, { ...names, ...external.names })],
        ...programEntry(o.project.root, o.project.config, withModules, format, mains),
        format,
        banner: { js: bannerFor({ format, startup: o.project.config.startup, onlyMain }) },
        outfile: o.outfile,
        define,
        supported: { 'dynamic-import': false },
        sourcemap: 'external',
        metafile: true,
        write: false,
      },
      treeRoot(o.project),
      unresolved,
    );
  };
  let out = await program({ addons: false, workers: false }).catch((err: unknown) => {
    if (!isTopLevelAwaitInCjs(err)) throw err;
    format = 'esm';
    return program({ addons: false, workers: false });
  });
  if (format === 'esm' && o.project.config.startup === 'snapshot') {
    throw new BuildError(
      'seal.startup is "snapshot", but the program has top-level await: it runs as an ES module behind a launcher, and a snapshot is made from a CommonJS script that finishes synchronously. Use "startup": "code-cache" (the default)',
    );
  }
  const outputOf = (built: typeof out, path: string) =>
    present(
      built.outputFiles?.find((f) => f.path === path),
      `esbuild's output ${path}`,
    );
  let js = outputOf(out, o.outfile);
  const tree = treeRoot(o.project);
  // The program's loads, from the bundle without the preludes that mount files: the program's code is the same in
  // both, and their code (the vfs library's many short names) would only blur the name lookups of dynamic-loads.ts.
  // The as-node prelude is in every bundle (entry.ts): its loads are its own, not the program's.
  const loadsOf = (built: typeof out) =>
    findDynamicLoads(
      outputOf(built, o.outfile).text,
      outputOf(built, `${o.outfile}.map`).text,
      (source) => relative(o.project.root, resolve(dirname(o.outfile), source)),
      format === 'esm' ? 'module' : 'script',
      fileOfPackage(tree),
      packagesNamed(tree, o.project.root),
    ).filter((l) => !resolve(o.project.root, l.at).startsWith(PRELUDE_DIR));
  let found = loadsOf(out);
  // Modules required by a path known in full are bundled, and what they load is read again: a bundled module may
  // require another so (npm's lib/cli.js requires lib/cli/entry.js, the rest of npm). So are the packages a module
  // with a computed require may load by name (bundled-modules.ts).
  const declared = declaredPackages(tree, o.project.root);
  for (let round = 0; round < MODULE_ROUNDS; round++) {
    const named = packagesByName(found, declared, tree, [...o.project.config.omit, ...o.project.config.external]);
    const more = { ...bundledModules(found, tree), ...named.modules, ...relativeModules(relatives) };
    if (Object.keys(more).every((k) => k in modules) && Object.keys(named.names).every((n) => n in names)) break;
    modules = { ...modules, ...more };
    names = { ...named.names, ...names };
    namedEmbed = [...new Set([...namedEmbed, ...named.embed])].sort();
    out = await program({ addons: false, workers: false });
    js = outputOf(out, o.outfile);
    found = loadsOf(out);
  }
  // What the loads esbuild could not follow make the binary embed: files of the tree, and addons to judge.
  const { loads, files, candidates } = await embeddedFiles(
    { found, code: js.text, inputs: Object.keys(out.metafile.inputs), resolved, required, embed: [...namedEmbed, ...external.embed] },
    { root: o.project.root, tree, omit: o.project.config.omit, ...(o.assets ? { assets: o.assets } : {}) },
  );
  const addons = o.addons ? await o.addons(candidates) : candidates;
  define.__SEAL_ADDON_LIBRARIES__ = JSON.stringify(addonPlaces(tree, addons));
  // Worker threads: those the build bundles, and for a seal.external package's own, the bootstrap (worker-files.ts).
  const embeds: Embeds = { addons: addons.length > 0, workers: loads.some((l) => l.kind === 'worker') || o.project.config.external.length > 0, files: files.length > 0, installed: o.project.installed };
  define.__SEAL_WORKER_FILES__ = JSON.stringify(workerPaths(loads));
  define.__SEAL_WORKER_BOOTSTRAP__ = o.project.config.external.length > 0 ? JSON.stringify(await workerBootstrap({ project: o.project, outfile: o.outfile, options: common(o), define, embeds }, unresolved)) : '""';
  if (embeds.addons || embeds.workers || embeds.files) {
    out = await program(embeds);
    js = outputOf(out, o.outfile);
  }
  // After every scan of the bundle's text (short-lines.ts).
  const { code, map } = await finishedCode(js.text, o.minify, outputOf(out, `${o.outfile}.map`).text);
  await writeFile(o.outfile, format === 'cjs' ? code : esmLauncher(code, esmUrl(o.project.config.name)));
  const file = format === 'cjs' ? basename(o.outfile) : basename(fileURLToPath(esmUrl(o.project.config.name)));
  if (refused.length > 0) throw refusedError(refused);
  // What the main bundle embeds for its modules (native addons, files named by require.resolve, computed relative
  // requires) a chunk would need too, and does not carry: refused, naming the files.
  const [chunkAddons, chunkResolved, chunkRelatives] = [new Set<string>(), new Set<string>(), new Map<string, string>()];
  const chunks = await bundleLazyChunks(lazyNames, { ...common(o, chunkAddons, chunkResolved, chunkRelatives), define }, { root: o.project.root, tree }, unresolved);
  const unembedded = [...chunkAddons, ...chunkResolved, ...chunkRelatives.values()].map((f) => relative(o.project.root, f));
  if (unembedded.length > 0)
    throw new BuildError(
      `seal.lazy: a chunk loads files the binary would have to embed for it (native addons, files named by require.resolve or a computed relative require): ${firstFew(unembedded, 5)}; a chunk carries none: take the package they are from out of seal.lazy`,
    );
  for (const c of chunks) scriptMaps[c.file] = c.map;
  const { workers, maps: workerMaps } = await bundleWorkers({ project: o.project, outfile: o.outfile, options: common(o), define, embeds }, loads, unresolved);
  Object.assign(scriptMaps, workerMaps);
  await writeFile(mapFile(o.outfile), maintainerMap(present(map, "the finished bundle's source map"), { bundleDir: dirname(o.outfile), projectRoot: o.project.root, file }, scriptMaps));
  const shared = sharedInputs(out.metafile, chunks);
  const lazy = [];
  for (const c of chunks) {
    const file = `${o.outfile}.lazy-${lazyFileStem(c.name)}.cjs`;
    await writeFile(file, c.code);
    lazy.push({ name: c.name, file, bytes: Buffer.byteLength(c.code), shared: shared.get(c.name) ?? [], loads: c.loads });
  }
  const { omit, external: kept, lazy: named } = o.project.config;
  const suggested = o.lazy ? lazyCandidates(out.metafile, relative(o.project.root, o.outfile), [...named, ...kept, ...omit]) : [];
  return { loads, addons, workers, unresolved, format, files, modules: Object.keys(modules).sort(), lazy, lazyCandidates: suggested };
}
