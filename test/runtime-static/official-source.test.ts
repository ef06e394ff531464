import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectedSha256, fetchOfficialSource, officialTarballName, parseShasums } from '../../build/runtime/static/official-source.ts';
import { officialPipes } from '../../build/runtime/static/pipeline.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const SHASUMS = `${sha('a')}  node-v22.22.2-linux-x64.tar.xz
${sha('tarball')}  node-v22.22.2.tar.xz
${sha('gz')}  node-v22.22.2.tar.gz
not a checksum line
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'broker-official-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('official tarball mode (a)', () => {
  it('parses SHASUMS256.txt and picks the source tarball (.tar.xz)', () => {
    expect(parseShasums(SHASUMS).size).toBe(3);
    expect(officialTarballName('22.22.2')).toBe('node-v22.22.2.tar.xz');
    expect(expectedSha256(SHASUMS, '22.22.2')).toBe(sha('tarball'));
    expect(() => expectedSha256(SHASUMS, '22.22.3')).toThrow('lists no node-v22.22.3.tar.xz');
  });

  it('accepts a local tarball whose sha256 matches and records where it came from', async () => {
    const tarball = join(dir, 'node-v22.22.2.tar.xz');
    writeFileSync(tarball, 'tarball');
    const shasums = join(dir, 'SHASUMS256.txt');
    writeFileSync(shasums, SHASUMS);
    const src = await fetchOfficialSource(join(dir, 'cache'), { version: '22.22.2', tarball, shasums });
    expect(src.input).toMatchObject({ name: 'node', version: '22.22.2', sha256: sha('tarball') });
    expect(src.input.origin).toContain(tarball);
  });

  it('rejects a local tarball that does not match SHASUMS256.txt', async () => {
    const tarball = join(dir, 'node-v22.22.2.tar.xz');
    writeFileSync(tarball, 'tampered');
    const shasums = join(dir, 'SHASUMS256.txt');
    writeFileSync(shasums, SHASUMS);
    await expect(fetchOfficialSource(join(dir, 'cache'), { version: '22.22.2', tarball, shasums })).rejects.toThrow('SHASUMS256.txt says');
  });

  it('builds no removed deps, gyp or JS builtins: they are in the tarball', () => {
    const names = officialPipes().map((p) => p.name);
    expect(names[0]).toBe('official-source');
    for (const skipped of ['gyp', 'js-builtins', 'openssl', 'zlib', 'cares', 'simdjson']) expect(names).not.toContain(skipped);
    for (const kept of ['toolchain', 'allocator', 'configure', 'compile', 'link', 'verify']) expect(names).toContain(kept);
  });
});
