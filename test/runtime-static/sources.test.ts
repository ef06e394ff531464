import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { downloadFailure, sourcesFor } from '../../build/runtime/static/sources.ts';
import { tempDir } from '../fixtures/context.ts';

describe('a pinned source that does not download', () => {
  const node = sourcesFor('24.22.2').node;
  const cares = sourcesFor('22.22.2').cares;
  if (!node || !cares) throw new Error('sources.ts pins no node 24.22.2 or cares');
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
