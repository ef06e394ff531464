// Fuzzing the pure reader: whatever the bytes, it returns or throws ArchiveError — never another
// error, never a hang (the test's own timeout would catch one). Seeds are fixed so failures replay.
import { describe, expect, it } from 'vitest';
import { decompressBody } from '../../src/archive/codec.ts';
import { crc32c } from '../../src/archive/crc32c.ts';
import { ArchiveError, Codec, encodeHeader, HEADER_SIZE } from '../../src/archive/format.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { archiveBytes, prng } from './archive-fixtures.ts';

function readSafely(bytes: Uint8Array): 'ok' | 'archive-error' {
  try {
    const read = readArchive(bytes);
    // Reading bodies is part of reading: decompression of fuzzed bytes must fail the same way.
    for (const r of read.records) decompressBody(r.codec, r.body, r.offset);
    expect(read.goodEnd).toBeLessThanOrEqual(bytes.length);
    return 'ok';
  } catch (err) {
    if (err instanceof ArchiveError) return 'archive-error';
    throw err;
  }
}

/** Re-seals every frame's CRC after mutation, so the fuzz reaches the record decoder behind the checksum. */
function reseal(bytes: Buffer): void {
  let off = HEADER_SIZE;
  while (off + 12 <= bytes.length) {
    const len = bytes.readUInt32LE(off);
    if (off + 12 + len > bytes.length) return;
    let c = crc32c(bytes, 0, off, off + 8);
    c = crc32c(bytes, c, off + 12, off + 12 + len);
    bytes.writeUInt32LE(c, off + 8);
    off += 12 + len;
  }
}

describe('reader fuzz', () => {
  it('random bytes, with and without a valid header', () => {
    const rnd = prng(1);
    for (let i = 0; i < 3000; i++) {
      const n = Math.floor(rnd() * 400);
      const junk = Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
      readSafely(junk);
      readSafely(Buffer.concat([encodeHeader(), junk]));
    }
  });

  for (const codec of ['none', 'gzip', 'brotli'] as const) {
    it(`mutated archives (${codec}): flips, inserts, deletions, splices, resealed CRCs`, () => {
      const rnd = prng(codec.length * 1000 + 3);
      const base = archiveBytes(12, Codec[codec]);
      const seen = new Set<string>();
      for (let i = 0; i < 1500; i++) {
        let b = Buffer.from(base);
        const edits = 1 + Math.floor(rnd() * 4);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(rnd() * b.length);
          const op = Math.floor(rnd() * 5);
          if (op === 0) b[at] = Math.floor(rnd() * 256);
          else if (op === 1) b = Buffer.concat([b.subarray(0, at), Buffer.from([Math.floor(rnd() * 256)]), b.subarray(at)]);
          else if (op === 2) b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(rnd() * 30))]);
          else if (op === 3 && b.length >= 4) b.writeUInt32LE(Math.floor(rnd() * 2 ** 32), Math.min(at, b.length - 4));
          else if (op === 3) continue;
          else b = b.subarray(0, at);
        }
        if (rnd() < 0.5 && b.length >= HEADER_SIZE) reseal(b);
        seen.add(readSafely(b));
      }
      expect(seen.has('ok')).toBe(true);
    });
  }
});
