/*
 * Where the binary copies a native addon and the libraries it loads from beside itself ($ORIGIN) out to, for
 * prelude/addons.cjs (bundle.ts defines the table as __SEAL_ADDON_LIBRARIES__): each at the same relative place as
 * on the build machine, so the addon's run path finds them there.
 */
import { dirname, posix, relative, sep } from 'node:path';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import type { AddonFile } from './addon-files.ts';
import { VIRTUAL_ROOT, virtualPath } from './virtual-paths.ts';

/** For prelude/addons.cjs: each addon that loads libraries from beside itself, and where it and they go, relative to one directory. */
export type AddonPlaces = Record<string, { at: string; libraries: [from: string, at: string][] }>;

/**
 * Where an addon and its $ORIGIN libraries are copied out, relative to one directory: the addon at its place under
 * the virtual root, each library where the addon's run path looks for it (the same relative path as on the build
 * machine), read from its own place among the embedded files.
 */
export function addonPlaces(tree: string, addons: AddonFile[]): AddonPlaces {
  const places: AddonPlaces = {};
  for (const addon of addons) {
    if (!addon.libraries?.length) continue;
    const from = virtualPath(tree, addon.file);
    const at = posix.relative(VIRTUAL_ROOT, from);
    const libraries = addon.libraries.map((lib): [string, string] => {
      const place = posix.normalize(posix.join(posix.dirname(at), relative(dirname(addon.file), lib).split(sep).join('/')));
      if (place.startsWith('../')) throw new BuildError(`${addon.packageName}: ${addon.file} loads ${lib} from beside itself ($ORIGIN), which lies above the package tree (${tree}): it cannot be given the same place in the binary`);
      return [virtualPath(tree, lib), place];
    });
    places[from] = { at, libraries };
  }
  return places;
}
