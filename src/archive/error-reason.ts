import { ArchiveError } from './format.ts';

/** Why an archive could not be opened or read at all, in words; null when err is a bug, not input. */
export function archiveErrorReason(err: unknown): string | null {
  if (err instanceof ArchiveError) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'EACCES') return 'permission denied';
  if (e?.code === 'EISDIR') return 'is a directory';
  // A pipe, a process substitution (<(…)) or a terminal (/dev/stdin): an archive is read by offset, which they cannot give.
  if (e?.code === 'ESPIPE') return 'is a pipe or a terminal, not a file: an archive is read by offset; save it to a file first';
  if (typeof e?.code === 'string') return e.message;
  return null;
}

/** One line for why an archive could not be opened or read at all ("FILE: why"); null when err is a bug, not input. */
export function describeArchiveError(err: unknown, path: string): string | null {
  const why = archiveErrorReason(err);
  return why === null ? null : `${path}: ${why}`;
}
