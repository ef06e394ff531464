/*
 * A batch frame (kind 3, format version 4): request frames compressed together.
 *
 *   payload = rawLength:u32 compressed[]      flags = the codec (1 gzip, 2 brotli, 3 zstd; never 0)
 *
 * Inflated, `compressed` is exactly rawLength bytes of whole request frames (kind 1), each with its own length
 * and CRC as in an uncompressed file, checked by the same decodeFrame under the file's version. The batch
 * frame's own CRC covers the compressed bytes, so damage is found before inflating anything.
 *
 * Why whole batches: compressed one at a time, a request body of a few hundred bytes of JSON shrank by 1–2%
 * (each body starts with an empty dictionary, and zlib's fixed cost per call was a large part of recording);
 * a batch holds hundreds of requests with the same header names and the same shapes of body.
 *
 * A record read from a batch has the batch frame's file offset: it is where the intact data ends if the batch
 * is bad, and what `verify --repair` cuts at — a batch is kept or cut whole.
 */
import { CodecUnavailableError, decompress, InflatesPastLimitError } from './codec.ts';
import { ArchiveError, Codec, decodeFrame, FRAME_HEADER_SIZE, type Frame, FrameKind, frameBoundary, MAX_PAYLOAD, sealFrame, wholeFramesWithin } from './format.ts';

export const BATCH_HEADER_SIZE = 4;

/** A batch is compressed a slice of this many bytes at a time, each its own batch frame (a quarter MiB of requests compresses nearly as well as a whole MiB). */
export const COMPRESS_SLICE = 256 * 1024;

/** Of a batch as written: a run of its frames in buf[start, end), compressed into one batch frame or as they were. */
export interface BatchPart {
  start: number;
  end: number;
  /** The request frames a batch frame holds (an uncompressed part is walked instead). */
  frames: number;
  compressed: boolean;
}

/**
 * Compresses the whole frames in src[start, end) into one batch frame (header, CRC and all); null when that
 * would not be smaller than the frames themselves (random bodies), and the caller then writes them as they are.
 */
export function encodeBatchFrame(src: Uint8Array, start: number, end: number, codec: number, compress: (raw: Uint8Array) => Uint8Array): Uint8Array | null {
  const rawLength = end - start;
  if (codec === Codec.none || rawLength === 0 || rawLength > MAX_PAYLOAD) return null;
  const packed = compress(src.subarray(start, end));
  const payloadLength = BATCH_HEADER_SIZE + packed.length;
  if (FRAME_HEADER_SIZE + payloadLength >= rawLength) return null;
  const frame = new Uint8Array(FRAME_HEADER_SIZE + payloadLength);
  new DataView(frame.buffer).setUint32(FRAME_HEADER_SIZE, rawLength, true);
  frame.set(packed, FRAME_HEADER_SIZE + BATCH_HEADER_SIZE);
  sealFrame(frame, 0, payloadLength, FrameKind.batch, codec);
  return frame;
}

/**
 * Replaces the checksummed frames in buf[0, length) with batch frames, a slice at a time (a slice that would not
 * shrink stays as it was), calling `between` between slices (the writing thread yields there). Returns the parts,
 * in order; the last one's end is the new length. Each part's output is no longer than its input, so it never
 * overwrites frames not yet compressed.
 */
export function compressBatchInPlace(buf: Uint8Array, length: number, codec: number, compress: (raw: Uint8Array) => Uint8Array, between?: () => void): BatchPart[] {
  const parts: BatchPart[] = [];
  let out = 0;
  for (let p = 0; p < length; ) {
    const q = frameBoundary(buf, p, length, p + COMPRESS_SLICE);
    const frames = wholeFramesWithin(buf.subarray(p, q), q - p, q - p).frames;
    const frame = encodeBatchFrame(buf, p, q, codec, compress);
    if (frame) buf.set(frame, out);
    else buf.copyWithin(out, p, q);
    const end = out + (frame?.length ?? q - p);
    parts.push({ start: out, end, frames, compressed: frame !== null });
    out = end;
    p = q;
    if (p < length) between?.();
  }
  return parts;
}

/** A good batch's request frames, and their bytes inflated (its length field, which they fill exactly). */
export type BatchContent = { status: 'frames'; frames: Frame[]; rawLength: number } | { status: 'bad'; reason: string };

/**
 * The request frames of a batch frame (decodeFrame checked its CRC and flags) in a file of `version`, their
 * offsets within the inflated bytes; or why the batch is bad. Throws CodecUnavailableError when this runtime
 * lacks the codec (zstd before Node 22.15): then the batch is not bad, only unreadable here.
 */
export function batchFrames(batch: Frame, version: number, fileOffset: number): BatchContent {
  const payload = batch.payload;
  if (payload.length < BATCH_HEADER_SIZE) return { status: 'bad', reason: `batch frame of ${payload.length} bytes has no length field` };
  const rawLength = new DataView(payload.buffer, payload.byteOffset, BATCH_HEADER_SIZE).getUint32(0, true);
  if (rawLength > MAX_PAYLOAD) return { status: 'bad', reason: `batch length ${rawLength} exceeds the ${MAX_PAYLOAD}-byte maximum` };
  let raw: Uint8Array;
  try {
    raw = decompress(batch.flags, payload.subarray(BATCH_HEADER_SIZE), fileOffset, 'batch', rawLength);
  } catch (err) {
    if (err instanceof CodecUnavailableError) throw err;
    // Read with its length field as the cap: more than that is the length field's mismatch, said as the other way round is.
    if (err instanceof InflatesPastLimitError) return { status: 'bad', reason: `batch inflates to more than ${err.limit} bytes, its length field says ${rawLength}` };
    if (err instanceof ArchiveError) return { status: 'bad', reason: err.message };
    throw err;
  }
  if (raw.length !== rawLength) return { status: 'bad', reason: `batch inflates to ${raw.length} bytes, its length field says ${rawLength}` };
  const frames: Frame[] = [];
  for (let p = 0; p < raw.length; ) {
    const r = decodeFrame(raw, p, version);
    if (r.status === 'incomplete') return { status: 'bad', reason: `batch ends inside its frame ${frames.length + 1}` };
    if (r.status === 'bad') return { status: 'bad', reason: `batch frame ${frames.length + 1}: ${r.reason}` };
    if (r.frame.kind !== FrameKind.request) return { status: 'bad', reason: `batch frame ${frames.length + 1} is of kind ${r.frame.kind}; a batch holds request frames only` };
    frames.push(r.frame);
    p = r.frame.end;
  }
  if (frames.length === 0) return { status: 'bad', reason: 'empty batch' };
  return { status: 'frames', frames, rawLength };
}
