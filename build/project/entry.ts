/*
 * The bundle's entry: the program's own entry file when that is all there is; otherwise a small generated
 * module that first mounts the assets (prelude/assets.cjs) and then runs the program — or, for a package
 * with several bins, the one the binary was asked for (dispatch.ts).
 */
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import type { SealConfig } from './config.ts';
import { dispatchSource } from './dispatch.ts';

const ASSETS_PRELUDE = fileURLToPath(new URL('./prelude/assets.cjs', import.meta.url));

export function programEntry(root: string, config: SealConfig): Pick<BuildOptions, 'entryPoints' | 'stdin'> {
  const bins = Object.entries(config.bins);
  const [single] = bins;
  if (config.assets.length === 0 && bins.length === 1 && single) return { entryPoints: [single[1]] };
  const prelude = config.assets.length > 0 ? `require(${JSON.stringify(ASSETS_PRELUDE)});\n` : '';
  const program = bins.length === 1 && single ? `require(${JSON.stringify(`./${single[1]}`)});\n` : dispatchSource(config.bins);
  return { stdin: { contents: prelude + program, resolveDir: root, sourcefile: 'seal-entry.js', loader: 'js' } };
}
