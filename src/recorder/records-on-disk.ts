/*
 * What a recording left on disk, counted from the files themselves: for `record --workers`, when a worker died
 * without its final report. A worker reports its counts after each batch, but the report is several hops behind
 * the write() (the writing thread's I/O pool, its loop, the main thread, the IPC channel): a kill between left a
 * batch on disk that no report counted — 3 of 25 kills in the --ack written fault test, where batches of one
 * request follow each other closely. The files say exactly what is there.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { naturalCompare } from '../archive/archive-paths.ts';
import { scanArchiveFile } from '../archive/file.ts';
import { rotatedPath } from './own-archive-file.ts';

/** The rotated files FILE.1, FILE.2, … that exist now, named as rotation names them (an earlier run's among them: rotation skips those). */
export function rotatedFilesNow(path: string): Set<string> {
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return new Set();
  }
  const found = new Set<string>();
  for (const name of names) {
    const index = /\.([1-9]\d*)$/.exec(name)?.[1];
    const rotated = index === undefined ? null : rotatedPath(path, Number(index));
    if (rotated !== null && basename(rotated) === name) found.add(rotated);
  }
  return found;
}

/**
 * FILE and the rotated files made since `before` was taken: the files of the recording that took that snapshot.
 * `before` null: the recording does not rotate, FILE is all of it.
 */
export function recordingFiles(path: string, before: Set<string> | null): string[] {
  return before === null ? [path] : [path, ...[...rotatedFilesNow(path)].filter((f) => !before.has(f)).sort(naturalCompare)];
}

/** The records a reader finds in `files`, each read up to its first bad frame (as `verify --repair` keeps); null when one cannot be read. */
export function recordsOnDisk(files: string[]): number | null {
  try {
    return files.reduce((sum, f) => sum + scanArchiveFile(f).frames, 0);
  } catch {
    return null;
  }
}
