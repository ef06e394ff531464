// What fs answers under the virtual root where @roberts_lando/vfs answers otherwise than Node on the disk, each
// answered as Node does, patched over the library's functions once it has mounted (prelude/assets.cjs): directory
// reads, stream encodings and ranges, stats of missing paths, realpath's native forms, recursive and typed listings,
// file URLs and directories named with a trailing slash, copies out of the root. test/build/assets-prelude.test.ts
// makes each call under the root and on the same files on the disk.
'use strict';

const { isUnder, namesDirectory } = require('./first-use.cjs');

/** Whether `path` (a string, relative to the working directory or absolute) is under the root. */
const underRoot = (root, path) => typeof path === 'string' && isUnder(root, require('node:path').resolve(path));

/** Patches `fs` for the tree at `root` (`dirs`: its directories). */
function serveFs(fs, root, dirs) {
  serveStreamEncoding(fs, root);
  // Before the file URL wrappers, which then hand them a URL under the root as its path.
  serveDirectoryReads(fs, dirs);
  serveMissingStats(fs, root);
  serveRealpathNative(fs, root);
  serveListings(fs, root);
  serveFileUrls(fs, root, dirs);
  serveCopies(fs, root);
}

// A read of a directory under the root as a file: Node says EISDIR (the read(2) fails), the library ENOENT. Such a read
// is answered as Node answers it, by readFileSync, readFile and fs.promises.readFile (loaded by the library's mount).
function serveDirectoryReads(fs, dirs) {
  const { resolve } = require('node:path');
  const isDir = (path) => typeof path === 'string' && dirs.has(resolve(path));
  // As Node's: no path in it, errno -21 (Linux), syscall read.
  const eisdir = () => Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { errno: -21, code: 'EISDIR', syscall: 'read' });
  const sync = fs.readFileSync;
  fs.readFileSync = Object.assign(function readFileSync(path, options) {
    if (isDir(path)) throw eisdir();
    return sync.call(this, path, options);
  }, sync);
  const callback = fs.readFile;
  fs.readFile = Object.assign(function readFile(path, ...rest) {
    const done = rest.at(-1);
    if (typeof done === 'function' && isDir(path)) return void process.nextTick(done, eisdir());
    return callback.call(this, path, ...rest);
  }, callback);
  const promises = fs.promises;
  const promised = promises.readFile;
  promises.readFile = Object.assign(async function readFile(path, options) {
    if (isDir(path)) throw eisdir();
    return promised.call(this, path, options);
  }, promised);
}

// The library's read stream gives Buffers whatever encoding it was asked for (createReadStream(file, 'utf8'), or
// { encoding }), and the whole file whatever range: a stream of a file under the root is given that encoding and only
// the bytes from `start` to `end` (inclusive), as Node's own.
function serveStreamEncoding(fs, root) {
  const given = fs.createReadStream;
  fs.createReadStream = Object.assign(function createReadStream(path, options) {
    const under = underRoot(root, path);
    const { start, end } = (typeof options === 'object' && options) || {};
    // A missing file, a directory: the library's stream says so as it always has (an 'error' event, not a throw here).
    const bytes = under && (Number.isInteger(start) || Number.isInteger(end)) ? readOrUndefined(fs, path) : undefined;
    if (bytes !== undefined) {
      const range = bytes.subarray(start ?? 0, end === undefined || end === Number.POSITIVE_INFINITY ? bytes.length : end + 1);
      const { Readable } = require('node:stream');
      const stream = Readable.from([Buffer.from(range)], { objectMode: false });
      stream.path = path;
      const encoding = options.encoding;
      if (encoding) stream.setEncoding(encoding);
      return stream;
    }
    const stream = given.call(this, path, options);
    const encoding = typeof options === 'string' ? options : options?.encoding;
    if (encoding && under) stream.setEncoding(encoding);
    return stream;
  }, given);
}

/** The file's bytes, or undefined when it cannot be read (missing, a directory). */
function readOrUndefined(fs, path) {
  try {
    return fs.readFileSync(path);
  } catch {
    return undefined;
  }
}

// statSync and lstatSync with { throwIfNoEntry: false } give undefined for a path that is not there (Node's own, used to
// test for a file without a try); the library throws ENOENT whatever the option.
function serveMissingStats(fs, root) {
  for (const name of ['statSync', 'lstatSync']) {
    const given = fs[name];
    fs[name] = Object.assign(function (path, options) {
      if (options?.throwIfNoEntry !== false || !underRoot(root, path)) return given.call(this, path, options);
      try {
        return given.call(this, path, options);
      } catch (err) {
        if (err?.code === 'ENOENT' || err?.code === 'ENOTDIR') return undefined;
        throw err;
      }
    }, given);
  }
}

// fs.realpathSync.native and fs.realpath.native (TypeScript's sys.realpath takes the first) are Node's own, never
// served: a path under the root was ENOENT. There they answer as realpathSync and realpath do (the tree has no links).
function serveRealpathNative(fs, root) {
  const sync = fs.realpathSync;
  const syncNative = sync.native;
  if (syncNative) {
    sync.native = function (path, options) {
      return underRoot(root, path) ? sync.call(fs, path, options) : syncNative.call(this, path, options);
    };
  }
  const callback = fs.realpath;
  const callbackNative = callback.native;
  if (callbackNative) {
    callback.native = function (path, ...rest) {
      return underRoot(root, path) ? callback.call(fs, path, ...rest) : callbackNative.call(this, path, ...rest);
    };
  }
}

// readdir under the root, as Node's: `recursive` lists every level (the library lists the top one only), and a Dirent
// (withFileTypes) says the directory it is in by its path under the root (the library's says its own path, without
// the root's: join(d.parentPath, d.name) pointed at the real disk). Built on the library's one-level listing.
function serveListings(fs, root) {
  const { join, resolve } = require('node:path');
  /** The listing of `dir` as Node gives it for `options`, from `list(dir, withFileTypes)` (one level). */
  const listing = (dir, options, list) => {
    const types = options?.withFileTypes === true;
    const located = (d, at) => {
      Object.defineProperty(d, 'parentPath', { value: at, writable: true, enumerable: true, configurable: true });
      Object.defineProperty(d, 'path', { value: at, writable: true, enumerable: false, configurable: true });
      return d;
    };
    // Breadth first, as Node lists: a directory's entries, then each subdirectory's in the order they came.
    const out = [];
    const queue = [[dir, '']];
    for (let i = 0; i < queue.length; i++) {
      const [at, prefix] = queue[i];
      for (const d of list(at, true)) {
        const name = prefix ? `${prefix}/${d.name}` : d.name;
        out.push(types ? located(d, at) : name);
        if (options.recursive === true && d.isDirectory()) queue.push([join(at, d.name), name]);
      }
    }
    return out;
  };
  const needs = (options) => typeof options === 'object' && options !== null && (options.recursive === true || options.withFileTypes === true);
  const sync = fs.readdirSync;
  fs.readdirSync = Object.assign(function readdirSync(path, options) {
    if (!needs(options) || !underRoot(root, path)) return sync.call(this, path, options);
    const { recursive, ...one } = options;
    return listing(resolve(path), options, (at, types) => sync.call(fs, at, { ...one, withFileTypes: types }));
  }, sync);
  const callback = fs.readdir;
  fs.readdir = Object.assign(function readdir(path, options, done) {
    if (typeof options === 'function' || !needs(options) || !underRoot(root, path)) return callback.call(this, path, options, done);
    let result;
    try {
      result = fs.readdirSync(path, options);
    } catch (err) {
      return void process.nextTick(done, err);
    }
    process.nextTick(done, null, result);
  }, callback);
  const promises = fs.promises;
  const promised = promises.readdir;
  promises.readdir = Object.assign(async function readdir(path, options) {
    if (!needs(options) || !underRoot(root, path)) return promised.call(this, path, options);
    return fs.readdirSync(path, options);
  }, promised);
}

// The library serves a path given as a string only: a file URL object — readFileSync(new URL('../package.json',
// import.meta.url)), as ES modules read their own files (js-yaml's bin) — went to the real disk, ENOENT. And it does
// not find a directory named with a trailing '/' or '/.' (readdirSync('/seal/dir/'): ENOENT). The functions it serves
// take such a URL under the root as its path, and such a directory by its plain path; any other argument passes through.
function serveFileUrls(fs, root, dirs) {
  const { fileURLToPath } = require('node:url');
  const { resolve } = require('node:path');
  const pathOf = (p) => {
    if (typeof p === 'string') return namesDirectory(p) && dirs.has(resolve(p)) ? resolve(p) : p;
    if (!(p instanceof URL) || p.protocol !== 'file:') return p;
    const path = fileURLToPath(p);
    return isUnder(root, path) ? pathOf(path) : p;
  };
  const served = ['readFileSync', 'realpathSync', 'lstatSync', 'statSync', 'readdirSync', 'existsSync', 'readlinkSync', 'accessSync', 'access', 'stat', 'lstat', 'readFile', 'createReadStream', 'readdir', 'readlink', 'realpath'];
  const wrap = (on, name) => {
    const given = on[name];
    on[name] = Object.assign(function (path, ...rest) {
      return given.call(this, pathOf(path), ...rest);
    }, given);
    if (given.native) on[name].native = (path, ...rest) => given.native(pathOf(path), ...rest);
  };
  for (const name of served) wrap(fs, name);
  for (const name of ['access', 'readFile', 'stat', 'lstat', 'readdir', 'readlink', 'realpath']) wrap(fs.promises, name);
}

// The library serves reads under the root but not copies: Node's copyFile and cp open their source in C++ or
// through fs functions taken before the mount, so a copy from the root (a scaffolder copying its templates out)
// is ENOENT on the real disk. A copy whose source is under the root is done here: read from the mount, write the
// destination on the real disk; any other copy is Node's own.
function serveCopies(fs, root) {
  const { dirname, join, resolve } = require('node:path');
  const { fileURLToPath } = require('node:url');
  const pathOf = (p) => (p instanceof URL ? fileURLToPath(p) : String(p));
  const mounted = (src) => {
    if (typeof src !== 'string' && !(src instanceof URL)) return undefined;
    const path = resolve(pathOf(src));
    return isUnder(root, path) ? path : undefined;
  };

  // As libuv's copyfile: COPYFILE_EXCL makes an existing destination EEXIST, and the destination ends with the
  // source's mode whatever the umask (the embedded files carry none: the mount says 0644).
  const copyFileOut = (src, dest, mode = 0) => {
    const bytes = fs.readFileSync(src);
    const perm = fs.statSync(src).mode & 0o7777;
    const fd = fs.openSync(dest, mode & fs.constants.COPYFILE_EXCL ? 'wx' : 'w', perm);
    try {
      fs.writeFileSync(fd, bytes);
      fs.fchmodSync(fd, perm);
    } finally {
      fs.closeSync(fd);
    }
  };

  const codeError = (code, message) => Object.assign(new Error(message), { code });
  // fs.cp's walk, once for cpSync and cp: it yields each filter result and is handed it back settled.
  function* cpOut(src, dest, opts) {
    if (opts.filter && !(yield opts.filter(src, dest))) return;
    if (fs.statSync(src).isDirectory()) {
      if (!opts.recursive) throw codeError('ERR_FS_EISDIR', `Recursive option is required to copy a directory: ${src}`);
      fs.mkdirSync(dest, { recursive: true });
      for (const name of fs.readdirSync(src)) yield* cpOut(join(src, name), join(dest, name), opts);
      return;
    }
    fs.mkdirSync(dirname(dest), { recursive: true });
    try {
      copyFileOut(src, dest, (opts.mode ?? 0) | (opts.force === false ? fs.constants.COPYFILE_EXCL : 0));
    } catch (err) {
      if (err.code !== 'EEXIST' || opts.force !== false) throw err;
      if (opts.errorOnExist) throw codeError('ERR_FS_CP_EEXIST', `Target already exists: ${dest}`);
    }
  }
  const settleSync = (walk) => {
    for (let step = walk.next(); !step.done; step = walk.next(step.value));
  };
  const settle = async (walk) => {
    for (let step = walk.next(); !step.done; step = walk.next(await step.value));
  };

  const { copyFileSync, copyFile, cpSync, cp, promises } = fs;
  const { copyFile: copyFilePromise, cp: cpPromise } = promises;
  fs.copyFileSync = (src, dest, mode) => {
    const from = mounted(src);
    return from ? copyFileOut(from, dest, mode) : copyFileSync(src, dest, mode);
  };
  fs.copyFile = (src, dest, mode, callback) => {
    const from = mounted(src);
    if (!from) return copyFile(src, dest, mode, callback);
    if (typeof mode === 'function') [mode, callback] = [0, mode];
    Promise.resolve()
      .then(() => copyFileOut(from, dest, mode))
      .then(() => callback(null), callback);
  };
  promises.copyFile = async (src, dest, mode) => {
    const from = mounted(src);
    return from ? copyFileOut(from, dest, mode) : copyFilePromise(src, dest, mode);
  };
  fs.cpSync = (src, dest, opts) => {
    const from = mounted(src);
    return from ? settleSync(cpOut(from, pathOf(dest), opts ?? {})) : cpSync(src, dest, opts);
  };
  fs.cp = (src, dest, opts, callback) => {
    const from = mounted(src);
    if (!from) return cp(src, dest, opts, callback);
    if (typeof opts === 'function') [opts, callback] = [{}, opts];
    settle(cpOut(from, pathOf(dest), opts ?? {})).then(() => callback(null), callback);
  };
  promises.cp = async (src, dest, opts) => {
    const from = mounted(src);
    return from ? settle(cpOut(from, pathOf(dest), opts ?? {})) : cpPromise(src, dest, opts);
  };
}

module.exports = { serveFs };
