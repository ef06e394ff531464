// Runs first in a binary that has assets (bundled ahead of the program by project/entry.ts): mounts the
// files packed by project/assets.ts at the virtual root each module's __dirname points into, read-only,
// with @roberts_lando/vfs (the userland node:vfs) patching fs and require for paths under it.
// Strict by its own word, not by whichever tsconfig.json esbuild finds above the toolchain's directory: the
// bundle must be the same from this checkout and from an installed copy of the toolchain.
'use strict';

const sea = require('node:sea');

if (sea.isSea()) {
  const { create, MemoryProvider } = require('@roberts_lando/vfs');
  const index = JSON.parse(sea.getAsset('seal-assets.json', 'utf8'));
  const data = Buffer.from(sea.getRawAsset('seal-assets.bin'));
  const provider = new MemoryProvider();
  const vfs = create(provider);
  const root = __SEAL_VIRTUAL_ROOT__;
  let at = 0;
  for (const [path, size] of index) {
    const inner = path.slice(root.length);
    vfs.mkdirSync(inner.slice(0, inner.lastIndexOf('/')) || '/', { recursive: true });
    vfs.writeFileSync(inner, data.subarray(at, at + size));
    at += size;
  }
  provider.setReadOnly();
  vfs.mount(root);
}
