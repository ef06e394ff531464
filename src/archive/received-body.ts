/*
 * A record's body as its client sent it, for the commands that walk a scan (cat, stats, verify, replay). A frame
 * can pass its CRC and still hold a body its codec rejects (only a faulty writer makes one): that frame is bad like
 * any other, so the scan is told, ends there, and every command agrees on where the intact data ends.
 */
import { CodecUnavailableError, decompressBody } from './codec.ts';
import { ArchiveError } from './format.ts';
import type { ArchiveRecord } from './record.ts';

/** A scan that can be told a record's frame is bad after all (ArchiveScan, MergedScan). */
export interface RejectingScan<R> {
  reject(record: R, reason: string): void;
}

/**
 * The body as received (a view of the scan's buffer when stored uncompressed); null when its codec rejects it (the
 * scan then ends at its frame: skip the record); a CodecUnavailableError for zstd on a runtime without it, which is
 * this record's alone.
 */
export function receivedBody<R extends ArchiveRecord & { offset: number }>(scan: RejectingScan<R>, r: R): Uint8Array | CodecUnavailableError | null {
  try {
    return decompressBody(r.codec, r.body, r.offset);
  } catch (err) {
    if (err instanceof CodecUnavailableError) return err;
    if (!(err instanceof ArchiveError)) throw err;
    scan.reject(r, err.message);
    return null;
  }
}
