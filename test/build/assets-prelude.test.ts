// The embedded files' tree as prelude/assets.cjs gives it to @roberts_lando/vfs: filled lazily, a directory when the
// program first reaches it, through the memory provider's own populate hook (the library is pinned; if a new version
// moves the hook, populateLazily throws, naming the library, and every binary with embedded files would fail at start).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// The prelude reads a constant the bundle defines; outside a SEA it mounts nothing.
(globalThis as Record<string, unknown>).__SEAL_VIRTUAL_ROOT__ = '/seal';
const { create, MemoryProvider } = require('@roberts_lando/vfs');
const { populateLazily } = require('../../build/project/prelude/assets.cjs') as { populateLazily: (provider: unknown, index: [string, number][], data: Buffer, root: string) => boolean };

describe('the embedded files, filled as the program reaches them', () => {
  it("takes the library's populate hook, and serves files, sizes, listings and empty directories as the index says", () => {
    const index: [string, number][] = [
      ['/seal/bin', -1],
      ['/seal/node_modules/cowsay/cows/a.cow', 3],
      ['/seal/node_modules/cowsay/cows/b.cow', 2],
      ['/seal/package.json', 4],
    ];
    const provider = new MemoryProvider();
    const vfs = create(provider);
    expect(populateLazily(provider, index, Buffer.from('aaabb{}\n\n'), '/seal')).toBe(true);
    provider.setReadOnly();
    expect(vfs.readFileSync('/node_modules/cowsay/cows/a.cow', 'utf8')).toBe('aaa');
    expect(vfs.readFileSync('/node_modules/cowsay/cows/b.cow', 'utf8')).toBe('bb');
    expect(vfs.statSync('/node_modules/cowsay/cows/b.cow').size).toBe(2);
    expect(vfs.readdirSync('/node_modules/cowsay/cows').sort()).toEqual(['a.cow', 'b.cow']);
    expect(vfs.readdirSync('/').sort()).toEqual(['bin', 'node_modules', 'package.json']);
    expect(vfs.statSync('/bin').isDirectory()).toBe(true);
    expect(vfs.readdirSync('/bin')).toEqual([]);
    expect(vfs.readFileSync('/package.json', 'utf8')).toBe('{}\n\n');
    expect(vfs.existsSync('/node_modules/cowsay/cows/c.cow')).toBe(false);
  });
});
