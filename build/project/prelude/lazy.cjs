// seal.lazy (project/lazy-chunks.ts): a package bundled apart from the program, into one CommonJS chunk stored as a
// blob asset. The bundle's stand-in for the package requires this file and asks for the package's exports; the
// chunk is read and compiled then, once, as Node would wrap a module. A start that never requires the package
// (broker's --version, undici being replay's) neither reads nor compiles its code.
// Required by the stand-ins only, so a program without seal.lazy does not carry it.
'use strict';

// On the global object: a chunk that requires another lazy package has this file bundled in it too, and must get
// the same module, not a second copy of it.
const KEY = Symbol.for('seal.lazy.loaded');
globalThis[KEY] ??= new Map();
const loaded = globalThis[KEY];

/** The asset that holds the chunk of package `name` (lazy-chunks.ts names it the same). */
const assetOf = (name) => `seal-lazy/${name}.cjs`;

function lazyPackage(name) {
  const done = loaded.get(name);
  if (done !== undefined) return done.exports;
  const sea = inSea();
  if (sea === undefined) throw new Error(`seal: ${name} is in seal.lazy, so its code is in the binary's blob, and this bundle runs outside one`);
  const vm = require('node:vm');
  const filename = `seal:lazy/${name}.cjs`;
  const wrapper = vm.compileFunction(sea.getAsset(assetOf(name), 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname'], {
    filename,
    ...(vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER ? { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER } : {}),
  });
  // Set before it runs, as Node's module cache is: a cycle back into the package gets its exports so far.
  const module = { exports: {}, id: filename, filename, loaded: false };
  loaded.set(name, module);
  wrapper.call(module.exports, module.exports, require, module, filename, 'seal:lazy');
  module.loaded = true;
  return module.exports;
}

function inSea() {
  try {
    const sea = require('node:sea');
    return sea.isSea() ? sea : undefined;
  } catch {
    return undefined;
  }
}

module.exports = { lazyPackage, assetOf };
