/*
 * Packages of the tree as Node finds them, for the load analysis (dynamic-loads.ts): a package's file required by
 * name, the package.json files a program names, and the platform packages a computed name picks among. Paths come
 * back under the virtual root; a package is spelt where Node found it in the tree (tree-dirs.ts packageInTree).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { PackageResolver, PackagesNamed } from './dynamic-loads.ts';
import { dirsUpTo, nearestPackageJson, packageInTree } from './tree-dirs.ts';
import { onDisk, virtualPath } from './virtual-paths.ts';

/**
 * A createRequire'd require of a package's file by name (css-tree's `require('mdn-data/css/at-rules.json')`, sharp's
 * `require('@img/sharp-linux-x64/sharp.node')`, which its package's exports map sends to index.cjs) resolves here as
 * Node would from that directory; the file is embedded when it is inside the tree, a module with what it loads by
 * relative name (module-graph.ts).
 */
export function fileOfPackage(tree: string): PackageResolver {
  return (spec, fromDir) => {
    const found = packageInTree(spec, join(onDisk(tree, fromDir), 'seal-resolve.js'), tree);
    return found === undefined ? undefined : virtualPath(tree, found.file);
  };
}

/**
 * The package.json files the program names as '<package>/package.json' (tailwindcss's CLI reads its version from
 * `readFileSync(resolve('tailwindcss/package.json'))`, through a wrapper no analysis follows): those of packages
 * installed at the package tree's top, embedded so the name resolves in the binary as on disk. A few hundred bytes each.
 */
export function namedManifests(code: string, tree: string): string[] {
  const names = new Set([...code.matchAll(/["'`]((?:@[\w.-]+\/)?[\w.-]+)\/package\.json["'`]/g)].flatMap((m) => m.slice(1, 2)));
  return [...names]
    .sort()
    .map((name) => join(tree, 'node_modules', ...name.split('/'), 'package.json'))
    .filter((f) => existsSync(f));
}

/**
 * The program's own package.json, when its code mentions a package.json at all: yargs' default `--version` walks up
 * from require.main to one (lerna's binary printed "unknown"), rimraf's package-json-from-dist, concurrently and
 * standard's version-guard read it through paths no analysis follows. Embedding a file mounts the embedded files
 * (~4 ms of every start, measured: docs/toolchain.md), so only then; broker's code mentions none.
 */
export function ownManifest(code: string, root: string): string[] {
  const file = join(root, 'package.json');
  return code.includes('package.json') && existsSync(file) ? [file] : [];
}

type DependencyField = 'dependencies' | 'optionalDependencies' | 'peerDependencies';

/** The names the package.json nearest to `dir` (within the tree) declares in `fields`. */
function declaredDependencies(dir: string, tree: string, fields: readonly DependencyField[] = ['dependencies', 'optionalDependencies']): Set<string> {
  const manifest = nearestPackageJson(dir, tree);
  if (manifest === undefined) return new Set();
  try {
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as Partial<Record<DependencyField, object>>;
    return new Set(fields.flatMap((f) => Object.keys(pkg[f] ?? {})));
  } catch {
    return new Set();
  }
}

/** A package a module may load by a name computed at run time: its name, the file Node's require finds for it, its package.json. */
export interface DeclaredPackage {
  name: string;
  file: string;
  manifest: string;
}

/**
 * The packages the package of `from` (a source file as reports name it, relative to the project) declares as
 * dependencies or peer dependencies and that are installed where Node finds them from there: what a computed
 * `require(name)` in it can load under node (webpack-cli's `tryRequireThenImport("webpack")`, jest-config's test
 * environment). Optional dependencies are left: they are the platform packages a computed name picks among
 * (packagesNamed), which may not load here.
 */
export function declaredPackages(tree: string, projectRoot: string): (from: string) => DeclaredPackage[] {
  return (from) => {
    const file = resolve(projectRoot, from);
    return [...declaredDependencies(dirname(file), tree, ['dependencies', 'peerDependencies'])].sort().flatMap((name) => {
      const found = packageInTree(name, file, tree);
      return found === undefined ? [] : [{ name, file: found.file, manifest: join(found.root, 'package.json') }];
    });
  };
}

/**
 * The installed packages whose names start with a prefix that the requiring module's package declares as (optional)
 * dependencies — platform packages, as lightningcss lists lightningcss-linux-x64-gnu and the others; not plugins a
 * computed name finds among whatever is installed (`eslint-plugin-${name}`) — found as Node would from the module's
 * directory (each node_modules up to the package tree's top): each one's main, as a virtual path. Only what is
 * installed counts, which for platform packages (optional, with os, cpu and libc) is this machine's.
 */
export function packagesNamed(tree: string, projectRoot: string): PackagesNamed {
  return (prefix, from) => {
    const dir = dirname(resolve(projectRoot, from));
    const declared = declaredDependencies(dir, tree);
    const slash = prefix.indexOf('/');
    const scope = slash < 0 ? '' : prefix.slice(0, slash);
    const start = prefix.slice(slash + 1);
    const names = new Set<string>();
    for (const at of dirsUpTo(dir, tree)) {
      const entries = existsSync(join(at, 'node_modules', scope)) ? readdirSync(join(at, 'node_modules', scope)) : [];
      for (const entry of entries) {
        const name = scope ? `${scope}/${entry}` : entry;
        if (entry.startsWith(start) && declared.has(name)) names.add(name);
      }
    }
    // A package with no main it could load (data, or types) resolves to nothing, and is left.
    return [...names].sort().flatMap((name) => {
      const found = packageInTree(name, join(dir, 'seal-resolve.js'), tree);
      return found === undefined ? [] : [virtualPath(tree, found.file)];
    });
  };
}
