/*
 * The archive file(s) a recorder appends batches to: creation with mode 0600, the header, rotation,
 * short writes, and what is left on disk when a write fails.
 *
 * Batches go to disk with direct I/O (O_DIRECT) where the file system takes it: from our memory to the
 * disk, past the page cache. Measured on this 2-vCPU VM (dd, 1 MiB writes): 1.8 s of kernel CPU per GB
 * through the page cache — plus the flusher's writeback later, on the same cores as the listener — and
 * 0.1 s per GB direct. Direct I/O writes whole blocks from block-aligned memory, so each batch is copied
 * into aligned staging memory and padded to a block boundary with a padding frame (format version 2).
 * A file system that refuses it (EINVAL) gets plain buffered writes of the same bytes. The stage is also
 * where the frames' checksums are filled in (WebAssembly SIMD, frame-checksums.ts), for every batch.
 *
 * Several recorder processes (--workers) may append to the same file: every batch is one write() on an
 * O_APPEND descriptor and holds whole frames, so batches never interleave inside a frame. A new file
 * is created under a temporary name, given its header, then linked into place, so no process can ever
 * append to a file that has no header yet.
 */
import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { write as writeCb, fstat as fstatCb } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BLOCK_SIZE, encodeHeader, HEADER_SIZE, paddedLength, padToBlock } from '../archive/format.ts';
import { ChecksumStage } from '../archive/frame-checksums.ts';
import type { BatchSink } from './batch-writer.ts';

/** Path of the k-th file of a rotated archive: FILE, FILE.1, FILE.2, … */
export function rotatedPath(path: string, index: number): string {
  return index === 0 ? path : `${path}.${index}`;
}

/** A clear, one-line account of an fs error, with the path it concerns. */
export class ArchiveFileError extends Error {
  override name = 'ArchiveFileError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

function describe(err: unknown, action: string, path: string): ArchiveFileError {
  const e = err as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOENT: 'no such directory',
    EROFS: 'read-only file system',
    EISDIR: 'is a directory',
    ENOTDIR: 'a parent is not a directory',
    EEXIST: 'already exists (broker never overwrites an archive; remove it or choose another --out)',
    EIO: 'I/O error',
  };
  return new ArchiveFileError(`cannot ${action} ${path}: ${(e.code && why[e.code]) ?? e.message}${e.code ? ` (${e.code})` : ''}`, e.code);
}

/**
 * Creates a new archive file holding just the header, atomically. `exclusive` fails when the path
 * exists; otherwise an existing file (made by another worker) is fine.
 */
export function createArchiveFile(path: string, exclusive: boolean): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (err) {
    throw describe(err, 'create', path);
  }
  try {
    // The header, padded to a whole block: direct-I/O appends must start on a block boundary.
    const h = Buffer.alloc(BLOCK_SIZE);
    h.set(encodeHeader(), 0);
    padToBlock(h, HEADER_SIZE);
    if (writeSync(fd, h) !== h.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw describe(err, 'write the header of', path);
  }
  closeSync(fd);
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || exclusive) throw describe(err, 'create', path);
  } finally {
    unlinkSync(tmp);
  }
}

export interface ArchiveSinkOptions {
  path: string;
  /** Start a new file before a batch would take the current one past this many bytes (0: never). */
  rotateBytes: number;
  /** True when other processes append to the same files: then a torn tail is not ours to truncate. */
  shared: boolean;
  /** The usual batch size (the pool's buffers): staging memory that size is kept; a larger batch gets its own. */
  batchBytes: number;
}

function openForAppend(path: string, flags: number): number {
  try {
    return openSync(path, flags);
  } catch (err) {
    throw describe(err, 'open', path);
  }
}

/** Linux only; elsewhere 0, and every write is buffered. */
const O_DIRECT = (constants as { O_DIRECT?: number }).O_DIRECT ?? 0;

/** Checksums are filled in a slice of this many bytes at a time, with `pause` between slices. */
const CHECKSUM_SLICE = 256 * 1024;

export interface ArchiveSinkHooks {
  /**
   * Called between slices of a batch's checksums: the sink thread sleeps there so that a listener waiting
   * for its core gets it (sink-thread-worker.ts). Without it a batch is checksummed in one go.
   */
  pause?: () => void;
}

export class ArchiveSink implements BatchSink {
  /** Every batch is copied into the stage, and its frames are checksummed there: the writer leaves them out. */
  readonly checksumsFrames = true;
  private fd: number;
  private index = 0;
  private size: number;
  /** True while this file takes direct I/O. */
  private direct = false;
  /** Empty until the first write. */
  private readonly stage = new ChecksumStage();
  files = 1;
  /** Batches written with direct I/O, and the padding bytes that aligned them. */
  directBatches = 0;
  paddingBytes = 0;

  constructor(
    private readonly opts: ArchiveSinkOptions,
    private readonly hooks: ArchiveSinkHooks = {},
  ) {
    ({ fd: this.fd, size: this.size } = this.open(0));
  }

  get currentPath(): string {
    return rotatedPath(this.opts.path, this.index);
  }

  /** Opens the index-th file for appending (creating it if it is a new rotation), direct where it can be. */
  private open(index: number): { fd: number; size: number } {
    const path = rotatedPath(this.opts.path, index);
    const flags = constants.O_WRONLY | constants.O_APPEND;
    let fd: number;
    try {
      fd = openSync(path, flags);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || index === 0) throw describe(err, 'open', path);
      createArchiveFile(path, false);
      fd = openForAppend(path, flags);
    }
    const size = fstatSync(fd).size;
    // A file whose end is off a block boundary (written by an older broker, or by a worker that fell
    // back to buffered writes) cannot take direct appends: it stays buffered.
    this.direct = false;
    if (O_DIRECT && size % BLOCK_SIZE === 0) {
      try {
        const direct = openSync(path, flags | O_DIRECT);
        closeSync(fd);
        fd = direct;
        this.direct = true;
      } catch {
        // EINVAL: the file system has no direct I/O (some FUSE and network ones); buffered it is.
      }
    }
    return { fd, size };
  }

  /** Direct I/O refused mid-way (EINVAL): reopen the same file for buffered writes. */
  private fallBack(): void {
    const fd = openForAppend(this.currentPath, constants.O_WRONLY | constants.O_APPEND);
    closeSync(this.fd);
    this.fd = fd;
    this.direct = false;
  }

  async write(batch: Buffer, batchLength: number): Promise<Buffer> {
    if (this.opts.rotateBytes > 0) {
      // Other workers grow the file too: ask the file, not our own count.
      if (this.opts.shared) this.size = await new Promise<number>((res, rej) => fstatCb(this.fd, (e, st) => (e ? rej(describe(e, 'stat', this.currentPath)) : res(st.size))));
      if (this.size > BLOCK_SIZE && this.size + paddedLength(batchLength) > this.opts.rotateBytes) this.rotate();
    }
    // WebAssembly memory never shrinks: one oversized frame (a large body) must not pin its size for good.
    const stage = batchLength <= this.opts.batchBytes ? this.stage : new ChecksumStage();
    const buf = stage.get(paddedLength(batchLength));
    buf.set(batch.subarray(0, batchLength), 0);
    for (let p = 0; p < batchLength; ) {
      p = stage.checksumFrames(p, batchLength, p + CHECKSUM_SLICE);
      if (p < batchLength) this.hooks.pause?.();
    }
    // Direct I/O writes whole blocks: pad with a padding frame. Buffered writes take the batch as it is.
    const length = this.direct ? padToBlock(buf, batchLength) : batchLength;
    const direct = this.direct;
    let done = 0;
    while (done < length) {
      try {
        done += await new Promise<number>((res, rej) => writeCb(this.fd, buf, done, length - done, null, (e, n) => (e ? rej(e) : res(n))));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EINVAL' && this.direct) {
          // E.g. another writer left the file's end off a block boundary; the padded batch reads as well buffered.
          this.fallBack();
          continue;
        }
        this.cutTornTail(done);
        throw describe(err, 'write to', this.currentPath);
      }
    }
    this.size += length;
    this.paddingBytes += length - batchLength;
    if (direct && this.direct) this.directBatches++;
    return batch;
  }

  private rotate(): void {
    const next = this.index + 1;
    const current = this.fd;
    ({ fd: this.fd, size: this.size } = this.open(next));
    closeSync(current);
    this.index = next;
    this.files = Math.max(this.files, next + 1);
  }

  /** A batch that failed half-way leaves a torn frame: cut it so the file ends on a whole frame. */
  private cutTornTail(written: number): void {
    if (written === 0 || this.opts.shared) return;
    try {
      ftruncateSync(this.fd, this.size);
    } catch {
      // The reader stops at the torn frame anyway, and `verify --repair` cuts it.
    }
  }

  close(): void {
    try {
      fsyncSync(this.fd);
    } catch {
      // fsync can fail on odd filesystems (or a full disk); the data is in the page cache all the same.
    }
    closeSync(this.fd);
  }
}
