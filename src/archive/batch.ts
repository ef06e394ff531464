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
import { CodecUnavailableError, decompress } from './codec.ts';
import { ArchiveError, Codec, decodeFrame, FRAME_HEADER_SIZE, type Frame, FrameKind, MAX_PAYLOAD, sealFrame } from './format.ts';

export const BATCH_HEADER_SIZE = 4;

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
