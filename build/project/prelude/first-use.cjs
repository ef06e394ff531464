// Runs `mount` the first time the program reaches a path under the virtual root, so a start that reads no embedded
// file does not pay for it: loading @roberts_lando/vfs (node:stream, node:url) and its patches (fs.promises loads
// fs/promises) took ~12 ms of an 88 ms start here (docs/benchmarks.md). What can reach a path under the root is what
// the library and prelude/assets.cjs patch: the fs functions below, the fs.promises ones (wrapped when the program
// first takes fs.promises; the bundle's require('fs/promises') is that, project/bundle.ts), and require() and
// require.resolve() through Module (the bundle's computed import() is a require). Each is wrapped by a check of its
// first argument; test/build/assets-prelude.test.ts fails if the mount patches anything not listed here. node's own
// import() (a hidden one, a module with top-level await) and a process started as node on an embedded script mount
// first through MOUNT_KEY. The wrappers stay after the mount: a program that kept one (`const { readFileSync } =
// require('fs')`) reaches the mounted files through it.
'use strict';

const FS = [
  'readFileSync',
  'realpathSync',
  'lstatSync',
  'statSync',
  'readdirSync',
  'existsSync',
  'readlinkSync',
  'accessSync',
  'access',
  'stat',
  'lstat',
  'readFile',
  'createReadStream',
  'readdir',
  'readlink',
  'realpath',
  'watch',
  'watchFile',
  'unwatchFile',
  'copyFileSync',
  'copyFile',
  'cpSync',
  'cp',
];
const PROMISES = ['access', 'readFile', 'stat', 'lstat', 'readdir', 'readlink', 'realpath', 'copyFile', 'cp'];
const MODULE = ['_load', '_resolveFilename'];
/** globalThis[Symbol.for(MOUNT_KEY)]: mounts now (a no-op once mounted; absent in a binary without embedded files). */
const MOUNT_KEY = 'seal.mount';

/** A path (a string, absolute) is the root or under it: what the mount serves. */
const isUnder = (root, path) => path === root || path.startsWith(`${root}/`);

/** A path (a string) ending in '/' or '/.' names a directory: path.resolve() drops that, Node does not. */
const namesDirectory = (path) => /\/\.?$/.test(path);

/**
 * `embedded`: the tree by absolute paths under the root — `file(path)` a file's bytes (undefined for anything else),
 * `has(path)` whether a file or directory is there — with which readFileSync and existsSync answer before the mount:
 * the read a start most often makes there is the program's own package.json for its --version, and the check for a
 * file next to its code; each then costs a lookup, not the mount.
 */
function mountOnFirstUse(root, mount, embedded) {
  const fs = require('node:fs');
  const Module = require('node:module');
  const under = (p) => {
    if (typeof p === 'string') return isUnder(root, p);
    if (p instanceof URL && p.protocol === 'file:') return under(require('node:url').fileURLToPath(p));
    return false;
  };
  const traps = [];
  let mounted = false;
  const mountNow = () => {
    if (mounted) return;
    mounted = true;
    mount();
    // What serves each function now: the library's (or assets.cjs's) patch over the trap. Taken here, not at the
    // call, so a program's own patch over a trap (graceful-fs keeps the function it replaces) cannot loop into it.
    for (const t of traps) t.served = t.on[t.name] === t.trap ? t.given : t.on[t.name];
    for (const again of mountNow.after) again();
  };
  /** What patches fs before the mount and must stay in front of the library's patches once it is made (prelude/main-script.cjs). */
  mountNow.after = [];
  const wrap = (on, name, reaches, early) => {
    const t = { on, name, given: on[name], served: undefined, trap: undefined, serving: false };
    t.trap = Object.assign(function (...args) {
      // Serving: the library fell back to the function it wrapped (a path under the root it does not have), this one.
      if (t.serving || !reaches(args)) return t.given.apply(this, args);
      const answer = mounted ? undefined : early?.(args);
      if (answer !== undefined) return answer;
      mountNow();
      // Still mounting: the mount's own loads (the library's requires, outside a bundle).
      if (t.served === undefined) return t.given.apply(this, args);
      t.serving = true;
      try {
        return t.served.apply(this, args);
      } finally {
        t.serving = false;
      }
    }, t.given);
    // realpathSync.native and realpath.native: a program may take them before the mount (TypeScript's sys does).
    if (typeof t.given.native === 'function') {
      t.trap.native = function (...args) {
        if (!reaches(args)) return t.given.native.apply(this, args);
        mountNow();
        return ((t.served ?? t.given).native ?? t.given.native).apply(this, args);
      };
    }
    on[name] = t.trap;
    traps.push(t);
    if (mounted) t.served = t.given;
  };
  const byPath = (args) => under(args[0]);
  // readFileSync(file[, encoding or { encoding, flag: 'r' }]) of an embedded file, as Node reads it: a new Buffer, or
  // its text in a known encoding. Anything else (a directory, another flag, a missing file) is the mount's to answer.
  const pathOf = (path) => require('node:path').resolve(path instanceof URL ? require('node:url').fileURLToPath(path) : path);
  // A path ending in '/' or '/.' names a directory: resolve() would drop that and answer for a file; the mount answers it.
  const asDirectory = (path) => {
    const named = path instanceof URL && path.protocol === 'file:' ? require('node:url').fileURLToPath(path) : path;
    return typeof named === 'string' && namesDirectory(named);
  };
  const readEarly = ([path, options]) => {
    if (asDirectory(path)) return undefined;
    const { encoding, flag = 'r' } = typeof options === 'string' ? { encoding: options } : (options ?? {});
    if (flag !== 'r' || (encoding != null && !Buffer.isEncoding(encoding))) return undefined;
    const bytes = embedded.file(pathOf(path));
    if (bytes === undefined) return undefined;
    return encoding == null ? Buffer.from(bytes) : bytes.toString(encoding);
  };
  // existsSync(path): the mount would answer from the same tree.
  const existsEarly = ([path]) => {
    const at = pathOf(path);
    // Named as a directory: there only if it is one (a file's bytes say it is not).
    return embedded.has(at) && !(asDirectory(path) && embedded.file(at) !== undefined);
  };
  const early = { readFileSync: readEarly, existsSync: existsEarly };
  for (const name of FS) wrap(fs, name, byPath, early[name]);
  // A module under the root or named by its path (a computed require from a bundled module: its parent is under the
  // root), or a package by name from anywhere: the library looks one up in the root's node_modules too (the bundle's
  // require of a name it could not follow, lightningcss-${platform}). A built-in module is still Node's.
  const byModule = ([request, parent]) => typeof request === 'string' && !Module.isBuiltin(request) && (under(request) || under(parent?.filename) || !/^[./#]/.test(request));
  for (const name of MODULE) wrap(Module, name, byModule);

  const promises = Object.getOwnPropertyDescriptor(fs, 'promises');
  Object.defineProperty(fs, 'promises', {
    ...promises,
    get() {
      Object.defineProperty(fs, 'promises', promises);
      const api = fs.promises;
      for (const name of PROMISES) wrap(api, name, byPath);
      return api;
    },
  });
  globalThis[Symbol.for(MOUNT_KEY)] = mountNow;
}

module.exports = { mountOnFirstUse, isUnder, namesDirectory, FS, PROMISES, MODULE, MOUNT_KEY };
