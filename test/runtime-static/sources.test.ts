import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { downloadFailure, type SourceSpec, sourcesFor } from '../../build/runtime/static/sources.ts';
import { tempDir } from '../fixtures/context.ts';

describe('a pinned source that does not download', () => {
  // Pinned until 2026-12-04: listed in sid's Sources index, its files 404 on the mirror.
  const node: SourceSpec = {
    kind: 'debian',
    package: 'nodejs',
    debianVersion: '24.22.2+dfsg+~cs24.19.2-1',
    version: '24.22.2',
    file: 'nodejs_24.22.2+dfsg+~cs24.19.2.orig.tar.xz',
    sha256: '669068e74805896e150a437417c6783e770f310f082e5f1088be30be4cb47bab',
  };
  const cares = sourcesFor('22.22.2').cares;
  if (!cares) throw new Error('sources.ts pins no cares');
  const log = join(tempDir('sources-log'), 'sources.log');
  // What apt-get source prints when the pool has lost a version (measured 2026-12-03 for nodejs 24.22.2).
  writeFileSync(
    log,
    [
      'E: Failed to fetch http://deb.debian.org/debian/pool/main/n/nodejs/nodejs_24.22.2%2bdfsg%2b%7ecs24.19.2-1.dsc  404  Not Found [IP: 203.0.113.80 80]',
      'E: Failed to fetch http://deb.debian.org/debian/pool/main/n/nodejs/nodejs_24.22.2%2bdfsg%2b%7ecs24.19.2.orig.tar.xz  404  Not Found [IP: 203.0.113.80 80]',
      'E: Failed to fetch some archives.',
    ].join('\n'),
  );

  it("Node's source answered 404: says so and names the official-tarball build as the way on", () => {
    expect(downloadFailure(node, log)).toMatch(/^the Debian mirror answers 404 for it \(see .*sources\.log\)\. Without Debian's source, .* --source official \(it fetches node-v24\.22\.2\.tar\.xz from nodejs\.org/);
  });

  it('a file the log does not name as 404: points at the log only', () => {
    expect(downloadFailure(cares, log)).toBe(`see ${log}`);
  });
});

describe('the pins of each Node version', () => {
  it("Node 22 keeps cjs-module-lexer among its builtins; 24 has none (deps/merve) and takes what Debian removed only from 24 out of 22's source", () => {
    const v22 = sourcesFor('22.22.2');
    const v24 = sourcesFor('24.21.0');
    expect(v22['cjs-module-lexer']?.version).toBe('2.2.0');
    expect(v24['cjs-module-lexer']).toBeUndefined();
    expect(v24.undici?.version).toBe('7.29.1');
    expect(v24.gyp?.version).toBe('12.4.0');
    expect(v24['node-22']?.sha256).toBe(v22.node?.sha256);
    expect(v24.openssl).toEqual(v22.openssl);
  });

  it('an unpinned version names the ones that are', () => {
    expect(() => sourcesFor('23.0.0')).toThrow(/no static runtime source is pinned for Node 23\.0\.0: .* pins 22\.22\.2, 24\.21\.0/);
  });
});
