/*
 * esbuild's passes that make a project's one CommonJS file (what SEA runs): first each worker entry of the
 * config on its own, then the program with those workers' code inside as string constants — a SEA has no
 * file a worker thread could start from. Several bins become one program that dispatches (dispatch.ts).
 * The dist step, the benchmarks and the tests all bundle this way.
 */
import { type BuildOptions, build } from 'esbuild';
import { present } from '../../shared/checked.ts';
import type { SealConfig } from './config.ts';
import { dispatchEntry } from './dispatch.ts';

export interface BundleOptions {
  /** The project's directory (package.json's); the config's paths are relative to it. */
  root: string;
  config: SealConfig;
  outfile: string;
  /** esbuild target, e.g. node22. */
  target: string;
  minify: boolean;
  /** Extra compile-time constants (the dist step's build facts). */
  define?: Record<string, string>;
}

/**
 * ESM dependencies bundled into CommonJS lose `import.meta.url` (esbuild leaves it undefined), and some read it
 * at load: fdir (under tinyglobby) calls createRequire(import.meta.url). Each module gets the bundle's own URL,
 * which is what a CommonJS file would have.
 */
const IMPORT_META_URL = { define: { 'import.meta.url': '__bundleUrl' }, banner: { js: 'var __bundleUrl=require("node:url").pathToFileURL(__filename).href;' } };

const common = (o: Pick<BundleOptions, 'root' | 'target' | 'minify'>): BuildOptions => ({
  absWorkingDir: o.root,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: o.target,
  minify: o.minify,
  legalComments: 'none',
  logLevel: 'error',
  banner: IMPORT_META_URL.banner,
});

/** One entry file of the project bundled alone, as text (a worker's code; tests start workers with it directly). */
export async function bundleEntry(o: Pick<BundleOptions, 'root' | 'target' | 'minify'> & { entry: string }): Promise<string> {
  const out = await build({ ...common(o), entryPoints: [o.entry], define: IMPORT_META_URL.define, write: false });
  const [output] = out.outputFiles ?? [];
  return present(output, `esbuild's output for ${o.entry}`).text;
}

/** The whole program into `outfile`: workers first (their code becomes constants), then the entry or the bins' dispatcher. */
export async function bundleProject(o: BundleOptions): Promise<void> {
  const workers: Record<string, string> = {};
  for (const [constant, entry] of Object.entries(o.config.workers)) workers[constant] = JSON.stringify(await bundleEntry({ ...o, entry }));
  const bins = Object.entries(o.config.bins);
  const [single] = bins;
  const entry: Pick<BuildOptions, 'entryPoints' | 'stdin'> =
    bins.length === 1 && single ? { entryPoints: [single[1]] } : { stdin: { contents: dispatchEntry(o.config.bins), resolveDir: o.root, sourcefile: 'seal-dispatch.js', loader: 'js' } };
  await build({ ...common(o), ...entry, outfile: o.outfile, define: { ...IMPORT_META_URL.define, ...o.define, ...workers } });
}
