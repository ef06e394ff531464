/*
 * esbuild's passes that make a project's one CommonJS file (what SEA runs): first each worker entry of the
 * config on its own, then the program with those workers' code inside as string constants — a SEA has no
 * file a worker thread could start from. Several bins become one program that dispatches (dispatch.ts), and
 * each module sees the __dirname it had in the package tree (virtual-paths.ts).
 * The dist step, the benchmarks and the tests all bundle this way.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { present } from '../../shared/checked.ts';
import { type DynamicLoad, findDynamicLoads } from './dynamic-loads.ts';
import { programEntry } from './entry.ts';
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
}

/**
 * In a SEA the main script's require loads only built-in modules; the requires esbuild leaves in the bundle are
 * the ones it could not resolve (computed paths, plugins found at run time), so they get Node's full require —
 * the one a CommonJS file at the executable's path would have, which also reads the mounted assets.
 */
const FULL_REQUIRE = { js: 'require=require("node:module").createRequire(__filename);' };

type Common = Pick<BundleOptions, 'project' | 'target' | 'minify'>;

const common = (o: Common): BuildOptions => ({
  absWorkingDir: o.project.root,
  plugins: [virtualPathsPlugin(treeRoot(o.project))],
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
 * dispatcher. Returns the loads esbuild could not follow (dynamic-loads.ts), for the caller to judge.
 */
export async function bundleProject(o: BundleOptions): Promise<DynamicLoad[]> {
  const workers: Record<string, string> = {};
  for (const [constant, entry] of Object.entries(o.project.config.workers)) workers[constant] = JSON.stringify(await bundleFile({ ...o, entry }));
  const define = { ...o.define, ...workers, __SEAL_VIRTUAL_ROOT__: JSON.stringify(VIRTUAL_ROOT) };
  // A computed import() becomes a require (SEA's main script has no import() of files; require loads ESM too),
  // so both kinds of load go through the one full require and are found the same way.
  const out = await build({
    ...common(o),
    ...programEntry(o.project.root, o.project.config),
    banner: FULL_REQUIRE,
    outfile: o.outfile,
    define,
    supported: { 'dynamic-import': false },
    sourcemap: 'external',
    write: false,
  });
  const js = present(
    out.outputFiles?.find((f) => f.path === o.outfile),
    `esbuild's output ${o.outfile}`,
  );
  const map = present(
    out.outputFiles?.find((f) => f.path === `${o.outfile}.map`),
    `esbuild's source map for ${o.outfile}`,
  );
  await writeFile(o.outfile, js.contents);
  return findDynamicLoads(js.text, map.text, (source) => relative(o.project.root, resolve(dirname(o.outfile), source)));
}
