/*
 * Compression: of a batch of frames (format 4, batch.ts, what the recorder writes) and of one body (formats 1–3,
 * still read). Pure functions over bytes (zlib's sync API does no I/O). Each frame says its own codec, so a
 * reader never needs outside state, and an archive may mix codecs.
 *
 * zstd is in Node's zlib from 22.15 (and 23.8); the shipped runtime has it. On a runtime without it, recording
 * with zstd is refused at start (zstdMissing), and reading a zstd frame is a CodecUnavailableError for that
 * frame: the frame is not bad, this runtime cannot open it.
 */
import { ArchiveError, Codec, type CodecName, MAX_PAYLOAD } from './format.ts';

/** node:zlib when first used: a command that neither compresses nor reads a compressed frame never loads it. */
let zlibModule: typeof import('node:zlib') | undefined;
const zlib = () => (zlibModule ??= process.getBuiltinModule('node:zlib'));

/** Node 22.15+ (zlib.zstdCompressSync): read through the namespace so an older runtime finds undefined, not a link error. */
interface ZstdZlib {
  zstdCompressSync?: (body: Uint8Array, options: { params: Record<number, number>; chunkSize?: number }) => Buffer;
  zstdDecompressSync?: (body: Uint8Array, options: { maxOutputLength: number }) => Buffer;
}
const zstd = () => zlib() as unknown as ZstdZlib;
/** ZSTD_c_compressionLevel, the same number in every zstd (zstd.h); older Node has no constant for it. */
const ZSTD_C_COMPRESSION_LEVEL = 100;

export function codecName(n: number): CodecName {
  return n === Codec.gzip ? 'gzip' : n === Codec.brotli ? 'brotli' : n === Codec.zstd ? 'zstd' : 'none';
}

/**
 * The levels each codec takes (--compress-level) and the one recording uses by default: the fastest, since
 * the writing thread must keep up with the listener.
 */
export const CODEC_LEVELS: Record<Exclude<CodecName, 'none'>, { min: number; max: number; default: number }> = {
  gzip: { min: 1, max: 9, default: 1 },
  brotli: { min: 0, max: 11, default: 1 },
  zstd: { min: 1, max: 22, default: 1 },
};

/** Why this runtime cannot use zstd, naming its version; null when it can. */
export function zstdMissing(): string | null {
  const { zstdCompressSync, zstdDecompressSync } = zstd();
  if (typeof zstdCompressSync === 'function' && typeof zstdDecompressSync === 'function') return null;
  return `this runtime (Node ${process.version}) has no zstd in zlib: it needs Node 22.15 or later`;
}

/** A frame whose codec this runtime lacks (zstd before Node 22.15): not corruption, so never cut by `verify --repair`. */
export class CodecUnavailableError extends ArchiveError {
  override name = 'CodecUnavailableError';
}

/**
 * Room for a whole compressed body in Node's output buffer (`chunkSize`: ZSTD_compressBound and a little), at most
 * MAX_CHUNK. Given all its input at once and room for all its output, zstd compresses in one pass straight into it;
 * with Node's default 16 KiB it streams through buffers of its own, allocated (page faults, zeroing) on every call:
 * 0.67× the rate on a quarter-MiB slice (npm run bench:codecs). gzip and brotli gain nothing from it.
 */
function zstdOutputRoom(length: number): number {
  return Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, length + (length >>> 7) + 1024));
}
const MIN_CHUNK = 16 * 1024;
const MAX_CHUNK = 4 * 1024 * 1024;

/** A compressor for one codec and level (it runs per batch slice, or per body in tests). */
export function compressor(codec: number, level?: number): (body: Uint8Array) => Buffer {
  if (codec === Codec.gzip) {
    const options = { level: level ?? CODEC_LEVELS.gzip.default };
    const { gzipSync } = zlib();
    return (body) => gzipSync(body, options);
  }
  if (codec === Codec.brotli) {
    const quality = level ?? CODEC_LEVELS.brotli.default;
    const { brotliCompressSync, constants } = zlib();
    return (body) => brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  }
  if (codec === Codec.zstd) {
    const compress = zstd().zstdCompressSync;
    if (compress === undefined) throw new CodecUnavailableError(`cannot compress with zstd: ${zstdMissing()}`, 0);
    const zstdLevel = level ?? CODEC_LEVELS.zstd.default;
    return (body) => compress(body, { params: { [ZSTD_C_COMPRESSION_LEVEL]: zstdLevel }, chunkSize: zstdOutputRoom(body.length) });
  }
  return (body) => Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** What a timed compressor adds up: the bytes given to the codec, and its wall time on them (ms). */
export interface CodecTally {
  codecInputBytes: number;
  codecMs: number;
}

/**
 * `compress`, timed into `tally`. Wall time, which is what delays the next batch on the writing thread (a thread's
 * CPU time from getrusage moves in scheduler ticks, too coarse for sub-ms calls). The recorder's summary and
 * bench:codecs both count with it.
 */
export function timedCompressor(compress: (raw: Uint8Array) => Uint8Array, tally: CodecTally): (raw: Uint8Array) => Uint8Array {
  return (raw) => {
    const started = performance.now();
    const packed = compress(raw);
    tally.codecMs += performance.now() - started;
    tally.codecInputBytes += raw.length;
    return packed;
  };
}

/** MiB of input compressed per second of codec time; null before any time was counted. */
export function codecRate(tally: CodecTally): number | null {
  return tally.codecMs > 0 ? tally.codecInputBytes / 2 ** 20 / (tally.codecMs / 1000) : null;
}

/** One body compressed with the codec's default level (tests and fixtures; the recorder keeps a bodyCompressor). */
export function compressBody(codec: number, body: Uint8Array, level?: number): Buffer {
  return compressor(codec, level)(body);
}

/**
 * The bytes before compression; `maxOutputLength` (at most MAX_PAYLOAD) stops a crafted frame from inflating
 * without bound. `what` names the thing in errors ("body", "batch").
 */
export function decompress(codec: number, bytes: Uint8Array, offset = 0, what = 'body', maxOutputLength = MAX_PAYLOAD): Uint8Array {
  if (codec === Codec.none) return bytes;
  const { gunzipSync, brotliDecompressSync } = zlib();
  const decompressZstd = zstd().zstdDecompressSync;
  if (codec === Codec.zstd && decompressZstd === undefined) throw new CodecUnavailableError(`cannot decompress zstd ${what}: ${zstdMissing()}`, offset);
  const options = { maxOutputLength: Math.min(maxOutputLength, MAX_PAYLOAD) };
  try {
    if (codec === Codec.gzip) return gunzipSync(bytes, options);
    if (codec === Codec.brotli) return brotliDecompressSync(bytes, options);
    if (codec === Codec.zstd && decompressZstd) return decompressZstd(bytes, options);
  } catch (err) {
    // Node's wording for the cap ("Cannot create a Buffer larger than N bytes") says nothing of the archive.
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new InflatesPastLimitError(`${codecName(codec)} ${what} inflates to more than ${options.maxOutputLength} bytes`, offset, options.maxOutputLength);
    throw new ArchiveError(`cannot decompress ${codecName(codec)} ${what}: ${(err as Error).message}`, offset);
  }
  throw new ArchiveError(`unknown ${what} codec ${codec}`, offset);
}

/** A compressed body or batch that inflates past the limit it was read with (decompress's maxOutputLength). */
export class InflatesPastLimitError extends ArchiveError {
  override name = 'InflatesPastLimitError';
  constructor(
    message: string,
    offset: number,
    readonly limit: number,
  ) {
    super(message, offset);
  }
}

/** A record's body as it was received (a body compressed on its own: formats 1–3). */
export function decompressBody(codec: number, body: Uint8Array, offset = 0): Uint8Array {
  return decompress(codec, body, offset);
}
