/*
 * The archive sink on a thread of its own: the recorder's event loop hands each batch over (its memory is
 * transferred, not copied, and comes back with the reply) and goes back to answering requests, while the
 * thread fills in the frames' checksums and writes the batch with ArchiveSink, as the event loop would have.
 * (Shared memory was tried first: V8 copies into a SharedArrayBuffer with a slower, race-safe memmove, which
 * the body copy alone made too dear.)
 * Measured with perf on the event loop at full load, the CRC32C was about half of what recording added per
 * 2 KiB request; on the writing thread it costs cores that were idle. Both figures: docs/benchmarks.md,
 * "Where a recorded request's time goes" (the writing thread).
 *
 * The thread's code is its own bundle (sink-thread-worker.ts), which the bundle step puts into the app's
 * as a string: a SEA has no file to start a worker from. Running from source there is no such string, and
 * the recorder uses an ArchiveSink on the event loop.
 */
import type { Worker } from 'node:worker_threads';
import type { WrittenFrames } from './archive-file-error.ts';
import { ArchiveFileError, type ArchiveSinkOptions, emptySinkCounters, type SinkCounters } from './archive-sink.ts';
import type { BatchSink } from './batch-writer.ts';

declare const __BROKER_SINK_THREAD__: string | undefined;

/** The sink thread's code when this is a bundle, else null. */
export function sinkThreadSource(): string | null {
  return typeof __BROKER_SINK_THREAD__ === 'string' ? __BROKER_SINK_THREAD__ : null;
}

/** What the thread starts with. */
export interface SinkThreadData {
  sink: ArchiveSinkOptions;
  /**
   * Run below the listener's priority (sink-thread-worker.ts). Not when answers wait for the writes (--ack
   * written): the thread is then on every request's path, and yielding its core makes every answer late.
   */
  nice: boolean;
}

/** Messages between the event loop and the thread. */
export type ToThread = { type: 'write'; buffer: ArrayBuffer; length: number; backlog: number } | { type: 'close' };
export type ThreadReply = { type: 'ready' } | { type: 'written'; buffer: ArrayBuffer } | { type: 'closed' } | { type: 'failed'; message: string; code: string | undefined; written: WrittenFrames | null };
/** Every reply carries the sink's counters as they are after it. */
export type FromThread = ThreadReply & { counters: SinkCounters };

export class ThreadSink implements BatchSink {
  readonly checksumsFrames = true;
  /** As the thread last reported them. */
  counters: SinkCounters = { ...emptySinkCounters(), files: 1 };
  /** The reply the thread owes: writes are serialized by the batch writer, so one at a time. */
  private pending: { resolve: (buffer: ArrayBuffer | null) => void; reject: (err: Error) => void } | null = null;
  private exited: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: FromThread) => this.settle(m));
    worker.on('error', (err) => this.lost(new ArchiveFileError(`archive writer thread failed: ${err.message}`, undefined)));
    worker.on('exit', (code) => this.lost(new ArchiveFileError(`archive writer thread exited (code ${code})`, undefined)));
  }

  /** Starts the thread and opens the archive there; rejects with the same error ArchiveSink would throw. */
  static async start(opts: ArchiveSinkOptions, source: string, thread: { nice: boolean } = { nice: true }): Promise<ThreadSink> {
    // A small young generation of its own (2 MiB semi-spaces): the thread makes little garbage, and V8's
    // flags are per process, so the artifact's pinned 16 MiB (blob.ts) would otherwise hold tens of MiB more
    // RSS here, filled slowly (docs/benchmarks.md, "Design figures").
    // node:worker_threads when a thread starts: `record` without --out never loads it.
    const { Worker } = process.getBuiltinModule('node:worker_threads');
    const sink = new ThreadSink(new Worker(source, { eval: true, workerData: { sink: opts, nice: thread.nice } satisfies SinkThreadData, resourceLimits: { maxYoungGenerationSizeMb: 6 } }));
    try {
      await sink.request(null);
    } catch (err) {
      await sink.worker.terminate();
      throw err;
    }
    return sink;
  }

  async write(buf: Buffer, length: number, backlog: number): Promise<Buffer> {
    // Pool buffers own their whole ArrayBuffer and move; a view into a larger one (a caller's) is copied.
    const whole = buf.buffer;
    const own = whole instanceof ArrayBuffer && buf.byteOffset === 0 && whole.byteLength === buf.length;
    const buffer = own ? whole : new Uint8Array(buf.subarray(0, length)).buffer;
    const back = await this.request({ type: 'write', buffer, length, backlog }, [buffer]);
    return own && back ? Buffer.from(back) : buf;
  }

  /** Flushes to disk and closes the file, then ends the thread. */
  async close(): Promise<void> {
    if (this.exited) return;
    try {
      await this.request({ type: 'close' });
    } finally {
      await this.worker.terminate();
    }
  }

  private request(m: ToThread | null, transfer: ArrayBuffer[] = []): Promise<ArrayBuffer | null> {
    if (this.exited) return Promise.reject(this.exited);
    if (this.pending) return Promise.reject(new Error('ThreadSink: one request at a time'));
    // The thread keeps the process alive only while it owes a reply: an idle one never holds up an exit.
    this.worker.ref();
    return new Promise<ArrayBuffer | null>((resolve, reject) => {
      this.pending = { resolve, reject };
      if (m) this.worker.postMessage(m, transfer);
    });
  }

  private settle(m: FromThread): void {
    this.counters = m.counters;
    const p = this.pending;
    this.pending = null;
    this.worker.unref();
    if (m.type === 'failed') p?.reject(new ArchiveFileError(m.message, m.code, m.written));
    else p?.resolve(m.type === 'written' ? m.buffer : null);
  }

  private lost(err: Error): void {
    this.exited ??= err;
    const p = this.pending;
    this.pending = null;
    p?.reject(this.exited);
  }
}
