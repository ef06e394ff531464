/*
 * Archive files on disk: a chunked walker over the pure decoder, so `cat`, `stats`, `verify` and `replay`
 * handle archives larger than memory with the same rules as readArchive.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { ArchiveError, decodeFrame, decodeHeader, FrameKind, HEADER_SIZE } from './format.ts';
import { type BadFrame, type BatchTotals, badReason, recordOfFrame, recordsOfBatch } from './reader.ts';
import type { ArchiveRecord } from './record.ts';

export interface ScanResult {
  size: number;
  frames: number;
  /** Bytes in padding frames (direct I/O fills each batch up to a block boundary). */
  padding: number;
  /** Compressed batch frames (format 4): how many, their bytes in the file, and their frames' bytes inflated. */
  batches: BatchTotals;
  goodEnd: number;
  bad: BadFrame | null;
}

/**
 * Bytes read at a time. 256 KiB, not more: a larger buffer is fresh memory the kernel faults in page by page and that
 * falls out of the CPU's cache between read() and decode; `stats` on a 1 MiB archive took ~1 ms less than with 1 MiB
 * chunks, and a 100 MiB archive read as fast (docs/benchmarks.md, "stats: where the time went").
 */
export const CHUNK = 1 << 18;

/** A file's size, or 0 when it cannot be read (whoever reads it says why): what a progress line counts for it. */
export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Walks the records of an archive file. Iterate `records()`, then read `result`. Throws ArchiveError
 * when the header is unreadable (CodecUnavailableError, one, at a batch this runtime cannot inflate), and
 * Node's own errors (ENOENT, EACCES) when the file is.
 */
export class ArchiveScan {
  result: ScanResult | null = null;
  /** Bytes of the file read so far. */
  read = 0;
  /** Called after each chunk is read: a progress line's tick (src/progress.ts). */
  onRead: (() => void) | undefined;
  /** A record its consumer found bad (reject): the scan ends at its frame when asked for the next one. */
  private rejected: BadFrame | null = null;
  /** chunk: bytes read at a time (a frame larger than that still reads whole); a merge of many files reads less per file. */
  constructor(
    readonly path: string,
    readonly chunk = CHUNK,
  ) {}

  /**
   * Ends the scan at this record's frame, as at any bad frame: a frame can pass its CRC and still hold a body its
   * codec rejects, which only the consumer that inflates it finds (receivedBody). The next step of records() then
   * ends, and `result` says the frame is bad, with the records before it intact. For a record of its own frame: a
   * batch's records come with their bodies checked (recordsOfBatch), so a batch is refused whole before any is given.
   */
  reject(record: { offset: number }, reason: string): void {
    this.rejected ??= { offset: record.offset, reason };
  }

  *records(): Generator<ArchiveRecord & { offset: number }> {
    // Non-blocking: a named pipe with no writer would hold open() forever; so opened, its first read by offset fails
    // (ESPIPE, said as for any pipe: error-reason.ts). A regular file reads as it would.
    const fd = openSync(this.path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const size = fstatSync(fd).size;
      let buf = Buffer.alloc(Math.min(this.chunk, Math.max(HEADER_SIZE, size)));
      let filled = readSync(fd, buf, 0, buf.length, 0);
      this.read = filled;
      this.onRead?.();
      const { version } = decodeHeader(buf.subarray(0, filled));
      let base = 0; // file offset of buf[0]
      let pos = HEADER_SIZE; // offset in buf of the next frame
      let frames = 0;
      let padding = 0;
      const batches: BatchTotals = { count: 0, stored: 0, raw: 0 };
      const finish = (bad: BadFrame | null) => (this.result = { size, frames, padding, batches, goodEnd: base + pos, bad });
      while (base + pos < size) {
        const r = decodeFrame(buf.subarray(0, filled), pos, version);
        if (r.status === 'bad') return void finish({ offset: base + pos, reason: r.reason });
        if (r.status === 'incomplete') {
          if (base + filled >= size) return void finish({ offset: base + pos, reason: badReason(r, filled - pos) });
          // Slide the partial frame to the front, growing the buffer when one frame is larger than it.
          const keep = filled - pos;
          const next = r.need > buf.length ? Buffer.alloc(Math.min(r.need + this.chunk, Math.max(r.need, size - base - pos))) : buf;
          buf.copy(next, 0, pos, filled);
          buf = next;
          base += pos;
          pos = 0;
          const got = readSync(fd, buf, keep, buf.length - keep, base + keep);
          filled = keep + got;
          this.read = base + filled;
          this.onRead?.();
          // The file ends before the size it had when the scan began (cut meanwhile: verify --repair in another
          // shell): the frame is cut short here, as at the end of a file that had always been this long.
          if (got === 0) return void finish({ offset: base + pos, reason: badReason(r, keep) });
          continue;
        }
        if (r.frame.kind === FrameKind.padding) {
          padding += r.frame.end - pos;
          pos = r.frame.end;
          continue;
        }
        if (r.frame.kind === FrameKind.batch) {
          // Inflated into memory of its own: the records stay valid when buf is refilled.
          const recs = recordsOfBatch(r.frame, version, base + pos, batches);
          if ('reason' in recs) return void finish(recs);
          frames += recs.length;
          pos = r.frame.end;
          yield* recs;
          continue;
        }
        const rec = recordOfFrame(r.frame, base + pos);
        if ('reason' in rec) return void finish(rec);
        frames++;
        pos = r.frame.end;
        yield rec;
        // Rejected by its consumer: the intact data ends where this frame starts, after the frames before it.
        const bad = this.rejected;
        if (bad !== null) {
          this.result = { size, frames: frames - 1, padding, batches, goodEnd: bad.offset, bad };
          return;
        }
      }
      finish(null);
    } finally {
      closeSync(fd);
    }
  }
}

/** Scans the whole file for its verdict, discarding records (verify, stats' integrity line). */
export function scanArchiveFile(path: string, onRecord?: (r: ArchiveRecord & { offset: number }) => void): ScanResult {
  const scan = new ArchiveScan(path);
  for (const r of scan.records()) onRecord?.(r);
  if (!scan.result) throw new ArchiveError('archive scan ended early', 0);
  return scan.result;
}
