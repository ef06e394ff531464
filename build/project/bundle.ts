/*
 * esbuild's passes that make a project's one CommonJS file (what SEA runs): first each worker entry of the
 * config on its own, then the program with those workers' code inside as string constants — a SEA has no
 * file a worker thread could start from. Several bins become one program that dispatches (dispatch.ts), and
 * each module sees the __dirname it had in the package tree (virtual-paths.ts).
 * Native addons are known only once the program is bundled (addon-files.ts); when the binary is to embed
 * some, the program is bundled again with the preludes that let them load (entry.ts).
 * The dist step, the benchmarks and the tests all bundle this way.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { present } from '../../shared/checked.ts';
import { type AddonFile, addonFile, addonRequirePlugin, addonsInPackages, bindingsPlugin } from './addon-files.ts';
import { type DynamicLoad, findDynamicLoads } from './dynamic-loads.ts';
import { PRELUDE_DIR, programEntry } from './entry.ts';
import type { Project } from './project.ts';
import { treeRoot, VIRTUAL_ROOT, virtualPathsPlugin } from './virtual-paths.ts';

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
}

export interface Bundled {
  /** The loads esbuild could not follow (dynamic-loads.ts), for the caller to judge. */
  loads: DynamicLoad[];
  /** The native addons the binary embeds, to be packed with the assets. */
  addons: AddonFile[];
}

/**
 * In a SEA the main script's require loads only built-in modules; the requires esbuild leaves in the bundle are
 * the ones it could not resolve (computed paths, plugins found at run time), so they get Node's full require —
 * the one a CommonJS file at the executable's path would have, which also reads the mounted assets.
 */
const FULL_REQUIRE = { js: 'require=require("node:module").createRequire(__filename);' };

type Common = Pick<BundleOptions, 'project' | 'target' | 'minify'>;

const common = (o: Common, required = new Set<string>()): BuildOptions => ({
  absWorkingDir: o.project.root,
  plugins: [virtualPathsPlugin(treeRoot(o.project)), addonRequirePlugin(treeRoot(o.project), required), bindingsPlugin(treeRoot(o.project), o.project.root)],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: o.target,
  minify: o.minify,
  legalComments: 'none',
  logLevel: 'error',
});

/** One file of the project bundled alone, as text (a worker's code; tests start workers with it directly). */
export async function bundleFile(o: Common & { entry: string }): Promise<string> {
  const out = await build({ ...common(o), entryPoints: [o.entry], write: false });
  const [output] = out.outputFiles ?? [];
  return present(output, `esbuild's output for ${o.entry}`).text;
}

/**
 * The whole program into `outfile`: workers first (their code becomes constants), then the entry or the bins'
 * dispatcher, then again with the addon preludes if the binary embeds native addons.
 */
export async function bundleProject(o: BundleOptions): Promise<Bundled> {
  const workers: Record<string, string> = {};
  for (const [constant, entry] of Object.entries(o.project.config.workers)) workers[constant] = JSON.stringify(await bundleFile({ ...o, entry }));
  const define = { ...o.define, ...workers, __SEAL_VIRTUAL_ROOT__: JSON.stringify(VIRTUAL_ROOT), __SEAL_APP_NAME__: JSON.stringify(o.project.config.name) };
  const required = new Set<string>();
  // A computed import() becomes a require (SEA's main script has no import() of files; require loads ESM too),
  // so both kinds of load go through the one full require and are found the same way.
  const program = (addons: boolean) =>
    build({
      ...common(o, required),
      ...programEntry(o.project.root, o.project.config, { addons }),
      banner: FULL_REQUIRE,
      outfile: o.outfile,
      define,
      supported: { 'dynamic-import': false },
      sourcemap: 'external',
      metafile: true,
      write: false,
    });
  let out = await program(false);
  const inputs = Object.keys(out.metafile.inputs).map((f) => resolve(o.project.root, f));
  const inPackages = await addonsInPackages(inputs, o.project.root, (f) => f.startsWith(PRELUDE_DIR));
  const found = [...new Set([...required, ...inPackages])].sort().map((f) => addonFile(f, o.project.root, required.has(f)));
  const addons = o.addons ? await o.addons(found) : found;
  if (addons.length > 0) out = await program(true);
  const js = present(
    out.outputFiles?.find((f) => f.path === o.outfile),
    `esbuild's output ${o.outfile}`,
  );
  const map = present(
    out.outputFiles?.find((f) => f.path === `${o.outfile}.map`),
    `esbuild's source map for ${o.outfile}`,
  );
  await writeFile(o.outfile, js.contents);
  return { loads: findDynamicLoads(js.text, map.text, (source) => relative(o.project.root, resolve(dirname(o.outfile), source))), addons };
}
