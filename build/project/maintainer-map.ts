/*
 * The bundle's source map as it is kept beside the artifact, for its maintainers to read a user's crash with
 * (`seal stack`, stack-trace.ts): positions only (no sources' text: the maintainer has the code of the commit), and
 * the same bytes from any checkout and build directory — each source named relative to the project, a package's
 * outside it from node_modules/ on (a linked or hoisted node_modules); the toolchain's
 * own preludes as `seal:prelude/<file>`; what esbuild made up by its name (`<define:NAME>`), and the entry the
 * toolchain writes, a file nowhere on disk, as `seal:seal-entry.js`.
 */
import { existsSync } from 'node:fs';
import { basename, relative, resolve, sep } from 'node:path';
import { PRELUDE_DIR } from './preludes.ts';

/** What of esbuild's map is kept (its sourcesContent is not: positions only). */
interface RawMap {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
}

/** Where the map's sources are (esbuild names them relative to the bundle's directory) and the name the stack shows the bundle by. */
export interface MapPlaces {
  bundleDir: string;
  projectRoot: string;
  /** The bundle's name in a stack: `<name>.cjs`, or `<name>.mjs` for an ES module program (esm-launcher.ts). */
  file: string;
}

/**
 * The key under which the map carries the maps of the other scripts the binary runs — seal.workers' bundles
 * (`seal:worker/<CONSTANT>.js`), seal.lazy's chunks (`seal:lazy/<name>.cjs`), the worker files' (`seal:worker-file/<path>`)
 * — by the name their frames show: one file
 * to keep beside the artifact, a source map extension field (`x_`) that other tools skip.
 */
export const SCRIPT_MAPS_KEY = 'x_seal_scripts';

export function maintainerMap(json: string, places: MapPlaces, scripts: Record<string, string> = {}): string {
  const map = JSON.parse(json) as RawMap;
  const sources = map.sources.map((source) => {
    const path = resolve(places.bundleDir, source);
    if (path.startsWith(PRELUDE_DIR)) return `seal:prelude/${path.slice(PRELUDE_DIR.length).split(sep).join('/')}`;
    if (!existsSync(path)) return basename(path).startsWith('<') ? basename(path) : `seal:${basename(path)}`;
    const rel = relative(places.projectRoot, path);
    if (!rel.startsWith('..')) return rel.split(sep).join('/');
    // Outside the project, a package's file from the first node_modules/ on: where that is (a linked or hoisted
    // node_modules) is the machine's.
    const installed = path.indexOf(`${sep}node_modules${sep}`);
    return (installed >= 0 ? path.slice(installed + 1) : rel).split(sep).join('/');
  });
  const kept = { version: map.version, file: places.file, sources, names: map.names, mappings: map.mappings };
  const scriptMaps = Object.fromEntries(Object.entries(scripts).map(([file, text]) => [file, JSON.parse(text) as unknown]));
  return `${JSON.stringify(Object.keys(scriptMaps).length > 0 ? { ...kept, [SCRIPT_MAPS_KEY]: scriptMaps } : kept)}\n`;
}
