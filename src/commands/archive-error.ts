import { ArchiveError } from '../archive/format.ts';

/** One line for why an archive could not be opened or read at all; null when err is a bug, not input. */
export function describeArchiveError(err: unknown, path: string): string | null {
  if (err instanceof ArchiveError) return `${path}: ${err.message}`;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return `${path}: no such file`;
  if (e?.code === 'EACCES') return `${path}: permission denied`;
  if (e?.code === 'EISDIR') return `${path}: is a directory`;
  if (typeof e?.code === 'string') return `${path}: ${e.message}`;
  return null;
}
