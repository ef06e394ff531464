// Fuzzing the pure reader: whatever the bytes, it returns or throws ArchiveError — never another
// error, never a hang (the test's own timeout would catch one). Seeds are fixed so failures replay.
import { describe, expect, it } from 'vitest';
import { encodeBatchFrame } from '../../src/archive/batch.ts';
import { compressor, decompressBody } from '../../src/archive/codec.ts';
import { crc32c } from '../../src/archive/crc32c.ts';
import { ArchiveError, Codec, encodeHeader, FRAME_HEADER_SIZE, HEADER_SIZE } from '../../src/archive/format.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { encodeRequestFrame, recordPayloadSize } from '../../src/archive/record.ts';
import { archiveBytes, prng, sampleRecord } from './archive-fixtures.ts';

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

/** Applies 1–4 random edits (flip, insert, delete, overwrite a u32, truncate). */
function mutate(base: Buffer, rnd: () => number): Buffer {
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
  return b;
}

/** Request frames 0…n-1 back to back, CRCs sealed: a batch's content. */
function requestFrames(n: number): Buffer {
  return Buffer.concat(
    Array.from({ length: n }, (_, i) => {
      const r = sampleRecord(i, Buffer.from(`{"i":${i},"pad":"${'q'.repeat(i * 7)}"}`));
      const buf = Buffer.alloc(FRAME_HEADER_SIZE + recordPayloadSize(r));
      encodeRequestFrame(buf, 0, r, 0);
      return buf;
    }),
  );
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
        const b = mutate(base, rnd);
        if (rnd() < 0.5 && b.length >= HEADER_SIZE) reseal(b);
        seen.add(readSafely(b));
      }
      expect(seen.has('ok')).toBe(true);
    });
  }

  for (const codec of ['gzip', 'brotli'] as const) {
    it(`batch frames (${codec}, format 4): mutated compressed bytes, and mutated frames compressed whole`, () => {
      const rnd = prng(codec.length * 7000 + 11);
      const raw = requestFrames(12);
      const compress = compressor(Codec[codec]);
      const header = Buffer.from(encodeHeader(4));
      const seal = (content: Buffer) => {
        const frame = encodeBatchFrame(content, 0, content.length, Codec[codec], compress);
        return frame ? Buffer.from(frame) : content;
      };
      const base = Buffer.concat([header, seal(raw), requestFrames(2)]);
      expect(readArchive(base).records).toHaveLength(14);
      const seen = new Set<string>();
      for (let i = 0; i < 800; i++) {
        // Half: the file's bytes, the outer CRC resealed or not (reaches the inflater with junk). Half: the frames
        // inside, their CRCs resealed or not, then compressed (reaches the inner decoder through a good batch).
        if (rnd() < 0.5) {
          const b = mutate(base, rnd);
          if (rnd() < 0.7 && b.length >= HEADER_SIZE) reseal(b);
          seen.add(readSafely(b));
        } else {
          const inner = Buffer.concat([header, mutate(raw, rnd)]);
          if (rnd() < 0.7) reseal(inner);
          seen.add(readSafely(Buffer.concat([header, seal(inner.subarray(HEADER_SIZE))])));
        }
      }
      expect(seen.has('ok')).toBe(true);
    });
  }
});
