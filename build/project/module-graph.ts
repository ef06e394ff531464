/*
 * The files a module loads by a literal name, followed to the end within the package tree: import and export-from
 * declarations, import() and require() of a literal, a file it names to start or hand on (require.resolve('./x'),
 * path.resolve(__dirname, './x.js')), and the package.json Node reads for each. A module that runs
 * unbundled from the embedded files (the target of an import() hidden in new Function, which no bundler sees; a
 * createRequire'd require of a package's module; a file promzard reads and runs with a require of its own) needs
 * them beside it. A package name is found as Node finds it from the module: an import (declaration or import()) by
 * the exports map's `import` condition, a require by `require`, and a package's own import name (`#x`) through its
 * package.json's "imports" the same way; one not installed, or
 * outside the tree, is left to Node at run time, as for any load the bundle did not follow.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { type AnyNode, type Node, parse } from 'acorn';
import { simple } from 'acorn-walk';
import { fileAsRequireFinds, isRelativeName } from './relative-name.ts';
import { nearestPackageJson, packageImportInTree, packageImportTarget, packageInTree } from './tree-dirs.ts';

/** A name a module loads by literal; `imported` when an import declaration or import() loads it (Node's `import` condition). */
export interface LiteralLoad {
  name: string;
  imported: boolean;
}

/** The names a module's source loads by literal, relative or not (a script if it does not parse as a module; none if it parses as neither). */
export function literalLoads(source: string): string[] {
  return [...new Set(literalLoadsOf(source).map((l) => l.name))];
}

/** literalLoads, each with how it is loaded. */
export function literalLoadsOf(source: string): LiteralLoad[] {
  let ast: Node;
  try {
    ast = parse(source, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true });
  } catch {
    try {
      ast = parse(source, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true, allowReturnOutsideFunction: true });
    } catch {
      // Not JavaScript Node can run (istanbul-reports' lib/html-spa/src/*.js are JSX, embedded with the place a
      // computed require reads): data to embed, nothing to follow. It stopped the build with acorn's bare SyntaxError.
      return [];
    }
  }
  const loads = new Map<string, LiteralLoad>();
  const add = (n: AnyNode | null | undefined, imported = false) => {
    if (n?.type === 'Literal' && typeof n.value === 'string') loads.set(`${imported}:${n.value}`, { name: n.value, imported });
  };
  simple(ast, {
    ImportDeclaration: (d) => add(d.source, true),
    ExportNamedDeclaration: (d) => add(d.source, true),
    ExportAllDeclaration: (d) => add(d.source, true),
    ImportExpression: (e) => add(e.source, true),
    CallExpression: (c) => {
      if (c.callee.type === 'Identifier' && c.callee.name === 'require' && c.arguments.length === 1) add(c.arguments[0]);
      // A file it starts or hands on by name: require.resolve('./processChild') (jest-worker forks it), and
      // path.resolve(__dirname, './threadChild.js') or join(__dirname, …) (its worker thread's file).
      const member = c.callee.type === 'MemberExpression' && c.callee.property.type === 'Identifier' ? c.callee.property.name : undefined;
      if (member === 'resolve' && c.callee.type === 'MemberExpression' && c.callee.object.type === 'Identifier' && c.callee.object.name === 'require') add(c.arguments[0]);
      const [base, name] = c.arguments;
      if ((member === 'resolve' || member === 'join') && base?.type === 'Identifier' && base.name === '__dirname' && c.arguments.length === 2 && name?.type === 'Literal' && typeof name.value === 'string' && isRelativeName(name.value))
        add(name);
    },
  });
  return [...loads.values()];
}

/**
 * A package's module as Node's require finds it from `from` (its exports map, main, extensions), and the package's own
 * package.json, which Node reads to find it (lru-cache's module sits under dist/commonjs/, beside another package.json).
 */
function packageFiles(from: string, name: string, tree: string, imported: boolean): string[] {
  // The package's own import names (`#cfg/x`): a file of it, or another package's name (its package.json "imports").
  if (name.startsWith('#')) {
    const target = packageImportTarget(name, from, tree, imported);
    if (target === undefined) return [];
    return 'file' in target ? [target.file] : target.name.startsWith('#') ? [] : packageFiles(from, target.name, tree, imported);
  }
  const found = imported ? packageImportInTree(name, from, tree) : packageInTree(name, from, tree);
  return found === undefined ? [] : [found.file, join(found.root, 'package.json')];
}

/** Whether a file is code Node runs: by its extension, or a script without one that starts `#!…node` (typescript's bin/tsc). */
function isScript(file: string): boolean {
  if (/\.[cm]?js$/.test(file)) return true;
  if (extname(file) !== '') return false;
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(128);
    const line =
      head
        .subarray(0, readSync(fd, head, 0, head.length, 0))
        .toString('latin1')
        .split('\n')[0] ?? '';
    return /^#!.*\bnode\b/.test(line);
  } finally {
    closeSync(fd);
  }
}

/** `entries` and every file of the tree they load by relative name, to the end of the graph (sorted). */
export function moduleGraph(entries: readonly string[], tree: string): string[] {
  const inTree = (file: string) => file.startsWith(`${tree}${sep}`) && existsSync(file) && statSync(file).isFile();
  const seen = new Set<string>();
  const pending = entries.filter(inTree);
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    // Node reads the nearest package.json to load a module or an addon reached by package name ("type", "main", "exports").
    const script = isScript(file);
    const manifest = script || file.endsWith('.node') ? nearestPackageJson(dirname(file), tree) : undefined;
    if (manifest !== undefined && !seen.has(manifest)) pending.push(manifest);
    // Only code: a relative name of JSON or text is data the module reads, embedded as it is.
    if (!script) continue;
    for (const { name, imported } of literalLoadsOf(readFileSync(file, 'utf8'))) {
      // An import names its file in full; a require may leave out the extension or name a directory.
      const next = isRelativeName(name) ? [fileAsRequireFinds(resolve(dirname(file), name), inTree)] : packageFiles(file, name, tree, imported);
      for (const f of next) if (f !== undefined && inTree(f) && !seen.has(f)) pending.push(f);
    }
  }
  return [...seen].sort();
}
