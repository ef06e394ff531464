/*
 * Walking up the package tree as Node's resolution does, and no further: a package installed under another
 * project's node_modules finds its hoisted dependencies and its package.json on the way to that project.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { resolve as resolveExports, imports as resolveImports } from 'resolve.exports';

/** `dir` and each directory above it up to `top` (included); nothing when `dir` is not inside `top`. */
export function* dirsUpTo(dir: string, top: string): Generator<string> {
  if (dir !== top && !dir.startsWith(`${top}${sep}`)) return;
  for (let at = dir; ; at = dirname(at)) {
    yield at;
    if (at === top || at === dirname(at)) return;
  }
}

/** The package.json nearest to `dir`, up to `top`. */
export function nearestPackageJson(dir: string, top: string): string | undefined {
  for (const at of dirsUpTo(dir, top)) if (existsSync(join(at, 'package.json'))) return join(at, 'package.json');
  return undefined;
}

/**
 * The file an ES module's import of a package name loads (Node's `import` condition: a package whose exports map sends
 * `import` elsewhere than `require`), spelt where the package sits in the tree, and the package's directory; undefined
 * for a built-in, a package not installed in the tree, or an import the exports map does not allow. A package without
 * an exports map is imported through its main, as required.
 */
export function packageImportInTree(name: string, from: string, tree: string): { file: string; root: string } | undefined {
  if (isBuiltin(name)) return undefined;
  const packageName = packageNameOf(name);
  for (const root of packageDirs(packageName, from, tree)) {
    const manifest = join(root, 'package.json');
    if (!existsSync(manifest)) continue;
    let pkg: { exports?: unknown };
    try {
      pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    } catch {
      return undefined;
    }
    if (pkg.exports === undefined) return packageInTree(name, from, tree);
    try {
      const [target] = resolveExports(pkg as Parameters<typeof resolveExports>[0], `.${name.slice(packageName.length)}`, { require: false, conditions: ['node'] }) ?? [];
      return target === undefined ? undefined : { file: join(root, target), root };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The package a name is in: its scope and name (`@scope/pkg/sub` → `@scope/pkg`). */
export function packageNameOf(name: string): string {
  return name
    .split('/')
    .slice(0, name.startsWith('@') ? 2 : 1)
    .join('/');
}

/** Where Node looks for a package from `from`, nearest first: `<dir>/node_modules/<package>` for each directory up to the tree's top. */
function* packageDirs(packageName: string, from: string, tree: string): Generator<string> {
  for (const dir of dirsUpTo(dirname(from), tree)) yield join(dir, 'node_modules', ...packageName.split('/'));
}

/**
 * The file Node's require finds for a package name from `from` (a file in the tree), spelt as a path in the tree and
 * the package's directory there: Node gives the real path, which for a linked node_modules (a symlink, pnpm's store)
 * lies outside the tree, so it is put back under the node_modules directory Node found the package in. Undefined
 * for a built-in, a package not installed, or one found outside the tree.
 */
export function packageInTree(name: string, from: string, tree: string): { file: string; root: string } | undefined {
  if (isBuiltin(name)) return undefined;
  let real: string;
  try {
    real = createRequire(from).resolve(name);
  } catch {
    return undefined;
  }
  for (const root of packageDirs(packageNameOf(name), from, tree)) {
    if (!existsSync(root)) continue;
    const realRoot = realpathSync(root);
    if (real === realRoot || real.startsWith(`${realRoot}${sep}`)) return { file: join(root, relative(realRoot, real)), root };
  }
  return undefined;
}

/**
 * What a package's own import name (`#cfg/x`, its package.json's "imports") names for a module `from` in it: a file of
 * the package, or a package name to look up in turn; the `import` or `require` condition as the load is made. Undefined
 * when the nearest package.json in the tree maps no such name.
 */
export function packageImportTarget(name: string, from: string, tree: string, imported: boolean): { file: string } | { name: string } | undefined {
  const manifest = nearestPackageJson(dirname(from), tree);
  if (manifest === undefined) return undefined;
  let target: string | undefined;
  try {
    [target] = resolveImports(JSON.parse(readFileSync(manifest, 'utf8')), name, { require: !imported, conditions: ['node'] }) ?? [];
  } catch {
    return undefined;
  }
  if (target === undefined) return undefined;
  return target.startsWith('./') ? { file: join(dirname(manifest), target) } : { name: target };
}
