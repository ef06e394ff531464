/*
 * A record's body as its client sent it: the one place that inflates a record's own body and says what its codec made
 * of it. A frame can pass its CRC and still hold a body its codec rejects (only a faulty writer makes one): that frame
 * is bad like any other. The batch reader (reader.ts) refuses such a batch whole; for a record of its own frame, the
 * command that walks the scan (cat, stats, verify, replay) tells the scan, which ends there, so every command agrees
 * on where the intact data ends.
 */
import { CodecUnavailableError, decompressBody } from './codec.ts';
import { ArchiveError } from './format.ts';
import type { ArchiveRecord } from './record.ts';

/** A scan that can be told a record's frame is bad after all (ArchiveScan, MergedScan). */
export interface RejectingScan<R> {
  reject(record: R, reason: string): void;
}

/**
 * The body inflated (a view of the scan's buffer when stored uncompressed); a CodecUnavailableError for zstd on a
 * runtime without it (not damage: this record's alone); `{ rejected }` with the codec's reason when it rejects the body.
 */
export function inflatedBody(r: ArchiveRecord & { offset: number }): Uint8Array | CodecUnavailableError | { rejected: string } {
  try {
    return decompressBody(r.codec, r.body, r.offset);
  } catch (err) {
    if (err instanceof CodecUnavailableError) return err;
    if (err instanceof ArchiveError) return { rejected: err.message };
    throw err;
  }
}

/**
 * The body as received, or a CodecUnavailableError; null when its codec rejects it (the scan then ends at its frame:
 * skip the record).
 */
export function receivedBody<R extends ArchiveRecord & { offset: number }>(scan: RejectingScan<R>, r: R): Uint8Array | CodecUnavailableError | null {
  const body = inflatedBody(r);
  if (!('rejected' in body)) return body;
  scan.reject(r, body.rejected);
  return null;
}
