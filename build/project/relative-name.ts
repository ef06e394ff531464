import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

/** A module name Node resolves from the importing file's directory ('./x', '../x'), not as a package or a path. */
export function isRelativeName(name: string): boolean {
  return name.startsWith('./') || name.startsWith('../');
}

/**
 * The file Node's require takes for a path that may leave out the extension or name a directory (its package.json's
 * `main`, else its index.js), if `isFile` finds one.
 */
export function fileAsRequireFinds(path: string, isFile: (file: string) => boolean): string | undefined {
  const file = [path, `${path}.js`, `${path}.json`, `${path}.cjs`].find(isFile);
  if (file !== undefined) return file;
  const main = isFile(`${path}/package.json`) ? mainOf(`${path}/package.json`) : undefined;
  const fromMain = main === undefined ? undefined : [main, `${main}.js`, `${main}.json`, `${main}/index.js`].map((m) => posix.join(path, m)).find(isFile);
  return fromMain ?? [`${path}/index.js`].find(isFile);
}

/** A package.json's `main`, when it is a non-empty string. */
function mainOf(manifest: string): string | undefined {
  try {
    const { main } = JSON.parse(readFileSync(manifest, 'utf8')) as { main?: unknown };
    return typeof main === 'string' && main !== '' ? main : undefined;
  } catch {
    return undefined;
  }
}
