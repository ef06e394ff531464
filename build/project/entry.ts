/*
 * The bundle's entry, a small generated module: it mounts the embedded files (prelude/assets.cjs), lets native
 * addons load from them (prelude/addons.cjs) and worker threads start from them (prelude/workers.cjs), then runs
 * the program — or, for a package with several bins, the one the binary was asked for (dispatch.ts), with
 * process.argv[1] its path (prelude/main-script.cjs) — unless the process was started as node (prelude/as-node.cjs),
 * which runs the script or code it was given instead. A
 * snapshot's program with nothing to mount is bundled from its own entry file.
 */
import type { BuildOptions } from 'esbuild';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { modulesStatement } from './bundled-modules.ts';
import type { SealConfig } from './config.ts';
import { dispatchSource } from './dispatch.ts';
import { MAIN_SCRIPT_PRELUDE, mainScriptSource } from './main-module.ts';
import { prelude } from './preludes.ts';

const ASSETS_PRELUDE = prelude('assets.cjs');
const ADDONS_PRELUDE = prelude('addons.cjs');
const WORKERS_PRELUDE = prelude('workers.cjs');
const AS_NODE_PRELUDE = prelude('as-node.cjs');
const DEPRECATIONS_PRELUDE = prelude('deprecations.cjs');

/** What the binary embeds beyond seal.assets: native addons, worker files started from the mounted tree, files required by exact path through createRequire. */
export interface Embeds {
  addons: boolean;
  workers: boolean;
  files?: boolean;
  /** Modules bundled for computed requires known in full: the entry loads their table first (bundled-modules.ts). */
  modules?: boolean;
  /** The program is an installed package, all its code under node_modules: Node's node_modules-only silences hold for it (prelude/deprecations.cjs). */
  installed?: boolean;
}

/** The preludes a program (or a worker of it) runs first: mount the embedded files if anything is embedded, then what loads from them. */
function preludeFiles(config: SealConfig, embeds: Embeds): string[] {
  const mounts = config.assets.length > 0 || embeds.addons || embeds.workers || embeds.files === true;
  return [
    // Not in a snapshot, whose preludes run at build time: the wrapper would be in the snapshot's heap.
    ...(embeds.installed && config.startup !== 'snapshot' ? [DEPRECATIONS_PRELUDE] : []),
    ...(mounts ? [ASSETS_PRELUDE] : []),
    ...(embeds.addons ? [ADDONS_PRELUDE] : []),
    ...(embeds.workers ? [WORKERS_PRELUDE] : []),
  ];
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
  if (format === 'esm') {
    if (bins.length !== 1 || !single)
      throw new BuildError(`${bins.map(([, f]) => f).join(', ')}: a package of several bins whose code has top-level await cannot be one binary yet (each bin would have to be imported only when chosen); pack one bin (seal.entry)`);
    // Each through its .mjs twin (prelude/*.mjs): a CommonJS file imported here would run after the program.
    const imports = preludeFiles(config, embeds)
      .map((p) => `import ${JSON.stringify(p.replace(/\.cjs$/, '.mjs'))};\n`)
      .join('');
    const argv = `import ${JSON.stringify(MAIN_SCRIPT_PRELUDE.replace(/\.cjs$/, '.mjs'))};\n`;
    return { stdin: { contents: `${imports}${table}${argv}import ${JSON.stringify(`./${single[1]}`)};\n`, resolveDir: root, sourcefile: 'seal-entry.mjs', loader: 'js' } };
  }
  // A snapshot runs this entry at build time, not at each start: no process is started as node there, and
  // process.argv is not the program's.
  const atBuild = config.startup === 'snapshot';
  const main = single ? mains[single[0]] : undefined;
  const program = bins.length === 1 && single ? `${main === undefined || atBuild ? '' : `${mainScriptSource(main)}\n`}require(${JSON.stringify(`./${single[1]}`)});\n` : dispatchSource(config.bins, mains, atBuild, config.name);
  if (atBuild) {
    if (prelude === '' && table === '' && bins.length === 1 && single) return { entryPoints: [single[1]] };
    return { stdin: { contents: prelude + table + program, resolveDir: root, sourcefile: 'seal-entry.js', loader: 'js' } };
  }
  const asNode = `if (!require(${JSON.stringify(AS_NODE_PRELUDE)}).start(${JSON.stringify(binsByPath(mains))})) {\n${program}}\n`;
  return { stdin: { contents: prelude + table + asNode, resolveDir: root, sourcefile: 'seal-entry.js', loader: 'js' } };
}

/** For prelude/as-node.cjs: each bin's path under the virtual root → its command (null when it is the only one). */
function binsByPath(mains: Record<string, string>): Record<string, string | null> {
  const entries = Object.entries(mains);
  return Object.fromEntries(entries.map(([cmd, path]) => [path, entries.length === 1 ? null : cmd]));
}
