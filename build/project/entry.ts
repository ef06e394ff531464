/*
 * The bundle's entry: the program's own entry file when that is all there is; otherwise a small generated
 * module that first mounts the embedded files (prelude/assets.cjs), then lets native addons load from them
 * (prelude/addons.cjs), and then runs the program — or, for a package with several bins, the one the binary
 * was asked for (dispatch.ts).
 */
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import type { SealConfig } from './config.ts';
import { dispatchSource } from './dispatch.ts';

export const PRELUDE_DIR = fileURLToPath(new URL('./prelude/', import.meta.url));
const ASSETS_PRELUDE = `${PRELUDE_DIR}assets.cjs`;
const ADDONS_PRELUDE = `${PRELUDE_DIR}addons.cjs`;

/** `addons`: the binary embeds native addons, so it mounts the embedded files even when seal.assets is empty. */
export function programEntry(root: string, config: SealConfig, embeds: { addons: boolean } = { addons: false }): Pick<BuildOptions, 'entryPoints' | 'stdin'> {
  const bins = Object.entries(config.bins);
  const [single] = bins;
  const mounts = config.assets.length > 0 || embeds.addons;
  if (!mounts && bins.length === 1 && single) return { entryPoints: [single[1]] };
  const preludes = [...(mounts ? [ASSETS_PRELUDE] : []), ...(embeds.addons ? [ADDONS_PRELUDE] : [])];
  const prelude = preludes.map((p) => `require(${JSON.stringify(p)});\n`).join('');
  const program = bins.length === 1 && single ? `require(${JSON.stringify(`./${single[1]}`)});\n` : dispatchSource(config.bins);
  return { stdin: { contents: prelude + program, resolveDir: root, sourcefile: 'seal-entry.js', loader: 'js' } };
}
