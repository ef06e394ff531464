/*
 * Reading an archive: a pure function over the whole byte array, and a chunked walker that feeds the
 * same decodeFrame from a file so large archives never sit in memory at once. Both stop at the first
 * bad frame and report where it starts: everything before that offset is intact, which is exactly
 * what `verify --repair` keeps.
 */
import { ArchiveError, decodeFrame, decodeHeader, type Frame, FrameKind, HEADER_SIZE } from './format.ts';
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
  /** End of the last good frame: the archive is intact up to here. */
  goodEnd: number;
  bad: BadFrame | null;
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

/** Reads every record of an in-memory archive. Throws ArchiveError only when the header is unreadable. */
export function readArchive(bytes: Uint8Array): ArchiveRead {
  const { version } = decodeHeader(bytes);
  const records: ArchiveRead['records'] = [];
  let padding = 0;
  let offset = HEADER_SIZE;
  const result = (bad: BadFrame | null): ArchiveRead => ({ version, records, padding, goodEnd: offset, bad });
  while (offset < bytes.length) {
    const r = decodeFrame(bytes, offset, version);
    if (r.status === 'incomplete') return result({ offset, reason: badReason(r, bytes.length - offset) });
    if (r.status === 'bad') return result({ offset, reason: r.reason });
    if (r.frame.kind === FrameKind.padding) {
      padding += r.frame.end - offset;
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
