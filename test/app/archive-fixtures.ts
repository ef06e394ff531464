import { randomBytes } from 'node:crypto';
import { compressBody } from '../../src/archive/codec.ts';
import { encodeHeader, HEADER_SIZE, paddedLength, padToBlock } from '../../src/archive/format.ts';
import { encodeRequestFrame, type RecordInput, recordPayloadSize } from '../../src/archive/record.ts';

/** A deterministic PRNG (mulberry32) so a failing fuzz case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sampleRecord(i: number, body: Uint8Array = Buffer.from(`body #${i}`)): RecordInput {
  return {
    time: 1_764_000_000_000 + i + 0.25,
    peerAddress: i % 2 ? '127.0.0.1' : '::ffff:127.0.0.1',
    peerPort: 40000 + i,
    method: i % 3 ? 'POST' : 'GET',
    url: `/items/${i}?q=caf\u00e9`,
    rawHeaders: ['Host', 'example.test', 'X-Seq', String(i), 'x-dup', 'a', 'x-dup', 'b'],
    body: [body],
    bodyLength: body.length,
  };
}

/** The padding frame the recorder's direct I/O adds after a batch that ends at `end` (empty when aligned). */
export function paddingAfter(end: number): Buffer {
  const b = Buffer.alloc(paddedLength(end));
  return b.subarray(end, padToBlock(b, end));
}

/**
 * An archive of n records, laid out the way the recorder writes it: the header padded to a block, then
 * batches of frames, each padded to a block (every fifth record ends a batch here).
 */
export function archiveBytes(n: number, codec = 0, bodies?: (i: number) => Uint8Array, url?: (i: number) => string): Buffer {
  const parts: Buffer[] = [Buffer.from(encodeHeader()), paddingAfter(HEADER_SIZE)];
  let end = paddedLength(HEADER_SIZE);
  for (let i = 0; i < n; i++) {
    const raw = bodies ? bodies(i) : Buffer.from(`body #${i} `.repeat(i % 7));
    const stored = compressBody(codec, raw);
    const r = { ...sampleRecord(i, stored), ...(url ? { url: url(i) } : {}) };
    const buf = Buffer.alloc(12 + recordPayloadSize(r));
    if (encodeRequestFrame(buf, 0, r, codec) !== buf.length) throw new Error('frame size mismatch');
    parts.push(buf);
    end += buf.length;
    if (i % 5 === 4) {
      const pad = paddingAfter(end);
      parts.push(pad);
      end += pad.length;
    }
  }
  return Buffer.concat(parts);
}

export const randomBody = (n: number) => randomBytes(n);
