import { statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Of a batch whose write failed part-way: the frames before the torn one, on disk and readable. */
export interface WrittenFrames {
  frames: number;
  bytes: number;
  /** Written, but the fsync after them failed: recorded, yet never acknowledged under --ack written. */
  unsynced?: boolean;
}

/** A clear, one-line account of an fs error on an archive file, with the path it concerns. */
export class ArchiveFileError extends Error {
  override name = 'ArchiveFileError';
  constructor(
    message: string,
    readonly code: string | undefined,
    /** A failed batch write: what of the batch is on disk all the same (counted recorded, the rest dropped). */
    readonly written: WrittenFrames | null = null,
  ) {
    super(message);
  }
}

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
  ELOOP: 'is a symbolic link (broker never writes through a link)',
  EIO: 'I/O error',
};

/** Where the code alone would mislead: a directory given as the archive (EEXIST), a directory that is there but takes no new file (ENOENT in /proc). */
function whyHere(code: string | undefined, action: string, path: string): string | undefined {
  if (action !== 'create') return undefined;
  if (code === 'EEXIST' && statSync(path, { throwIfNoEntry: false })?.isDirectory()) return 'is a directory: --out names the archive file to create (e.g. DIR/traffic.brk)';
  if (code === 'ENOENT' && statSync(dirname(path), { throwIfNoEntry: false })?.isDirectory()) return 'no file can be created in that directory';
  return undefined;
}

export function describe(err: unknown, action: string, path: string, written: WrittenFrames | null = null): ArchiveFileError {
  const e = err as NodeJS.ErrnoException;
  return new ArchiveFileError(`cannot ${action} ${path}: ${whyHere(e.code, action, path) ?? (e.code && why[e.code]) ?? e.message}${e.code ? ` (${e.code})` : ''}`, e.code, written);
}
