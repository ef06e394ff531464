/** A module name Node resolves from the importing file's directory ('./x', '../x'), not as a package or a path. */
export function isRelativeName(name: string): boolean {
  return name.startsWith('./') || name.startsWith('../');
}

/** The file Node's require takes for a path that may leave out the extension or name a directory (its index.js), if `isFile` finds one. */
export function fileAsRequireFinds(path: string, isFile: (file: string) => boolean): string | undefined {
  return [path, `${path}.js`, `${path}.json`, `${path}.cjs`, `${path}/index.js`].find(isFile);
}
