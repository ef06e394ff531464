/*
 * Imports esbuild cannot resolve. Node fails on a missing module only when the line that requires it runs,
 * and packages count on that: an optional dependency tried in a branch (http-server's `spdy`, eslint's `jiti`)
 * or a file the published package leaves out (uglify-js's `../test/reduce`). esbuild instead stops the whole
 * bundle. Each is left to run time, as Node would: a package by its name, a relative file at its path under
 * the virtual root (so embedding it as an asset makes it load) — and the build warns, naming file and line.
 * Found from esbuild's own errors, so a bundle that resolves everything pays nothing (asking esbuild to
 * resolve every import a second time cost broker's bundle 1.5–2.4 s). So is a file esbuild has no loader for, reached by
 * a require of a template literal (`require(\`./lib/${m}\`)` takes every file of lib/, @vue/cli-shared-utils' AppleScript
 * too): Node loads a file of any other extension as JavaScript, so it is bundled as JavaScript when it parses as such,
 * and otherwise becomes a module that throws the SyntaxError Node would throw if that line ever asked for it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type BuildFailure, type BuildOptions, type BuildResult, build, type Plugin, transform } from 'esbuild';
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
  /** A file of a type esbuild has no loader for (`spec` is its path): JavaScript to Node, whatever its extension. */
  noLoader?: true;
}

const COULD_NOT_RESOLVE = /^Could not resolve "(.+)"$/;
const NO_LOADER = /^No loader is configured for "\.[^"]+" files: (.+)$/;

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
    if (!e.location) return undefined;
    const importer = resolve(root, e.location.file);
    const file = NO_LOADER.exec(e.text)?.[1];
    if (file !== undefined) {
      found.push({ at: `${e.location.file}:${e.location.line}`, spec: resolve(root, file), importer, noLoader: true });
      continue;
    }
    const m = COULD_NOT_RESOLVE.exec(e.text);
    if (!m?.[1]) return undefined;
    found.push({ at: `${e.location.file}:${lineOf(importer, m[1]) ?? e.location.line}`, spec: m[1], importer });
  }
  return found;
}

/**
 * Marks exactly these imports external: a package by name, a relative file by its virtual path; a file with no loader
 * is loaded as Node would load it, as JavaScript (a module that throws Node's SyntaxError when it is none).
 */
function leaveToRunTime(tree: string, imports: readonly Unresolved[]): Plugin {
  const unresolved = imports.filter((u) => !u.noLoader);
  const wanted = new Set(unresolved.map((u) => `${u.importer}\0${u.spec}`));
  const specs = [...new Set(unresolved.map((u) => u.spec))].map(regexpLiteral);
  const unloadable = new Set(imports.filter((u) => u.noLoader).map((u) => u.spec));
  return {
    name: 'seal-unresolved',
    setup(b) {
      if (specs.length > 0) {
        b.onResolve({ filter: new RegExp(`^(?:${specs.join('|')})$`) }, (args) => {
          if (!wanted.has(`${args.importer}\0${args.path}`)) return undefined;
          const file = isRelativeName(args.path);
          return { path: file ? virtualPath(tree, resolve(args.resolveDir, args.path)) : args.path, external: true };
        });
      }
      if (unloadable.size > 0) {
        b.onLoad({ filter: new RegExp(`^(?:${[...unloadable].map(regexpLiteral).join('|')})$`) }, async (args) => {
          const text = readFileSync(args.path, 'utf8');
          try {
            await transform(text, { loader: 'js', format: 'cjs' });
            return { contents: text, loader: 'js' };
          } catch (err) {
            const why = (err as Partial<BuildFailure>).errors?.[0]?.text ?? 'not JavaScript';
            return { contents: `throw new SyntaxError(${JSON.stringify(`${virtualPath(tree, args.path)}: ${why}`)});\n`, loader: 'js' };
          }
        });
      }
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
