/*
 * One recording process: capture listener + batch writer + archive file. `record` runs one of these
 * in-process, or one per cluster worker with --workers.
 */
import { rmSync } from 'node:fs';
import { Codec } from '../archive/format.ts';
import { ArchiveFileError, ArchiveSink, archiveVersion, createArchiveFile, emptySinkCounters, type SinkCounters } from './archive-sink.ts';
import { BatchWriter, type WriterCounters } from './batch-writer.ts';
import { type Capture, type CaptureCounters, emptyCaptureCounters, startCapture } from './capture-server.ts';
import type { AckMode, FsyncPolicy } from './durability.ts';
import { ListenError } from './listen-error.ts';
import type { FileIdentity } from './own-archive-file.ts';
import { BufferPool } from './pool.ts';
import { sinkThreadSource, ThreadSink } from './sink-thread.ts';
import type { TlsIdentity } from './tls-identity.ts';

export interface RecorderOptions {
  host: string;
  port: number;
  out: string | null;
  status: number;
  maxBody: number;
  sample: number;
  codec: number;
  /** --compress-level; the codec's default when absent. */
  codecLevel?: number;
  rotateBytes: number;
  flushMs: number;
  flushBytes: number;
  /** When a recorded request is answered, and when its batch is fsynced (durability.ts); today's behaviour when absent. */
  ack?: AckMode;
  fsync?: FsyncPolicy;
  headerTimeoutMs: number;
  /** --request-timeout: the whole request, headers and body, within this (0: no limit); 30 s when absent. */
  requestTimeoutMs?: number;
  /** Other processes append to the same archive (cluster workers). */
  shared: boolean;
  /** With `shared`: the file `out` as the cluster primary created it; the recorder opens nothing else by that name. */
  archiveIdentity?: FileIdentity;
  /** Serve HTTPS with this certificate (tls-identity.ts); `tlsSelfSigned` when it was made at start (--workers hand it on). */
  tls?: TlsIdentity | null;
  tlsSelfSigned?: boolean;
}

export interface RecorderCounters extends CaptureCounters, SinkCounters {
  /** Records on disk: their batch was written. */
  flushed: number;
  dropped: number;
  batches: number;
  archiveBytes: number;
}

export function emptyRecorderCounters(): RecorderCounters {
  return { ...emptyCaptureCounters(), ...emptySinkCounters(), flushed: 0, dropped: 0, batches: 0, archiveBytes: 0 };
}

/** Sums the counters of several recorders (cluster workers). All share the first file; each rotates into files of its own. */
export function addRecorderCounters(a: RecorderCounters, b: RecorderCounters): RecorderCounters {
  const sum = { ...a };
  for (const k of Object.keys(b) as (keyof RecorderCounters)[]) sum[k] = a[k] + b[k];
  if (a.files > 0 && b.files > 0) sum.files--;
  return sum;
}

export interface Recorder {
  address: { host: string; port: number };
  counters(): RecorderCounters;
  /** Resolves with the first write error; the recorder is then useless and should be stopped. */
  failed: Promise<Error>;
  /**
   * Stops taking requests, writes what was answered and closes the archive. Resolves with why the archive's close
   * failed (its final fsync: the records may not be on the device), or null: a stop's own error, for its exit code.
   */
  stop(): Promise<ArchiveFileError | null>;
}

export interface RecorderHooks {
  /** After each batch is on disk: its records are now in counters().flushed. */
  onBatchWritten?: () => void;
}

// Enough batches in flight to ride out a slow disk for a moment; past that, records are dropped and counted.
const MAX_BATCHES_IN_FLIGHT = 16;

/**
 * Starts recording. The recorder owns its archive: alone it creates `out` (never over an existing file) and,
 * if it then cannot start (a ListenError, an ArchiveFileError), removes it again. Shared (a cluster worker),
 * it opens the file the primary created, and the primary owns that (cluster.ts).
 */
export async function startRecorder(o: RecorderOptions, hooks: RecorderHooks = {}): Promise<Recorder> {
  // Assigned once the writer has started (below); declared so, as TypeScript does not follow assignments in callbacks.
  let sink = null as ArchiveSink | ThreadSink | null;
  let writer = null as BatchWriter | null;
  let fail!: (err: Error) => void;
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  const owned = o.out !== null && !o.shared;
  const identity = owned && o.out !== null ? createArchiveFile(o.out, archiveVersion(o.codec)) : o.archiveIdentity;
  let capture = null as Capture | null;
  // The archive's writer and the listener start side by side: the writer's thread (an isolate of its own, its code
  // compiled) took most of a `record --out` start. Requests that come first wait, unread, until it is ready
  // (capture-server.ts); if it cannot start, they are never answered and the recorder stops with its error.
  let writerReady: Promise<BatchWriter> | null = null;
  try {
    if (o.out !== null) {
      if (identity === undefined) throw new ArchiveFileError(`cannot open ${o.out}: it was not created for this recording`, undefined);
      const compress = o.codec === Codec.none ? undefined : { codec: o.codec, ...(o.codecLevel === undefined ? {} : { level: o.codecLevel }) };
      const sinkOptions = { path: o.out, identity, rotateBytes: o.rotateBytes, shared: o.shared, batchBytes: o.flushBytes, fsync: o.fsync ?? 'never', ...(compress ? { compress } : {}) };
      const source = sinkThreadSource();
      const started = source ? ThreadSink.start(sinkOptions, source, { nice: o.ack !== 'written' }) : Promise.resolve().then(() => new ArchiveSink(sinkOptions));
      const holdWhileWriting = o.ack === 'written';
      writerReady = started.then((s) => {
        sink = s;
        writer = new BatchWriter({ pool: new BufferPool(o.flushBytes, MAX_BATCHES_IN_FLIGHT), sink: s, flushMs: o.flushMs, onError: fail, onWritten: hooks.onBatchWritten, holdWhileWriting });
        return writer;
      });
      // Awaited below; a listen that fails first must not leave its rejection unhandled.
      writerReady.catch(() => {});
    }
    try {
      capture = await startCapture({
        host: o.host,
        port: o.port,
        status: o.status,
        maxBody: o.maxBody,
        sample: o.sample,
        headerTimeoutMs: o.headerTimeoutMs,
        ...(o.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: o.requestTimeoutMs }),
        writer: writerReady,
        ackWritten: o.ack === 'written',
        tls: o.tls ?? null,
      });
    } catch (err) {
      throw ListenError.from(err, o.host, o.port);
    }
    await writerReady;
  } catch (err) {
    await capture?.close(0);
    // A writer still starting is closed once it has.
    await writerReady?.catch(() => {});
    // The start's own error is the one to tell (a port in use), not the empty archive's close.
    try {
      await sink?.close();
    } catch {}
    // Nothing was recorded: an empty archive left behind would only be in the way of the next attempt.
    if (owned && o.out !== null) rmSync(o.out, { force: true });
    throw err;
  }
  const live = capture;
  const empty: WriterCounters = { frames: 0, batches: 0, bytes: 0, dropped: 0 };
  return {
    address: live.address,
    failed,
    counters() {
      const w = writer?.counters ?? empty;
      return {
        ...live.counters,
        flushed: writer?.flushed.frames ?? 0,
        dropped: w.dropped,
        batches: w.batches,
        archiveBytes: w.bytes,
        ...(sink?.counters ?? emptySinkCounters()),
      };
    },
    async stop() {
      // Stop taking connections, and flush while the open ones are still there: a request waiting for its batch
      // to be written (--ack written) gets its answer, not a connection closed after the grace with its record kept
      // (its client would send it again). Then what arrived during the grace, each batch at once: a request whose body
      // completes in the grace is answered before the connections close, not a flush interval later.
      const closing = live.close();
      writer?.hurry();
      await writer?.drain();
      await closing;
      await writer?.drain();
      try {
        await sink?.close();
      } catch (err) {
        if (err instanceof ArchiveFileError) return err;
        throw err;
      }
      return null;
    },
  };
}
