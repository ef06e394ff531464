import { describe, expect, it } from 'vitest';
import { encodeHeader, wholeFramesWithin } from '../../src/archive/format.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { ArchiveFileError } from '../../src/recorder/archive-file-error.ts';
import { type BatchSink, BatchWriter } from '../../src/recorder/batch-writer.ts';
import { BufferPool } from '../../src/recorder/pool.ts';
import { sampleRecord } from './archive-fixtures.ts';

/** A sink that keeps what it is given; `hold` leaves writes pending until released. */
function memorySink() {
  const writes: Buffer[] = [];
  /** Each write's backlog: the batches queued behind it. */
  const backlogs: number[] = [];
  const pending: (() => void)[] = [];
  let hold = false;
  let failWith: Error | null = null;
  const sink: BatchSink = {
    checksumsFrames: false,
    write(buf, length, backlog) {
      backlogs.push(backlog);
      if (failWith) return Promise.reject(failWith);
      const copy = Buffer.from(buf.subarray(0, length));
      if (!hold) {
        writes.push(copy);
        return Promise.resolve(buf);
      }
      return new Promise((resolve) => pending.push(() => (writes.push(copy), resolve(buf))));
    },
  };
  return {
    sink,
    writes,
    backlogs,
    hold: (on: boolean) => (hold = on),
    release: () => pending.splice(0).forEach((f) => f()),
    fail: (e: Error) => (failWith = e),
    archive: () => readArchive(Buffer.concat([encodeHeader(), ...writes])),
  };
}

describe('BatchWriter', () => {
  it('one sink write per batch, frames in append order, buffers reused from the pool', async () => {
    const mem = memorySink();
    const pool = new BufferPool(4096, 4);
    const w = new BatchWriter({ pool, sink: mem.sink, flushMs: 60_000, onError: () => {} });
    for (let i = 0; i < 1000; i++) {
      expect(w.append(sampleRecord(i), 0)).toBe(true);
      // Let the sink finish between bursts, as the event loop does between requests.
      if (i % 5 === 0) await new Promise((r) => setImmediate(r));
    }
    await w.drain();
    const read = mem.archive();
    expect(read.bad).toBeNull();
    expect(read.records.map((r) => r.headers[1]![1])).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
    // Each batch filled its buffer before the next began: a few hundred bytes per record, 4 KiB per batch.
    expect(mem.writes.length).toBe(w.counters.batches);
    expect(mem.writes.length).toBeGreaterThan(30);
    expect(mem.writes.every((b) => b.length <= 4096)).toBe(true);
    expect(pool.allocated).toBeLessThanOrEqual(2);
    expect(pool.reused).toBeGreaterThan(mem.writes.length - 3);
    expect(w.flushed.frames).toBe(1000);
  });

  it('flush() sends a partly filled batch (what the timer does every flushMs)', async () => {
    const mem = memorySink();
    const w = new BatchWriter({ pool: new BufferPool(1 << 16, 4), sink: mem.sink, flushMs: 60_000, onError: () => {} });
    w.append(sampleRecord(1), 0);
    w.append(sampleRecord(2), 0);
    expect(mem.writes).toHaveLength(0);
    w.flush();
    await w.drain();
    expect(mem.writes).toHaveLength(1);
    expect(mem.archive().records).toHaveLength(2);
  });

  it('the timer flushes a batch that never fills', async () => {
    const mem = memorySink();
    const w = new BatchWriter({ pool: new BufferPool(1 << 16, 4), sink: mem.sink, flushMs: 5, onError: () => {} });
    w.append(sampleRecord(1), 0);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => mem.writes.length && (clearInterval(poll), resolve()), 2);
    });
    expect(mem.archive().records).toHaveLength(1);
  });

  it('a frame larger than a pooled buffer goes out alone in a one-off buffer', async () => {
    const mem = memorySink();
    const pool = new BufferPool(4096, 4);
    const w = new BatchWriter({ pool, sink: mem.sink, flushMs: 60_000, onError: () => {} });
    w.append(sampleRecord(1), 0);
    expect(w.append(sampleRecord(2, Buffer.alloc(10_000, 1)), 0)).toBe(true);
    w.append(sampleRecord(3), 0);
    await w.drain();
    const read = mem.archive();
    expect(read.records.map((r) => r.body.length)).toEqual([sampleRecord(1).bodyLength, 10_000, sampleRecord(3).bodyLength]);
  });

  it('a frame larger than a pooled buffer is taken while fewer buffers than the cap are out (queued ones counted once)', async () => {
    const mem = memorySink();
    mem.hold(true);
    const pool = new BufferPool(4096, 4);
    const w = new BatchWriter({ pool, sink: mem.sink, flushMs: 60_000, onError: () => {} });
    // Two pooled batches out (one being written, one queued behind it): two of four buffers.
    for (let i = 0; i < 2; i++) {
      expect(w.append(sampleRecord(i, Buffer.alloc(3000, 1)), 0)).toBe(true);
      w.flush();
    }
    expect(pool.inUse).toBe(2);
    // A one-off fits under the cap of four: it was refused when queued pooled buffers counted twice (2 + 2).
    expect(w.append(sampleRecord(2, Buffer.alloc(10_000, 2)), 0)).toBe(true);
    // Now 2 pooled + 1 one-off: one more one-off fits, the next does not.
    expect(w.append(sampleRecord(3, Buffer.alloc(10_000, 3)), 0)).toBe(true);
    expect(w.append(sampleRecord(4, Buffer.alloc(10_000, 4)), 0)).toBe(false);
    expect(w.counters.dropped).toBe(1);
    mem.hold(false);
    mem.release();
    await w.drain();
    expect(mem.archive().records.map((r) => r.body.length)).toEqual([3000, 3000, 10_000, 10_000]);
  });

  it('when every buffer is waiting on the disk, new records are dropped and counted, not queued', async () => {
    const mem = memorySink();
    mem.hold(true);
    const pool = new BufferPool(4096, 2);
    const w = new BatchWriter({ pool, sink: mem.sink, flushMs: 60_000, onError: () => {} });
    let accepted = 0;
    for (let i = 0; i < 200; i++) if (w.append(sampleRecord(i), 0)) accepted++;
    expect(w.counters.dropped).toBe(200 - accepted);
    expect(w.counters.dropped).toBeGreaterThan(0);
    expect(pool.allocated).toBe(2);
    mem.hold(false);
    mem.release();
    await w.drain();
    expect(mem.archive().records).toHaveLength(accepted);
  });

  it('each write is told how many batches wait behind it (a compressing sink stops compressing when behind)', async () => {
    const mem = memorySink();
    mem.hold(true);
    const w = new BatchWriter({ pool: new BufferPool(4096, 16), sink: mem.sink, flushMs: 60_000, onError: () => {} });
    // Sealed batches queue behind the first, held write: 0 behind it when it started, then as many as queued.
    for (let i = 0; i < 150; i++) w.append(sampleRecord(i), 0);
    const queued = mem.backlogs.length;
    expect(queued).toBe(1);
    expect(mem.backlogs[0]).toBe(0);
    mem.hold(false);
    mem.release();
    await w.drain();
    const n = mem.writes.length;
    expect(n).toBeGreaterThan(3);
    // After the held write (drain sealed the last, partly filled batch too): each had the rest behind it, down to 0.
    expect(mem.backlogs.slice(1)).toEqual(Array.from({ length: n - 1 }, (_, k) => n - 2 - k));
  });

  it('a write error is reported once; that batch and later appends count as dropped', async () => {
    const mem = memorySink();
    const errors: Error[] = [];
    const w = new BatchWriter({ pool: new BufferPool(4096, 4), sink: mem.sink, flushMs: 60_000, onError: (e) => errors.push(e) });
    w.append(sampleRecord(1), 0);
    w.flush();
    await w.drain();
    mem.fail(new Error('ENOSPC'));
    w.append(sampleRecord(2), 0);
    w.flush();
    await w.drain();
    expect(w.append(sampleRecord(3), 0)).toBe(false);
    expect(errors.map((e) => e.message)).toEqual(['ENOSPC']);
    expect(w.flushed.frames).toBe(1);
    expect(w.counters.dropped).toBe(2);
    expect(mem.archive().records).toHaveLength(1);
  });

  it('a write cut short counts the whole frames it left on disk as recorded, only the rest as dropped', async () => {
    const mem = memorySink();
    const w = new BatchWriter({ pool: new BufferPool(4096, 4), sink: mem.sink, flushMs: 60_000, onError: () => {} });
    mem.fail(new ArchiveFileError('cannot write to a.brk: no space left on device (ENOSPC)', 'ENOSPC', { frames: 2, bytes: 300 }));
    for (let i = 0; i < 3; i++) w.append(sampleRecord(i), 0);
    await w.drain();
    expect(w.flushed).toEqual({ frames: 2, bytes: 300 });
    expect(w.counters).toMatchObject({ frames: 3, dropped: 1, bytes: 300, batches: 0 });
  });
});

describe('BatchWriter group commit (record --ack written)', () => {
  it('each waiting frame is told once its batch is on disk, not before', async () => {
    const mem = memorySink();
    mem.hold(true);
    const w = new BatchWriter({ pool: new BufferPool(1 << 16, 4), sink: mem.sink, flushMs: 60_000, onError: () => {}, holdWhileWriting: true });
    const told: [number, boolean][] = [];
    for (let i = 0; i < 3; i++) w.append(sampleRecord(i), 0, (ok) => told.push([i, ok]));
    w.flush();
    await new Promise((r) => setImmediate(r));
    expect(told).toEqual([]);
    mem.release();
    await w.drain();
    expect(told).toEqual([
      [0, true],
      [1, true],
      [2, true],
    ]);
  });

  it('a batch due while a write is in flight keeps filling and goes out as one write right after it', async () => {
    const mem = memorySink();
    mem.hold(true);
    const w = new BatchWriter({ pool: new BufferPool(1 << 16, 4), sink: mem.sink, flushMs: 2, onError: () => {}, holdWhileWriting: true });
    w.append(sampleRecord(0), 0, () => {});
    await new Promise((r) => setTimeout(r, 10));
    // The first batch is being written (held by the sink); these arrive across several flushMs meanwhile.
    for (let i = 1; i <= 6; i++) {
      w.append(sampleRecord(i), 0, () => {});
      await new Promise((r) => setTimeout(r, 3));
    }
    mem.hold(false);
    mem.release();
    await w.drain();
    expect(mem.writes).toHaveLength(2);
    expect(mem.archive().records).toHaveLength(7);
  });

  it('a write cut short: its whole frames are told written, the rest not, and later appends are refused', async () => {
    const mem = memorySink();
    const w = new BatchWriter({ pool: new BufferPool(4096, 4), sink: mem.sink, flushMs: 60_000, onError: () => {}, holdWhileWriting: true });
    mem.fail(new ArchiveFileError('cannot write to a.brk: no space left on device (ENOSPC)', 'ENOSPC', { frames: 2, bytes: 300 }));
    const told: boolean[] = [];
    for (let i = 0; i < 3; i++) w.append(sampleRecord(i), 0, (ok) => told.push(ok));
    await w.drain();
    expect(told).toEqual([true, true, false]);
    expect(w.append(sampleRecord(3), 0, () => told.push(true))).toBe(false);
    expect(w.counters).toMatchObject({ frames: 3, dropped: 2 });
    expect(told).toHaveLength(3);
  });

  it('a batch written but not fsynced is recorded, yet none of its frames is told written', async () => {
    const mem = memorySink();
    const w = new BatchWriter({ pool: new BufferPool(4096, 4), sink: mem.sink, flushMs: 60_000, onError: () => {}, holdWhileWriting: true });
    mem.fail(new ArchiveFileError('cannot fsync a.brk: I/O error (EIO)', 'EIO', { frames: 2, bytes: 300, unsynced: true }));
    const told: boolean[] = [];
    for (let i = 0; i < 2; i++) w.append(sampleRecord(i), 0, (ok) => told.push(ok));
    await w.drain();
    expect(told).toEqual([false, false]);
    expect(w.flushed.frames).toBe(2);
  });
});

describe('wholeFramesWithin', () => {
  it('counts the frames of a batch that end within the bytes a short write got out', async () => {
    const mem = memorySink();
    const w = new BatchWriter({ pool: new BufferPool(4096, 4), sink: mem.sink, flushMs: 60_000, onError: () => {} });
    for (let i = 0; i < 3; i++) w.append(sampleRecord(i), 0);
    await w.drain();
    const batch = mem.writes[0]!;
    const first = 12 + batch.readUInt32LE(0);
    expect(wholeFramesWithin(batch, batch.length, batch.length)).toEqual({ frames: 3, length: batch.length });
    expect(wholeFramesWithin(batch, batch.length, batch.length - 1).frames).toBe(2);
    expect(wholeFramesWithin(batch, batch.length, first)).toEqual({ frames: 1, length: first });
    expect(wholeFramesWithin(batch, batch.length, first - 1)).toEqual({ frames: 0, length: 0 });
  });
});
