/*
 * The broker archive format, version 4 (docs/archive.md is the prose version of this file).
 * Pure code over bytes: no I/O here, so the recorder, the readers and the fuzz tests share it.
 *
 *   file   = header frame*
 *   header = magic(8) version:u16 reserved:u16 crc32c(header[0..12]):u32          — 16 bytes
 *   frame  = length:u32 kind:u8 flags:u8 reserved:u16 crc32c(frame[0..8] ++ payload):u32 payload
 *
 * Frame kinds: 1 request (record.ts), 2 padding (zeros up to a block boundary, skipped by readers), 3 batch
 * (version 4, batch.ts: request frames compressed together; its flags are the codec's two bits).
 * Request flags: bits 0–1 the body codec (0 none, 1 gzip, 2 brotli, 3 zstd), bit 2 TLS (the request came over
 * TLS; its record ends with the SNI name). zstd and the TLS bit are version 3; in a version 1 or 2 file
 * they are reserved bits, as they always were there.
 * A request's time is ms since the epoch within ±MAX_RECORD_TIME (a date); any other time makes its frame bad.
 * All integers little-endian. The frame CRC covers its length, so a torn or flipped length is caught
 * as surely as a flipped payload byte.
 */
import { crc32c } from './crc32c.ts';

/** PNG-style magic: a high byte (catches 7-bit transfers), "BRK", CR LF (catches newline rewriting), ^Z LF. */
export const MAGIC = Uint8Array.of(0x89, 0x42, 0x52, 0x4b, 0x0d, 0x0a, 0x1a, 0x0a);
/**
 * The newest version this broker writes. Version 2 added padding frames (kind 2), version 3 the zstd codec and
 * the TLS flag with its SNI field, version 4 compressed batches (kind 3). A recording without --compress
 * writes version 3 (VERSION_WITHOUT_BATCHES), so a broker from before version 4 still reads it; files of
 * versions 1 to 3 are read as before.
 */
export const FORMAT_VERSION = 4;
export const VERSION_WITHOUT_BATCHES = 3;
const READABLE_VERSIONS = [1, 2, 3, 4];
export const HEADER_SIZE = 16;
export const FRAME_HEADER_SIZE = 12;
/** Larger than any frame the recorder writes (--max-body caps at 64 MiB); a bigger length is corruption. */
export const MAX_PAYLOAD = 128 * 2 ** 20;

/**
 * Record times are within ±this many ms of the epoch: the range of a JS Date (ECMA-262 §21.4.1.1), so every
 * reader can print every record's time. A time outside it (or NaN) makes the frame bad, as a torn length does.
 */
export const MAX_RECORD_TIME = 8.64e15;
/**
 * padding: zeros a writer adds so a batch ends on a block boundary (direct I/O); readers skip it.
 * batch (version 4): request frames compressed together (batch.ts).
 */
export const FrameKind = { request: 1, padding: 2, batch: 3 } as const;
/** Direct I/O writes whole blocks from block-aligned memory; 4096 covers 512-byte and 4K-sector disks. */
export const BLOCK_SIZE = 4096;
/** Body codec, in the low two bits of a frame's flags (zstd: version 3). */
export const Codec = { none: 0, gzip: 1, brotli: 2, zstd: 3 } as const;
export type CodecName = keyof typeof Codec;
export const CODEC_MASK = 0b11;
/** Flag bit 2 (version 3): the request came over TLS, and its record ends with the SNI name (record.ts). */
export const TLS_FLAG = 0b100;

/** The request flag bits a file of `version` may set; any other is a reserved bit, which makes the frame bad. */
function requestFlagBits(version: number): number {
  return version >= 3 ? CODEC_MASK | TLS_FLAG : CODEC_MASK;
}

/** The only error the archive code throws: bad bytes, never a bug's TypeError or RangeError. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** The header of a file of `version` (a writer picks the oldest version that holds what it writes). */
export function encodeHeader(version = FORMAT_VERSION): Uint8Array {
  if (!READABLE_VERSIONS.includes(version)) throw new RangeError(`no archive format version ${version}`);
  const h = new Uint8Array(HEADER_SIZE);
  h.set(MAGIC, 0);
  const dv = new DataView(h.buffer);
  dv.setUint16(8, version, true);
  dv.setUint32(12, crc32c(h, 0, 0, 12), true);
  return h;
}

/** Checks the file header; throws ArchiveError when the bytes are not a broker archive this code can read. */
export function decodeHeader(bytes: Uint8Array): { version: number } {
  if (bytes.length < HEADER_SIZE) {
    if (bytes.length < MAGIC.length && MAGIC.subarray(0, bytes.length).every((b, i) => bytes[i] === b)) throw new ArchiveError(`truncated header: ${bytes.length} of ${HEADER_SIZE} bytes`, 0);
    if (bytes.length < MAGIC.length) throw new ArchiveError('not a broker archive (bad magic)', 0);
  }
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw new ArchiveError('not a broker archive (bad magic)', 0);
  if (bytes.length < HEADER_SIZE) throw new ArchiveError(`truncated header: ${bytes.length} of ${HEADER_SIZE} bytes`, 0);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  if (dv.getUint32(12, true) !== crc32c(bytes, 0, 0, 12)) throw new ArchiveError('header checksum mismatch', 0);
  const version = dv.getUint16(8, true);
  if (!READABLE_VERSIONS.includes(version)) throw new ArchiveError(`archive format version ${version}; this broker reads versions ${READABLE_VERSIONS.slice(0, -1).join(', ')} and ${READABLE_VERSIONS.at(-1)}`, 8);
  if (dv.getUint16(10, true) !== 0) throw new ArchiveError('reserved header bits set', 10);
  return { version };
}

export interface Frame {
  /** Offset of the frame's first byte within the bytes given to decodeFrame. */
  offset: number;
  kind: number;
  flags: number;
  payload: Uint8Array;
  /** Offset just past the frame: where the next one starts. */
  end: number;
}

export type FrameResult =
  | { status: 'frame'; frame: Frame }
  /** More bytes are needed: `need` is the total frame size when the length is known, else the header size. */
  | { status: 'incomplete'; need: number }
  | { status: 'bad'; reason: string };

/** Decodes the frame at `offset` of a file of `version`, checking length, CRC and flags. Never throws. */
export function decodeFrame(bytes: Uint8Array, offset: number, version = FORMAT_VERSION): FrameResult {
  const available = bytes.length - offset;
  if (available < FRAME_HEADER_SIZE) return { status: 'incomplete', need: FRAME_HEADER_SIZE };
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, FRAME_HEADER_SIZE);
  const length = dv.getUint32(0, true);
  if (length > MAX_PAYLOAD) return { status: 'bad', reason: `frame length ${length} exceeds the ${MAX_PAYLOAD}-byte maximum` };
  const total = FRAME_HEADER_SIZE + length;
  if (available < total) return { status: 'incomplete', need: total };
  let crc = crc32c(bytes, 0, offset, offset + 8);
  crc = crc32c(bytes, crc, offset + FRAME_HEADER_SIZE, offset + total);
  if (crc !== dv.getUint32(8, true)) return { status: 'bad', reason: 'frame checksum mismatch' };
  const kind = dv.getUint8(4);
  const flags = dv.getUint8(5);
  if (kind !== FrameKind.request && kind !== FrameKind.padding && !(kind === FrameKind.batch && version >= 4)) return { status: 'bad', reason: `unknown frame kind ${kind}` };
  // A request's flags are its codec, and TLS from version 3; a batch's are its codec, never none; a padding
  // frame has none. Codec 3 (zstd) is version 3's: in an older file it is a reserved value, as it always was.
  const flagBits = kind === FrameKind.request ? requestFlagBits(version) : kind === FrameKind.batch ? CODEC_MASK : 0;
  if ((flags & ~flagBits) !== 0 || (version < 3 && (flags & CODEC_MASK) === Codec.zstd) || dv.getUint16(6, true) !== 0) return { status: 'bad', reason: 'reserved frame bits set' };
  if (kind === FrameKind.batch && flags === Codec.none) return { status: 'bad', reason: 'batch frame without a codec' };
  return { status: 'frame', frame: { offset, kind, flags, payload: bytes.subarray(offset + FRAME_HEADER_SIZE, offset + total), end: offset + total } };
}

/**
 * Writes the 12-byte frame header in front of a payload already placed at `offset + 12`; returns the frame's end.
 * Without `checksum` the CRC field stays for checksumFrames to fill in later.
 */
export function sealFrame(target: Uint8Array, offset: number, payloadLength: number, kind: number, flags: number, checksum = true): number {
  // Plain byte stores: a DataView per frame was a measurable share of the recorder's per-request cost.
  target[offset] = payloadLength;
  target[offset + 1] = payloadLength >>> 8;
  target[offset + 2] = payloadLength >>> 16;
  target[offset + 3] = payloadLength >>> 24;
  target[offset + 4] = kind;
  target[offset + 5] = flags;
  target[offset + 6] = 0;
  target[offset + 7] = 0;
  const end = offset + FRAME_HEADER_SIZE + payloadLength;
  if (checksum) checksumFrame(target, offset, end);
  return end;
}

/** Fills in the CRC of the frame at [offset, end), whose header and payload are in place. */
function checksumFrame(target: Uint8Array, offset: number, end: number): void {
  let crc = crc32c(target, 0, offset, offset + 8);
  crc = crc32c(target, crc, offset + FRAME_HEADER_SIZE, end);
  target[offset + 8] = crc;
  target[offset + 9] = crc >>> 8;
  target[offset + 10] = crc >>> 16;
  target[offset + 11] = crc >>> 24;
}

/**
 * Where the frame at p ends, from its little-endian length field (byte loads, as sealFrame stores it). A byte
 * past the array reads as 0, as an undefined operand of | always did; frameBoundary's bound check follows.
 */
function frameEnd(bytes: Uint8Array, p: number): number {
  return p + FRAME_HEADER_SIZE + (((bytes[p] ?? 0) | ((bytes[p + 1] ?? 0) << 8) | ((bytes[p + 2] ?? 0) << 16) | ((bytes[p + 3] ?? 0) << 24)) >>> 0);
}

/**
 * Walks the frames of a batch in bytes[start, end) by their lengths and returns the first frame boundary at
 * or past `stopAfter` (`end` when the walk reaches it), so a caller can work in slices of whole frames.
 * The lengths are the writer's own, trusted; a frame that runs past `end` is a bug and throws RangeError.
 */
export function frameBoundary(bytes: Uint8Array, start: number, end: number, stopAfter = end): number {
  let p = start;
  while (p < end && p < stopAfter) {
    const next = frameEnd(bytes, p);
    if (next > end) throw new RangeError(`frame at ${p} runs past the batch end ${end}`);
    p = next;
  }
  return p;
}

/**
 * Of a batch bytes[0, end) whose write stopped after `written` bytes: the frames that made it whole, as their
 * count and length. A reader takes exactly those, up to the torn frame after them. Lengths trusted, as above.
 */
export function wholeFramesWithin(bytes: Uint8Array, end: number, written: number): { frames: number; length: number } {
  let frames = 0;
  let p = 0;
  for (let next = frameEnd(bytes, p); p < end && next <= written; next = frameEnd(bytes, p)) {
    p = next;
    frames++;
  }
  return { frames, length: p };
}

/**
 * Fills in the CRC of every frame in bytes[start, end), frames sealed with `checksum` false: the recorder
 * leaves the checksums to its writing thread, off the event loop. With `stopAfter`, stops at the first frame
 * boundary at or past it (frameBoundary), so a caller can work in slices. Returns the offset reached: `end`
 * once every frame is done.
 */
export function checksumFrames(bytes: Uint8Array, start: number, end: number, stopAfter = end): number {
  const stop = frameBoundary(bytes, start, end, stopAfter);
  for (let p = start; p < stop; ) {
    const next = frameEnd(bytes, p);
    checksumFrame(bytes, p, next);
    p = next;
  }
  return stop;
}

/** The length of `length` bytes once padToBlock has padded them. */
export function paddedLength(length: number): number {
  let gap = (BLOCK_SIZE - (length % BLOCK_SIZE)) % BLOCK_SIZE;
  if (gap > 0 && gap < FRAME_HEADER_SIZE) gap += BLOCK_SIZE;
  return length + gap;
}

/**
 * Pads bytes[0, length) with one padding frame so it ends on a BLOCK_SIZE boundary; returns the new length.
 * A gap too small for a frame header takes a whole extra block. `target` must have room for it.
 */
export function padToBlock(target: Uint8Array, length: number): number {
  const end = paddedLength(length);
  if (end === length) return length;
  target.fill(0, length + FRAME_HEADER_SIZE, end);
  return sealFrame(target, length, end - length - FRAME_HEADER_SIZE, FrameKind.padding, 0);
}
