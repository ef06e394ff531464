/*
 * A load esbuild could not follow whose path is only known to start in the package (depcheck's
 * `require(resolve(__dirname, name, file))`, cowsay's read of `cows/` + a name, a scaffolder's templates): the files it
 * may reach are the place's, and a small place is embedded whole, without asking, as a binary that runs where node
 * runs needs. A large one stays for seal.assets to name (the build says which glob), since embedding a whole package
 * tree without being asked would make every start mount it.
 */
import { type Dirent, existsSync, readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { onDisk } from './virtual-paths.ts';

/** Beyond either, a place is not embedded without asking (the embedded files are mounted at every start). */
export const PLACE_LIMITS = { files: 1000, bytes: 16 * 1024 * 1024 };

export interface PlaceFiles {
  /** The files, on disk, sorted. */
  files: string[];
  bytes: number;
}

/**
 * Whether `place` is a whole package (a directory with its package.json, or the tree's top): a path known only to start
 * there names anything of it — an existence check as often as a load — and is left for seal.assets to narrow.
 */
export function wholePackage(tree: string, place: string): boolean {
  return place.endsWith('/') && existsSync(join(onDisk(tree, place), 'package.json'));
}

/**
 * The files of the tree under `place` (a virtual directory ending in '/', or the start of a name: '/seal/locales/en'
 * then an extension) that `keep` keeps, nested node_modules and dot-directories aside (another package, or a tool's state); `tooMany`
 * (what was found before stopping) when the place passes PLACE_LIMITS; undefined when the tree has nothing there.
 */
export function placeFiles(tree: string, place: string, keep: (file: string) => boolean = () => true): PlaceFiles | { tooMany: PlaceFiles } | undefined {
  const dir = onDisk(tree, place.endsWith('/') ? place : posix.dirname(place));
  // A name's start: the files whose path begins with it, and the directories that could hold such files.
  const start = onDisk(tree, place).replace(/\/$/, '');
  const found: PlaceFiles = { files: [], bytes: 0 };
  const walk = (at: string): boolean => {
    let entries: Dirent[];
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return true;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = `${at}/${e.name}`;
      if (!path.startsWith(start)) continue;
      if (e.isDirectory()) {
        if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
        if (!walk(path)) return false;
      } else if (e.isFile() && keep(path)) {
        found.files.push(path);
        found.bytes += statSync(path).size;
        if (found.files.length > PLACE_LIMITS.files || found.bytes > PLACE_LIMITS.bytes) return false;
      }
    }
    return true;
  };
  if (!walk(dir)) return { tooMany: found };
  return found.files.length === 0 ? undefined : found;
}
