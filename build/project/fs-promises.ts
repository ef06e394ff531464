import type { Plugin } from 'esbuild';

const NAMESPACE = 'seal-fs-promises';

/**
 * `require('fs/promises')` (and `node:fs/promises`, by import too) as `require('node:fs').promises`, the same object
 * in Node: the embedded files are mounted when the program first reaches them (prelude/first-use.cjs), and taking
 * fs.promises is where its functions get the check that mounts them; the module by its own name would skip it.
 */
export function fsPromisesPlugin(): Plugin {
  return {
    name: NAMESPACE,
    setup(build) {
      build.onResolve({ filter: /^(?:node:)?fs\/promises$/ }, () => ({ path: 'fs/promises', namespace: NAMESPACE }));
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, () => ({ contents: "module.exports = require('node:fs').promises;\n", loader: 'js' }));
    },
  };
}
