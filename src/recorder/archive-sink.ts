/*
 * The archive file(s) a recorder appends batches to: creation with mode 0600, the header, rotation,
 * short writes, and what is left on disk when a write fails.
 *
 * Several recorder processes (--workers) may append to the same file: every batch is one write() on an
 * O_APPEND descriptor and holds whole frames, so batches never interleave inside a frame. A new file
 * is created under a temporary name, given its header, then linked into place, so no process can ever
 * append to a file that has no header yet.
 */
import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { write as writeCb, fstat as fstatCb } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { encodeHeader, HEADER_SIZE } from '../archive/format.ts';
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
    const h = encodeHeader();
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
}

export class ArchiveSink implements BatchSink {
  private fd: number;
  private index = 0;
  private size: number;
  files = 1;

  constructor(private readonly opts: ArchiveSinkOptions) {
    this.fd = this.open(0);
    this.size = fstatSync(this.fd).size;
  }

  get currentPath(): string {
    return rotatedPath(this.opts.path, this.index);
  }

  private open(index: number): number {
    const path = rotatedPath(this.opts.path, index);
    const flags = constants.O_WRONLY | constants.O_APPEND;
    try {
      return openSync(path, flags);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || index === 0) throw describe(err, 'open', path);
    }
    createArchiveFile(path, false);
    try {
      return openSync(path, flags);
    } catch (err) {
      throw describe(err, 'open', path);
    }
  }

  async write(buf: Buffer, length: number): Promise<void> {
    if (this.opts.rotateBytes > 0) {
      // Other workers grow the file too: ask the file, not our own count.
      if (this.opts.shared) this.size = await new Promise<number>((res, rej) => fstatCb(this.fd, (e, st) => (e ? rej(describe(e, 'stat', this.currentPath)) : res(st.size))));
      if (this.size > HEADER_SIZE && this.size + length > this.opts.rotateBytes) this.rotate();
    }
    let done = 0;
    while (done < length) {
      try {
        done += await new Promise<number>((res, rej) => writeCb(this.fd, buf, done, length - done, null, (e, n) => (e ? rej(e) : res(n))));
      } catch (err) {
        this.cutTornTail(done);
        throw describe(err, 'write to', this.currentPath);
      }
    }
    this.size += length;
  }

  private rotate(): void {
    const next = this.index + 1;
    const fd = this.open(next);
    closeSync(this.fd);
    this.fd = fd;
    this.index = next;
    this.files = Math.max(this.files, next + 1);
    this.size = fstatSync(fd).size;
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
