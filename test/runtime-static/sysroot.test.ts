import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assembleSysroot } from '../../build/runtime/static/sysroot.ts';

let dir: string;
function fakeLib(name: string, header: string, archive: string) {
  const prefix = join(dir, name);
  mkdirSync(join(prefix, 'include'), { recursive: true });
  mkdirSync(join(prefix, 'lib'), { recursive: true });
  writeFileSync(join(prefix, 'include', header), `// ${name}\n`);
  writeFileSync(join(prefix, 'lib', `lib${archive}.a`), '!<arch>\n');
  utimesSync(join(prefix, 'include', header), new Date(2020, 0, 1), new Date(2020, 0, 1));
  return { includeDir: join(prefix, 'include'), libDir: join(prefix, 'lib'), libNames: [archive] };
}
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'broker-sysroot-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('assembleSysroot', () => {
  it('points every lib at one stable directory, keeping header timestamps (ninja must not rebuild)', () => {
    const libs = { zlib: fakeLib('zlib', 'zlib.h', 'z'), zstd: fakeLib('zstd', 'zstd.h', 'zstd') };
    const out = assembleSysroot(join(dir, 'sysroot'), libs);
    expect(out.zlib).toEqual({ includeDir: join(dir, 'sysroot/include'), libDir: join(dir, 'sysroot/lib'), libNames: ['z'] });
    expect(readFileSync(join(dir, 'sysroot/include/zstd.h'), 'utf8')).toBe('// zstd\n');
    expect(statSync(join(dir, 'sysroot/include/zlib.h')).mtime.getFullYear()).toBe(2020);
  });

  it('refuses two libs installing the same file', () => {
    const libs = { a: fakeLib('a', 'same.h', 'a'), b: fakeLib('b', 'same.h', 'b') };
    expect(() => assembleSysroot(join(dir, 'sysroot'), libs)).toThrow('same.h is installed by both a and b');
  });

  it('leaves an up-to-date sysroot untouched and replaces a stale one', () => {
    const root = join(dir, 'sysroot');
    const first = { zlib: fakeLib('zlib', 'zlib.h', 'z') };
    assembleSysroot(root, first);
    writeFileSync(join(root, 'include', 'marker'), 'still here');
    assembleSysroot(root, first);
    expect(readFileSync(join(root, 'include', 'marker'), 'utf8')).toBe('still here');
    assembleSysroot(root, { ...first, zstd: fakeLib('zstd', 'zstd.h', 'zstd') });
    expect(() => readFileSync(join(root, 'include', 'marker'))).toThrow();
  });
});
