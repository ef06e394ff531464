/*
 * The recorder writes only into archive files it created: never into a file that was there before, never
 * through a link (issue 23: with --rotate, a FILE.1 left by an earlier run, or a symlink planted as FILE.1,
 * took the recorded requests).
 *
 * - A file is created as `.broker.<pid>.<random>.tmp` in NAME's directory with O_CREAT|O_EXCL|O_NOFOLLOW (always a
 *   new inode, mode 0600), given its header block, then hard-linked to its name. The temporary name is short, not
 *   built from NAME: any NAME the file system takes (up to 255 bytes) can be created. link() never replaces a name and never
 *   follows a link at it: a taken name fails with EEXIST. No process ever sees the name without its header.
 * - The creator keeps the descriptor it created the file with. A process that must open the name (a cluster
 *   worker opening the FILE the primary created; the second, direct-I/O descriptor) opens it with O_NOFOLLOW
 *   and checks it is the created file — same device and inode, its identity — or refuses.
 * - Rotation takes the next free name: FILE.1 taken (an old archive, a link) → FILE.2, and so on.
 */
import { closeSync, constants, fstatSync, linkSync, lstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BLOCK_SIZE, encodeHeader, HEADER_SIZE, padToBlock, VERSION_WITHOUT_BATCHES } from '../archive/format.ts';
import { ArchiveFileError, describe } from './archive-file-error.ts';

/** Which file a name led to, as "dev:ino": what a later open of the name is checked against. */
export type FileIdentity = string;

/** An archive file this process created, open for appending. */
export interface OwnFile {
  fd: number;
  identity: FileIdentity;
}

/** Path of the k-th file of a rotated archive: FILE, FILE.1, FILE.2, … */
export function rotatedPath(path: string, index: number): string {
  return index === 0 ? path : `${path}.${index}`;
}

const APPEND = constants.O_WRONLY | constants.O_APPEND;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

function identityOf(fd: number): FileIdentity {
  const st = fstatSync(fd, { bigint: true });
  return `${st.dev}:${st.ino}`;
}

/**
 * Creates a new archive file at `path` holding just its header block, of format `version`; EEXIST (an
 * ArchiveFileError) when the name is taken.
 */
export function createArchive(path: string, version: number): OwnFile {
  let tmp = '';
  let fd = -1;
  // At most 29 bytes: pid_max is at most 2^22 (7 digits). Another process's name (EEXIST) is tried past.
  for (let tries = 0; fd < 0; tries++) {
    tmp = join(dirname(path), `.broker.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
    try {
      fd = openSync(tmp, APPEND | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 10) throw describe(err, 'create', path);
    }
  }
  try {
    // The header, padded to a whole block: direct-I/O appends must start on a block boundary.
    const h = Buffer.alloc(BLOCK_SIZE);
    h.set(encodeHeader(version), 0);
    padToBlock(h, HEADER_SIZE);
    try {
      if (writeSync(fd, h) !== h.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
    } catch (err) {
      throw describe(err, 'write the header of', path);
    }
    try {
      linkSync(tmp, path);
    } catch (err) {
      throw describe(err, 'create', path);
    }
    const identity = identityOf(fd);
    const linked = lstatSync(path, { bigint: true });
    // The temporary name swapped for another file before the link (someone else writes in this directory).
    if (`${linked.dev}:${linked.ino}` !== identity) throw new ArchiveFileError(`cannot create ${path}: the file was replaced while it was created`, undefined);
    return { fd, identity };
  } catch (err) {
    closeSync(fd);
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Creates the archive file `path` (record's FILE), of format `version` (archiveVersion, archive-sink.ts): its
 * identity is what the sink and the workers open it by.
 * The descriptor stays open until this process exits: while it is, the inode cannot be freed, so no file put
 * in its place can get the same identity.
 */
export function createArchiveFile(path: string, version = VERSION_WITHOUT_BATCHES): FileIdentity {
  return createArchive(path, version).identity;
}

/** Names a rotation tries before giving up: each taken one is skipped. */
const MAX_TAKEN = 1000;

/** Creates the first free one of FILE.from, FILE.from+1, …: a taken name is never written, only skipped. */
export function createNextArchive(path: string, from: number, version: number): OwnFile & { index: number } {
  for (let index = from; index < from + MAX_TAKEN; index++) {
    try {
      return { ...createArchive(rotatedPath(path, index), version), index };
    } catch (err) {
      if ((err as ArchiveFileError).code !== 'EEXIST') throw err;
    }
  }
  throw new ArchiveFileError(`cannot rotate ${path}: ${rotatedPath(path, from)} to ${rotatedPath(path, from + MAX_TAKEN - 1)} all exist; move them away`, 'EEXIST');
}

/** Opens `path` (never through a link) and checks it is the file with `identity`; refuses any other. */
export function openOwnArchive(path: string, identity: FileIdentity, flags = 0): number {
  let fd: number;
  try {
    fd = openSync(path, APPEND | O_NOFOLLOW | flags);
  } catch (err) {
    throw describe(err, 'open', path);
  }
  if (identityOf(fd) !== identity) {
    closeSync(fd);
    throw new ArchiveFileError(`cannot open ${path}: it is no longer the file this recording created (replaced since; broker writes only into files it created)`, undefined);
  }
  return fd;
}
