/*
 * Where the program's files are inside the binary. A bundle is one file, so without help every module's
 * __dirname is the executable's directory and `join(__dirname, '../data')` misses. Each module instead gets
 * the path it had in the package tree, under one virtual root (VIRTUAL_ROOT), where the binary's embedded
 * assets are mounted (project/prelude/assets.cjs): reads next to the code land on the assets. The paths are
 * relative to the package tree, not the build machine's checkout, so equal trees give equal bundles.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, extname, join, posix, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Loader, type Plugin, transform } from 'esbuild';
import { applyEdits, computedRequires, importsThrough, secondArguments } from './computed-requires.ts';
import { MAIN_MODULE } from './main-module.ts';
import type { Project } from './project.ts';
import { fileAsRequireFinds } from './relative-name.ts';
import { BUNDLES } from './table-keys.ts';
import { packageInTree, packageNameOf } from './tree-dirs.ts';

/** The global a hidden import() calls first to mount the embedded files (prelude/first-use.cjs owns the name). */
const { MOUNT_KEY } = createRequire(import.meta.url)('./prelude/first-use.cjs') as { MOUNT_KEY: string };

/** The directory the package tree appears under at run time. */
export const VIRTUAL_ROOT = '/seal';

/** The top of the package tree: the project, or for an installed package the project whose node_modules holds it. */
export function treeRoot(project: Pick<Project, 'root' | 'installed'>): string {
  if (!project.installed) return project.root;
  return project.root.slice(0, project.root.indexOf(`${sep}node_modules${sep}`));
}

/**
 * A real path's place under VIRTUAL_ROOT. esbuild gives real paths, so a package reached through a symlink
 * (a linked node_modules, pnpm's store) may lie outside the tree: it goes where Node would have found it,
 * under node_modules/; anything else outside (a linked workspace package) keeps its place with '..' spelt '__up__'.
 */
export function virtualPath(tree: string, file: string): string {
  let parts = relative(tree, file).split(sep);
  if (parts[0] === '..') {
    const all = file.split(sep);
    const at = all.indexOf('node_modules');
    parts = at >= 0 ? all.slice(at) : parts.map((part) => (part === '..' ? '__up__' : part));
  }
  return posix.join(VIRTUAL_ROOT, ...parts);
}

/** Where a virtual path lies on the build machine (virtualPath's inverse). */
export function onDisk(tree: string, path: string): string {
  return join(tree, ...posix.relative(VIRTUAL_ROOT, path).split('/'));
}

const isFile = (file: string) => existsSync(file) && statSync(file).isFile();

/** The file a virtual path names, when it is a file of the package tree. */
export function fileOnDisk(tree: string, path: string): string | undefined {
  const file = onDisk(tree, path);
  return isFile(file) ? file : undefined;
}

/** The tree's file a virtual path names as Node's require finds it (the extension left out, a directory's index.js), if there is one. */
export function moduleOnDisk(tree: string, path: string): string | undefined {
  return fileAsRequireFinds(onDisk(tree, posix.normalize(path)), isFile);
}

// A file with no extension is JavaScript to esbuild as to Node (a bin such as less's bin/lessc, an ES module that uses import.meta.url).
const LOADERS: Record<string, Loader> = { '': 'js', '.js': 'js', '.cjs': 'js', '.mjs': 'js', '.jsx': 'jsx', '.ts': 'ts', '.cts': 'ts', '.mts': 'ts', '.tsx': 'tsx' };
const RESOLVES = /require\.resolve\s*(?:\(|\.paths\b)/;
/** A module's own require.resolve: a relative name resolves from the module's place in the tree, not the executable's. */
const RESOLVE_HELPER = '__sealRequireResolve';
const RESOLVE_PATHS_HELPER = '__sealRequireResolvePaths';

/**
 * new Function('m', 'return import(m)'): an import() no bundler sees (prettier's bin reaches all of its code so). At
 * run time it has no module to resolve from, so a relative name would resolve against the working directory; the
 * module's own gets a wrapper that resolves a relative name from the module's file URL under the virtual root,
 * where the embedded files are (the vfs library serves import() there: measured on Node 22.22.2 and 24.22.3).
 */
const HIDDEN_IMPORT = /\b(?:new\s+)?Function\(\s*(["'])(\w+)\1\s*,\s*(["'])return\s+import\(\s*\2\s*\);?\3\s*\)/g;
const HIDDEN_IMPORT_HELPER = '__sealHiddenImport';
/**
 * A module's own `import.meta.resolve` (esbuild's CommonJS output has none: the call threw a TypeError). As Node's: a
 * relative or absolute specifier is a URL against the module's, not checked; a built-in module its node: name; a
 * package named literally is resolved when the module is bundled (with import conditions, as Node's resolver would
 * from the module's place), to its place under /seal; any other through the bundle's require.resolve, else
 * ERR_MODULE_NOT_FOUND.
 */
const META_RESOLVE_HELPER = '__sealMetaResolve';
const META_RESOLVED = /import\.meta\.resolve\s*\(\s*(["'])([^"'\\]+)\1\s*\)/g;
/** A specifier import.meta.resolve reads as a URL against the module's: relative, absolute, or with a scheme. */
const URL_SPECIFIER = /^(?:\.{0,2}\/|[a-zA-Z][a-zA-Z\d+.-]*:)/;

/**
 * `require(name)`, `require(this.path)`: a require of a name or property, known only at run time. The bundle has one
 * require for all modules, the executable's, so a relative name it is given resolved from the executable's directory:
 * the call gets the module's place under the virtual root as a second argument, which the bundle's require
 * (full-require.ts) resolves a relative name from (Node's require takes one argument and ignores more; the first is
 * left as it was, for dynamic-loads.ts to read). Such a module may be handed its own files by relative names written elsewhere in it
 * (webpack-cli's `this.tryRequireThenImport("./plugins/cli-plugin")`): each literal relative name in it that names a
 * file of the package is bundled and served at that path (bundled-modules.ts). This is a first look at the text;
 * computed-requires.ts reads the code's syntax.
 */
const MAY_COMPUTE_REQUIRE = /(?<![.\w$])require\s*\(\s*[A-Za-z_$]/;

/** `(function (require, exports) { … })`: TypeScript's UMD output, whose requires go through a parameter (computed-requires.ts). */
const MAY_SHADOW_REQUIRE = /function\s*\(\s*require\s*[,)]/;

/**
 * `import(url)` of a specifier known only at run time (zx imports the user's script so). The bundle turns every
 * import() into a require — a SEA's main script has no import() of its own — which fails for an ES module graph
 * with top-level await (ERR_REQUIRE_ASYNC_MODULE; ERR_REQUIRE_ESM where require cannot load ES modules). Such a
 * call goes through IMPORT_HELPER: the require as before, and on those errors node's own import(), reached as
 * prettier's bin reaches it (HIDDEN_IMPORT), a relative specifier resolved from the module's place.
 */
const MAY_COMPUTE_IMPORT = /(?<![.\w$])import\s*\(\s*[^\s'"`)]/;
const IMPORT_HELPER = '__sealImport';
/** The source of IMPORT_HELPER's Function: dynamic-loads.ts tells it from a program's hidden import() by it. */
export const IMPORT_FALLBACK_SOURCE = "return import(s) // node's import() after the bundle's require failed (virtual-paths.ts)";
/** IMPORT_HELPER's third argument: dynamic-loads.ts reads the call's first as the specifier of the require the bundle made. */
export const IMPORT_MARK = 'seal: a computed import()';

/** What a module must mention for this plugin to change it (the rewrites below); anything else loads as it is. */
const MENTIONS = new RegExp(
  `__dirname|__filename|import\\.meta|require\\.resolve\\s*\\(|return\\s+import\\s*\\(|require\\.main|module\\.(?:parent|filename|path)\\b|${MAY_COMPUTE_REQUIRE.source}|${MAY_COMPUTE_IMPORT.source}|${MAY_SHADOW_REQUIRE.source}`,
);

/** `require.resolve('./default-input.js')`: a file of the package named in full, which the module will read or load itself. */
const RESOLVED_FILE = /require\.resolve\s*\(\s*(["'])(\.\.?\/[^"'\\]+)\1\s*\)/g;
/**
 * `require.resolve('typescript/lib/tsc')`, `require.resolve('uglify-js')`: an installed package, or a file of one, named
 * literally, which the module will read or start itself, or checks is installed (handlebars' -m looks for uglify-js so).
 */
const RESOLVED_PACKAGE_FILE = /require\.resolve\s*\(\s*(["'])((?:@[\w.-]+\/)?(?!\.)[\w.-]+(?:\/[^"'\\]+)?)\1\s*\)/g;

/**
 * Gives each module that mentions them its own __dirname, __filename and import.meta.url/dirname/filename. The files
 * a module names by a literal relative `require.resolve` (init-package-json's './default-input.js', which promzard
 * reads and runs itself) are added to `resolved`, to be embedded with what they load.
 */
export interface VirtualPathsFindings {
  /** Files modules name by a literal relative require.resolve, to embed. */
  resolved?: Set<string>;
  /** The bins' files: their own `require.main` is their module. */
  bins?: ReadonlySet<string>;
  /** Files a module with a computed require names by a literal relative name, by the path it would require. */
  relatives?: Map<string, string>;
  /** The toolchain's own preludes (their directory): loaded as they are, not as the program's modules. */
  preludes?: string;
  /** seal.omit: packages a literal require.resolve is not answered for (nothing of them is embedded). */
  omit?: readonly string[];
}

export function virtualPathsPlugin(tree: string, { resolved = new Set(), bins = new Set(), relatives = new Map(), preludes, omit = [] }: VirtualPathsFindings = {}): Plugin {
  return {
    name: 'seal-virtual-paths',
    setup(build) {
      // `require(__dirname + '/../lib/cli')` (yarn's bin): esbuild folds the module's own __dirname and the literal into
      // one absolute path under the virtual root, which is nowhere on this machine. It names a file of the tree, bundled
      // as the relative require it stands for would be; a path the tree does not have is left to unresolved.ts.
      build.onResolve({ filter: new RegExp(`^${VIRTUAL_ROOT}/`) }, (args) => {
        const file = moduleOnDisk(tree, args.path);
        return file !== undefined && BUNDLES.test(file) ? { path: file } : undefined;
      });
      build.onLoad({ filter: /(?:\.(?:[cm]?[jt]s|[jt]sx)|\/[^./]+)$/ }, async (args) => {
        const loader = LOADERS[extname(args.path)];
        if (loader === undefined || args.namespace !== 'file') return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!MENTIONS.test(text)) return undefined; // esbuild loads it as it would anyway
        // The toolchain's own preludes are not the program's modules: their paths, requires and comments are theirs.
        // Rewritten, each carried a source map naming where the toolchain is, and a checkout and an installed copy
        // of the toolchain minified the bundle differently.
        if (preludes !== undefined && args.path.startsWith(preludes)) return undefined;
        const file = virtualPath(tree, args.path);
        const dir = posix.dirname(file);
        // define replaces only free identifiers: a module that declares its own __dirname keeps it.
        const define = {
          __dirname: JSON.stringify(dir),
          __filename: JSON.stringify(file),
          'import.meta.url': JSON.stringify(pathToFileURL(file).href),
          'import.meta.dirname': JSON.stringify(dir),
          'import.meta.filename': JSON.stringify(file),
          // Whether this module is the program's main one (Node 22.18+, 24.2+): a bin's file, as under node.
          'import.meta.main': String(bins.has(args.path)),
          // import.meta as a value (meow's `importMeta: import.meta`, under stylelint), where esbuild's CommonJS output would give {}.
          'import.meta': JSON.stringify({ url: pathToFileURL(file).href, dirname: dir, filename: file, main: bins.has(args.path) }),
        };
        // The inline source map lets the bundle's map point at the original lines (esbuild reads it back).
        // require.resolve('../x') would resolve from the executable's path (the bundle has one require for all
        // modules); the module gets a resolve of its own, a function declaration appended (hoisted, so it is
        // there before the module's first line runs, and no directive prologue is disturbed).
        const resolves = RESOLVES.test(text);
        const metaResolves = /\bimport\.meta\.resolve\b/.test(text);
        const packages: Record<string, string> = {};
        for (const [, , spec] of metaResolves ? text.matchAll(META_RESOLVED) : []) {
          if (spec === undefined || URL_SPECIFIER.test(spec) || isBuiltin(spec)) continue;
          const found = await build.resolve(spec, { kind: 'import-statement', resolveDir: dirname(args.path) });
          if (found.errors.length === 0 && !found.external && found.path.startsWith(`${tree}${sep}`)) packages[spec] = pathToFileURL(virtualPath(tree, found.path)).href;
        }
        // `if (require.main === module) main()`: in a binary the main script is the bundle, so a bin's own check was
        // false and the program did nothing. In a bin file require.main is its own module, as under node; in any
        // other module it describes that bin (main-module.ts).
        // esbuild's module object has no filename: in a bin, require.main's own fields are its path (lerna's walk up from
        // `dirname(require.main.filename)` took undefined).
        const binMain = { 'require.main': 'module', 'require.main.filename': JSON.stringify(file), 'require.main.path': JSON.stringify(dir), 'require.main.id': '"."' };
        const main: Record<string, string> = /\brequire\.main\b/.test(text) ? (bins.has(args.path) ? binMain : { 'require.main': MAIN_MODULE }) : {};
        // module.parent (deprecated, still read): esbuild's module objects have none, so `if (!module.parent) main()` ran a
        // library's main in the binary and nodemon's module.parent.filename threw. Outside a bin it stands for the bin
        // the binary runs (the module that required this one is not known); a bin's own stays unset, as the main module's.
        if (/\bmodule\.parent\b/.test(text) && !bins.has(args.path)) main['module.parent'] = MAIN_MODULE;
        // A module's own place, as CommonJS gives it (esbuild's module object has only exports): pm2 finds the daemon it
        // starts by path.resolve(path.dirname(module.filename), 'Daemon.js'), and dirname(undefined) threw.
        if (/\bmodule\.filename\b/.test(text)) main['module.filename'] = JSON.stringify(file);
        if (/\bmodule\.path\b/.test(text)) main['module.path'] = JSON.stringify(dir);
        // The main module's id is '.', any other's its file (`if (module.id === '.')`, an old test for being the program).
        if (/\bmodule\.id\b/.test(text)) main['module.id'] = bins.has(args.path) ? '"."' : JSON.stringify(file);
        // As require finds it: jest-worker forks require.resolve('./processChild'), which is processChild.js.
        for (const [, , name] of text.matchAll(RESOLVED_FILE)) if (name !== undefined) resolved.add(fileAsRequireFinds(resolve(dirname(args.path), name), isFile) ?? resolve(dirname(args.path), name));
        // A package or a package's file named literally ('dep', 'dep/bin/cli.js'): resolved as Node's require would from
        // here, embedded with what it loads, and answered with its place under /seal (the bundle's require, at the
        // executable's path, finds no such package). Not a package seal.omit leaves out: there it throws as if the
        // package were not installed (fdir asks for picomatch so, and answering it mounted the embedded files at start).
        const packageFiles: Record<string, string> = {};
        for (const [, , spec] of resolves ? text.matchAll(RESOLVED_PACKAGE_FILE) : []) {
          if (spec === undefined || isBuiltin(spec) || omit.includes(packageNameOf(spec))) continue;
          // packageInTree spells it where the package sits in the tree, also through a linked node_modules.
          const found = packageInTree(spec, args.path, tree);
          if (found === undefined) continue;
          resolved.add(found.file);
          packageFiles[spec] = virtualPath(tree, found.file);
        }
        // The rewrite keeps the line (the map still points at it); dynamic-loads.ts reports it with the module's place.
        const unhidden = text.replace(HIDDEN_IMPORT, () => `${HIDDEN_IMPORT_HELPER}(new Function("s", "return import(s)"), ${define['import.meta.url']})`);
        const hides = unhidden !== text;
        const out = await transform(unhidden, {
          loader,
          define: {
            ...define,
            ...main,
            ...(resolves ? { 'require.resolve': RESOLVE_HELPER, 'require.resolve.paths': RESOLVE_PATHS_HELPER } : ({} as Record<string, string>)),
            ...(metaResolves ? { 'import.meta.resolve': META_RESOLVE_HELPER } : {}),
          },
          sourcefile: args.path,
          sourcemap: 'inline',
          logLevel: 'silent',
        });
        // Read from esbuild's JavaScript (TypeScript included); the calls stay on their lines, so the map still points at them.
        const computed = [MAY_COMPUTE_REQUIRE, MAY_COMPUTE_IMPORT, MAY_SHADOW_REQUIRE].some((re) => re.test(text)) ? computedRequires(out.code) : { argumentEnds: [], relativeNames: [], imports: [] };
        for (const name of computed.argumentEnds.length > 0 || computed.imports.length > 0 ? computed.relativeNames : []) {
          const found = fileAsRequireFinds(resolve(dirname(args.path), name), isFile);
          if (found?.startsWith(`${tree}${sep}`)) relatives.set(posix.join(dir, name), found);
        }
        const code = applyEdits(out.code, [...secondArguments(computed.argumentEnds, JSON.stringify(dir)), ...importsThrough(computed.imports, IMPORT_HELPER, JSON.stringify(IMPORT_MARK))]);
        // A computed import() of a relative name loads it from the module's place (the bundle's require alone took it
        // from the executable's directory, and ran a file of that name lying beside the binary); its fallback goes
        // through the hidden import's wrapper, which resolves it from there too.
        const imports = computed.imports.length > 0;
        const helpers = [
          resolves ? resolveHelper(dir, packageFiles) : '',
          metaResolves ? metaResolveHelper(define['import.meta.url'] ?? '""', packages) : '',
          hides || imports ? `function ${HIDDEN_IMPORT_HELPER}(i, base) { return (s) => (globalThis[Symbol.for(${JSON.stringify(MOUNT_KEY)})]?.(), i(typeof s === 'string' && /^\\.\\.?\\//.test(s) ? new URL(s, base).href : s)); }` : '',
          imports
            ? `function ${IMPORT_HELPER}(s, load) { return load(typeof s === 'string' && /^\\.\\.?\\//.test(s) ? ${JSON.stringify(`${dir}/`)} + s : s).catch((e) => { if (!e || (e.code !== 'ERR_REQUIRE_ASYNC_MODULE' && e.code !== 'ERR_REQUIRE_ESM')) throw e; return ${HIDDEN_IMPORT_HELPER}(new Function("s", ${JSON.stringify(IMPORT_FALLBACK_SOURCE)}), ${define['import.meta.url']})(s); }); }`
            : '',
        ].filter(Boolean);
        return { contents: code + (helpers.length ? `\n${helpers.join('\n')}\n` : ''), loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/**
 * The source of a module's require.resolve (RESOLVE_HELPER), `dir` its place under the virtual root: a package's file
 * it names literally from `packageFiles` (its place under /seal), a relative name from there (options.paths, when given, are Node's to search, as under node), and its `.paths(request)`
 * (RESOLVE_PATHS_HELPER, a declaration of its own: `require.resolve.paths(…)` works from the module's first line; the
 * helper's own `.paths` property, for code that took `require.resolve` as a value, is set after the module's body) as
 * Node gives it for that module — its directory for a relative name, else the node_modules chain from there and the
 * global folders.
 */
function resolveHelper(dir: string, packageFiles: Record<string, string>): string {
  const at = JSON.stringify(dir);
  // A package's file the module names literally, resolved at build time (packageFiles), unless { paths } asks elsewhere.
  const known = Object.keys(packageFiles).length > 0 ? `const t = ${JSON.stringify(packageFiles)}; if (!(o && o.paths) && Object.hasOwn(t, s)) return t[s]; ` : '';
  return [
    `function ${RESOLVE_HELPER}(s, o) { ${known}return require.resolve(typeof s === 'string' && /^\\.\\.?\\//.test(s) && !(o && o.paths) ? ${at} + '/' + s : s, o); }`,
    `function ${RESOLVE_PATHS_HELPER}(s) { const m = require("node:module"); return m.isBuiltin(s) ? null : /^\\.\\.?(\\/|$)/.test(s) ? [${at}] : [...m._nodeModulePaths(${at}), ...m.globalPaths]; }`,
    `${RESOLVE_HELPER}.paths = ${RESOLVE_PATHS_HELPER};`,
  ].join('\n');
}

/** The source of a module's import.meta.resolve (META_RESOLVE_HELPER): `url` its own URL (a JSON string), `packages` what its literal package names resolved to. */
function metaResolveHelper(url: string, packages: Record<string, string>): string {
  return `function ${META_RESOLVE_HELPER}(s) {
  s = String(s);
  if (${URL_SPECIFIER}.test(s)) return new URL(s, ${url}).href;
  if (require('node:module').isBuiltin(s)) return s.startsWith('node:') ? s : 'node:' + s;
  const known = ${JSON.stringify(packages)};
  if (Object.hasOwn(known, s)) return known[s];
  try { return require('node:url').pathToFileURL(require.resolve(s)).href; } catch {}
  throw Object.assign(new Error("Cannot find package '" + s + "' imported from " + ${url}), { code: 'ERR_MODULE_NOT_FOUND' });
}`;
}
