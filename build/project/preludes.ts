/*
 * Where the toolchain's preludes are (prelude/), and how the code it generates names them: `seal:prelude/<file>`,
 * which preludesPlugin resolves. The generated entry's text — and so the bundle's source map, whose columns count
 * its characters — is then the same wherever the toolchain is checked out or installed.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

export const PRELUDE_DIR = fileURLToPath(new URL('./prelude/', import.meta.url));
const PRELUDE_SPECIFIER = 'seal:prelude/';

/** How generated code requires or imports the prelude `file` (e.g. "assets.cjs"). */
export function prelude(file: string): string {
  return `${PRELUDE_SPECIFIER}${file}`;
}

export function preludesPlugin(): Plugin {
  return {
    name: 'seal-preludes',
    setup(build) {
      build.onResolve({ filter: /^seal:prelude\// }, (args) => ({ path: join(PRELUDE_DIR, args.path.slice(PRELUDE_SPECIFIER.length)) }));
    },
  };
}
