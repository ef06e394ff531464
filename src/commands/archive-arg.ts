import { ArchiveError } from '../archive/format.ts';
import { UsageError } from '../usage.ts';

/** The single FILE argument of an archive command. */
export function archiveArg(command: string, positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError(`${command} needs an archive FILE (see 'broker ${command} --help')`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}' for '${command}' (see 'broker ${command} --help')`);
  return positionals[0]!;
}

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
