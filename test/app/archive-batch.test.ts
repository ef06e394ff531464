// Compressed batch frames (format 4, src/archive/batch.ts): what the recorder writes with --compress, how every
// reader takes them apart, how a damaged one is found and cut whole, and what a write cut short leaves.
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBatchFrame } from '../../src/archive/batch.ts';
import { compressor, zstdMissing } from '../../src/archive/codec.ts';
import { crc32c } from '../../src/archive/crc32c.ts';
import { ArchiveScan } from '../../src/archive/file.ts';
import { BLOCK_SIZE, Codec, decodeHeader, encodeHeader, FRAME_HEADER_SIZE, FrameKind, HEADER_SIZE, sealFrame } from '../../src/archive/format.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { encodeRequestFrame, recordPayloadSize } from '../../src/archive/record.ts';
import { ArchiveFileError, ArchiveSink, archiveVersion, BEHIND_BACKLOG, createArchiveFile } from '../../src/recorder/archive-sink.ts';
import { createArchive } from '../../src/recorder/own-archive-file.ts';
import { runBrokerCli as run } from '../fixtures/run-cli.ts';
import { paddingAfter, sampleRecord } from './archive-fixtures.ts';
import { mountSmallDisk } from './small-disk.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Request frames `first`…`first + count - 1`, CRCs filled in; JSON-like bodies (compressible) unless `random`. */
function frames(first: number, count: number, random = false): Buffer {
  const parts: Buffer[] = [];
  for (let i = first; i < first + count; i++) {
    const body = random ? randomBytes(2000 + (i % 50)) : Buffer.from(`{"event":"click","n":${i},"user":"u${i % 17}","pad":"${'x'.repeat(i % 40)}"}`);
    const r = sampleRecord(i, body);
    const buf = Buffer.alloc(FRAME_HEADER_SIZE + recordPayloadSize(r));
    encodeRequestFrame(buf, 0, r, 0);
    parts.push(buf);
  }
  return Buffer.concat(parts);
}

const gzip = compressor(Codec.gzip);
/** A batch frame of `raw` (request frames) with gzip, which every host Node has. */
const batchOf = (raw: Buffer, codec: number = Codec.gzip): Buffer => {
  const frame = encodeBatchFrame(raw, 0, raw.length, codec, compressor(codec));
  if (!frame) throw new Error('did not compress');
  return Buffer.from(frame);
};
const v4 = (...parts: Buffer[]) => Buffer.concat([Buffer.from(encodeHeader(4)), ...parts]);
const urls = (first: number, count: number) => Array.from({ length: count }, (_, i) => sampleRecord(first + i).url);

/** Rewrites a batch frame's payload (header kept) and seals it again with a good CRC: damage the CRC cannot see. */
function resealed(frame: Buffer, payload: Buffer, flags = frame[5] as number): Buffer {
  const out = Buffer.alloc(FRAME_HEADER_SIZE + payload.length);
  payload.copy(out, FRAME_HEADER_SIZE);
  sealFrame(out, 0, payload.length, FrameKind.batch, flags);
  return out;
}

describe('batch frames', () => {
  for (const codec of [Codec.gzip, Codec.brotli, Codec.zstd] as number[]) {
    const skip = codec === Codec.zstd ? zstdMissing() : null;
    it.skipIf(skip !== null)(`${['', 'gzip', 'brotli', 'zstd'][codec]}: the frames of a batch read back in order, each record at its batch's offset${skip ? ` (skipped: ${skip})` : ''}`, () => {
      const raw = frames(0, 40);
      const batch = batchOf(raw, codec);
      expect(batch.length).toBeLessThan(raw.length / 3);
      const plain = frames(40, 3);
      const bytes = v4(batch, plain, paddingAfter(HEADER_SIZE + batch.length + plain.length));
      const read = readArchive(bytes);
      expect(read.bad).toBeNull();
      expect(read.records.map((r) => r.url)).toEqual(urls(0, 43));
      expect(new Set(read.records.slice(0, 40).map((r) => r.offset))).toEqual(new Set([HEADER_SIZE]));
      expect(read.records[40]?.offset).toBe(HEADER_SIZE + batch.length);
      expect(read.records.every((r) => r.codec === Codec.none)).toBe(true);
      expect(read.batches).toEqual({ count: 1, stored: batch.length, raw: raw.length });
    });
  }

  it('a batch that would not shrink is not made: the frames are written as they are', () => {
    const random = randomBytes(5000);
    expect(encodeBatchFrame(random, 0, random.length, Codec.gzip, gzip)).toBeNull();
  });

  it('a version 3 file holds no batch frames: kind 3 there is an unknown kind, as it always was', () => {
    const bytes = Buffer.concat([Buffer.from(encodeHeader(3)), batchOf(frames(0, 5))]);
    expect(readArchive(bytes).bad).toEqual({ offset: HEADER_SIZE, reason: 'unknown frame kind 3' });
  });

  it('a recording writes version 3 without --compress (older brokers read it) and 4 with it', () => {
    expect(archiveVersion(Codec.none)).toBe(3);
    for (const codec of [Codec.gzip, Codec.brotli, Codec.zstd]) expect(archiveVersion(codec)).toBe(4);
    const plain = join(dir, 'plain.brk');
    createArchiveFile(plain);
    expect(decodeHeader(readFileSync(plain)).version).toBe(3);
  });

  it('damage is a bad frame at the batch, whatever the batch hides; records before it stay intact', () => {
    const before = frames(0, 2);
    const good = batchOf(frames(2, 20));
    const payload = good.subarray(FRAME_HEADER_SIZE);
    const rawLength = payload.readUInt32LE(0);
    const withLength = (n: number) => Buffer.concat([Buffer.from(Uint32Array.of(n).buffer), payload.subarray(4)]);
    const inner = (kind: number) => {
      const raw = frames(2, 3);
      raw[4] = kind; // the first inner frame's kind (a batch's with a codec, a padding frame's without); its CRC made good again
      raw[5] = kind === FrameKind.batch ? Codec.gzip : 0;
      raw.writeUInt32LE(crc32c(raw, crc32c(raw, 0, 0, 8), FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + raw.readUInt32LE(0)), 8);
      return batchOf(raw);
    };
    // One frame with a zero byte added to its payload, its length and CRC made good again.
    const strayByte = (frame: Buffer) => {
      const raw = Buffer.concat([frame, Buffer.alloc(1)]);
      raw.writeUInt32LE(raw.readUInt32LE(0) + 1, 0);
      raw.writeUInt32LE(crc32c(raw, crc32c(raw, 0, 0, 8), FRAME_HEADER_SIZE, raw.length), 8);
      return raw;
    };
    const flipped = Buffer.from(good);
    flipped.writeUInt8((flipped.at(-10) ?? 0) ^ 0x40, good.length - 10);
    const cases: [string, Buffer, RegExp][] = [
      ['a flipped byte (the frame CRC)', flipped, /frame checksum mismatch/],
      ['a length field that lies', resealed(good, withLength(rawLength + 1)), new RegExp(`inflates to ${rawLength} bytes, its length field says ${rawLength + 1}`)],
      ['a length field past the maximum', resealed(good, withLength(2 ** 31)), /batch length 2147483648 exceeds/],
      // Said as docs/archive.md says it, not in Node's words for the cap ("Cannot create a Buffer larger than …").
      ['a short length field (inflating stops at it)', resealed(good, withLength(rawLength - 1)), new RegExp(`^batch inflates to more than ${rawLength - 1} bytes, its length field says ${rawLength - 1}$`)],
      ['compressed bytes that are not gzip', resealed(good, Buffer.concat([payload.subarray(0, 4), Buffer.from('not gzip at all')])), /cannot decompress gzip batch/],
      ['no length field', resealed(good, Buffer.from([1, 2])), /has no length field/],
      ['no codec', resealed(good, payload, Codec.none), /batch frame without a codec/],
      ['a padding frame inside', inner(FrameKind.padding), /batch frame 1 is of kind 2; a batch holds request frames only/],
      ['a batch inside', inner(FrameKind.batch), /batch frame 1 is of kind 3/],
      ['an inner frame cut short', batchOf(frames(2, 3).subarray(0, -5)), /batch ends inside its frame 3/],
      // A sound frame (its CRC made good) whose record has a byte too many: named by its place, counted from 1 as above.
      ['a record with a stray byte in the third frame', batchOf(Buffer.concat([frames(2, 2), strayByte(frames(4, 1))])), /^batch frame 3: 1 stray bytes after the request record/],
    ];
    for (const [what, batch, reason] of cases) {
      const read = readArchive(v4(before, batch, frames(22, 1)));
      expect(
        read.records.map((r) => r.url),
        what,
      ).toEqual(urls(0, 2));
      expect(read.bad?.offset, what).toBe(HEADER_SIZE + before.length);
      expect(read.bad?.reason, what).toMatch(reason);
    }
  });

  it('the file walker reads batches larger than its read size, and stops at a bad one as readArchive does', () => {
    const path = join(dir, 'walk.brk');
    const big = batchOf(frames(0, 3000));
    expect(big.length).toBeGreaterThan(8192);
    writeFileSync(path, v4(frames(3000, 1), big, frames(3001, 2)));
    const scan = new ArchiveScan(path, 4096);
    expect([...scan.records()].map((r) => r.url)).toEqual([...urls(3000, 1), ...urls(0, 3000), ...urls(3001, 2)]);
    expect(scan.result).toMatchObject({ frames: 3003, bad: null, batches: { count: 1, stored: big.length } });
  });

  it('a record in a batch whose body its codec rejects makes the batch bad, as damage does: no reader takes any of its records, verify --repair cuts it whole', async () => {
    const path = join(dir, 'bad-body-in-batch.brk');
    const r = sampleRecord(7, Buffer.from('not gzip'));
    const inner = Buffer.alloc(FRAME_HEADER_SIZE + recordPayloadSize(r));
    encodeRequestFrame(inner, 0, r, Codec.gzip);
    const before = frames(0, 2);
    const batch = batchOf(Buffer.concat([frames(2, 5), inner, frames(8, 5)]));
    const after = frames(13, 1);
    writeFileSync(path, v4(before, batch, after));
    const at = HEADER_SIZE + before.length;
    const scan = new ArchiveScan(path);
    expect([...scan.records()].map((rec) => rec.url)).toEqual(urls(0, 2));
    expect(scan.result).toMatchObject({ frames: 2, goodEnd: at, bad: { offset: at, reason: expect.stringMatching(/^batch frame 6: cannot decompress gzip body/) }, batches: { count: 0 } });
    // Every reader counts what verify keeps: the 2 records before the batch (stats said 7, replay sent 7).
    expect(JSON.parse((await run('stats', path, '--json')).out)).toMatchObject({ requests: 2, bad: { offset: at } });
    expect((await run('cat', path, '--json')).lines).toHaveLength(2);
    const repaired = await run('verify', path, '--repair');
    expect(repaired.out).toMatch(new RegExp(`repaired: cut ${batch.length + after.length} bytes at offset ${at} \\(batch frame 6: cannot decompress gzip body: .*\\); 2 records kept$`));
    expect(statSync(path).size).toBe(at);
  });

  it('verify --repair cuts a damaged batch whole; cat, stats and verify read the rest', async () => {
    const path = join(dir, 'repair.brk');
    const good = batchOf(frames(0, 30));
    const bad = Buffer.from(batchOf(frames(30, 30)));
    bad.writeUInt8((bad.at(-1) ?? 0) ^ 1, bad.length - 1);
    writeFileSync(path, v4(good, bad));
    const stats = await run('stats', path, '--json');
    expect(stats.code).toBe(1);
    expect(JSON.parse(stats.out)).toMatchObject({ requests: 30, batches: { count: 1, storedBytes: good.length, frameBytes: frames(0, 30).length }, codecs: { none: 30 } });
    const repaired = await run('verify', path, '--repair');
    expect(repaired.out).toMatch(new RegExp(`repaired: cut ${bad.length} bytes at offset ${HEADER_SIZE + good.length} \\(frame checksum mismatch\\); 30 records kept`));
    expect(statSync(path).size).toBe(HEADER_SIZE + good.length);
    expect((await run('verify', path)).code).toBe(0);
    const cat = await run('cat', path, '--json');
    expect(
      cat.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).url),
    ).toEqual(urls(0, 30));
  });

  it.skipIf(zstdMissing() === null)(`a zstd batch on a runtime without zstd: the readers say so and verify --repair cuts nothing${zstdMissing() === null ? ' (skipped: this runtime has zstd)' : ''}`, async () => {
    // Made by hand: this runtime cannot compress zstd. A batch frame's codec is only a flag; the bytes are never inflated here.
    const raw = frames(0, 4);
    const fake = Buffer.concat([Buffer.from(Uint32Array.of(raw.length).buffer), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0])]);
    const path = join(dir, 'zstd-here.brk');
    writeFileSync(path, v4(frames(10, 2), resealed(Buffer.alloc(FRAME_HEADER_SIZE), fake, Codec.zstd)));
    const size = statSync(path).size;
    const v = await run('verify', path, '--repair');
    expect(v.code).toBe(1);
    expect(v.err).toMatch(/cannot decompress zstd batch: this runtime \(Node v[\d.]+\) has no zstd.*; 2 records before it are intact, the rest was not checked/);
    expect(statSync(path).size).toBe(size);
    const cat = await run('cat', path);
    expect(cat.code).toBe(1);
    expect(cat.err).toMatch(/zstd batch/);
    // Beside a readable archive, stats says the file was not read and counts none of it in the total (it counted the
    // 2 records its scan got through before the batch: found by a helper's hunt).
    const beside = join(dir, 'zstd-here-beside.brk');
    writeFileSync(beside, v4(frames(20, 3)));
    const s = await run('stats', path, beside, '--json');
    expect(s.code).toBe(1);
    const report = JSON.parse(s.out);
    expect(report.files[0]).toMatchObject({ file: path, error: expect.stringMatching(/zstd batch/) });
    expect(report.total).toMatchObject({ requests: 3, fileBytes: statSync(beside).size });
    expect((await run('stats', path, beside)).out).toMatch(/^total: 3 requests in 2 files/m);
    // replay of it alone: the report and the file's name, as with several files (it printed the error alone).
    const r = await run('replay', path, '--target', 'http://127.0.0.1:1', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ sent: 2, archive: { records: 2, bad: null, error: expect.stringMatching(/^cannot decompress zstd batch/) } });
    expect(r.err).toMatch(new RegExp(`^broker: ${path}: cannot decompress zstd batch: .*; replayed the 2 records before it$`, 'm'));
  });
});

describe('ArchiveSink --compress', () => {
  it('writes each batch as batch frames of at most a quarter MiB of frames, padded to blocks; every record reads back', async () => {
    const path = join(dir, 'sink-gzip.brk');
    const sink = new ArchiveSink({ path, identity: createArchiveFile(path, archiveVersion(Codec.gzip)), rotateBytes: 0, shared: false, batchBytes: 1 << 20, compress: { codec: Codec.gzip, level: 6 } });
    // Over half a MiB of frames: one batch frame per slice of a quarter MiB.
    const big = frames(0, 4500);
    expect(big.length).toBeGreaterThan(512 * 1024);
    await sink.write(big, big.length);
    sink.close();
    const bytes = readFileSync(path);
    expect(decodeHeader(bytes).version).toBe(4);
    const read = readArchive(bytes);
    expect(read.bad).toBeNull();
    expect(read.records.map((r) => r.url)).toEqual(urls(0, 4500));
    expect(read.batches.count).toBeGreaterThanOrEqual(Math.floor(big.length / (256 * 1024)));
    expect(read.batches.count).toBeLessThanOrEqual(Math.ceil(big.length / (256 * 1024)));
    expect(read.batches.raw).toBe(big.length);
    expect(sink.counters.savedBytes).toBe(big.length - read.batches.stored);
    expect(bytes.length).toBe(BLOCK_SIZE + big.length - sink.counters.savedBytes + sink.counters.paddingBytes);
    expect(bytes.length).toBeLessThan(big.length / 4);
    // Every frame byte went through the codec, in measurable CPU time (gzip level 6 on half a MiB: milliseconds).
    expect(sink.counters.codecInputBytes).toBe(big.length);
    expect(sink.counters.codecMs).toBeGreaterThan(0);
  });

  it(`a batch with ${BEHIND_BACKLOG} or more queued behind it goes out uncompressed (the writing has fallen behind), and reads the same`, async () => {
    const path = join(dir, 'sink-behind.brk');
    const sink = new ArchiveSink({ path, identity: createArchiveFile(path, 4), rotateBytes: 0, shared: false, batchBytes: 1 << 20, compress: { codec: Codec.gzip } });
    const a = frames(0, 300);
    const b = frames(300, 300);
    await sink.write(a, a.length, BEHIND_BACKLOG - 1);
    await sink.write(b, b.length, BEHIND_BACKLOG);
    sink.close();
    const read = readArchive(readFileSync(path));
    expect(read.bad).toBeNull();
    expect(read.records.map((r) => r.url)).toEqual(urls(0, 600));
    expect(read.batches).toMatchObject({ count: 1, raw: a.length });
    expect(sink.counters.behindBatches).toBe(1);
    expect(sink.counters.savedBytes).toBe(a.length - read.batches.stored);
    // The batch written as it was never reached the codec.
    expect(sink.counters.codecInputBytes).toBe(a.length);
  });

  it('rotated files are version 4 too', async () => {
    const path = join(dir, 'sink-rotate.brk');
    const sink = new ArchiveSink({ path, identity: createArchiveFile(path, 4), rotateBytes: 64 * 1024, shared: false, batchBytes: 60 * 1024, compress: { codec: Codec.gzip } });
    // Random bodies: compression cannot shrink them, so six batches cannot share one 64 KiB file.
    for (let b = 0; b < 6; b++) {
      const raw = frames(b * 25, 25, true);
      expect(raw.length).toBeLessThan(60 * 1024);
      await sink.write(raw, raw.length);
    }
    sink.close();
    expect(sink.counters.files).toBeGreaterThan(1);
    expect(decodeHeader(readFileSync(`${path}.1`)).version).toBe(4);
  });

  it('rotates by the compressed length: a file holds as many compressed batches as fit within --rotate', async () => {
    const path = join(dir, 'sink-rotate-compressed.brk');
    const rotateBytes = 64 * 1024;
    const sink = new ArchiveSink({ path, identity: createArchiveFile(path, 4), rotateBytes, shared: false, batchBytes: 60 * 1024, compress: { codec: Codec.gzip } });
    let raw = 0;
    for (let b = 0; b < 40; b++) {
      const batch = frames(b * 300, 300);
      expect(batch.length).toBeGreaterThan(rotateBytes / 2);
      expect(batch.length).toBeLessThan(60 * 1024);
      raw += batch.length;
      await sink.write(batch, batch.length);
    }
    sink.close();
    const files = Array.from({ length: sink.counters.files }, (_, i) => (i === 0 ? path : `${path}.${i}`));
    const sizes = files.map((f) => statSync(f).size);
    // Each batch shrinks to a few KiB: many share a file (by its raw length no two would), and no file passes SIZE.
    expect(sizes.every((n) => n <= rotateBytes)).toBe(true);
    expect(sizes.slice(0, -1).every((n) => n > rotateBytes / 2)).toBe(true);
    expect(files.length).toBeLessThan(40 / 4);
    expect(files.flatMap((f) => readArchive(readFileSync(f)).records.map((r) => r.url))).toEqual(urls(0, 40 * 300));
    expect(raw).toBeGreaterThan(files.length * rotateBytes);
  });

  const disk = mountSmallDisk('64k');
  afterAll(() => disk.remove());
  it.skipIf(disk.unavailable !== null)(`a write cut short by a full disk counts exactly the frames a reader finds${disk.unavailable ? ` (skipped: ${disk.unavailable})` : ''}`, async () => {
    const path = join(disk.dir, 'full.brk');
    // createArchive, not createArchiveFile: its descriptor is closed below, or the disk could not be unmounted.
    const created = createArchive(path, 4);
    const sink = new ArchiveSink({ path, identity: created.identity, rotateBytes: 0, shared: false, batchBytes: 1 << 20, compress: { codec: Codec.gzip } });
    // A quarter MiB of compressible frames (one small batch frame), then random ones that no disk of 64 KiB holds.
    const compressible = frames(0, 2400);
    let cut = 0;
    let inCut = 0;
    for (; cut < 256 * 1024; inCut++) cut += FRAME_HEADER_SIZE + compressible.readUInt32LE(cut);
    const batch = Buffer.concat([compressible.subarray(0, cut), frames(100_000, 400, true)]);
    const err = await sink.write(batch, batch.length).then(
      () => null,
      (e: unknown) => e,
    );
    sink.close();
    closeSync(created.fd);
    expect(err).toBeInstanceOf(ArchiveFileError);
    const written = (err as ArchiveFileError).written;
    const read = readArchive(readFileSync(path));
    expect(read.bad).toBeNull();
    expect(written?.frames).toBe(read.records.length);
    expect(read.batches.count).toBe(1);
    expect(read.records.length).toBeGreaterThan(read.batches.count);
    expect(read.records.length).toBeLessThan(inCut + 400);
  });
});
