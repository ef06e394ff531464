/*
 * The shared libraries a native addon loads from beside itself: `$ORIGIN` in its run path (sharp's addon finds
 * libvips-cpp.so in the neighbouring @img/sharp-libvips-linux-x64 package through `$ORIGIN/../../sharp-libvips-
 * linux-x64/lib`). They are found where the loader would find them on the build machine, and libraries those load
 * from beside themselves after them; the binary embeds them, and prelude/addons.cjs copies them out with the addon,
 * each at its place under the virtual root, so the same run path finds them there.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AddonFacts } from '../../shared/elf/node-addon.ts';

export interface OriginLibraries {
  /** The files found, in the order the loader would load them (each library before those it loads). */
  found: string[];
  /** Names no run path entry finds on the build machine (installed elsewhere, or missing). */
  missing: string[];
}

type Facts = Pick<AddonFacts, 'originLibraries' | 'originPaths'>;

/** Where `name` lies for a file at `file` with these run path entries: the first that holds it. */
function lookUp(file: string, originPaths: string[], name: string): string | undefined {
  for (const entry of originPaths) {
    const dir = resolve(dirname(file), entry.replace(/^\$(?:ORIGIN|\{ORIGIN\})/, '.'));
    const candidate = join(dir, name);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The $ORIGIN libraries of `addon` (its facts read by shared/elf/node-addon.ts), followed through each library's own. */
export function originLibraries(addon: string, facts: Facts, read: (file: string) => Facts): OriginLibraries {
  const found: string[] = [];
  const missing: string[] = [];
  const pending: [string, Facts][] = [[addon, facts]];
  for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
    const [file, f] = next;
    for (const name of f.originLibraries) {
      const lib = lookUp(file, f.originPaths, name);
      if (lib === undefined) {
        if (!missing.includes(name)) missing.push(name);
      } else if (!found.includes(lib)) {
        found.push(lib);
        pending.push([lib, read(lib)]);
      }
    }
  }
  return { found, missing };
}
