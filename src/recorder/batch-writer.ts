/*
 * Batches frames into pooled buffers and hands each full batch to a sink as ONE write: a batch goes out
 * when it reaches flushBytes or flushMs after its first frame, whichever comes first. Writes are
 * serialized, so frames reach the file in the order they were appended.
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
   */
  write(buf: Buffer, length: number): Promise<Buffer>;
}

export interface BatchWriterOptions {
  pool: BufferPool;
  sink: BatchSink;
  flushMs: number;
  /** Called once, with the first write error; the writer then drops everything appended after it. */
  onError: (err: Error) => void;
  /** Called after each batch is on disk (a cluster worker reports its counts then, see cluster.ts). */
  onWritten?: () => void;
}

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

  constructor(private readonly opts: BatchWriterOptions) {}

  get error(): Error | null {
    return this.failed;
  }

  /** Appends one request frame; false when it was dropped (writer failed, or every buffer is queued). */
  append(r: RecordInput, flags: number): boolean {
    if (this.failed) return this.drop();
    const payloadLength = recordPayloadSize(r);
    const size = FRAME_HEADER_SIZE + payloadLength;
    const pool = this.opts.pool;
    if (this.current && this.current.length + size > this.current.buf.length) this.seal();
    if (!this.current) {
      // A frame larger than a pooled buffer gets a one-off buffer, within the same cap on buffers in flight.
      const buf = size > pool.bufferSize ? (pool.inUse + this.queue.length < pool.maxBuffers ? pool.oneOff(size) : null) : pool.acquire();
      if (!buf) return this.drop();
      this.current = { buf, length: 0, frames: 0 };
      this.timer ??= setTimeout(() => this.flush(), this.opts.flushMs);
    }
    const b = this.current;
    b.length = encodeRequestFrameSized(b.buf, b.length, r, flags, payloadLength, !this.opts.sink.checksumsFrames);
    b.frames++;
    this.counters.frames++;
    if (b.length === b.buf.length || size > pool.bufferSize) this.seal();
    return true;
  }

  /** Sends the current batch now (timer tick, shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.current) this.seal();
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

  private async pump(): Promise<void> {
    this.writing = true;
    for (let b = this.queue[0]; b !== undefined; b = this.queue[0]) {
      if (this.failed) this.counters.dropped += b.frames;
      else {
        try {
          b.buf = await this.opts.sink.write(b.buf, b.length);
          this.counters.batches++;
          this.written(b.frames, b.length);
        } catch (err) {
          this.failed = err as Error;
          // A write cut short (a full disk) leaves its first frames whole on disk: recorded, not dropped.
          const part = (err as { written?: WrittenFrames | null }).written ?? { frames: 0, bytes: 0 };
          this.written(part.frames, part.bytes);
          this.counters.dropped += b.frames - part.frames;
          this.opts.onError(this.failed);
        }
      }
      this.queue.shift();
      this.opts.pool.release(b.buf);
    }
    this.writing = false;
    if (this.timer === null && this.current === null) for (const resolve of this.idle.splice(0)) resolve();
    else if (this.failed) for (const resolve of this.idle.splice(0)) resolve();
  }
}
