/*
 * Body compression. Pure functions over bytes (zlib's sync API does no I/O). Each frame says its own
 * codec, so a reader never needs outside state, and an archive may mix codecs.
 */
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { ArchiveError, Codec, type CodecName, MAX_PAYLOAD } from './format.ts';

export function codecName(n: number): CodecName {
  return n === Codec.gzip ? 'gzip' : n === Codec.brotli ? 'brotli' : 'none';
}

// Fast settings: recording must keep up with the listener, and request bodies are small.
export function compressBody(codec: number, body: Uint8Array): Buffer {
  if (codec === Codec.gzip) return gzipSync(body, { level: 1 });
  if (codec === Codec.brotli) return brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** The body as it was received; maxOutputLength stops a crafted frame from inflating without bound. */
export function decompressBody(codec: number, body: Uint8Array, offset = 0): Uint8Array {
  if (codec === Codec.none) return body;
  try {
    if (codec === Codec.gzip) return gunzipSync(body, { maxOutputLength: MAX_PAYLOAD });
    if (codec === Codec.brotli) return brotliDecompressSync(body, { maxOutputLength: MAX_PAYLOAD });
  } catch (err) {
    throw new ArchiveError(`cannot decompress ${codecName(codec)} body: ${(err as Error).message}`, offset);
  }
  throw new ArchiveError(`unknown body codec ${codec}`, offset);
}
