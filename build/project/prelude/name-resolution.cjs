// How a package's name resolves once the embedded files are mounted (prelude/assets.cjs): from whose place first.
'use strict';

const { isUnder } = require('./first-use.cjs');

/**
 * A package by name from a file outside the root — a user's webpack.config.js or ES module requiring a package the
 * program embeds too — is found from that file's place first, as under node, and only a name not installed there gets
 * the embedded package. The library looks in the root's node_modules first for any parent outside its mount (its
 * fallback for a parent it does not serve), so the program's copy shadowed the user's own. That fallback reads only
 * `mountPoint`, shadowed here to switch it off; the lookup is made here instead, in the order that fits the parent:
 * the program's own requires (the bundle's require is made for the executable's path) still look among the embedded
 * packages first, then on the disk.
 */
function resolveNamesFromTheirPlace(vfs, root) {
  const Module = require('node:module');
  const { fileURLToPath, pathToFileURL } = require('node:url');
  Object.defineProperty(vfs, 'mountPoint', { value: undefined });
  // A package's name: not a path, not '#' (the parent's own imports), no scheme (file:, data:, node:), not built in.
  const isName = (s) => typeof s === 'string' && !/^[./#]/.test(s) && !s.includes(':') && !Module.isBuiltin(s);
  // Where the lookup starts: the program's (embedded first), a user's file (its place first), or under the root (the library's).
  const startOf = (file) => (typeof file !== 'string' || file === process.execPath ? 'program' : isUnder(root, file) ? 'root' : 'user');
  const notFound = (err) => err?.code === 'MODULE_NOT_FOUND' || err?.code === 'ERR_MODULE_NOT_FOUND';
  /** `first()`, or when it finds nothing `then()`; both failing, the first's error (it names the file that asked). */
  const inOrder = (first, then) => {
    try {
      return first();
    } catch (err) {
      if (!notFound(err)) throw err;
      try {
        return then();
      } catch {
        throw err;
      }
    }
  };
  const inRoot = `${root}/[embedded packages]`;
  const rootParent = Object.assign(new Module(inRoot), { filename: inRoot, paths: Module._nodeModulePaths(root) });
  const served = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    const start = isName(request) ? startOf(parent?.filename) : 'root';
    if (start === 'root') return served.call(this, request, parent, ...rest);
    const embedded = () => served.call(this, request, rootParent, ...rest);
    const own = () => served.call(this, request, parent, ...rest);
    return start === 'program' ? inOrder(embedded, own) : inOrder(own, embedded);
  };
  // import of a name from an ES module outside the root (registerHooks: Node 22.15 and later; the library's hook runs after this one).
  if (typeof Module.registerHooks !== 'function') return;
  const rootUrl = pathToFileURL(inRoot).href;
  Module.registerHooks({
    resolve(specifier, context, next) {
      const parent = context.parentURL?.startsWith('file:') ? fileURLToPath(context.parentURL) : undefined;
      if (!isName(specifier) || startOf(parent) !== 'user') return next(specifier, context);
      return inOrder(
        () => next(specifier, context),
        () => next(specifier, { ...context, parentURL: rootUrl }),
      );
    },
  });
}

module.exports = { resolveNamesFromTheirPlace };
