// The shared libraries an addon loads from beside itself ($ORIGIN), found as the loader would, and where they are
// copied out with it so that the same run path finds them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { originLibraries } from '../../build/project/addon-libraries.ts';
import { addonPlaces } from '../../build/project/addon-places.ts';
import { tempDir } from '../fixtures/context.ts';

function files(root: string, names: string[]): void {
  for (const name of names) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), name);
  }
}

describe('originLibraries', () => {
  it("finds each library in the first run path entry that holds it, then follows that library's own", () => {
    const root = tempDir('origin');
    files(root, ['a/lib/addon.node', 'b/lib/libvips.so.8', 'a/libs2/libvips.so.8', 'b/lib/libglib.so.0']);
    const facts = {
      [join(root, 'a/lib/addon.node')]: { originLibraries: ['libvips.so.8', 'libnone.so'], originPaths: ['$ORIGIN/../../b/lib', '$ORIGIN/../libs2'] },
      [join(root, 'b/lib/libvips.so.8')]: { originLibraries: ['libglib.so.0', 'libnone.so'], originPaths: ['${ORIGIN}'] },
      [join(root, 'b/lib/libglib.so.0')]: { originLibraries: [], originPaths: [] },
    };
    const read = (file: string) => facts[file] ?? { originLibraries: [], originPaths: [] };
    const addon = join(root, 'a/lib/addon.node');
    expect(originLibraries(addon, read(addon), read)).toEqual({ found: [join(root, 'b/lib/libvips.so.8'), join(root, 'b/lib/libglib.so.0')], missing: ['libnone.so'] });
  });
});

describe('addonPlaces', () => {
  it('puts the addon at its place under the root and each library at the same path from it as on the build machine', () => {
    const tree = '/p';
    const addon = {
      file: '/p/node_modules/@img/sharp-linux-x64/lib/sharp.node',
      packageDir: '/p/node_modules/@img/sharp-linux-x64',
      packageName: '@img/sharp-linux-x64',
      required: true,
      libraries: ['/p/node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.8'],
    };
    const plain = { file: '/p/build/Release/addon.node', packageDir: '/p', packageName: 'p', required: true };
    expect(addonPlaces(tree, [addon, plain])).toEqual({
      '/seal/node_modules/@img/sharp-linux-x64/lib/sharp.node': {
        at: 'node_modules/@img/sharp-linux-x64/lib/sharp.node',
        libraries: [['/seal/node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.8', 'node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.8']],
      },
    });
  });

  it('refuses a library above the package tree, which no place in the binary can match', () => {
    const addon = { file: '/p/a.node', packageDir: '/p', packageName: 'p', required: true, libraries: ['/usr/lib/libx.so'] };
    expect(() => addonPlaces('/p', [addon])).toThrow('lies above the package tree (/p)');
  });
});
