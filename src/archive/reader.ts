/*
 * Reading an archive: a pure function over the whole byte array, and a chunked walker that feeds the
 * same decodeFrame from a file so large archives never sit in memory at once. Both stop at the first
 * bad frame and report where it starts: everything before that offset is intact, which is exactly
 * what `verify --repair` keeps.
 */
import { batchFrames } from './batch.ts';
import { ArchiveError, Codec, decodeFrame, decodeHeader, type Frame, FrameKind, HEADER_SIZE } from './format.ts';
import { inflatedBody } from './received-body.ts';
import { type ArchiveRecord, decodeRequestPayload } from './record.ts';

export interface BadFrame {
  offset: number;
  reason: string;
}

export interface ArchiveRead {
  version: number;
  records: (ArchiveRecord & { offset: number })[];
  /** Bytes in padding frames (skipped). */
  padding: number;
  /** Compressed batch frames (format 4): how many, their bytes in the file, and their frames' bytes inflated. */
  batches: BatchTotals;
  /** End of the last good frame: the archive is intact up to here. */
  goodEnd: number;
  bad: BadFrame | null;
}

export interface BatchTotals {
  count: number;
  stored: number;
  raw: number;
}

/**
 * The records of a batch frame at `fileOffset` (each with that offset), or the reason it is bad: a bad batch, or
 * a good one holding a malformed record, is bad as a whole. Throws CodecUnavailableError (batch.ts).
 */
export function recordsOfBatch(frame: Frame, version: number, fileOffset: number, totals: BatchTotals): (ArchiveRecord & { offset: number })[] | BadFrame {
  const content = batchFrames(frame, version, fileOffset);
  if (content.status === 'bad') return { offset: fileOffset, reason: content.reason };
  const records: (ArchiveRecord & { offset: number })[] = [];
  for (const [i, inner] of content.frames.entries()) {
    // Frames of a batch are counted from 1, as batch.ts names them.
    const rec = recordOfFrame(inner, fileOffset);
    if ('reason' in rec) return { ...rec, reason: `batch frame ${i + 1}: ${rec.reason}` };
    // A body compressed on its own inside a batch (no writer of ours makes one) is checked here, so a batch is kept or
    // cut whole: a reader never takes some of a batch's records and then finds the batch bad.
    const rejected = bodyRejected(rec);
    if (rejected !== undefined) return { offset: fileOffset, reason: `batch frame ${i + 1}: ${rejected}` };
    records.push(rec);
  }
  totals.count++;
  totals.stored += frame.end - frame.offset;
  totals.raw += content.rawLength;
  return records;
}

/** Why a record's own codec rejects its body, if it does (received-body.ts). */
function bodyRejected(rec: ArchiveRecord & { offset: number }): string | undefined {
  if (rec.codec === Codec.none) return undefined;
  const body = inflatedBody(rec);
  return 'rejected' in body ? body.rejected : undefined;
}

/** A frame's record, or the reason it is bad (a CRC-valid frame can still hold a malformed record). */
export function recordOfFrame(frame: Frame, fileOffset: number): (ArchiveRecord & { offset: number }) | BadFrame {
  try {
    return { ...decodeRequestPayload(frame.payload, frame.flags, fileOffset), offset: fileOffset };
  } catch (err) {
    if (err instanceof ArchiveError) return { offset: fileOffset, reason: err.message };
    throw err;
  }
}

export function badReason(result: { status: 'incomplete'; need: number }, available: number): string {
  return `truncated frame: ${available} of ${result.need} bytes present (a write cut short)`;
}

/**
 * Reads every record of an in-memory archive. Throws ArchiveError only when the header is unreadable, and
 * CodecUnavailableError at a batch this runtime cannot inflate (zstd before Node 22.15).
 */
export function readArchive(bytes: Uint8Array): ArchiveRead {
  const { version } = decodeHeader(bytes);
  const records: ArchiveRead['records'] = [];
  let padding = 0;
  const batches: BatchTotals = { count: 0, stored: 0, raw: 0 };
  let offset = HEADER_SIZE;
  const result = (bad: BadFrame | null): ArchiveRead => ({ version, records, padding, batches, goodEnd: offset, bad });
  while (offset < bytes.length) {
    const r = decodeFrame(bytes, offset, version);
    if (r.status === 'incomplete') return result({ offset, reason: badReason(r, bytes.length - offset) });
    if (r.status === 'bad') return result({ offset, reason: r.reason });
    if (r.frame.kind === FrameKind.padding) {
      padding += r.frame.end - offset;
      offset = r.frame.end;
      continue;
    }
    if (r.frame.kind === FrameKind.batch) {
      const recs = recordsOfBatch(r.frame, version, offset, batches);
      if ('reason' in recs) return result(recs);
      for (const rec of recs) records.push(rec);
      offset = r.frame.end;
      continue;
    }
    const rec = recordOfFrame(r.frame, offset);
    if ('reason' in rec) return result(rec);
    records.push(rec);
    offset = r.frame.end;
  }
  return result(null);
}
