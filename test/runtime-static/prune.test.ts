import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEEP_RECENT_MS, liveStageDirs, planPrune } from '../../build/runtime/static/prune.ts';
import { tempDir } from '../fixtures/context.ts';

const NOW = Date.parse('2026-11-26T00:00:00Z');
const OLD = NOW - KEEP_RECENT_MS - 1;

describe('runtime prune', () => {
  it('removes only old stage dirs no runtime was made from; keeps trees, sysroots and recent work', () => {
    const plan = planPrune(
      [
        { name: 'compile-1111111111111111', modifiedMs: OLD },
        { name: 'compile-2222222222222222', modifiedMs: OLD },
        { name: 'openssl-3333333333333333', modifiedMs: NOW - 1000 },
        { name: 'node-22.22.2-f1a6dfca7ffe', modifiedMs: OLD },
        { name: 'sysroot', modifiedMs: OLD },
      ],
      new Set(['compile-2222222222222222']),
      NOW,
    );
    expect(plan).toEqual({
      remove: ['compile-1111111111111111'],
      kept: { live: ['compile-2222222222222222'], recent: ['openssl-3333333333333333'] },
    });
  });

  it("reads the live set from the runtimes' manifests, and refuses when one predates the stage list", () => {
    const cache = tempDir('prune-cache');
    const rt = (name: string, manifest: object) => {
      mkdirSync(join(cache, 'runtimes', name), { recursive: true });
      writeFileSync(join(cache, 'runtimes', name, 'manifest.json'), JSON.stringify(manifest));
    };
    rt('node-22.22.2-linux-x64-musl-jemalloc', { kind: 'static', stages: [{ stage: 'zlib', dir: `${cache}/static/zlib-aaaaaaaaaaaaaaaa`, seconds: 3 }] });
    expect([...liveStageDirs(cache)]).toEqual(['zlib-aaaaaaaaaaaaaaaa']);
    rt('node-22.22.2-linux-x64-musl-musl', { kind: 'static' });
    expect(() => liveStageDirs(cache)).toThrow(/do not list the stages[\s\S]*musl-musl[\s\S]*re-run `npm run runtime`/);
  });
});
