// Runs first in a binary that has assets (bundled ahead of the program by project/entry.ts): mounts the
// files packed by project/assets.ts at the virtual root each module's __dirname points into, read-only,
// with @roberts_lando/vfs (the userland node:vfs) patching fs and require for paths under it — when the program
// first reaches a path there (prelude/first-use.cjs), not before: a start that reads none of them does not load it.
// Strict by its own word, not by whichever tsconfig.json esbuild finds above the toolchain's directory: the
// bundle must be the same from this checkout and from an installed copy of the toolchain.
'use strict';

const sea = require('node:sea');
const { mountOnFirstUse } = require('./first-use.cjs');
const { serveFs } = require('./fs-answers.cjs');
const { resolveNamesFromTheirPlace } = require('./name-resolution.cjs');

if (sea.isSea()) {
  const root = __SEAL_VIRTUAL_ROOT__;
  // The index, the bytes and each file's bytes by its path, read from the blob when first needed.
  let tree;
  const embedded = () => {
    if (tree === undefined) {
      const index = JSON.parse(sea.getAsset('seal-assets.json', 'utf8'));
      const data = Buffer.from(sea.getRawAsset('seal-assets.bin'));
      tree = { index, data, ...pathsOf(index, data, root) };
    }
    return tree;
  };
  mountOnFirstUse(root, () => mount(root, embedded().index, embedded().data, embedded().dirs), {
    file: (path) => embedded().files.get(path),
    has: (path) => {
      const { files, dirs } = embedded();
      return files.has(path) || dirs.has(path);
    },
  });
  // An ES module bundle (a program with top-level await) imports fs by name, and those bindings were taken when
  // it was linked, before this ran: bring the built-in modules' ESM exports up to date with the patched fs.
  require('node:module').syncBuiltinESMExports();
}

/**
 * Each embedded file's bytes by its path, and the directories (`index`: [path, size or -1 for a directory], the bytes
 * one after another in `data`): those the index names and every one a path passes through, from `root` down.
 */
function pathsOf(index, data, root) {
  const files = new Map();
  const dirs = new Set([root]);
  const dirsOn = (path) => {
    for (let cut = path.lastIndexOf('/'); cut > root.length && !dirs.has(path.slice(0, cut)); cut = path.lastIndexOf('/', cut - 1)) dirs.add(path.slice(0, cut));
  };
  let at = 0;
  for (const [path, size] of index) {
    if (size < 0) {
      const dir = path.replace(/\/$/, '');
      dirs.add(dir);
      dirsOn(dir);
      continue;
    }
    files.set(path, data.subarray(at, at + size));
    dirsOn(path);
    at += size;
  }
  return { files, dirs };
}

/**
 * The embedded files (`index`: [path, size or -1 for a directory], their bytes one after another in `data`) at `root`;
 * `dirs`, the directories there (pathsOf's).
 */
function mount(root, index, data, dirs = pathsOf(index, data, root).dirs) {
  const { create, MemoryProvider } = require('@roberts_lando/vfs');
  const provider = new MemoryProvider();
  const vfs = create(provider);
  populateLazily(provider, index, data, root);
  provider.setReadOnly();
  vfs.mount(root);
  resolveNamesFromTheirPlace(vfs, root);
  serveFs(require('node:fs'), root, dirs);
  require('node:module').syncBuiltinESMExports();
}

// The embedded tree, made only as the program reaches it: the library's memory provider fills a directory on first use
// when it has a populate function (its addFile/addDirectory), which only its root entry can be given from outside,
// through the provider's kRoot symbol (@roberts_lando/vfs 0.3.3, pinned; test/build/assets-prelude.test.ts checks it).
// Written file by file through its writeFileSync instead (an open, a write and a close each), ~30 µs a file went to
// every start: 6 ms for cowsay's 190 cows (docs/benchmarks.md). True once the hook is set.
function populateLazily(provider, index, data, root) {
  const kRoot = Object.getOwnPropertySymbols(provider).find((s) => s.description === 'kRoot');
  const top = kRoot && provider[kRoot];
  if (!top || top.populate !== null || !(top.children instanceof Map) || top.children.size !== 0) {
    throw new Error("seal: @roberts_lando/vfs's memory provider has no empty root entry to populate (the prelude is written for 0.3.3)");
  }
  const dirs = new Map([['', { files: [], dirs: new Set() }]]);
  const dirOf = (path) => {
    let node = dirs.get(path);
    if (node) return node;
    node = { files: [], dirs: new Set() };
    dirs.set(path, node);
    const cut = path.lastIndexOf('/');
    dirOf(path.slice(0, cut)).dirs.add(path.slice(cut + 1));
    return node;
  };
  let at = 0;
  for (const [path, size] of index) {
    const inner = path.slice(root.length).replace(/\/$/, '');
    if (size < 0) {
      if (inner !== '') dirOf(inner);
      continue;
    }
    const cut = inner.lastIndexOf('/');
    dirOf(inner.slice(0, cut)).files.push([inner.slice(cut + 1), data.subarray(at, at + size)]);
    at += size;
  }
  const populate = (path) => (scope) => {
    const node = dirs.get(path);
    for (const [name, bytes] of node.files) scope.addFile(name, bytes);
    for (const name of node.dirs) scope.addDirectory(name, populate(`${path}/${name}`));
  };
  top.populate = populate('');
  top.populated = false;
  return true;
}

// For test/build/assets-prelude.test.ts: the tree the mount builds and what it patches, checked without a SEA.
module.exports = { populateLazily, mount, pathsOf };
