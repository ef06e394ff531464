// process.argv[1] as `node <bin>` has it: the path of the bin the binary runs, under the virtual root. A SEA puts the
// executable's path there, so a program that asks "am I the program?" by comparing it with its own file found it was
// not, and did nothing: zx (`realpathSync(argv[1])` against its module's URL, extensions dropped), es-main
// (`argv[1] === fileURLToPath(import.meta.url)`). pkg and bun put their entry's virtual path there too. Called by the
// entry once the bin is chosen and the process was not started as node (project/entry.ts, dispatch.ts). fs.realpathSync
// and fs.realpath of that path answer the path itself: a bundled bin is not among the embedded files, and it was
// ENOENT. Not fs.promises.realpath: reaching fs.promises loads its module, 1.7 ms of every start.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { MOUNT_KEY } = require('./first-use.cjs');

let script;

function isScript(p) {
  if (p instanceof URL) return p.protocol === 'file:' && require('node:url').fileURLToPath(p) === script;
  return typeof p === 'string' && path.resolve(p) === script;
}

const answer = (options) => (options === 'buffer' || options?.encoding === 'buffer' ? Buffer.from(script) : script);

function serveRealpath() {
  const sync = (given) =>
    Object.assign(function realpathSync(p, ...rest) {
      return isScript(p) ? answer(rest[0]) : given.call(this, p, ...rest);
    }, given);
  const callback = (given) =>
    Object.assign(function realpath(p, ...rest) {
      if (!isScript(p)) return given.call(this, p, ...rest);
      const [options, done] = typeof rest[0] === 'function' ? [undefined, rest[0]] : rest;
      process.nextTick(done, null, answer(options));
    }, given);
  const realpathSync = sync(fs.realpathSync);
  realpathSync.native = sync(fs.realpathSync.native);
  const realpath = callback(fs.realpath);
  realpath.native = callback(fs.realpath.native);
  fs.realpathSync = realpathSync;
  fs.realpath = realpath;
  // ES modules that import these by name (embedded files run unbundled) see the new ones.
  require('node:module').syncBuiltinESMExports();
}

/** Whether this is a SEA: a bundle run elsewhere (by node: broker's tests; by bun: bench:startup's peer, which has no node:sea) keeps its own argv. */
function inSea() {
  try {
    return require('node:sea').isSea();
  } catch {
    return false;
  }
}

/** Makes `file` (the bin's path under the virtual root) the program's main script, in a SEA. */
module.exports = function setMainScript(file) {
  if (!inSea()) return;
  if (script === undefined) {
    serveRealpath();
    // The embedded files, mounted later (prelude/first-use.cjs), would wrap this and answer ENOENT for the bin first.
    globalThis[Symbol.for(MOUNT_KEY)]?.after.push(serveRealpath);
  }
  script = file;
  process.argv[1] = file;
};
