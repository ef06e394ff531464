/*
 * The archive file(s) a recorder appends batches to: rotation, short writes, and what is left on disk when
 * a write fails. It writes only into files created for this recording (own-archive-file.ts).
 *
 * Batches go to disk with direct I/O (O_DIRECT) where the file system takes it: from our memory to the
 * disk, past the page cache. Through the page cache a GB costs many times the kernel CPU it costs direct —
 * plus the flusher's writeback later, on the same cores as the listener (dd, 1 MiB writes: docs/benchmarks.md,
 * "Where a recorded request's time goes"). Direct I/O writes whole blocks from block-aligned memory, so each batch is copied
 * into aligned staging memory and padded to a block boundary with a padding frame (format version 2).
 * A file system that refuses it (EINVAL) gets plain buffered writes of the same bytes. The stage is also
 * where the frames' checksums are filled in (WebAssembly SIMD, frame-checksums.ts), for every batch, and, with
 * --compress, where the checksummed frames are compressed into batch frames (format version 4, batch.ts).
 *
 * Several recorder processes (--workers) may append to the first file: every batch is one write() on an
 * O_APPEND descriptor and holds whole frames, so batches never interleave inside a frame. At rotation each
 * moves to a new file of its own.
 */
import { closeSync, constants, fdatasync as fdatasyncCb, fdatasyncSync, fstat as fstatCb, fstatSync, fsyncSync, ftruncateSync, openSync, write as writeCb } from 'node:fs';
import { dirname } from 'node:path';
import { type BatchPart, compressBatchInPlace } from '../archive/batch.ts';
import { type CodecTally, compressor, timedCompressor } from '../archive/codec.ts';
import { BLOCK_SIZE, Codec, FORMAT_VERSION, FRAME_HEADER_SIZE, paddedLength, padToBlock, VERSION_WITHOUT_BATCHES, wholeFramesWithin } from '../archive/format.ts';
import { ChecksumStage } from '../archive/frame-checksums.ts';
import { ArchiveFileError, describe } from './archive-file-error.ts';
import type { BatchSink } from './batch-writer.ts';
import type { FsyncPolicy } from './durability.ts';
import { createArchiveFile, createNextArchive, type FileIdentity, openOwnArchive, rotatedPath } from './own-archive-file.ts';

export { ArchiveFileError, createArchiveFile, rotatedPath };

export interface ArchiveSinkOptions {
  path: string;
  /** The file at `path` as created for this recording (createArchiveFile): opened only if it still is that file. */
  identity: FileIdentity;
  /** Start a new file before a batch would take the current one past this many bytes (0: never). */
  rotateBytes: number;
  /** True when other processes append to the same files: then a torn tail is not ours to truncate. */
  shared: boolean;
  /** The usual batch size (the pool's buffers): staging memory that size is kept; a larger batch gets its own. */
  batchBytes: number;
  /** When written batches are forced to the device (durability.ts); 'never' when absent. */
  fsync?: FsyncPolicy;
  /** --compress: the codec (Codec) and level batches are compressed with; none when absent. */
  compress?: { codec: number; level?: number };
}

/** The format version of the files a recording with `codec` writes: batch frames need 4; without, 3 reads in older brokers too. */
export function archiveVersion(codec: number): number {
  return codec === Codec.none ? VERSION_WITHOUT_BATCHES : FORMAT_VERSION;
}

/**
 * What a sink counts (ArchiveSink; ThreadSink as its thread last reported), summed into the recorder's counters.
 * Its CodecTally, with --compress: the frame bytes given to the codec and the writing thread's time in it, whose rate
 * is the one past which batches wait.
 */
export interface SinkCounters extends CodecTally {
  /** Files written to: the first, shared with other workers, and each rotated into (its own). */
  files: number;
  /** Batches written with direct I/O, and the padding bytes that aligned them. */
  directBatches: number;
  paddingBytes: number;
  /** fdatasync calls made while recording (not counting the one at close). */
  syncs: number;
  /** Bytes compression took off the batches it was given (--compress): what was given, less what was written. */
  savedBytes: number;
  /** Batches written uncompressed because the writing had fallen behind (--compress; BEHIND_BACKLOG). */
  behindBatches: number;
}

/** Before a sink exists (or with none): all zero, files too. */
export function emptySinkCounters(): SinkCounters {
  return { files: 0, directBatches: 0, paddingBytes: 0, syncs: 0, savedBytes: 0, behindBatches: 0, codecInputBytes: 0, codecMs: 0 };
}

/** Linux only; elsewhere 0, and every write is buffered. */
const O_DIRECT = (constants as { O_DIRECT?: number }).O_DIRECT ?? 0;

/**
 * Checksums are filled in a slice of this many bytes at a time, with `pause` between slices (compression goes a
 * slice at a time too: batch.ts, COMPRESS_SLICE).
 */
const CHECKSUM_SLICE = 256 * 1024;
/**
 * With this many batches queued behind the one being written, a compressing sink writes it as it is: a codec
 * or level slower than the incoming traffic then costs compression, never records. Records are dropped only when
 * every buffer of the pool (16) waits; at 4 the writing has fallen behind for good, not for one slow write.
 */
export const BEHIND_BACKLOG = 4;

export interface ArchiveSinkHooks {
  /**
   * Called between slices of a batch's checksums: the sink thread sleeps there so that a listener waiting
   * for its core gets it (sink-thread-worker.ts). Without it a batch is checksummed in one go.
   */
  pause?: () => void;
}

/**
 * Of a batch written as `parts` whose write stopped after `written` bytes: the request frames whole on disk (a
 * batch frame counts whole or not at all), the bytes they end at in the file's new part, and the bytes they
 * held as given to the sink (the writer counts those).
 */
function wholeWithin(buf: Buffer, parts: BatchPart[], written: number): { frames: number; length: number; bytes: number } {
  let frames = 0;
  let bytes = 0;
  let length = 0;
  for (const part of parts) {
    if (part.compressed) {
      if (part.end > written) break;
      frames += part.frames;
      // The bytes the frames had before compression: the batch frame's length field (batch.ts).
      bytes += buf.readUInt32LE(part.start + FRAME_HEADER_SIZE);
      length = part.end;
      continue;
    }
    const whole = wholeFramesWithin(buf.subarray(part.start, part.end), part.end - part.start, written - part.start);
    frames += whole.frames;
    bytes += whole.length;
    length = part.start + whole.length;
    if (part.start + whole.length < part.end) break;
  }
  return { frames, length, bytes };
}

export class ArchiveSink implements BatchSink {
  /** Every batch is copied into the stage, and its frames are checksummed there: the writer leaves them out. */
  readonly checksumsFrames = true;
  /** The descriptor for buffered writes, always open; the direct one, while this file takes direct I/O. */
  private plain: number;
  private direct: number | null = null;
  private index = 0;
  private size: number;
  /** Empty until the first write. */
  private readonly stage = new ChecksumStage();
  /** The first file counts from the start. */
  readonly counters: SinkCounters = { ...emptySinkCounters(), files: 1 };
  private readonly codec: number;
  /** The codec's compressor, timed (codecMs, codecInputBytes); null without --compress. */
  private readonly compress: ((raw: Uint8Array) => Uint8Array) | null;
  /** Written since the last fdatasync: what a power loss could still take. */
  private unsynced = false;
  private lastSync = performance.now();
  private syncTimer: NodeJS.Timeout | null = null;
  /** The current file's directory entry has been fsynced (a new name survives power loss only then). */
  private nameSynced = false;
  /** A timer's (or a rotation's) fdatasync that failed, and its file: the next write or the close reports it. */
  private syncError: { err: Error; path: string } | null = null;

  constructor(
    private readonly opts: ArchiveSinkOptions,
    private readonly hooks: ArchiveSinkHooks = {},
  ) {
    this.codec = opts.compress?.codec ?? Codec.none;
    this.compress = this.codec === Codec.none ? null : timedCompressor(compressor(this.codec, opts.compress?.level), this.counters);
    // The file record created: refused if the name now leads anywhere else (a link, a replaced file).
    this.plain = openOwnArchive(opts.path, opts.identity);
    this.size = fstatSync(this.plain).size;
    this.openDirect(opts.identity);
  }

  get currentPath(): string {
    return rotatedPath(this.opts.path, this.index);
  }

  private get fd(): number {
    return this.direct ?? this.plain;
  }

  /** A second descriptor with O_DIRECT for the current file, when its end is on a block boundary and the file system takes it. */
  private openDirect(identity: FileIdentity): void {
    // A file whose end is off a block boundary (a worker fell back to buffered writes) cannot take direct appends.
    if (!O_DIRECT || this.size % BLOCK_SIZE !== 0) return;
    try {
      this.direct = openOwnArchive(this.currentPath, identity, O_DIRECT);
    } catch {
      // EINVAL: the file system has no direct I/O (some FUSE and network ones); buffered it is. Or the name
      // no longer leads to this file: the buffered descriptor still does.
    }
  }

  /** Direct I/O refused mid-way (EINVAL): the same file, buffered. */
  private fallBack(): void {
    if (this.direct !== null) closeSync(this.direct);
    this.direct = null;
  }

  async write(batch: Buffer, batchLength: number, backlog = 0): Promise<Buffer> {
    if (this.syncError) throw describe(this.syncError.err, 'fsync', this.syncError.path);
    // WebAssembly memory never shrinks: one oversized frame (a large body) must not pin its size for good.
    const stage = batchLength <= this.opts.batchBytes ? this.stage : new ChecksumStage();
    const buf = stage.get(paddedLength(batchLength));
    buf.set(batch.subarray(0, batchLength), 0);
    for (let p = 0; p < batchLength; ) {
      p = stage.checksumFrames(p, batchLength, p + CHECKSUM_SLICE);
      if (p < batchLength) this.hooks.pause?.();
    }
    const behind = this.compress !== null && backlog >= BEHIND_BACKLOG;
    if (behind) this.counters.behindBatches++;
    const parts = this.compress && !behind ? compressBatchInPlace(buf, batchLength, this.codec, this.compress, this.hooks.pause) : [{ start: 0, end: batchLength, frames: 0, compressed: false }];
    const contentLength = parts.at(-1)?.end ?? 0;
    // Rotation goes by what this batch will take on disk: with --compress, its compressed length (not its length before
    // compression, by which a gzip archive rotated at a tenth of --rotate). Padded, as a direct write would be.
    if (this.opts.rotateBytes > 0) {
      // Other workers grow the first file too: ask the file, not our own count. A rotated file is ours alone.
      if (this.opts.shared && this.index === 0) this.size = await new Promise<number>((res, rej) => fstatCb(this.fd, (e, st) => (e ? rej(describe(e, 'stat', this.currentPath)) : res(st.size))));
      if (this.size > BLOCK_SIZE && this.size + paddedLength(contentLength) > this.opts.rotateBytes) this.rotate();
    }
    // Direct I/O writes whole blocks: pad with a padding frame. Buffered writes take the batch as it is.
    const direct = this.direct !== null;
    const length = direct ? padToBlock(buf, contentLength) : contentLength;
    let done = 0;
    while (done < length) {
      try {
        done += await new Promise<number>((res, rej) => writeCb(this.fd, buf, done, length - done, null, (e, n) => (e ? rej(e) : res(n))));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EINVAL' && this.direct !== null) {
          // E.g. another writer left the file's end off a block boundary; the padded batch reads as well buffered.
          this.fallBack();
          continue;
        }
        // The whole frames before the torn one stay and count as recorded: a reader (and verify --repair) keeps
        // them whether or not the torn frame can be cut here.
        const whole = wholeWithin(buf, parts, done);
        this.cutTornTail(done, whole.length);
        throw describe(err, 'write to', this.currentPath, { frames: whole.frames, bytes: whole.bytes });
      }
    }
    this.size += length;
    this.counters.paddingBytes += length - contentLength;
    this.counters.savedBytes += batchLength - contentLength;
    if (direct && this.direct !== null) this.counters.directBatches++;
    this.unsynced = true;
    try {
      await this.syncPerPolicy();
    } catch (err) {
      // Written, so recorded and in the file; but not known to be on the device, so not acknowledged as such.
      throw describe(err, 'fsync', this.currentPath, { frames: wholeFramesWithin(batch, batchLength, batchLength).frames, bytes: batchLength, unsynced: true });
    }
    return batch;
  }

  /** After a batch: fdatasync now (batch, or an interval that has run out), or arm the interval's timer. */
  private async syncPerPolicy(): Promise<void> {
    const policy = this.opts.fsync ?? 'never';
    if (policy === 'never') return;
    const wait = policy === 'batch' ? 0 : this.lastSync + policy.intervalMs - performance.now();
    if (wait > 0) {
      // No later batch may come to carry this one's sync: the timer does it, at most intervalMs after the last.
      this.syncTimer ??= setTimeout(() => this.syncPending(), wait).unref();
      return;
    }
    const fd = this.fd;
    await new Promise<void>((res, rej) => fdatasyncCb(fd, (e) => (e ? rej(e) : res())));
    this.synced();
  }

  /**
   * The interval's sync (its timer, or a rotation leaving the file). Synchronous: on the sink thread nothing else
   * is waiting. A failure is kept for the next write to report: Linux reports a failed writeback once, so a later
   * fdatasync could pass although this data is gone.
   */
  private syncPending(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    if (!this.unsynced) return;
    try {
      fdatasyncSync(this.fd);
      this.synced();
    } catch (err) {
      this.syncError ??= { err: err as Error, path: this.currentPath };
    }
  }

  private synced(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    this.unsynced = false;
    this.lastSync = performance.now();
    this.counters.syncs++;
    if (!this.nameSynced) this.syncName();
  }

  /** A file created since the last power cut is reachable only once its directory entry is on the device too. */
  private syncName(): void {
    try {
      const dir = openSync(dirname(this.currentPath), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
      this.nameSynced = true;
    } catch {
      // Some file systems refuse fsync on a directory; the next sync tries again.
    }
  }

  /** Moves to a new file of this sink's own: the next free name, never one that exists (own-archive-file.ts). */
  private rotate(): void {
    const next = createNextArchive(this.opts.path, this.index + 1, archiveVersion(this.opts.compress?.codec ?? Codec.none));
    // What the interval has not synced yet of the file left behind: no timer will reach it once it is closed.
    if ((this.opts.fsync ?? 'never') !== 'never') this.syncPending();
    this.nameSynced = false;
    this.closeFile();
    this.plain = next.fd;
    this.index = next.index;
    this.size = BLOCK_SIZE;
    this.counters.files++;
    this.openDirect(next.identity);
  }

  /**
   * A batch that failed part-way leaves a torn frame after its whole ones: cut it so the file ends on a whole
   * frame. Not in a shared file: another worker may have appended since, and the cut would take its batch.
   */
  private cutTornTail(written: number, whole: number): void {
    if (written === whole || this.opts.shared) return;
    try {
      ftruncateSync(this.fd, this.size + whole);
    } catch {
      // The reader stops at the torn frame anyway, and `verify --repair` cuts it.
    }
  }

  private closeFile(): void {
    this.fallBack();
    closeSync(this.plain);
  }

  /**
   * Forces what was written to the device and closes the file. Throws, the file closed all the same, when that sync
   * failed or a timer's sync before it did that no write has reported since: Linux reports a failed writeback once and
   * marks the pages clean, so a stop that said nothing would exit 0 with records that may never reach the device.
   */
  close(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    let failure = this.syncError;
    try {
      fsyncSync(this.fd);
      // A clean stop leaves the file reachable after a power cut: its name too, which no sync has reached when
      // --fsync never (only the first sync of a file syncs its directory).
      if (!this.nameSynced) this.syncName();
    } catch (err) {
      // A file system with no fsync (EINVAL: a special file) promises nothing more, and nothing is lost by it.
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') failure ??= { err: err as Error, path: this.currentPath };
    }
    this.closeFile();
    if (failure) {
      const e = describe(failure.err, 'fsync', failure.path);
      throw new ArchiveFileError(`${e.message}: its records are written but may not be on the device (a power cut or a crash of the machine could lose them)`, e.code);
    }
  }
}
