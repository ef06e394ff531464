/*
 * In a SEA the main script's require loads only built-in modules; the requires esbuild leaves in the bundle are
 * the ones it could not resolve (computed paths, plugins found at run time, a computed import() made a require),
 * so they get Node's full require — the one a CommonJS file at the executable's path would have, which also
 * reads the mounted assets. import() takes file URLs (eslint loads its config by pathToFileURL(f).href with
 * ?mtime=… added, or a URL object), so the require the bundle gets takes them too: a URL becomes its path.
 * Readable form of the banner:
 *   const real = createRequire(__filename);
 *   const path = (s) => (s instanceof URL || (typeof s === 'string' && s.startsWith('file:')) ? fileURLToPath(s) : s);
 *   require = Object.assign((s) => real(path(s)), real, { resolve: Object.assign((s, o) => real.resolve(path(s), o), real.resolve) });
 */
const WRAP = '((r,u)=>{const p=s=>s instanceof URL||typeof s=="string"&&s.startsWith("file:")?u.fileURLToPath(s):s;return Object.assign(s=>r(p(s)),r,{resolve:Object.assign((s,o)=>r.resolve(p(s),o),r.resolve)})})';

export const FULL_REQUIRE = {
  js: `require=${WRAP}(require("node:module").createRequire(__filename),require("node:url"));`,
};

/**
 * The same require for a bundle that is an ES module (a program with top-level await: esm-launcher.ts), which has
 * no require and no __filename of its own: Node's require for the executable's path, from the built-in modules.
 * esbuild's require shim in an ES module bundle calls whatever `require` is in scope: this one.
 */
export const ESM_FULL_REQUIRE = {
  js: `const require=${WRAP}(process.getBuiltinModule("node:module").createRequire(process.execPath),process.getBuiltinModule("node:url"));`,
};
