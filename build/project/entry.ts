/*
 * The bundle's entry: the program's own entry file when that is all there is; otherwise a small generated
 * module that first mounts the embedded files (prelude/assets.cjs), then lets native addons load from them
 * (prelude/addons.cjs) and worker threads start from them (prelude/workers.cjs), and then runs the program — or, for a package with several bins, the one the binary
 * was asked for (dispatch.ts).
 */
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { modulesStatement } from './bundled-modules.ts';
import type { SealConfig } from './config.ts';
import { dispatchSource } from './dispatch.ts';

export const PRELUDE_DIR = fileURLToPath(new URL('./prelude/', import.meta.url));
const ASSETS_PRELUDE = `${PRELUDE_DIR}assets.cjs`;
const ADDONS_PRELUDE = `${PRELUDE_DIR}addons.cjs`;
const WORKERS_PRELUDE = `${PRELUDE_DIR}workers.cjs`;

/** What the binary embeds beyond seal.assets: native addons, worker files started from the mounted tree, files required by exact path through createRequire. */
export interface Embeds {
  addons: boolean;
  workers: boolean;
  files?: boolean;
  /** Modules bundled for computed requires known in full: the entry loads their table first (bundled-modules.ts). */
  modules?: boolean;
}

/** The preludes a program (or a worker of it) runs first: mount the embedded files if anything is embedded, then what loads from them. */
function preludeFiles(config: SealConfig, embeds: Embeds): string[] {
  const mounts = config.assets.length > 0 || embeds.addons || embeds.workers || embeds.files === true;
  return [...(mounts ? [ASSETS_PRELUDE] : []), ...(embeds.addons ? [ADDONS_PRELUDE] : []), ...(embeds.workers ? [WORKERS_PRELUDE] : [])];
}

/** The preludes as CommonJS statements. */
export function preludeSource(config: SealConfig, embeds: Embeds): string {
  return preludeFiles(config, embeds)
    .map((p) => `require(${JSON.stringify(p)});\n`)
    .join('');
}

/**
 * The entry esbuild bundles. `esm` (a program with top-level await, esm-launcher.ts): the preludes and the program
 * are imported, not required — a module with top-level await cannot be required — and in that order, as an
 * ES module evaluates its imports; several bins would need each imported only when chosen, which is not done yet.
 */
export function programEntry(root: string, config: SealConfig, embeds: Embeds = { addons: false, workers: false }, format: 'cjs' | 'esm' = 'cjs', mains: Record<string, string> = {}): Pick<BuildOptions, 'entryPoints' | 'stdin'> {
  const bins = Object.entries(config.bins);
  const [single] = bins;
  const prelude = preludeSource(config, embeds);
  const table = embeds.modules ? modulesStatement(format) : '';
  if (prelude === '' && table === '' && bins.length === 1 && single) return { entryPoints: [single[1]] };
  if (format === 'esm') {
    if (bins.length !== 1 || !single)
      throw new BuildError(`${bins.map(([, f]) => f).join(', ')}: a package of several bins whose code has top-level await cannot be one binary yet (each bin would have to be imported only when chosen); pack one bin (seal.entry)`);
    // Each through its .mjs twin (prelude/*.mjs): a CommonJS file imported here would run after the program.
    const imports = preludeFiles(config, embeds)
      .map((p) => `import ${JSON.stringify(p.replace(/\.cjs$/, '.mjs'))};\n`)
      .join('');
    return { stdin: { contents: `${imports}${table}import ${JSON.stringify(`./${single[1]}`)};\n`, resolveDir: root, sourcefile: 'seal-entry.mjs', loader: 'js' } };
  }
  const program = bins.length === 1 && single ? `require(${JSON.stringify(`./${single[1]}`)});\n` : dispatchSource(config.bins, mains);
  return { stdin: { contents: prelude + table + program, resolveDir: root, sourcefile: 'seal-entry.js', loader: 'js' } };
}
