/*
 * What `require.main` is in the binary. Under node it is the bin's module: `require.main === module` tells a bin it
 * is the program, and other modules read its place (concurrently finds its package.json from `require.main.path`).
 * In a SEA the main script is the bundle, and require.main was undefined. A bin's own `require.main` is its module
 * (virtual-paths.ts); in every other module it is this object, describing the bin the binary runs under /seal, set
 * before the program's first line (the bundle's banner for one bin, the dispatcher for several).
 */
import { posix } from 'node:path';
import { prelude } from './preludes.ts';

/** The expression other modules' `require.main` becomes (an esbuild define value). */
export const MAIN_MODULE = 'globalThis.__sealMain';

/** The statement that makes MAIN_MODULE the bin at `file`, a path under the virtual root. */
export function mainModuleSource(file: string): string {
  const main = { id: '.', filename: file, path: posix.dirname(file), loaded: false, children: [], paths: [], exports: {} };
  return `${MAIN_MODULE}=${JSON.stringify(main)};`;
}

/** prelude/main-script.cjs: process.argv[1] the bin's path, as `node <bin>` has it. */
export const MAIN_SCRIPT_PRELUDE = prelude('main-script.cjs');

/** The statement that makes process.argv[1] the bin at `file`, a path under the virtual root (for the entry, which esbuild bundles). */
export function mainScriptSource(file: string): string {
  return `require(${JSON.stringify(MAIN_SCRIPT_PRELUDE)})(${JSON.stringify(file)});`;
}
