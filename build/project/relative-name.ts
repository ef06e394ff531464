/** A module name Node resolves from the importing file's directory ('./x', '../x'), not as a package or a path. */
export function isRelativeName(name: string): boolean {
  return name.startsWith('./') || name.startsWith('../');
}
