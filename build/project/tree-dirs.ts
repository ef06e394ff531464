/*
 * Walking up the package tree as Node's resolution does, and no further: a package installed under another
 * project's node_modules finds its hoisted dependencies and its package.json on the way to that project.
 */
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

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
