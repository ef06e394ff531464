/*
 * The bundle's entry: the program's own entry file when that is all there is; otherwise a small generated
 * module that first mounts the embedded files (prelude/assets.cjs), then lets native addons load from them
 * (prelude/addons.cjs) and worker threads start from them (prelude/workers.cjs), and then runs the program — or, for a package with several bins, the one the binary
 * was asked for (dispatch.ts).
 */
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import type { SealConfig } from './config.ts';
import { dispatchSource } from './dispatch.ts';

export const PRELUDE_DIR = fileURLToPath(new URL('./prelude/', import.meta.url));
const ASSETS_PRELUDE = `${PRELUDE_DIR}assets.cjs`;
const ADDONS_PRELUDE = `${PRELUDE_DIR}addons.cjs`;
const WORKERS_PRELUDE = `${PRELUDE_DIR}workers.cjs`;

/** What the binary embeds beyond seal.assets: native addons, and worker files started from the mounted tree. */
export interface Embeds {
  addons: boolean;
  workers: boolean;
}

/** The preludes a program (or a worker of it) runs first: mount the embedded files if anything is embedded, then what loads from them. */
export function preludeSource(config: SealConfig, embeds: Embeds): string {
  const mounts = config.assets.length > 0 || embeds.addons || embeds.workers;
  const preludes = [...(mounts ? [ASSETS_PRELUDE] : []), ...(embeds.addons ? [ADDONS_PRELUDE] : []), ...(embeds.workers ? [WORKERS_PRELUDE] : [])];
  return preludes.map((p) => `require(${JSON.stringify(p)});\n`).join('');
}

export function programEntry(root: string, config: SealConfig, embeds: Embeds = { addons: false, workers: false }): Pick<BuildOptions, 'entryPoints' | 'stdin'> {
  const bins = Object.entries(config.bins);
  const [single] = bins;
  const prelude = preludeSource(config, embeds);
  if (prelude === '' && bins.length === 1 && single) return { entryPoints: [single[1]] };
  const program = bins.length === 1 && single ? `require(${JSON.stringify(`./${single[1]}`)});\n` : dispatchSource(config.bins);
  return { stdin: { contents: prelude + program, resolveDir: root, sourcefile: 'seal-entry.js', loader: 'js' } };
}
