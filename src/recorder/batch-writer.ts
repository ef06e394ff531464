/*
 * Batches frames into pooled buffers and hands each full batch to a sink as ONE write: a batch goes out
 * when it reaches flushBytes or flushMs after its first frame, whichever comes first. Writes are
 * serialized, so frames reach the file in the order they were appended.
 *
 * Group commit (record --ack written): a frame may come with a callback, told once its batch is written
 * (or is not), and the request is answered then. With `holdWhileWriting`, a batch whose flushMs runs out
 * while another write is in flight keeps filling until that write is done: requests that arrive during a
 * slow write (an fsync) share the next one, instead of each flushMs making a batch of its own.
 */
import { FRAME_HEADER_SIZE } from '../archive/format.ts';
import { encodeRequestFrameSized, type RecordInput, recordPayloadSize } from '../archive/record.ts';
import type { WrittenFrames } from './archive-file-error.ts';
import type { BufferPool } from './pool.ts';

export interface BatchSink {
  /**
   * True when the sink fills in the frames' checksums itself (ArchiveSink does, a whole batch at a time in
   * WebAssembly SIMD, on its own thread in the app): the writer then leaves them out, which takes the CRC —
   * the largest part of recording — off the event loop.
   */
  readonly checksumsFrames: boolean;
  /**
   * Writes buf[0, length) as one batch; rejects with the I/O error if it could not — an error with `written`
   * says which of the batch's frames are on disk all the same (ArchiveFileError). Resolves with the buffer
   * to reuse: `buf` itself, or the same memory in a new Buffer when the sink moved it to its thread and back.
   * `backlog`: batches queued behind this one (a compressing sink writes them as they are when it falls behind).
   */
  write(buf: Buffer, length: number, backlog: number): Promise<Buffer>;
}

export interface BatchWriterOptions {
  pool: BufferPool;
  sink: BatchSink;
  flushMs: number;
  /** Called once, with the first write error; the writer then drops everything appended after it. */
  onError: (err: Error) => void;
  /** Called after each batch is on disk (a cluster worker reports its counts then, see cluster.ts). */
  onWritten?: () => void;
  /** Group commit: a batch due while a write is in flight waits for it and goes out right after it. */
  holdWhileWriting?: boolean;
}

/** Told once whether the frame's batch is on disk (true) or it never will be (false: dropped). */
export type FrameWritten = (written: boolean) => void;

export interface WriterCounters {
  frames: number;
  batches: number;
  bytes: number;
  dropped: number;
}

interface Batch {
  buf: Buffer;
  length: number;
  frames: number;
  /** By frame index, for frames appended with a callback; null when none was (the default mode). */
  waiters: (FrameWritten | undefined)[] | null;
  /** A buffer of its own for one frame larger than the pool's (not the pool's to count). */
  oneOff: boolean;
}

export class BatchWriter {
  readonly counters: WriterCounters = { frames: 0, batches: 0, bytes: 0, dropped: 0 };
  /** Frames and bytes known to be on disk (written by the sink). */
  readonly flushed = { frames: 0, bytes: 0 };
  private current: Batch | null = null;
  private readonly queue: Batch[] = [];
  private writing = false;
  private timer: NodeJS.Timeout | null = null;
  private failed: Error | null = null;
  private idle: (() => void)[] = [];
  /** holdWhileWriting: the current batch came due during a write and goes out when it ends. */
  private held = false;
  /** hurry(): the recorder is stopping, and batches go out at once. */
  private hurrying = false;

  constructor(private readonly opts: BatchWriterOptions) {}

  get error(): Error | null {
    return this.failed;
  }

  /**
   * Appends one request frame; false when it was dropped (writer failed, or every buffer is queued), and then
   * `onWritten` is never called. Otherwise `onWritten`, if given, is called once with the batch's fate.
   */
  append(r: RecordInput, flags: number, onWritten?: FrameWritten): boolean {
    if (this.failed) return this.drop();
    const payloadLength = recordPayloadSize(r);
    const size = FRAME_HEADER_SIZE + payloadLength;
    const pool = this.opts.pool;
    if (this.current && this.current.length + size > this.current.buf.length) this.seal();
    if (!this.current) {
      // A frame larger than a pooled buffer gets a one-off buffer, within the same cap on buffers in flight: the
      // pool's out (queued ones among them) and the one-offs queued.
      const oneOff = size > pool.bufferSize;
      if (oneOff && pool.inUse + this.queue.filter((q) => q.oneOff).length >= pool.maxBuffers) return this.drop();
      const buf = oneOff ? pool.oneOff(size) : pool.acquire();
      if (!buf) return this.drop();
      this.current = { buf, length: 0, frames: 0, waiters: null, oneOff };
      this.timer ??= setTimeout(() => this.flush(), this.hurrying ? 0 : this.opts.flushMs);
    }
    const b = this.current;
    b.length = encodeRequestFrameSized(b.buf, b.length, r, flags, payloadLength, !this.opts.sink.checksumsFrames);
    if (onWritten) {
      b.waiters ??= [];
      b.waiters[b.frames] = onWritten;
    }
    b.frames++;
    this.counters.frames++;
    if (b.length === b.buf.length || size > pool.bufferSize) this.seal();
    return true;
  }

  /** Sends the current batch now (timer tick, shutdown), or with holdWhileWriting once the write in flight is done. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.opts.holdWhileWriting && this.writing && this.current) this.held = true;
    else if (this.current) this.seal();
  }

  /**
   * From now on a batch goes out as soon as the appends of this tick are in, not flushMs after its first: the recorder
   * is stopping, and a request that completes in its grace (--ack written) must be answered before the connections close.
   */
  hurry(): void {
    this.hurrying = true;
    this.flush();
  }

  /** Flushes and resolves once every queued batch is written (or the writer failed). */
  async drain(): Promise<void> {
    this.flush();
    if (!this.writing && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private drop(): false {
    this.counters.dropped++;
    return false;
  }

  private seal(): void {
    const b = this.current;
    this.current = null;
    this.held = false;
    if (!b || b.length === 0) {
      if (b) this.opts.pool.release(b.buf);
      return;
    }
    this.queue.push(b);
    if (!this.writing) void this.pump();
  }

  private written(frames: number, bytes: number): void {
    this.counters.bytes += bytes;
    this.flushed.frames += frames;
    this.flushed.bytes += bytes;
    if (frames > 0) this.opts.onWritten?.();
  }

  /** Tells each waiting frame of a batch whether it is on disk: the first `written` are. */
  private settle(b: Batch, written: number): void {
    const waiters = b.waiters;
    if (waiters === null) return;
    b.waiters = null;
    for (let i = 0; i < waiters.length; i++) waiters[i]?.(i < written);
  }

  private async pump(): Promise<void> {
    this.writing = true;
    for (let b = this.queue[0]; b !== undefined; b = this.queue[0]) {
      if (this.failed) {
        this.counters.dropped += b.frames;
        this.settle(b, 0);
      } else {
        try {
          b.buf = await this.opts.sink.write(b.buf, b.length, this.queue.length - 1);
          this.counters.batches++;
          this.written(b.frames, b.length);
          this.settle(b, b.frames);
        } catch (err) {
          this.failed = err as Error;
          // A write cut short (a full disk) leaves its first frames whole on disk: recorded, not dropped.
          const part = (err as { written?: WrittenFrames | null }).written ?? { frames: 0, bytes: 0 };
          this.written(part.frames, part.bytes);
          this.counters.dropped += b.frames - part.frames;
          // Written but not fsynced (a failed fsync under --fsync batch): recorded, yet not acknowledged as durable.
          this.settle(b, part.unsynced ? 0 : part.frames);
          this.opts.onError(this.failed);
        }
      }
      this.queue.shift();
      this.opts.pool.release(b.buf);
      // The write the held batch waited for is done: it goes next.
      if (this.held && this.queue.length === 0) this.seal();
    }
    this.writing = false;
    if (this.timer === null && this.current === null) for (const resolve of this.idle.splice(0)) resolve();
    else if (this.failed) for (const resolve of this.idle.splice(0)) resolve();
  }
}
