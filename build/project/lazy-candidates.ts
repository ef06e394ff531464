/*
 * Which bundled packages seal.lazy could take out of every start: those the program reaches only through an import()
 * (a command's module loaded when that command runs), big enough to matter. Read from esbuild's metafile: the modules
 * the entry reaches by static imports and requires are what every start evaluates, or at least parses; a package
 * none of whose files is among them is loaded on demand. A require inside a function looks static here, so a package
 * loaded that way is not suggested (the note errs towards saying nothing). Pure.
 */
import type { Metafile } from 'esbuild';

export interface LazyCandidate {
  name: string;
  /** Its files' bytes in the bundle, with those of the on-demand packages it brings (which its chunk would hold; one two suggestions both bring is counted in each). */
  bytes: number;
}

/** Below this a package's share of a start is not worth a chunk of its own (broker's selfsigned with its packages was 375 KiB, undici 548). */
export const CANDIDATE_MIN_BYTES = 64 * 1024;

/** The package a file of the tree belongs to, when it is a package the project itself resolves (node_modules/<name>/ at the root). */
function rootPackage(path: string): string | undefined {
  return /^node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*\bnode_modules\/)/.exec(path)?.[1];
}

/** The files `from` reaches, following the imports `follow` takes (by their kind and the file they lead to). */
function reach(metafile: Metafile, from: readonly string[], follow: (kind: string, path: string) => boolean): Set<string> {
  const reached = new Set<string>();
  const todo = [...from];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (reached.has(file)) continue;
    reached.add(file);
    for (const i of metafile.inputs[file]?.imports ?? []) if (follow(i.kind, i.path) && !i.external) todo.push(i.path);
  }
  return reached;
}

/**
 * The packages of `output` (the bundle's key in the metafile) reached only through import(), each imported by its name
 * alone from the program or from a package every start loads (a subpath import cannot be split off), at least
 * `minBytes` with the on-demand packages only it brings, and not among `skip` (those seal.lazy, seal.external or
 * seal.omit name already). Largest first.
 */
export function lazyCandidates(metafile: Metafile, output: string, skip: readonly string[], minBytes = CANDIDATE_MIN_BYTES): LazyCandidate[] {
  const out = metafile.outputs[output];
  if (out?.entryPoint === undefined) return [];
  const eagerFiles = reach(metafile, [out.entryPoint], (kind) => kind !== 'dynamic-import');
  const bytes = new Map<string, number>();
  const files = new Map<string, string[]>();
  const eager = new Set<string>();
  for (const [file, input] of Object.entries(out.inputs)) {
    const name = rootPackage(file);
    if (name === undefined) continue;
    bytes.set(name, (bytes.get(name) ?? 0) + input.bytesInOutput);
    files.set(name, [...(files.get(name) ?? []), file]);
    if (eagerFiles.has(file)) eager.add(name);
  }
  const onDemand = new Set([...bytes.keys()].filter((name) => !eager.has(name)));
  // The on-demand packages the program (or an eager package) imports itself, and how: by name alone, or a subpath too.
  const imported = new Set<string>();
  const bySubpath = new Set<string>();
  for (const [file, input] of Object.entries(metafile.inputs)) {
    const from = rootPackage(file);
    if (from !== undefined && onDemand.has(from)) continue;
    for (const i of input.imports) {
      const name = rootPackage(i.path);
      if (name === undefined || name === from || !onDemand.has(name)) continue;
      imported.add(name);
      if (i.original !== undefined && i.original !== name) bySubpath.add(name);
    }
  }
  const candidates: LazyCandidate[] = [];
  for (const name of imported) {
    if (bySubpath.has(name) || skip.includes(name)) continue;
    // What its chunk would hold: it and the on-demand packages it brings along, up to another suggestion (lazy in its
    // turn, its chunk would be asked for, not held).
    const other = (path: string) => {
      const p = rootPackage(path);
      return p !== undefined && p !== name && imported.has(p);
    };
    const brought = new Set([...reach(metafile, files.get(name) ?? [], (_, path) => !other(path))].map(rootPackage).filter((p): p is string => p !== undefined && onDemand.has(p)));
    const size = [...brought].reduce((sum, p) => sum + (bytes.get(p) ?? 0), 0);
    if (size >= minBytes) candidates.push({ name, bytes: size });
  }
  return candidates.sort((a, b) => b.bytes - a.bytes);
}
