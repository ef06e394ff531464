// The archive sink on its own thread (what the bundled recorder uses): the event loop leaves the frames'
// checksums out, the thread fills them in and writes; batches move to the thread and back without a copy.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { procStat } from '../../build/bench/proc.ts';
import { bundleFile } from '../../build/project/bundle.ts';
import { readProject } from '../../build/project/project.ts';
import { checksumFrames, decodeFrame, encodeHeader } from '../../src/archive/format.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { createArchiveFile } from '../../src/recorder/archive-sink.ts';
import { BatchWriter } from '../../src/recorder/batch-writer.ts';
import { BufferPool } from '../../src/recorder/pool.ts';
import { ThreadSink } from '../../src/recorder/sink-thread.ts';
import { sampleRecord } from './archive-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-thread-'));
let source = '';
beforeAll(async () => {
  source = await bundleFile({ project: await readProject(resolve(import.meta.dirname, '../..')), entry: 'src/recorder/sink-thread-worker.ts', target: 'node20', minify: false });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Appends `count` records of 300-byte bodies, draining every 50 to stay within the pool's 4 buffers. */
async function appendRecords(writer: BatchWriter, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    expect(writer.append(sampleRecord(i, Buffer.alloc(300, i)), 0)).toBe(true);
    if (i % 50 === 49) await writer.drain();
  }
  await writer.drain();
}

describe('ThreadSink', () => {
  it('writes what the batch writer appends, checksummed on the thread, and hands each batch back for reuse', async () => {
    const path = join(dir, 'thread.brk');
    const identity = createArchiveFile(path);
    const sink = await ThreadSink.start({ path, identity, rotateBytes: 0, shared: false, batchBytes: 16_384 }, source);
    const pool = new BufferPool(16_384, 4);
    const seen: Buffer[] = [];
    const write = sink.write.bind(sink);
    // Watch the buffers going out and coming back: unchecksummed frames out, the same memory back.
    sink.write = async (buf, length, backlog) => {
      expect(decodeFrame(buf.subarray(0, length), 0)).toMatchObject({ status: 'bad', reason: 'frame checksum mismatch' });
      const back = await write(buf, length, backlog);
      expect(buf.length).toBe(0); // moved to the thread, not copied
      expect(back.length).toBe(16_384);
      seen.push(back);
      return back;
    };
    const writer = new BatchWriter({ pool, sink, flushMs: 60_000, onError: (e) => expect.fail(e.message) });
    await appendRecords(writer, 200);
    await sink.close();
    expect(seen.length).toBe(writer.counters.batches);
    expect(writer.counters.batches).toBeGreaterThan(3);
    expect(pool.allocated).toBeLessThan(writer.counters.batches); // the returned buffers were reused
    const read = readArchive(readFileSync(path));
    expect(read.bad).toBeNull();
    expect(read.records.map((r) => r.url)).toEqual(Array.from({ length: 200 }, (_, i) => sampleRecord(i).url));
    expect(sink.counters.paddingBytes).toBe(readFileSync(path).length - 4096 - writer.counters.bytes);
  });

  it('checksums a batch of 1 MiB on the thread (in slices, between sleeps) with every frame valid', async () => {
    const path = join(dir, 'big.brk');
    const identity = createArchiveFile(path);
    const sink = await ThreadSink.start({ path, identity, rotateBytes: 0, shared: false, batchBytes: 2 ** 20 }, source);
    const writer = new BatchWriter({ pool: new BufferPool(2 ** 20, 2), sink, flushMs: 60_000, onError: (e) => expect.fail(e.message) });
    for (let i = 0; i < 400; i++) expect(writer.append(sampleRecord(i, Buffer.alloc(3000, i)), 0)).toBe(true);
    await writer.drain();
    await sink.close();
    expect(writer.counters.batches).toBe(2); // the first one full: ~1 MiB, four slices
    const read = readArchive(readFileSync(path));
    expect(read.bad).toBeNull();
    expect(read.records).toHaveLength(400);
    expect(read.records[399]!.body).toEqual(Buffer.alloc(3000, 399 & 0xff));
  });

  it('an archive it cannot open is the same clear error as on the event loop, and the thread ends', async () => {
    const path = join(dir, 'missing', 'x.brk');
    await expect(ThreadSink.start({ path, identity: '0:0', rotateBytes: 0, shared: false, batchBytes: 4096 }, source)).rejects.toMatchObject({
      message: `cannot open ${path}: no such directory (ENOENT)`,
      code: 'ENOENT',
    });
  });

  it.skipIf(process.platform !== 'linux')('runs 5 nice levels below the event loop (the listener comes first on busy cores)', async () => {
    // Field 16 after the command name is the nice value.
    const niceOf = () => readdirSync(`/proc/${process.pid}/task`).map((tid) => Number(procStat(`/proc/${process.pid}/task/${tid}/stat`)?.[16]));
    const base = getPriority();
    const path = join(dir, 'nice.brk');
    const identity = createArchiveFile(path);
    const before = niceOf().filter((n) => n === Math.min(19, base + 5)).length;
    const sink = await ThreadSink.start({ path, identity, rotateBytes: 0, shared: false, batchBytes: 4096 }, source);
    expect(niceOf().filter((n) => n === Math.min(19, base + 5)).length).toBe(before + 1);
    await sink.close();
  });

  it('rotates on the thread and reports the file count back', async () => {
    const path = join(dir, 'rotate.brk');
    const identity = createArchiveFile(path);
    const sink = await ThreadSink.start({ path, identity, rotateBytes: 40_000, shared: false, batchBytes: 16_384 }, source);
    const writer = new BatchWriter({ pool: new BufferPool(16_384, 4), sink, flushMs: 60_000, onError: (e) => expect.fail(e.message) });
    await appendRecords(writer, 300);
    await sink.close();
    expect(sink.counters.files).toBeGreaterThan(2);
    let records = 0;
    for (let k = 0; k < sink.counters.files; k++) {
      const read = readArchive(readFileSync(k === 0 ? path : `${path}.${k}`));
      expect(read.bad).toBeNull();
      records += read.records.length;
    }
    expect(records).toBe(300);
  });
});

describe('checksumFrames', () => {
  /** One batch of five frames as the event loop leaves it for the writing thread: CRCs not filled in. */
  async function uncheckedBatch(): Promise<Buffer> {
    const batches: Buffer[] = [];
    const writer = new BatchWriter({
      pool: new BufferPool(8192, 1),
      sink: { checksumsFrames: true, write: async (buf, length) => (batches.push(Buffer.from(buf.subarray(0, length))), buf) },
      flushMs: 60_000,
      onError: () => {},
    });
    for (let i = 0; i < 5; i++) writer.append(sampleRecord(i), 0);
    await writer.drain();
    return batches[0]!;
  }

  it('fills in every frame of a batch, and refuses a length that runs past the batch', async () => {
    const b = await uncheckedBatch();
    expect(decodeFrame(b, 0).status).toBe('bad');
    expect(checksumFrames(b, 0, b.length)).toBe(b.length);
    expect(readArchive(Buffer.concat([encodeHeader(), b])).records).toHaveLength(5);
    expect(() => checksumFrames(b, 0, b.length - 1)).toThrow(RangeError);
  });

  it('works in slices that stop on frame boundaries, with the same bytes as one pass', async () => {
    const whole = await uncheckedBatch();
    const sliced = Buffer.from(whole);
    checksumFrames(whole, 0, whole.length);
    const stops: number[] = [];
    for (let p = 0; p < sliced.length; ) {
      const next = checksumFrames(sliced, p, sliced.length, p + 1); // one frame per slice
      expect(next).toBeGreaterThan(p);
      stops.push(next);
      p = next;
    }
    expect(stops).toHaveLength(5);
    expect(sliced.equals(whole)).toBe(true);
    expect(checksumFrames(sliced, stops[1]!, sliced.length, stops[1]!)).toBe(stops[1]); // stopAfter at the start: no frame touched
  });
});
