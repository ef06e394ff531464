/*
 * In a SEA the main script's require loads only built-in modules; the requires esbuild leaves in the bundle are
 * the ones it could not resolve (computed paths, plugins found at run time, a computed import() made a require),
 * so they get Node's full require — the one a CommonJS file at the executable's path would have, which also
 * reads the mounted assets. import() takes file URLs (eslint loads its config by pathToFileURL(f).href with
 * ?mtime=… added, or a URL object), so the require the bundle gets takes them too: a URL becomes its path. A path
 * in the table of modules bundled for computed requires known in full (bundled-modules.ts) is served from the bundle,
 * and so is a package name in its names' table (a package a computed require may load by name), also for resolve.
 * Readable form of the banner:
 *   const real = createRequire(__filename);
 *   const path = (s) => (s instanceof URL || (typeof s === 'string' && s.startsWith('file:')) ? fileURLToPath(s) : s);
 *   const named = (f) => { const t = globalThis[Symbol.for('seal.names')]; return typeof f === 'string' && t && Object.hasOwn(t, f) ? t[f] : undefined; };
 *   const bundled = (f) => typeof f === 'string' && f.startsWith('/') ? globalThis[Symbol.for('seal.modules')]?.[posix.normalize(f)] : undefined;
 *   // `from`: the requiring module's directory under /seal, which virtual-paths.ts passes to a require of a computed name.
 *   require = Object.assign((s, from) => { let f = path(s); if (typeof from === 'string' && /^\.\.?\//.test(f)) f = posix.join(from, f);
 *     const n = named(f) ?? f, m = bundled(n); return m ? m() : real(n); }, real,
 *     { resolve: Object.assign((s, o) => named(path(s)) ?? real.resolve(path(s), o), real.resolve) });
 */
import { MODULES_KEY, NAMES_KEY } from './table-keys.ts';

// Its own names are long, the variables inside its functions too: the load analysis reads the bundle's names scope by
// scope, nested ones included, and a banner's `f` stood for the program's minified `f` (esbuild's require shim in an
// ES module bundle, whose computed loads then went unseen: dynamic-loads.ts).
const WRAP = `((__sealReal,__sealUrl,__sealPosix)=>{const __sealPath=s=>s instanceof URL||typeof s=="string"&&s.startsWith("file:")?__sealUrl.fileURLToPath(s):s;const __sealNamed=f=>{const __sealTable=globalThis[Symbol.for(${JSON.stringify(NAMES_KEY)})];return typeof f=="string"&&__sealTable&&Object.hasOwn(__sealTable,f)?__sealTable[f]:void 0};const __sealBundled=f=>typeof f=="string"&&f.startsWith("/")?globalThis[Symbol.for(${JSON.stringify(MODULES_KEY)})]?.[__sealPosix.normalize(f)]:void 0;return Object.assign((s,d)=>{let __sealFile=__sealPath(s);typeof d=="string"&&typeof __sealFile=="string"&&/^\\.\\.?\\//.test(__sealFile)&&(__sealFile=__sealPosix.join(d,__sealFile));const __sealName=__sealNamed(__sealFile)??__sealFile,__sealModule=__sealBundled(__sealName);return __sealModule?__sealModule():__sealReal(__sealName)},__sealReal,{resolve:Object.assign((s,o)=>__sealNamed(__sealPath(s))??__sealReal.resolve(__sealPath(s),o),__sealReal.resolve)})})`;

export const FULL_REQUIRE = `require=${WRAP}(require("node:module").createRequire(__filename),require("node:url"),require("node:path").posix);`;

/**
 * The same require for a bundle that is an ES module (a program with top-level await: esm-launcher.ts), which has
 * no require and no __filename of its own: Node's require for the executable's path, from the built-in modules.
 * esbuild's require shim in an ES module bundle calls whatever `require` is in scope: this one.
 */
export const ESM_FULL_REQUIRE = `const require=${WRAP}(process.getBuiltinModule("node:module").createRequire(process.execPath),process.getBuiltinModule("node:url"),process.getBuiltinModule("node:path").posix);`;
