/*
 * Imports esbuild cannot resolve. Node fails on a missing module only when the line that requires it runs,
 * and packages count on that: an optional dependency tried in a branch (http-server's `spdy`, eslint's `jiti`)
 * or a file the published package leaves out (uglify-js's `../test/reduce`). esbuild instead stops the whole
 * bundle. Each is left to run time, as Node would: a package by its name, a relative file at its path under
 * the virtual root (so embedding it as an asset makes it load) — and the build warns, naming file and line.
 * Found from esbuild's own errors, so a bundle that resolves everything pays nothing (asking esbuild to
 * resolve every import a second time cost broker's bundle 1.5–2.4 s).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type BuildFailure, type BuildOptions, type BuildResult, build, type Plugin } from 'esbuild';
import { regexpLiteral } from '../../shared/regexp-literal.ts';
import { asBundleError } from './bundle-error.ts';
import { isRelativeName } from './relative-name.ts';
import { virtualPath } from './virtual-paths.ts';

export interface Unresolved {
  /** Importer (as esbuild names it, relative to the working directory) and line. */
  at: string;
  /** What it imports, as written. */
  spec: string;
  importer: string;
}

const COULD_NOT_RESOLVE = /^Could not resolve "(.+)"$/;

/**
 * The line of the source file that names `spec` in quotes. esbuild's own line is the line in what it loaded,
 * which for a module given its own paths (virtual-paths.ts) is the transformed text, not the file.
 */
function lineOf(file: string, spec: string): number | undefined {
  try {
    const lines = readFileSync(file, 'utf8').split('\n');
    const quoted = `['"\`]${regexpLiteral(spec)}['"\`]`;
    // The import itself first (a message may quote the name on an earlier line), then any quoted mention.
    const importing = new RegExp(`(?:require|import)\\s*\\(\\s*${quoted}|from\\s*${quoted}`);
    const at = [importing, new RegExp(quoted)].map((re) => lines.findIndex((l) => re.test(l))).find((i) => i >= 0);
    return at === undefined ? undefined : at + 1;
  } catch {
    return undefined;
  }
}

/** The unresolved imports of a failed build, or undefined when it failed for any other reason too. */
function unresolvedOf(err: unknown, root: string): Unresolved[] | undefined {
  const errors = (err as Partial<BuildFailure>).errors;
  if (!errors || errors.length === 0) return undefined;
  const found: Unresolved[] = [];
  for (const e of errors) {
    const m = COULD_NOT_RESOLVE.exec(e.text);
    if (!m?.[1] || !e.location) return undefined;
    const importer = resolve(root, e.location.file);
    found.push({ at: `${e.location.file}:${lineOf(importer, m[1]) ?? e.location.line}`, spec: m[1], importer });
  }
  return found;
}

/** Marks exactly these imports external: a package by name, a relative file by its virtual path. */
function leaveToRunTime(tree: string, imports: readonly Unresolved[]): Plugin {
  const wanted = new Set(imports.map((u) => `${u.importer}\0${u.spec}`));
  const specs = [...new Set(imports.map((u) => u.spec))].map(regexpLiteral);
  return {
    name: 'seal-unresolved',
    setup(b) {
      b.onResolve({ filter: new RegExp(`^(?:${specs.join('|')})$`) }, (args) => {
        if (!wanted.has(`${args.importer}\0${args.path}`)) return undefined;
        const file = isRelativeName(args.path);
        return { path: file ? virtualPath(tree, resolve(args.resolveDir, args.path)) : args.path, external: true };
      });
    },
  };
}

/** A build whose output stays in memory: the program's bundle (with its metafile), or a worker's. */
type InMemory = BuildOptions & { write: false };

/**
 * esbuild's build, with the imports it cannot resolve left to run time and added to `found`. `options.plugins`
 * come first: the ones that resolve imports themselves (native addons, bindings) keep theirs.
 */
export async function buildLeavingUnresolved(options: InMemory & { metafile: true }, tree: string, found: Unresolved[]): Promise<BuildResult<{ write: false; metafile: true }>>;
export async function buildLeavingUnresolved(options: InMemory, tree: string, found: Unresolved[]): Promise<BuildResult<{ write: false }>>;
export async function buildLeavingUnresolved(options: InMemory, tree: string, found: Unresolved[]): Promise<BuildResult<{ write: false }>> {
  const root = options.absWorkingDir ?? process.cwd();
  for (;;) {
    try {
      const plugins = found.length > 0 ? [...(options.plugins ?? []), leaveToRunTime(tree, found)] : options.plugins;
      return await build({ ...options, plugins, logLevel: 'silent' });
    } catch (err) {
      const more = unresolvedOf(err, root);
      if (more === undefined || more.length === 0) throw asBundleError(err);
      found.push(...more);
    }
  }
}
