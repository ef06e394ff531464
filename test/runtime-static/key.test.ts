import { describe, expect, it } from 'vitest';
import { driverCodeHash, staticRuntimeKey } from '../../build/runtime/static/key.ts';
import { sourcesFor } from '../../build/runtime/static/sources.ts';
import { repoRoot } from '../fixtures/context.ts';

const base = { root: repoRoot, nodeVersion: '22.22.2', arch: 'x64', allocator: 'jemalloc' as const, intl: 'full' as const, sourceMode: 'distribution' as const };

describe('static runtime cache key (CI caches the runtime under it)', () => {
  it('is stable for equal inputs and names version, arch, allocator and intl', () => {
    const same = { sourceMode: 'distribution' as const, intl: 'full' as const, allocator: 'jemalloc' as const, arch: 'x64', nodeVersion: '22.22.2', root: repoRoot };
    expect(staticRuntimeKey(same)).toBe(staticRuntimeKey(base));
    expect(staticRuntimeKey(base)).toMatch(/^broker-static-runtime-22\.22\.2-linux-x64-jemalloc-intl-full-[0-9a-f]{16}$/);
  });

  it('changes with the allocator, the intl, the source mode, and any pinned source hash', () => {
    const key = staticRuntimeKey(base);
    expect(staticRuntimeKey({ ...base, allocator: 'musl' })).not.toBe(key);
    expect(staticRuntimeKey({ ...base, sourceMode: 'official' })).not.toBe(key);
    expect(staticRuntimeKey({ ...base, intl: 'small' }).slice(-16)).not.toBe(key.slice(-16));
    expect(staticRuntimeKey({ ...base, intl: 'none' }).slice(-16)).not.toBe(key.slice(-16));
    const node = sourcesFor('22.22.2').node!;
    const pinned = node.sha256;
    try {
      node.sha256 = '0'.repeat(64);
      expect(staticRuntimeKey(base)).not.toBe(key);
    } finally {
      node.sha256 = pinned;
    }
    expect(staticRuntimeKey(base)).toBe(key);
  });

  it('names a pointer-compressed runtime and keys it apart; false is the default key', () => {
    const key = staticRuntimeKey(base);
    const compressed = staticRuntimeKey({ ...base, pointerCompression: true });
    expect(compressed).toMatch(/^broker-static-runtime-22\.22\.2-linux-x64-jemalloc-intl-full-pointer-compression-[0-9a-f]{16}$/);
    expect(compressed.slice(-16)).not.toBe(key.slice(-16));
    expect(staticRuntimeKey({ ...base, pointerCompression: false })).toBe(key);
  });

  it("hashes the driver's code, not its comments or layout: a comment edit is no new runtime, a code edit is", () => {
    const code = "// why: 1.8 ms\nexport const edit = { from: 'a', to: 'b' };\n";
    const h = driverCodeHash(code);
    expect(driverCodeHash("// why: measured again, 1.7 ms\n/** and a doc comment */\nexport const edit = {\n  from: 'a',\n  to: 'b',\n};\n")).toBe(h);
    expect(driverCodeHash("export const edit = { from: 'a', to: 'c' };\n")).not.toBe(h);
    // A comment inside a string is code: an edit's text keeps every character.
    expect(driverCodeHash("export const edit = { from: 'a', to: '// b' };\n")).not.toBe(h);
  });
});
