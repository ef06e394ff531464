/*
 * The native addons (.node files) a bundle needs, found two ways:
 *  - required by a literal path (`require('./build/Release/addon.node')`): esbuild has no loader for .node,
 *    so the plugin below leaves the require in the bundle, pointing at the file's path under the virtual
 *    root, where the binary will hold it;
 *  - found at run time by the package itself (`bindings`, `node-gyp-build(__dirname)`, prebuilds/): every
 *    .node file inside each package the bundle contains code of, so those lookups find it under the root.
 * The `bindings` package finds its caller's package from a stack trace, which in a bundle names the bundle,
 * not the caller: each caller gets it with its package's virtual directory as module_root instead.
 * Which of them the binary embeds is for addon-check.ts to say.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Plugin } from 'esbuild';
import { glob } from 'tinyglobby';
import { VIRTUAL_ROOT, virtualPath } from './virtual-paths.ts';

export interface AddonFile {
  /** The file on the build machine (its real path). */
  file: string;
  /** The package it belongs to: its directory and name (for messages and `npm rebuild`). */
  packageDir: string;
  packageName: string;
  /** Required by a literal path (must load), rather than found in a package that may pick among several. */
  required: boolean;
  /** The shared libraries it loads from beside itself ($ORIGIN), found on this machine (addon-libraries.ts): they travel with it. */
  libraries?: string[];
}

/** The package a file belongs to: the directory under its last node_modules, else the project, else the nearest package.json. */
export function packageDirOf(file: string, projectRoot: string): string {
  const parts = file.split(sep);
  const at = parts.lastIndexOf('node_modules');
  if (at >= 0 && parts[at + 1] !== undefined) return parts.slice(0, at + (parts[at + 1]?.startsWith('@') ? 3 : 2)).join(sep);
  if (file.startsWith(`${projectRoot}${sep}`)) return projectRoot;
  // A linked workspace package outside the project.
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return dir;
  return dirname(file);
}

function packageName(dir: string): string {
  try {
    const name = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '') return name;
  } catch {}
  return basename(dir);
}

export function addonFile(file: string, projectRoot: string, required: boolean): AddonFile {
  const packageDir = packageDirOf(file, projectRoot);
  return { file, packageDir, packageName: packageName(packageDir), required };
}

const SKIP_RESOLVE = Symbol('seal-addon-resolve');
/** The resolve directory of the shim onLoad writes for an addon loaded as a module: its require is left as it is. */
const NATIVE_MAIN = '/seal-native-main';

/** Makes each literal require of a .node file an external require of its virtual path, and collects the files. */
export function addonRequirePlugin(tree: string, required: Set<string>): Plugin {
  return {
    name: 'seal-native-addons',
    setup(build) {
      build.onResolve({ filter: /\.node$/ }, async (args) => {
        if (args.pluginData === SKIP_RESOLVE || args.namespace !== 'file') return undefined;
        // The require onLoad below writes: already the virtual path.
        if (args.resolveDir === NATIVE_MAIN && args.path.startsWith(`${VIRTUAL_ROOT}/`)) return { path: args.path, external: true };
        let path = args.path.startsWith('.') || args.path.startsWith('/') ? resolve(args.resolveDir, args.path) : undefined;
        if (path === undefined) {
          // A package path (`some-addon/build/Release/x.node`): resolved as esbuild resolves packages.
          const found = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: SKIP_RESOLVE });
          if (found.errors.length > 0) return undefined;
          path = found.path;
        }
        if (!existsSync(path)) return undefined; // esbuild then says it cannot resolve it, naming the importer
        const real = realpathSync(path);
        required.add(real);
        return { path: virtualPath(tree, real), external: true };
      });
      // A package whose main is its addon, required by name (napi-rs packages: require('@node-rs/xxhash-linux-x64-gnu')):
      // esbuild resolves it to the .node file and would load it as code; it becomes a require of the file's virtual path.
      build.onLoad({ filter: /\.node$/ }, (args) => {
        if (args.namespace !== 'file') return undefined;
        const real = realpathSync(args.path);
        required.add(real);
        return { contents: `module.exports = require(${JSON.stringify(virtualPath(tree, real))});\n`, loader: 'js', resolveDir: NATIVE_MAIN };
      });
    },
  };
}

const BINDINGS = 'seal-bindings';

/** `require('bindings')` gets the package, told where its caller's package is under the virtual root. */
export function bindingsPlugin(tree: string, projectRoot: string): Plugin {
  return {
    name: 'seal-bindings',
    setup(build) {
      build.onResolve({ filter: /^bindings$/ }, (args) => (args.namespace === 'file' ? { path: args.importer, namespace: BINDINGS } : undefined));
      build.onLoad({ filter: /.*/, namespace: BINDINGS }, (args) => {
        const root = JSON.stringify(virtualPath(tree, packageDirOf(args.path, projectRoot)));
        const contents = `const bindings = require('bindings');
module.exports = Object.assign((opts) => bindings(Object.assign({ module_root: ${root} }, typeof opts === 'string' ? { bindings: opts } : opts)), bindings);
`;
        return { contents, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/** Every .node file inside the packages the bundle holds code of (`inputs`: absolute paths), sorted. */
export async function addonsInPackages(inputs: string[], projectRoot: string, exclude: (file: string) => boolean): Promise<string[]> {
  const packages = new Set(inputs.filter((f) => !exclude(f) && existsSync(f)).map((f) => packageDirOf(f, projectRoot)));
  const files = new Set<string>();
  for (const dir of packages) {
    // Other packages' files are theirs (found if the bundle holds their code); obj.target holds node-gyp's intermediate copy.
    const found = await glob('**/*.node', { cwd: dir, absolute: true, onlyFiles: true, followSymbolicLinks: false, ignore: ['**/node_modules/**', '**/obj.target/**'] });
    for (const f of found) files.add(realpathSync(f));
  }
  return [...files].sort();
}
