// seal.lazy (project/lazy-chunks.ts): a package bundled apart from the program, into one CommonJS chunk stored as a
// blob asset. The bundle's stand-in for the package requires this file and asks for the package's exports; the
// chunk is read and compiled then, once, as Node would wrap a module, with the code cache the build made for it
// (steps/chunk-caches.ts) when there is one. A start that never requires the package (broker's --version, undici
// being replay's) neither reads nor compiles its code.
// Required by the stand-ins only, so a program without seal.lazy does not carry it.
'use strict';

// On the global object: a chunk that requires another lazy package has this file bundled in it too, and must get
// the same module, not a second copy of it.
globalThis[Symbol.for('seal.lazy.loaded')] ??= new Map();
globalThis[Symbol.for('seal.lazy.loading')] ??= [];
const loaded = globalThis[Symbol.for('seal.lazy.loaded')];
// The chunks being loaded, outermost first: what a cycle's message names.
const loading = globalThis[Symbol.for('seal.lazy.loading')];

/** The assets that hold package `name`'s chunk and its code cache (lazy-chunks.ts names them the same). */
const assetOf = (name) => `seal-lazy/${name}.cjs`;
const cacheOf = (name) => `seal-lazy/${name}.cache`;
/** The name its frames show (lazy-chunks.ts's lazyScript). */
const scriptOf = (name) => `seal:lazy/${name}.cjs`;

/**
 * The chunk compiled as one function of Node's module wrapper, on a line of its own (line offset -1: stack traces give
 * the chunk's own lines). The build compiles it here too (lazyPackage at build time), to make its cache: a cache is
 * V8's for exactly this text.
 */
function compileChunk(code, name, cachedData) {
  const vm = require('node:vm');
  return new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${code}\n})`, {
    filename: scriptOf(name),
    lineOffset: -1,
    ...(cachedData ? { cachedData } : {}),
    ...(vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER ? { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER } : {}),
  });
}

function lazyPackage(name) {
  const done = loaded.get(name);
  if (done !== undefined) {
    if (!done.loaded) {
      // Node would hand out the exports made so far; a chunk sets its exports only once its package has loaded.
      throw new Error(
        `seal: ${name} is in seal.lazy, and loading it required it again (${[...loading, name].join(' → ')}): a cycle between lazy packages, which cannot get each other's exports half made as under node. Take one of them out of seal.lazy`,
      );
    }
    return done.exports;
  }
  // At build time (steps/chunk-caches.ts) the chunks come from files, each compiled script goes back for its cache, and
  // the chunk gets the binary's require (built-in modules only), not this file's.
  const build = globalThis[Symbol.for('seal.lazy.build')];
  const sea = build === undefined ? inSea() : undefined;
  if (build === undefined && sea === undefined) throw new Error(outsideBlob(name));
  const cachedData = sea && rawAsset(sea, cacheOf(name));
  const script = compileChunk(build ? build.code(name) : sea.getAsset(assetOf(name), 'utf8'), name, cachedData);
  build?.compiled(name, script);
  const filename = scriptOf(name);
  // `cache`: whether V8 took the build's cache (test/build/lazy-chunks.test.ts asks); a refusal is said at once, in
  // Node's words, as the trained loader says its own (project/trained-cache.ts).
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted';
  if (cache === 'rejected') require('node:fs').writeSync(2, `(node:${process.pid}) Warning: Code cache data rejected (seal.lazy chunk ${name}).\n`);
  const module = { exports: {}, id: filename, filename, loaded: false, cache };
  loaded.set(name, module);
  loading.push(name);
  try {
    script.runInThisContext().call(module.exports, module.exports, build?.require ?? require, module, filename, 'seal:lazy');
  } catch (err) {
    // As Node's module cache does: a load that threw is tried again by the next require, not answered with nothing.
    loaded.delete(name);
    throw err;
  } finally {
    loading.pop();
  }
  module.loaded = true;
  return module.exports;
}

/** An asset's bytes without a copy, or undefined when the blob has none of that name (no cache made under qemu). */
function rawAsset(sea, key) {
  try {
    return Buffer.from(sea.getRawAsset(key));
  } catch {
    return undefined;
  }
}

function outsideBlob(name) {
  if (require('node:v8').startupSnapshot?.isBuildingSnapshot?.())
    return `seal: ${name} is in seal.lazy, and the program requires it while its start-up snapshot is made: a lazy package is loaded from the binary, after the snapshot. Require it in the main function the program hands to v8.startupSnapshot (run at each start), or take it out of seal.lazy`;
  return `seal: ${name} is in seal.lazy, so its code is in the binary's blob, and this bundle runs outside one`;
}

function inSea() {
  try {
    const sea = require('node:sea');
    return sea.isSea() ? sea : undefined;
  } catch {
    return undefined;
  }
}

module.exports = { lazyPackage };
