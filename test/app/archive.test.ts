import { describe, expect, it } from 'vitest';
import { decompressBody } from '../../src/archive/codec.ts';
import { computeTable, crc32c } from '../../src/archive/crc32c.ts';
import { CRC32C_TABLE_BASE64 } from '../../src/archive/crc32c-table.ts';
import { ArchiveError, BLOCK_SIZE, Codec, decodeFrame, encodeHeader, FRAME_HEADER_SIZE, FrameKind, HEADER_SIZE, paddedLength, padToBlock, TLS_FLAG } from '../../src/archive/format.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { decodeRequestPayload, encodeRequestFrame, recordPayloadSize } from '../../src/archive/record.ts';
import { archiveBytes, prng, sampleRecord } from './archive-fixtures.ts';

/** CRC32C by its definition, bit by bit: the reference the fast paths are checked against. */
function bitwise(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

describe('CRC32C', () => {
  it('the embedded table is the one computed by its definition (row 0 checked bit by bit; the later rows by the checksums below)', () => {
    const table = computeTable();
    const bytes = Buffer.from(CRC32C_TABLE_BASE64, 'base64');
    expect(bytes.length).toBe(table.byteLength);
    expect(Array.from({ length: table.length }, (_, i) => bytes.readUInt32LE(i * 4))).toEqual(Array.from(table));
    for (let b = 0; b < 256; b++) {
      let c = b;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      expect(table[b]).toBe(c >>> 0);
    }
  });

  it('matches the RFC 3720 test vectors and the classic check value', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('slicing-by-16 agrees with the bitwise definition at every length and alignment', () => {
    const rnd = prng(7);
    const data = Uint8Array.from({ length: 300 }, () => Math.floor(rnd() * 256));
    for (let start = 0; start < 17; start++) for (let len = 0; len < 100; len++) expect(crc32c(data, 0, start, start + len)).toBe(bitwise(data.subarray(start, start + len)));
  });

  it('the aligned word loop agrees with the bitwise definition: every start, length past 32, buffer offset', () => {
    const rnd = prng(11);
    const backing = Buffer.from(Uint8Array.from({ length: 400 }, () => Math.floor(rnd() * 256)));
    // Views that start 0–3 bytes into their ArrayBuffer, so the word loop sees every alignment of both ends.
    for (let shift = 0; shift < 4; shift++) {
      const data = backing.subarray(shift, 300 + shift);
      for (let start = 0; start < 8; start++) for (let len = 28; len < 140; len++) expect(crc32c(data, 0, start, start + len)).toBe(bitwise(data.subarray(start, start + len)));
    }
    // Alternating between buffers of different sizes (the cached word view must follow).
    const small = Uint8Array.from({ length: 64 }, (_, i) => i * 7);
    for (let k = 0; k < 3; k++) {
      expect(crc32c(small)).toBe(bitwise(small));
      expect(crc32c(backing, 0, 100, 400)).toBe(bitwise(backing.subarray(100, 400)));
    }
  });

  it('continues from a previous value', () => {
    const b = Buffer.from('hello, incremental world');
    expect(crc32c(b, crc32c(b, 0, 0, 9), 9)).toBe(crc32c(b));
  });
});

describe('archive round trip', () => {
  it('reads back every field byte-exact: latin1 URL, header order, case and repeats, body', () => {
    const bytes = archiveBytes(50);
    const read = readArchive(bytes);
    expect(read.bad).toBeNull();
    expect(read.goodEnd).toBe(bytes.length);
    expect(read.records).toHaveLength(50);
    const r7 = read.records[7]!;
    const input = sampleRecord(7);
    expect(r7).toMatchObject({ time: input.time, method: 'POST', url: '/items/7?q=caf\u00e9', peer: { address: '127.0.0.1', port: 40007 } });
    expect(r7.headers).toEqual([
      ['Host', 'example.test'],
      ['X-Seq', '7'],
      ['x-dup', 'a'],
      ['x-dup', 'b'],
    ]);
    expect(Buffer.from(r7.body).toString()).toBe('body #7 '.repeat(0));
    expect(Buffer.from(read.records[6]!.body).toString()).toBe('body #6 '.repeat(6));
  });

  it('strings of every length and byte value round-trip (the short-string loop and Buffer#write alike)', () => {
    const rnd = prng(5);
    const str = (n: number) => String.fromCharCode(...Array.from({ length: n }, () => Math.floor(rnd() * 256)));
    const parts: Buffer[] = [Buffer.from(encodeHeader())];
    const inputs = Array.from({ length: 120 }, (_, n) => ({ ...sampleRecord(n), method: str(n % 40), url: str(n), rawHeaders: [str(n), str(119 - n), 'X', str(n >> 1)] }));
    for (const r of inputs) {
      const buf = Buffer.alloc(FRAME_HEADER_SIZE + recordPayloadSize(r));
      expect(encodeRequestFrame(buf, 0, r, 0)).toBe(buf.length);
      parts.push(buf);
    }
    const read = readArchive(Buffer.concat(parts));
    expect(read.bad).toBeNull();
    expect(read.records.map((r) => [r.method, r.url, r.headers.flat()])).toEqual(inputs.map((r) => [r.method, r.url, r.rawHeaders]));
  });

  it('an empty archive is just the header', () => {
    expect(readArchive(encodeHeader())).toEqual({ version: 4, records: [], padding: 0, batches: { count: 0, stored: 0, raw: 0 }, goodEnd: HEADER_SIZE, bad: null });
  });

  for (const codec of ['gzip', 'brotli'] as const) {
    it(`bodies compressed with ${codec} decompress to the original`, () => {
      const body = (i: number) => Buffer.from(`{"n":${i},"pad":"${'x'.repeat(i * 40)}"}`);
      const read = readArchive(archiveBytes(20, Codec[codec], body));
      expect(read.bad).toBeNull();
      for (const [i, r] of read.records.entries()) {
        expect(r.codec).toBe(Codec[codec]);
        expect(Buffer.from(decompressBody(r.codec, r.body)).toString()).toBe(body(i).toString());
      }
    });
  }

  it('a frame that does not fit reports -1 and writes nothing past the buffer', () => {
    const buf = Buffer.alloc(40);
    expect(encodeRequestFrame(buf, 0, sampleRecord(1), 0)).toBe(-1);
    expect(buf.every((b) => b === 0)).toBe(true);
  });
});

describe('reader stops at the first bad frame', () => {
  const bytes = archiveBytes(10);
  // Every frame, padding ones included: where it starts and how many records come before it.
  const frames: { offset: number; end: number; recordsBefore: number }[] = [];
  for (let at = HEADER_SIZE, n = 0; at < bytes.length; ) {
    const r = decodeFrame(bytes, at);
    if (r.status !== 'frame') throw new Error(`fixture frame at ${at} is ${r.status}`);
    frames.push({ offset: at, end: r.frame.end, recordsBefore: n });
    if (r.frame.kind === FrameKind.request) n++;
    at = r.frame.end;
  }
  const records = readArchive(bytes).records.length;

  it('every truncation keeps exactly the whole frames before the cut', () => {
    for (let cut = HEADER_SIZE; cut < bytes.length; cut++) {
      const read = readArchive(bytes.subarray(0, cut));
      const next = frames.find((f) => f.end > cut)!;
      expect(read.records).toHaveLength(next.recordsBefore);
      if (cut === next.offset) expect(read.bad).toBeNull();
      else expect(read.bad).toMatchObject({ offset: next.offset, reason: expect.stringMatching(/truncated frame/) });
      expect(read.goodEnd).toBe(read.bad ? read.bad.offset : cut);
    }
    expect(records).toBe(10);
  });

  it('a flipped byte anywhere in frame k stops the reader at frame k', () => {
    for (const f of frames) {
      for (let at = f.offset; at < f.end; at += f.end - f.offset > 600 ? 7 : 1) {
        const copy = Buffer.from(bytes);
        copy[at]! ^= 0x10;
        const read = readArchive(copy);
        expect(read.records).toHaveLength(f.recordsBefore);
        expect(read.bad?.offset).toBe(f.offset);
      }
    }
  });

  it('a header that is not ours throws ArchiveError, naming why', () => {
    expect(() => readArchive(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(/not a broker archive/);
    expect(() => readArchive(bytes.subarray(0, 10))).toThrow(/truncated header/);
    const v5 = Buffer.from(bytes);
    v5[8] = 5;
    expect(() => readArchive(v5)).toThrow(ArchiveError);
    expect(() => readArchive(v5)).toThrow(/checksum/);
    v5.writeUInt32LE(crc32c(v5, 0, 0, 12), 12);
    expect(() => readArchive(v5)).toThrow(/version 5; this broker reads versions 1, 2, 3 and 4/);
  });

  it('version 1 archives (no padding frames) still read', () => {
    const v1 = Buffer.from(bytes);
    v1[8] = 1;
    v1.writeUInt32LE(crc32c(v1, 0, 0, 12), 12);
    const read = readArchive(v1);
    expect(read).toMatchObject({ version: 1, bad: null });
    expect(read.records.length).toBe(readArchive(bytes).records.length);
  });

  it('padding frames end batches on a block boundary and readers skip them', () => {
    const read = readArchive(bytes);
    expect(read.padding).toBeGreaterThan(0);
    for (const end of [HEADER_SIZE, 4084, 4085, 4086, 4095, 4096, 4097, 10_000]) {
      const b = Buffer.alloc(end + BLOCK_SIZE + FRAME_HEADER_SIZE);
      const padded = padToBlock(b, end);
      expect(padded).toBe(paddedLength(end));
      expect(padded % BLOCK_SIZE).toBe(0);
      if (padded > end) expect(decodeFrame(b.subarray(0, padded), end)).toMatchObject({ status: 'frame', frame: { kind: FrameKind.padding, end: padded } });
    }
    // A flag on a padding frame is as bad as on a request frame.
    const b = Buffer.alloc(BLOCK_SIZE);
    padToBlock(b, 100);
    b[105] = 1;
    b.writeUInt32LE(crc32c(b, crc32c(b, 0, 100, 108), 112, BLOCK_SIZE), 108);
    expect(decodeFrame(b, 100)).toMatchObject({ status: 'bad', reason: 'reserved frame bits set' });
  });

  it('a length beyond the maximum is a bad frame, not an allocation', () => {
    const copy = Buffer.from(bytes);
    copy.writeUInt32LE(0xffffffff, HEADER_SIZE);
    expect(decodeFrame(copy, HEADER_SIZE)).toMatchObject({ status: 'bad', reason: expect.stringMatching(/exceeds/) });
    expect(FRAME_HEADER_SIZE).toBe(12);
  });
});

describe('a request payload cut short', () => {
  // The payload's fields in order, as record.ts's header lays them out; each cut must be reported inside the field it
  // falls in, at that field's offset (plus the caller's base), whatever decoding strategy the reader uses.
  const r = { ...sampleRecord(3, Buffer.from('twelve bytes')), rawHeaders: ['Host', 'example.test', 'X-Empty', '', 'x-dup', 'a'], sni: 'api.example.test' };
  const frame = Buffer.alloc(FRAME_HEADER_SIZE + recordPayloadSize(r));
  encodeRequestFrame(frame, 0, r, 0);
  const payload = frame.subarray(FRAME_HEADER_SIZE);
  const sizes: [string, number][] = [
    ['time', 8],
    ['peer', 3],
    ['peer address', r.peerAddress.length],
    ['method length', 1],
    ['method', r.method.length],
    ['url length', 4],
    ['url', r.url.length],
    ['header count', 2],
    ...r.rawHeaders.flatMap((s, i): [string, number][] =>
      i % 2
        ? [
            ['header value length', 4],
            ['header value', s.length],
          ]
        : [
            ['header name length', 2],
            ['header name', s.length],
          ],
    ),
    ['body length', 4],
    ['body', 12],
    ['SNI length', 2],
    ['SNI name', r.sni.length],
  ];
  const fields: { name: string; at: number; end: number }[] = [];
  for (const [name, size] of sizes) fields.push({ name, at: fields.at(-1)?.end ?? 0, end: (fields.at(-1)?.end ?? 0) + size });

  it('the layout above is the encoder’s: the whole payload decodes to the record', () => {
    expect(fields.at(-1)?.end).toBe(payload.length);
    const got = decodeRequestPayload(payload, TLS_FLAG, 0);
    expect(got).toMatchObject({ time: r.time, method: r.method, url: r.url, peer: { address: r.peerAddress, port: r.peerPort }, tls: true, sni: r.sni });
    expect(got.headers.flat()).toEqual(r.rawHeaders);
    expect(Buffer.from(got.body).toString()).toBe('twelve bytes');
  });

  it('every cut names the field it falls in and that field’s offset', () => {
    for (let cut = 0; cut < payload.length; cut++) {
      const field = fields.find((f) => f.end > cut);
      let err: unknown;
      try {
        decodeRequestPayload(payload.subarray(0, cut), TLS_FLAG, 1000);
      } catch (e) {
        err = e;
      }
      expect(err, `cut at ${cut}`).toBeInstanceOf(ArchiveError);
      expect([(err as ArchiveError).message, (err as ArchiveError).offset], `cut at ${cut}`).toEqual([`request record ends inside ${field?.name}`, 1000 + (field?.at ?? 0)]);
    }
  });

  it('bytes after the last field are reported where they start', () => {
    const longer = Buffer.concat([payload, Buffer.from([1, 2, 3])]);
    expect(() => decodeRequestPayload(longer, TLS_FLAG, 1000)).toThrow('3 stray bytes after the request record');
    try {
      decodeRequestPayload(longer, TLS_FLAG, 1000);
    } catch (e) {
      expect((e as ArchiveError).offset).toBe(1000 + payload.length);
    }
  });
});
