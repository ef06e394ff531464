/*
 * What the binary embeds for the loads esbuild could not follow (dynamic-loads.ts), once the program is bundled:
 * the files of the package tree loaded by exact path, with what they load by relative name (module-graph.ts), and
 * the native addons the program may load, for the caller to judge. The files travel with the assets; bundle.ts
 * bundles the program again with the preludes that serve them.
 */
import { existsSync, statSync } from 'node:fs';
import { posix, resolve, sep } from 'node:path';
import { type AddonFile, addonFile, addonsInPackages } from './addon-files.ts';
import { coveredByAssets, type DynamicLoad } from './dynamic-loads.ts';
import { placeFiles, wholePackage } from './load-places.ts';
import { moduleGraph } from './module-graph.ts';
import { PRELUDE_DIR } from './preludes.ts';
import { namedManifests, ownManifest } from './tree-packages.ts';
import { fileOnDisk, moduleOnDisk, onDisk } from './virtual-paths.ts';

/** What bundling the program found. */
export interface BundleFindings {
  /** The loads found in the bundle (dynamic-loads.ts). */
  found: DynamicLoad[];
  /** The bundle's code: the package.json files it names by path (tree-packages.ts). */
  code: string;
  /** The bundle's inputs, as esbuild's metafile names them (relative to the project): their packages' addons may load. */
  inputs: string[];
  /** Files the program's modules name by a literal relative require.resolve (virtual-paths.ts). */
  resolved: ReadonlySet<string>;
  /** Addons required by a literal path (addon-files.ts). */
  required: ReadonlySet<string>;
  /**
   * Files embedded with what they load (bundled-modules.ts): the package.json of each package served by name, so a
   * check that one is installed finds it, and the main of each seal.external package.
   */
  embed?: readonly string[];
}

/** Where the program's files are. */
export interface ProjectPlace {
  /** The project's directory. */
  root: string;
  /** The top of the package tree (virtual-paths.ts). */
  tree: string;
  /** seal.omit: packages nothing is embedded from. */
  omit: readonly string[];
  /** seal.assets' files, under the virtual root: a place they cover is theirs, not embedded again. */
  assets?: readonly string[];
}

export interface EmbeddedFiles {
  /** The loads as judged here: a read of a directory is a place for seal.assets, a load into an omitted package is marked so. */
  loads: DynamicLoad[];
  /** The files of the package tree to embed, addons aside. */
  files: string[];
  /** The native addons the program may load, to be judged (addon-check.ts). */
  candidates: AddonFile[];
}

const isDirectory = (path: string) => existsSync(path) && statSync(path).isDirectory();

export async function embeddedFiles(bundle: BundleFindings, { root, tree, omit, assets = [] }: ProjectPlace): Promise<EmbeddedFiles> {
  // A file named outside any load is embedded when the package has it, unless the bundle serves it where it is
  // required by that same path (npm's `require(entry)` of `resolve(__dirname, 'cli/entry.js')`: bundled-modules.ts).
  const servedByPath = new Set(bundle.found.filter((l) => l.bundled).map((l) => l.into));
  const mentionKept = (l: DynamicLoad) => !l.mentioned || (l.into !== undefined && (l.exact ? fileOnDisk(tree, l.into) !== undefined && !servedByPath.has(l.into) : isDirectory(onDisk(tree, l.into))));
  const found = bundle.found.filter(mentionKept).map((l) => omitted(readNamedInFull(l, tree), omit));
  // A load into a place seal.assets does not cover: the place's files, when few enough (load-places.ts). A read there
  // reads data: the modules esbuild bundled from it are code, not read (pm2 reads its banner from lib/, its code).
  // Native addons there are the addon check's to judge and embed (addon-files.ts), as any other.
  const inputs = bundle.inputs.map((f) => resolve(root, f));
  const bundledFiles = new Set(inputs);
  const placed = new Map<DynamicLoad, string[]>();
  const judged: DynamicLoad[] = found.map((l) => {
    // A worker's file is bundled for it (worker-files.ts), whatever its path.
    if (l.into === undefined || l.exact || l.bundled || l.oneOf || l.omitted || l.kind === 'hidden' || l.kind === 'worker' || coveredByAssets(l.into, assets) || wholePackage(tree, l.into)) return l;
    const files = placeFiles(tree, l.into, (f) => !f.endsWith('.node') && (l.kind !== 'read' || !bundledFiles.has(f)));
    if (files === undefined) return l;
    if ('tooMany' in files) return { ...l, place: { files: files.tooMany.files.length, bytes: files.tooMany.bytes, tooMany: true as const } };
    const withPlace = { ...l, place: { files: files.files.length, bytes: files.bytes } };
    placed.set(withPlace, files.files);
    return withPlace;
  });
  // A directory only mentioned is embedded when it is a small place and no load seen goes there (that load says it);
  // otherwise it is nothing (no warning: nothing was seen reading it).
  const loadedPlaces = new Set(judged.filter((l) => !l.mentioned).map((l) => l.into));
  const loads = judged.filter((l) => !l.mentioned || l.exact || (l.place !== undefined && !l.place.tooMany && !loadedPlaces.has(l.into)));
  const placeFilesOf = (ls: DynamicLoad[]) => ls.flatMap((l) => placed.get(l) ?? []);
  // A process started as node on a script names it as node finds a main module: maybe without its extension, or a
  // directory, whose package.json (naming its main) node reads in the binary too.
  const started = (into: string) => [moduleOnDisk(tree, into), fileOnDisk(tree, posix.join(into, 'package.json'))];
  const exactly = (ls: DynamicLoad[]) => ls.flatMap((l) => (l.exact && l.into !== undefined ? (l.kind === 'process' ? started(l.into) : [fileOnDisk(tree, l.into)]).filter((f): f is string => f !== undefined) : []));
  // A module loaded by exact path runs unbundled from the embedded files (esbuild never saw it: a hidden import(), a
  // createRequire'd require): what it loads by relative name goes with it. An addon among them (sharp's index.cjs
  // requires './lib/sharp-linux-x64.node') is judged and embedded as every other addon is.
  // An addon of a platform package picked by a computed name is one choice among several (gnu or musl, x64 or arm64).
  // A file read by its full path is data: embedded as it is, nothing followed from it.
  const loaded = (l: DynamicLoad) => l.kind !== 'read';
  const named = [...bundle.resolved].filter((f) => f.startsWith(`${tree}${sep}`));
  const chosen = new Set(moduleGraph([...exactly(loads.filter((l) => loaded(l) && !l.oneOf)), ...placeFilesOf(loads.filter(loaded)), ...namedManifests(bundle.code, tree), ...(bundle.embed ?? []), ...named], tree));
  const left = (f: string) => inOmitted(f, omit);
  const graph = [...new Set([...chosen, ...moduleGraph(exactly(loads.filter((l) => loaded(l) && l.oneOf)), tree)])].filter((f) => !left(f)).sort();
  const files = [...new Set([...graph.filter((f) => !f.endsWith('.node')), ...exactly(loads.filter((l) => !loaded(l))), ...placeFilesOf(loads.filter((l) => !loaded(l))), ...ownManifest(bundle.code, root)])].sort();
  const addonsLoaded = new Set(graph.filter((f) => f.endsWith('.node')));
  const inPackages = await addonsInPackages(inputs, root, (f) => f.startsWith(PRELUDE_DIR));
  const { required } = bundle;
  const candidates = [...new Set([...required, ...addonsLoaded, ...inPackages])].sort().map((f) => addonFile(f, root, required.has(f) || chosen.has(f)));
  return { loads, files, candidates };
}

/**
 * An fs read of a path known in full (dynamic-loads.ts): a file the package has is embedded; a directory is a place
 * like any other, for seal.assets to cover; a path the package does not have reads nothing, in the binary as under node.
 */
function readNamedInFull(l: DynamicLoad, tree: string): DynamicLoad {
  if (l.kind !== 'read' || !l.exact || l.into === undefined) return l;
  const file = onDisk(tree, l.into);
  if (!existsSync(file) || !statSync(file).isDirectory()) return l;
  const { exact: _, ...place } = l;
  return { ...place, into: l.into.endsWith('/') ? l.into : `${l.into}/` };
}

/** Whether a path (on disk or under the virtual root) lies in one of the packages seal.omit names. */
function inOmitted(path: string, omit: readonly string[]): boolean {
  const slashed = path.split(sep).join('/');
  return omit.some((name) => slashed.includes(`/node_modules/${name}/`));
}

/** A load into a package seal.omit leaves out: nothing of it is embedded, and it is judged as a load from the disk at run time. */
function omitted(l: DynamicLoad, omit: readonly string[]): DynamicLoad {
  if (l.into === undefined || !inOmitted(l.into, omit)) return l;
  const { into: _into, exact: _exact, bundled: _bundled, oneOf: _oneOf, ...rest } = l;
  return { ...rest, omitted: true };
}
