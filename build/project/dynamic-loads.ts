/*
 * The loads esbuild could not follow: after bundling, every `require(x)` left in the output has an argument
 * that is not a literal (esbuild bundles literal paths, and './dir/' + x patterns as globs; a computed
 * `import()` is turned into require by the bundle's options). Each is found by parsing the bundle (acorn),
 * traced to its source file and line through the bundle's source map, and told apart:
 *  - into the project: the argument is built from a module's own path (its __dirname, which the bundle
 *    spells as a VIRTUAL_ROOT literal). It can only work if seal.assets embeds what it loads.
 *  - anywhere else (a package name or a path from the command line): it loads from the real file system
 *    at run time, which may be what the program wants — a warning, not an error.
 * fs reads (readFileSync, createReadStream, …) of paths that start at a module's own path are found the same
 * way: they are what seal.assets must hold.
 */
import { posix } from 'node:path';
import { type AnyNode, type CallExpression, type Expression, type FunctionDeclaration, type NewExpression, type PrivateIdentifier, parse, type SpreadElement, type Super, type TemplateLiteral } from 'acorn';
import { ancestor, simple } from 'acorn-walk';
import { SourceMapConsumer } from 'source-map-js';
import { isRelativeName } from './relative-name.ts';
import { IMPORT_FALLBACK_SOURCE, IMPORT_MARK, VIRTUAL_ROOT } from './virtual-paths.ts';

export interface DynamicLoad {
  /**
   * A require (or import) esbuild left, an fs read of the program's own files, a worker thread started from one of them,
   * a process started as node on one of them (fork(join(__dirname, 'child.js')), spawn(process.execPath, [that]):
   * prelude/as-node.cjs runs it from the embedded files), or an import() hidden in new Function (prettier's bin).
   */
  kind: 'require' | 'read' | 'worker' | 'process' | 'hidden';
  /** Source file (relative to the project) and line, as the source map gives them. */
  at: string;
  /** The call as it stands in the bundle, shortened. */
  code: string;
  /** For a load into the project: where its literal parts point, under VIRTUAL_ROOT (a directory ends in '/'). */
  into?: string;
  /** `into` is exactly one file, named in full (a createRequire'd require of a literal relative path, an fs read of a path known in full): embedded without asking. */
  exact?: true;
  /**
   * A require through the bundle's require whose whole path is known before run time (npm's
   * `require(resolve(__dirname, 'cli/entry.js'))`): the module is bundled and served from the bundle (bundle.ts).
   */
  bundled?: true;
  /** Into a package seal.omit leaves out (bundle.ts): not embedded, loaded from the disk at run time if at all. */
  omitted?: true;
  /** One of the installed packages a computed name may pick (lightningcss-${platform}): an addon there that cannot load here is left out, not an error. */
  oneOf?: true;
  /**
   * Named outside any load, embedded when the package has that file (a missing file is nothing; a directory other than
   * the one it starts from or one above that is a place, embedded when small, else nothing — directoryMention): a data
   * file by `new URL('./file', import.meta.url)` (release-it's `readJSON(new URL(…))` reads its defaults through a
   * helper), or a module by a path known in full (pm2's `path.resolve(path.dirname(module.filename), 'Daemon.js')`,
   * pushed onto the arguments it starts node with), embedded with what it loads, as one started so is.
   */
  mentioned?: true;
  /**
   * For a load into a place (`into` a directory or a name's start): its files, embedded whole without asking
   * (load-places.ts), or `tooMany` when the place is too large for that and seal.assets must name what to embed.
   */
  place?: { files: number; bytes: number; tooMany?: true };
}

type Arg = Expression | SpreadElement | Super | PrivateIdentifier;

/** A call as a report shows it: on one line (a string may hold a line continuation), at most 80 characters. */
function shortened(code: string): string {
  const text = code.replace(/\\\n/g, '').replace(/\n/g, ' ');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * `helper(specifier, (s) => …require(s)…, IMPORT_MARK)`: virtual-paths.ts's form of a computed import(), once the bundle
 * has made its import a require. For the `s` of that require, the specifier expression; else undefined.
 */
function importedSpecifier(name: string, ancestors: AnyNode[]): Arg | undefined {
  for (let i = ancestors.length - 1; i > 0; i--) {
    const fn = ancestors[i];
    if (fn?.type !== 'ArrowFunctionExpression' && fn?.type !== 'FunctionExpression') continue;
    const [param] = fn.params;
    if (fn.params.length !== 1 || param?.type !== 'Identifier' || param.name !== name) continue;
    const call = ancestors[i - 1];
    if (call?.type !== 'CallExpression' || call.arguments[1] !== fn || stringOf(call.arguments[2]) !== IMPORT_MARK) return undefined;
    return call.arguments[0];
  }
  return undefined;
}

/** `new Function('m', 'return import(m)')`, or any Function made from source that calls import(): not the toolchain's own for a computed import(). */
function isHiddenImport(node: AnyNode): boolean {
  if (!((node.type === 'CallExpression' || node.type === 'NewExpression') && calleeName(node.callee) === 'Function')) return false;
  const sources = node.arguments.map((a) => stringOf(a) ?? '');
  return !sources.includes(IMPORT_FALLBACK_SOURCE) && sources.some((s) => /\bimport\s*\(/.test(s));
}

/** For virtual-paths.ts's wrapper of a hidden import, `wrapper(new Function(…), 'file:///seal/…')`: the module's file URL it resolves from. */
function wrappedBase(call: CallExpression): string | undefined {
  const [fn, base] = call.arguments;
  const url = stringOf(base);
  return fn && isHiddenImport(fn) && url?.startsWith(`file://${VIRTUAL_ROOT}/`) ? url : undefined;
}

function stringOf(n: Arg | undefined): string | undefined {
  return n?.type === 'Literal' && typeof n.value === 'string' ? n.value : undefined;
}

/** Path functions whose result is known when their arguments are (minified code calls them as `(0,x.join)(…)`). */
const PATH_CALLS: Record<string, (...parts: string[]) => string | undefined> = {
  join: (...parts) => posix.join(...parts),
  resolve: (...parts) => (parts[0]?.startsWith('/') ? posix.resolve(...parts) : undefined),
  dirname: (p, ...rest) => (rest.length === 0 && p !== undefined ? posix.dirname(p) : undefined),
  fileURLToPath: (p, ...rest) => (rest.length === 0 ? p : undefined),
  pathToFileURL: (p, ...rest) => (rest.length === 0 ? p : undefined),
};

/** The path function a callee names, if it is one (not a property every object has: `p.valueOf()`). */
const pathCall = (name: string | undefined) => (name !== undefined && Object.hasOwn(PATH_CALLS, name) ? PATH_CALLS[name] : undefined);

/** What of a path expression is known before run time. */
interface KnownPath {
  /**
   * The literal parts it starts with, as one path, read from the expression alone (a name is not followed):
   * join(__dirname, '..', 'plugins', name) → '/seal/plugins/'; __dirname + '/x/' + name → '/seal/bin/x/';
   * `${__dirname}/x/${name}` → the same. Undefined when it does not start with a literal.
   */
  prefix: string | undefined;
  /**
   * The whole path when every part of it is known: a literal, literals joined, new URL('../package.json', import.meta.url)
   * (js-yaml reads its version so), and a name whose value is one (`here = dirname(fileURLToPath(import.meta.url))`,
   * then join(here, '../package.json')).
   */
  exact: string | undefined;
}

/** How the walk reads names: a name's value, and the function a callee is (a minified `import{fileURLToPath as U}` calls `U(…)`). */
interface PathNames {
  valueOf: (name: string) => Arg | undefined;
  calleeOf: (callee: AnyNode) => string | undefined;
}

const UNKNOWN: KnownPath = { prefix: undefined, exact: undefined };

/** How deep the whole path is read (a name's value may name the name again). */
const EXACT_DEPTH = 8;

/** The path of `rel` resolved against the URL `base`, when both are known and make a URL (new URL('./x', 'base') throws). */
const urlPath = (rel: string | undefined, base: string | undefined) => (rel !== undefined && base !== undefined && URL.canParse(rel, base) ? new URL(rel, base).pathname : undefined);

/** What of a path expression is known: each kind of expression read once for its start and its whole. */
function knownPath(n: Arg, names: PathNames, depth = 0): KnownPath {
  const known = knownParts(n, names, depth);
  return depth > EXACT_DEPTH ? { prefix: known.prefix, exact: undefined } : known;
}

/** knownPath's reading of one expression, before the depth bound. */
function knownParts(n: Arg, names: PathNames, depth: number): KnownPath {
  const next = (m: Arg) => knownPath(m, names, depth + 1);
  const literal = stringOf(n);
  if (literal !== undefined) {
    const path = literal.replace(/^file:\/\//, '');
    return { prefix: path, exact: path };
  }
  switch (n.type) {
    case 'Identifier': {
      const value = depth < EXACT_DEPTH ? names.valueOf(n.name) : undefined;
      return { prefix: undefined, exact: value === undefined ? undefined : next(value).exact };
    }
    case 'TemplateLiteral': {
      const start = n.quasis[0]?.value.cooked ?? undefined;
      return { prefix: start, exact: n.expressions.length === 0 ? start : undefined };
    }
    case 'BinaryExpression': {
      if (n.operator !== '+' || n.left.type === 'PrivateIdentifier') return UNKNOWN;
      const [left, right] = [next(n.left), next(n.right)];
      return { prefix: left.prefix, exact: left.exact === undefined || right.exact === undefined ? undefined : left.exact + right.exact };
    }
    case 'ConditionalExpression': {
      // `typeof import.meta < "u" && import.meta.url ? dirname(fileURLToPath(import.meta.url)) : __dirname` (a dual
      // ES/CommonJS build's own place, figlet's): both branches name one place in the bundle. Known where they agree.
      const [a, b] = [next(n.consequent), next(n.alternate)];
      return { prefix: a.prefix === b.prefix ? a.prefix : undefined, exact: a.exact === b.exact ? a.exact : undefined };
    }
    case 'MemberExpression': {
      if (n.object.type === 'Super') return UNKNOWN;
      // `defaults.fontPath` of `const defaults = { fontPath: join(here, '../fonts/') }`: that property's value.
      const value = propertyValue(n, names, depth);
      if (value !== undefined) return next(value);
      // pathToFileURL(p).href, new URL(…).pathname: the path inside (its start, through any property).
      const inner = next(n.object);
      return { prefix: inner.prefix, exact: n.property.type === 'Identifier' && ['href', 'pathname'].includes(n.property.name) ? inner.exact : undefined };
    }
    case 'NewExpression': {
      if (n.callee.type !== 'Identifier' || n.callee.name !== 'URL') return UNKNOWN;
      const [relNode, baseNode] = n.arguments;
      const rel = relNode === undefined ? UNKNOWN : next(relNode);
      const base = baseNode === undefined ? undefined : next(baseNode).exact;
      // The start resolves against a base written as a literal URL; the whole path against any base path known in full.
      return { prefix: urlPath(rel.prefix, stringOf(baseNode)), exact: base?.startsWith('/') ? urlPath(rel.exact, `file://${base}`) : undefined };
    }
    case 'CallExpression': {
      const parts = n.arguments.map(next);
      const call = pathCall(names.calleeOf(n.callee));
      const exact = parts.map((p) => p.exact);
      return { prefix: callPrefix(n, parts, names.calleeOf(n.callee) === 'resolve'), exact: call !== undefined && exact.every((p) => p !== undefined) ? call(...(exact as string[])) : undefined };
    }
    default:
      return UNKNOWN;
  }
}

/** `object.name` where the object is an object literal written out (or a name whose value is one): that property's value as written. */
function propertyValue(n: Extract<Arg, { type: 'MemberExpression' }>, names: PathNames, depth: number): Arg | undefined {
  if (n.computed || n.property.type !== 'Identifier') return undefined;
  const key = n.property.name;
  const object = n.object.type === 'Identifier' && depth < EXACT_DEPTH ? names.valueOf(n.object.name) : n.object;
  if (object?.type !== 'ObjectExpression') return undefined;
  // The last one written wins, as in the object; a spread or a computed key after it may replace it: not known.
  let value: Arg | undefined;
  for (const p of object.properties) {
    if (p.type === 'SpreadElement' || p.computed) value = undefined;
    else if (p.kind === 'init' && (p.key.type === 'Identifier' ? p.key.name : stringOf(p.key as Arg)) === key) value = p.value as Arg;
  }
  return value;
}

/** What modules are named by: a module is bundled or loaded as one (a worker, a process), never embedded as data. */
const MODULE_FILE = /\.(?:[cm]?[jt]s|[jt]sx|node|wasm)$/;

/**
 * `new URL('<relative>', import.meta.url)` in a module (the bundle has the module's URL as a literal in place of
 * import.meta.url), not as the argument of a load this walk reads anyway: the data file it names, under the virtual
 * root, or undefined.
 */
function urlMention(node: CallExpression | NewExpression, parent: AnyNode | undefined, names: PathNames, destructured: (local: string) => string | undefined): string | undefined {
  if (node.type !== 'NewExpression' || node.callee.type !== 'Identifier' || node.callee.name !== 'URL' || node.arguments.length !== 2) return undefined;
  const [rel, base] = node.arguments;
  const relative = stringOf(rel);
  if (relative === undefined || !isRelativeName(relative) || !stringOf(base)?.startsWith(`file://${VIRTUAL_ROOT}/`)) return undefined;
  if ((parent?.type === 'CallExpression' || parent?.type === 'NewExpression') && (kindOf(parent, destructured) !== undefined || startedFiles(parent, names) !== undefined)) return undefined;
  const path = urlPath(relative, stringOf(base));
  return path === undefined || path.endsWith('/') || MODULE_FILE.test(path) ? undefined : posix.normalize(path);
}

/**
 * A path function's result known in full, naming a module file under the virtual root, where no load this walk reads
 * takes it (and not inside another path call, nor in an argument list written out in a call: a start this walk reads,
 * or another program's): a module the program may start as node, or hand to a worker, later.
 */
function modulePathMention(node: CallExpression | NewExpression, parent: AnyNode | undefined, grandparent: AnyNode | undefined, names: PathNames, destructured: (local: string) => string | undefined): string | undefined {
  const exact = mentionedPath(node, parent, grandparent, names, destructured)?.path;
  return exact !== undefined && /\.[cm]?js$/.test(exact) ? exact : undefined;
}

/**
 * A path function's result known in full, as modulePathMention reads one, naming a directory that is neither the one it
 * starts from nor one above that (figlet's `fontPath = join(moduleDirname, '/../fonts/')`, handed to a setter and read from there later): a
 * place the program may read, embedded when the package has it and it is small (embedded-files.ts); never the
 * module's own directory or one above it (`join(__dirname, '..')`), which hold its code and package. The directory,
 * ending in '/'.
 */
function directoryMention(node: CallExpression | NewExpression, parent: AnyNode | undefined, grandparent: AnyNode | undefined, names: PathNames, destructured: (local: string) => string | undefined): string | undefined {
  const mention = mentionedPath(node, parent, grandparent, names, destructured);
  if (mention === undefined || /\.[\w-]+$/.test(mention.path) || mention.base === undefined) return undefined;
  const base = `${posix.normalize(mention.base).replace(/\/$/, '')}/`;
  const dir = `${mention.path.replace(/\/$/, '')}/`;
  return !base.startsWith(dir) ? dir : undefined;
}

/** A join or resolve known in full, under the virtual root, where no load this walk reads takes it: its path and its first part's. */
function mentionedPath(
  node: CallExpression | NewExpression,
  parent: AnyNode | undefined,
  grandparent: AnyNode | undefined,
  names: PathNames,
  destructured: (local: string) => string | undefined,
): { path: string; base: string | undefined } | undefined {
  // A join or resolve of parts: one path made from another (fileURLToPath(import.meta.url) names the module itself).
  const callee = node.type === 'CallExpression' ? names.calleeOf(node.callee) : undefined;
  if (node.type !== 'CallExpression' || (callee !== 'join' && callee !== 'resolve') || node.arguments.length < 2) return undefined;
  if (parent?.type === 'CallExpression' && pathCall(names.calleeOf(parent.callee)) !== undefined) return undefined;
  if (parent?.type === 'ArrayExpression' && (grandparent?.type === 'CallExpression' || grandparent?.type === 'NewExpression')) return undefined;
  if ((parent?.type === 'CallExpression' || parent?.type === 'NewExpression') && (kindOf(parent, destructured) !== undefined || startedFiles(parent, names) !== undefined)) return undefined;
  const exact = knownPath(node, names).exact;
  const [first] = node.arguments;
  return exact?.startsWith(`${VIRTUAL_ROOT}/`) ? { path: posix.normalize(exact), base: first === undefined ? undefined : knownPath(first, names).exact } : undefined;
}

/**
 * The start of a call's path: its one computed argument's (pathToFileURL(p)), else the parts known in full it starts
 * with (join, resolve), and the start of the first one that is not: create-vite's
 * `resolve(fileURLToPath(import.meta.url), '../..', \`template-${name}\`)` starts at its package's `template-`.
 */
function callPrefix(n: CallExpression, parts: KnownPath[], resolves: boolean): string | undefined {
  const [only] = n.arguments;
  if (n.arguments.length === 1 && only && stringOf(only) === undefined) return parts[0]?.prefix;
  const lead: string[] = [];
  let partial: string | undefined;
  for (const p of parts) {
    if (p.exact === undefined) {
      partial = p.prefix;
      break;
    }
    lead.push(p.exact);
  }
  if (lead.length === 0) return undefined;
  const joined = resolves && lead[0]?.startsWith('/') ? posix.resolve(...lead) : posix.join(...lead);
  // Parts known in full then something computed: they name a directory, or with the next one's start a name's start.
  if (lead.length === n.arguments.length) return joined;
  return partial ? posix.join(joined, partial) : `${joined}/`;
}

/** The place in the project a load points at (a directory ending in '/', or a file), from its path's start; undefined when it does not start at a module's path. */
function projectPlace(prefix: string | undefined): string | undefined {
  if (prefix === undefined || !(prefix === VIRTUAL_ROOT || prefix.startsWith(`${VIRTUAL_ROOT}/`))) return undefined;
  // A directory keeps its trailing '/'; a prefix that ends inside a name ('/seal/locales/en' + ext) stays as it is.
  return posix.normalize(prefix);
}

/** Whether the embedded assets (virtual paths) hold what a load into `place` could name. */
export function coveredByAssets(place: string, assets: readonly string[]): boolean {
  return assets.some((a) => (place.endsWith('/') ? a.startsWith(place) : a === place || a.startsWith(`${place}.`) || a.startsWith(`${place}/`)));
}

/** The declarations in one scope (nested ones included, as minified names rarely repeat): each name's initial value, and for a destructured name the property it was taken from. */
interface ScopeNames {
  values: Map<string, Arg>;
  /** Function declarations by name (a lazy require maker: rolldown's `function __require() { … }`). */
  functions: Map<string, FunctionDeclaration>;
  /** Minified code spells `const { readFileSync } = require('fs')` as `var{readFileSync:s}=require("fs")` and calls `s(…)`. */
  destructured: Map<string, string>;
}

const SCOPES = ['Program', 'BlockStatement', 'StaticBlock'];

/** Reads each scope once (a bundle has thousands of calls: walking the scope per call was quadratic). */
function scopeReader() {
  const seen = new WeakMap<AnyNode, ScopeNames>();
  const namesOf = (scope: AnyNode): ScopeNames => {
    const known = seen.get(scope);
    if (known) return known;
    const names: ScopeNames = { values: new Map(), destructured: new Map(), functions: new Map() };
    // esbuild's wrapper of an ES module that is required (`__esm`) declares its names up front and assigns them inside:
    // `var r,p; … r=(0,m.createRequire)("file:///seal/…"),p=r("../data/patch.json")` (css-tree under stylelint).
    const assigned = new Map<string, Arg>();
    simple(scope, {
      AssignmentExpression: (a) => {
        if (a.operator === '=' && a.left.type === 'Identifier' && !assigned.has(a.left.name)) assigned.set(a.left.name, a.right);
      },
      FunctionDeclaration: (f) => {
        if (f.id && !names.functions.has(f.id.name)) names.functions.set(f.id.name, f);
      },
      VariableDeclarator: (d) => {
        if (d.id.type === 'Identifier' && d.init && !names.values.has(d.id.name)) names.values.set(d.id.name, d.init);
        if (d.id.type !== 'ObjectPattern') return;
        for (const p of d.id.properties) {
          if (p.type !== 'Property' || p.value.type !== 'Identifier' || names.destructured.has(p.value.name)) continue;
          const key = p.key.type === 'Identifier' ? p.key.name : p.key.type === 'Literal' ? String(p.key.value) : undefined;
          if (key !== undefined) names.destructured.set(p.value.name, key);
        }
      },
      // An ES module bundle (top-level await) imports by name: `import{createRequire as r}from"node:module"`.
      ImportDeclaration: (d) => {
        for (const s of d.specifiers) {
          if (s.type !== 'ImportSpecifier' || names.destructured.has(s.local.name)) continue;
          names.destructured.set(s.local.name, s.imported.type === 'Identifier' ? s.imported.name : String(s.imported.value));
        }
      },
    });
    for (const [name, value] of assigned) if (!names.values.has(name)) names.values.set(name, value);
    seen.set(scope, names);
    return names;
  };
  /** Looks a name up in the scopes around a node, nearest first. */
  return <T>(name: string, ancestors: readonly AnyNode[], pick: (n: ScopeNames) => Map<string, T>): T | undefined => {
    for (let i = ancestors.length - 1; i >= 0; i--) {
      const scope = ancestors[i];
      if (!scope || !SCOPES.includes(scope.type)) continue;
      const found = pick(namesOf(scope)).get(name);
      if (found !== undefined) return found;
    }
    return undefined;
  };
}

/** fs calls whose first argument is the path they read (sync, callback and promise forms share names). */
const FS_READS = new Set([
  'readFileSync',
  'readFile',
  'createReadStream',
  'existsSync',
  'exists',
  'statSync',
  'stat',
  'lstatSync',
  'lstat',
  'readdirSync',
  'readdir',
  'accessSync',
  'access',
  'openSync',
  'open',
  'realpathSync',
  'realpath',
  'opendirSync',
  'opendir',
]);

/** The function a call calls, by its last name: require, or (0, fs.readFileSync) as minified code spells it. */
function calleeName(callee: AnyNode): string | undefined {
  if (callee.type === 'Identifier') return callee.name;
  if (callee.type === 'MemberExpression' && callee.property.type === 'Identifier' && !callee.computed) return callee.property.name;
  if (callee.type === 'SequenceExpression') {
    const last = callee.expressions.at(-1);
    return last ? calleeName(last) : undefined;
  }
  return undefined;
}

type Kind = DynamicLoad['kind'];

/** The name a callee is known by: its own, or for a local destructured from a module the property it was taken from. */
function importedName(callee: AnyNode, destructured: (local: string) => string | undefined): string | undefined {
  const local = calleeName(callee);
  return callee.type === 'Identifier' && local !== undefined && local !== 'require' ? (destructured(local) ?? local) : local;
}

/** What a call or `new` does, if it is one this module reports: a require, an fs read, or a worker started from a file. */
function kindOf(node: CallExpression | NewExpression, destructured: (local: string) => string | undefined): Kind | undefined {
  const name = importedName(node.callee, destructured);
  if (node.type === 'NewExpression') return name === 'Worker' ? 'worker' : undefined;
  if (name === 'require' && node.callee.type === 'Identifier') return 'require';
  return name !== undefined && FS_READS.has(name) ? 'read' : undefined;
}

/** child_process functions that start a file with an argument list: spawn(process.execPath, [script, …]) starts node on a script. */
const PROCESS_STARTS = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync']);

/** `process.execPath`, or a name whose value it is: the executable, node under node. */
function isExecutable(n: Arg | undefined, names: PathNames): boolean {
  const value = n?.type === 'Identifier' ? names.valueOf(n.name) : n;
  return value?.type === 'MemberExpression' && !value.computed && value.object.type === 'Identifier' && value.object.name === 'process' && value.property.type === 'Identifier' && value.property.name === 'execPath';
}

/**
 * What a call starts node on, if it starts node: fork's module, or where the executable is started with a list, its
 * elements (the script, a -r module, and the script's arguments, which may name files of the program too).
 */
function startedFiles(node: CallExpression | NewExpression, names: PathNames): Arg[] | undefined {
  if (node.type !== 'CallExpression') return undefined;
  const name = names.calleeOf(node.callee);
  const [file, list] = node.arguments;
  if (name === 'fork') return file === undefined ? undefined : [file];
  if (name === undefined || !PROCESS_STARTS.has(name) || !isExecutable(file, names) || list?.type !== 'ArrayExpression') return undefined;
  return list.elements.filter((e): e is Expression => e !== null && e.type !== 'SpreadElement' && !stringOf(e)?.startsWith('-'));
}

/**
 * `sourceName` turns a source-map source into the name reports use (a path relative to the project).
 * Reports every require left in the bundle, and every fs read and worker file whose path starts at a module's own path.
 */
/** Resolves a package specifier from a directory under the virtual root, as Node would there: the file's virtual path, when it is one to embed. */
export type PackageResolver = (spec: string, fromDir: string) => string | undefined;
/**
 * The installed packages whose names start with `prefix` that a module (`from`, a source file as reports name it) can
 * load by name: each one's main, a virtual path to embed. For `require(\`lightningcss-${platform}\`)`.
 */
export type PackagesNamed = (prefix: string, from: string) => string[];

/** esbuild's stand-in for require in an ES module bundle (`__require`, renamed when minified) throws this when there is no require. */
const REQUIRE_SHIM = 'Dynamic require of "';
/**
 * The start of a package name up to a separator (a scope, a name's beginning ending in - _ or .): what a computed
 * require of a platform package starts with (`lightningcss-${platform}`, `@rollup/rollup-${base}`, `@esbuild/${p}`).
 * A bare letter or word (webpack's `m${…}` in a parser) is no package's start.
 */
const PACKAGE_PREFIX = /^(?:@[a-z0-9][\w.-]*\/(?:[a-z0-9][\w.-]*[-_.])?|[a-z0-9][\w.-]*[-_.])$/i;

export function findDynamicLoads(
  code: string,
  map: string,
  sourceName: (source: string) => string = (s) => s,
  sourceType: 'script' | 'module' = 'script',
  resolvePackage: PackageResolver = () => undefined,
  packagesNamed: PackagesNamed = () => [],
): DynamicLoad[] {
  const ast = parse(code, { ecmaVersion: 'latest', sourceType, locations: true, allowReturnOutsideFunction: true, allowHashBang: true });
  const consumer = new SourceMapConsumer(JSON.parse(map));
  const loads: DynamicLoad[] = [];
  const lookup = scopeReader();
  const destructured = (ancestors: AnyNode[]) => (local: string) => lookup(local, ancestors, (n) => n.destructured);
  const namesAt = (ancestors: AnyNode[]): PathNames => ({ valueOf: (name) => lookup(name, ancestors, (n) => n.values), calleeOf: (callee) => importedName(callee, destructured(ancestors)) });
  /**
   * What a require callee stands for, through names: `r` (r = createRequire(…)), or a lazy maker's call, `__require()`
   * where `function __require() { const r = createRequire(…); …; return r }` (rolldown's and tsdown's output: napi-rs
   * loaders require their platform package so), `r` looked up in the maker's own body.
   */
  const calleeValue = (callee: Arg, ancestors: AnyNode[]): Arg | undefined => {
    if (callee.type === 'Identifier') return lookup(callee.name, ancestors, (n) => n.values);
    if (callee.type !== 'CallExpression' || callee.arguments.length > 0 || callee.callee.type !== 'Identifier') return undefined;
    const maker = lookup(callee.callee.name, ancestors, (n) => n.functions);
    const returned = maker?.body.body.find((st) => st.type === 'ReturnStatement')?.argument;
    // `return __require = () => r, r`: the last of a sequence.
    const value = returned?.type === 'SequenceExpression' ? returned.expressions.at(-1) : returned;
    return maker && value?.type === 'Identifier' ? lookup(value.name, [maker.body], (n) => n.values) : undefined;
  };
  /** For `r(…)` where r = createRequire(<a module's own path or URL>): that module's directory under the virtual root. */
  const createdRequireBase = (node: CallExpression | NewExpression, ancestors: AnyNode[]): string | undefined => {
    if (node.type !== 'CallExpression' || node.callee.type === 'Super') return undefined;
    const init = calleeValue(node.callee, ancestors);
    if (init?.type !== 'CallExpression') return undefined;
    const [from] = init.arguments;
    const base = importedName(init.callee, destructured(ancestors)) === 'createRequire' && from ? knownPath(from, namesAt(ancestors)).prefix : undefined;
    return base?.startsWith(`${VIRTUAL_ROOT}/`) ? posix.dirname(base) : undefined;
  };
  const originOf = (node: AnyNode) => {
    // `(0,e.readFileSync)(…)`: esbuild maps the name, not the `(0,` it wrote (which would take the previous line's mapping).
    const anchor = node.type === 'CallExpression' && node.callee.type === 'SequenceExpression' ? (node.callee.expressions.at(-1) ?? node) : node;
    const start = anchor.loc?.start ?? { line: 0, column: 0 };
    return { start, origin: consumer.originalPositionFor({ line: start.line, column: start.column }) };
  };
  const where = (node: AnyNode) => {
    const { start, origin } = originOf(node);
    // `require(name, "/seal/lib")`: the directory virtual-paths.ts added is the toolchain's, not the program's.
    const [first, from] = node.type === 'CallExpression' ? node.arguments : [];
    const added = node.type === 'CallExpression' && first !== undefined && node.arguments.length === 2 && stringOf(from)?.startsWith(VIRTUAL_ROOT);
    const text = added ? `${code.slice(node.start, first.end)})` : code.slice(node.start, node.end);
    return { at: origin.source ? `${sourceName(origin.source)}:${origin.line}` : `bundle:${start.line}:${start.column}`, code: shortened(text) };
  };
  const visit = (node: CallExpression | NewExpression, ancestors: AnyNode[]) => {
    const mentioned = urlMention(node, ancestors.at(-2), namesAt(ancestors), destructured(ancestors));
    if (mentioned !== undefined) {
      loads.push({ kind: 'read', ...where(node), into: mentioned, exact: true, mentioned: true });
      return;
    }
    const module = modulePathMention(node, ancestors.at(-2), ancestors.at(-3), namesAt(ancestors), destructured(ancestors));
    if (module !== undefined) {
      loads.push({ kind: 'process', ...where(node), into: module, exact: true, mentioned: true });
      return;
    }
    const directory = directoryMention(node, ancestors.at(-2), ancestors.at(-3), namesAt(ancestors), destructured(ancestors));
    if (directory !== undefined) {
      loads.push({ kind: 'read', ...where(node), into: directory, mentioned: true });
      return;
    }
    // new Function('m', 'return import(m)'): an import() no bundler can see. virtual-paths.ts wraps the usual form so a
    // relative name resolves from the module's file URL (the wrapper's second argument): its directory is `into`.
    // Any other form resolves at run time against the working directory.
    if (isHiddenImport(node)) {
      const parent = ancestors.at(-2);
      const base = parent?.type === 'CallExpression' && parent.arguments[0] === node ? wrappedBase(parent) : undefined;
      loads.push({ kind: 'hidden', ...where(node), ...(base === undefined ? {} : { into: `${posix.dirname(new URL(base).pathname)}/` }) });
      return;
    }
    // A call of the wrapped import with a literal relative name (prettier's dynamicImport('../internal/legacy-cli.mjs')):
    // exactly one file, embedded without asking (with what it imports: bundle.ts).
    // (A minifier may call the wrapper's result in place when the name is used once.)
    const callee = node.type === 'CallExpression' ? node.callee : undefined;
    const init = callee?.type === 'Identifier' ? lookup(callee.name, ancestors, (n) => n.values) : callee;
    const hiddenBase = init?.type === 'CallExpression' ? wrappedBase(init) : undefined;
    if (hiddenBase !== undefined) {
      const literal = stringOf(node.arguments[0]);
      if (literal !== undefined && isRelativeName(literal)) loads.push({ kind: 'hidden', ...where(node), into: new URL(literal, hiddenBase).pathname, exact: true });
      return;
    }
    // A process started as node on the program's files: each named in full is embedded with what it loads; one whose
    // path is only known to start in the package is for seal.assets to hold.
    const names = namesAt(ancestors);
    const started = startedFiles(node, names);
    if (started !== undefined) {
      for (const [i, known] of started.map((a) => knownPath(a, names)).entries()) {
        const into = known.exact?.startsWith(`${VIRTUAL_ROOT}/`) && !known.exact.endsWith('/') ? posix.normalize(known.exact) : undefined;
        // Only the first (the script, but for a -r module's) must be there: a later one may be an argument it never opens.
        const place = into === undefined && i === 0 ? projectPlace(known.prefix) : undefined;
        if (into !== undefined) loads.push({ kind: 'process', ...where(node), into, exact: true });
        else if (place !== undefined) loads.push({ kind: 'process', ...where(node), into: place });
      }
      return;
    }
    const base = createdRequireBase(node, ancestors);
    // In an ES module bundle a CommonJS module's require is esbuild's shim, which calls the real one.
    const shimInit = node.type === 'CallExpression' && node.callee.type === 'Identifier' ? lookup(node.callee.name, ancestors, (n) => n.values) : undefined;
    const shim = shimInit !== undefined && code.slice(shimInit.start, shimInit.end).includes(REQUIRE_SHIM);
    const kind = base !== undefined || shim ? 'require' : kindOf(node, destructured(ancestors));
    if (kind === undefined) return;
    const [required] = node.arguments;
    if (required === undefined) return;
    // A computed import() the bundle made a require (virtual-paths.ts routes it through its helper): its specifier.
    const imported = required.type === 'Identifier' ? importedSpecifier(required.name, ancestors) : undefined;
    const given = imported ?? required;
    const here = imported === undefined ? where(node) : { ...where(node), code: shortened(`import(${code.slice(imported.start, imported.end)})`) };
    const literal = stringOf(given);
    if (literal !== undefined) {
      // A require made by createRequire(import.meta.url) loads what esbuild never saw: a relative file is the
      // package's own, a package name is Node's to find. Any other literal require, esbuild has seen.
      if (base !== undefined && literal.startsWith('.')) loads.push({ kind, ...here, into: posix.join(base, literal), exact: true });
      // A package's data file by name (css-tree's require('mdn-data/css/at-rules.json')): the resolver says which file, if one to embed.
      const resolved = base !== undefined && !literal.startsWith('.') ? resolvePackage(literal, base) : undefined;
      if (resolved !== undefined) loads.push({ kind, ...here, into: resolved, exact: true });
      if (kind === 'require') return;
    }
    const arg = given.type === 'Identifier' ? (lookup(given.name, ancestors, (n) => n.values) ?? given) : given;
    if (kind === 'require' && base === undefined && arg.type === 'TemplateLiteral' && arg.quasis.length === 1) return;
    // A platform package picked at run time (lightningcss-${platform}-${arch}, @parcel/watcher-…): each one installed is
    // one exact load; an addon among them is embedded as any other.
    const known = knownPath(arg, namesAt(ancestors));
    const prefix = kind === 'require' ? known.prefix : undefined;
    const source = prefix !== undefined && PACKAGE_PREFIX.test(prefix) ? originOf(node).origin.source : null;
    if (prefix !== undefined && source) {
      const mains = packagesNamed(prefix, sourceName(source));
      for (const into of mains) loads.push({ kind: 'require', ...here, into, exact: true, oneOf: true });
      if (arg.type === 'TemplateLiteral') named.add(arg);
      if (mains.length > 0) return;
    }
    // A path known in full: a read of one file (its package.json, a data file) is embedded without asking when the
    // package has it; a module required so through the bundle's require is bundled.
    const exact = kind === 'read' || (kind === 'require' && base === undefined) ? known.exact : undefined;
    if (exact?.startsWith(`${VIRTUAL_ROOT}/`) && !exact.endsWith('/')) {
      loads.push({ kind, ...here, into: posix.normalize(exact), ...(kind === 'read' ? { exact: true as const } : { bundled: true as const }) });
      return;
    }
    const into = projectPlace(known.prefix);
    // A read or worker of a path from elsewhere (the user's files, code given as a string) is ordinary; only the program's own files matter.
    if (kind !== 'require' && into === undefined) return;
    loads.push({ kind, ...here, ...(into === undefined ? {} : { into }) });
  };
  const named = new Set<AnyNode>();
  const templates: TemplateLiteral[] = [];
  ancestor(ast, {
    CallExpression: (n, _s, ancestors) => visit(n, ancestors),
    NewExpression: (n, _s, ancestors) => visit(n, ancestors),
    TemplateLiteral: (n) => {
      templates.push(n);
    },
  });
  // A platform package's name made where it is not required: rollup's requireWithFriendlyError(… : `@rollup/rollup-${base}`)
  // requires its parameter. The packages its module's package declares under that prefix are the same choice.
  for (const t of templates) {
    const prefix = t.quasis[0]?.value.cooked;
    if (named.has(t) || t.expressions.length === 0 || !prefix || !PACKAGE_PREFIX.test(prefix)) continue;
    const source = originOf(t).origin.source;
    if (!source) continue;
    for (const into of packagesNamed(prefix, sourceName(source))) loads.push({ kind: 'require', ...where(t), into, exact: true, oneOf: true });
  }
  return loads;
}
