/*
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum iSCSI, ext4 and SCTP use.
 * Written here rather than taken from npm: it is short, the archive format depends on it, and the
 * fast packages are native addons, which a SEA cannot load. Slicing-by-16 (one 16 KiB table, 16 bytes
 * per step) reading the input as aligned 32-bit words, well ahead of a load per byte (measured: docs/archive.md,
 * "CRC32C"); the recorder checksums every frame on its hot path.
 */

import { CRC32C_TABLE_BASE64 } from './crc32c-table.ts';

const POLY = 0x82f63b78;

// Word loads read bytes in the machine's order; the table needs little-endian (x64 and arm64 are).
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

// T[k*256 + b]: CRC of byte b followed by k zero bytes. One flat array keeps every lookup a plain index. Filled on the
// first checksum (a command that loads the archive code and checksums nothing, `record` without --out, never fills
// it), from crc32c-table.ts's bytes on a little-endian machine, else computed. A const array: the hot loop ran 20%
// slower reading the table through a variable. Int32, not Uint32, though a CRC is unsigned: the XORs see the same 32
// bits, and an entry of 2^31 or more read from a Uint32Array is a heap number in code V8 has not optimized yet, which is
// most of a short command's run (a fresh process's first pass over 1 MiB: 8.0 → 6.8 ms, 511 → 314 page faults).
const T = new Int32Array(16 * 256);
let tableMade = false;

function makeTable(): void {
  if (LITTLE_ENDIAN) Buffer.from(T.buffer).write(CRC32C_TABLE_BASE64, 'base64');
  else T.set(computeTable());
  tableMade = true;
}

/**
 * The table by its definition: row 0 bit by bit; each later row is the one before it run through one more zero byte,
 * one lookup in row 0.
 */
export function computeTable(): Uint32Array {
  const t = new Uint32Array(16 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c;
  }
  // biome-ignore lint/style/noNonNullAssertion: i - 256 and the masked index are inside the table by construction.
  for (let i = 256; i < t.length; i++) t[i] = (t[i - 256]! >>> 8) ^ t[t[i - 256]! & 0xff]!;
  return t;
}

// One Int32Array over the last ArrayBuffer seen (it holds that one buffer until the next call): the
// recorder checksums frame after frame in the same pooled batch buffer, and a view per call is not free
// (docs/benchmarks.md, "Design figures").
let viewOf: ArrayBufferLike | null = null;
let view: Int32Array<ArrayBufferLike> = new Int32Array(0);

/** CRC32C of bytes[start, end), continuing from a previous result `crc` (0 to start). */
export function crc32c(bytes: Uint8Array, crc = 0, start = 0, end = bytes.length): number {
  if (!tableMade) makeTable();
  let c = ~crc;
  let i = start;
  if (end - start >= 32 && LITTLE_ENDIAN) {
    // Bytes up to a 4-byte boundary of the underlying buffer, then 16 bytes as four aligned words per step.
    // biome-ignore lint/style/noNonNullAssertion: hot loop; i < head <= end <= bytes.length, and the index into T is masked to 0..255.
    for (const head = start + ((4 - ((bytes.byteOffset + start) & 3)) & 3); i < head; i++) c = (c >>> 8) ^ T[(c ^ bytes[i]!) & 0xff]!;
    if (viewOf !== bytes.buffer || view.length !== bytes.buffer.byteLength >>> 2) {
      view = new Int32Array(bytes.buffer, 0, bytes.buffer.byteLength >>> 2);
      viewOf = bytes.buffer;
    }
    const w = view;
    let j = (bytes.byteOffset + i) >>> 2;
    // The hot loop, left as plain indexed loads (a checked read or `?? 0` per load is what the ignore saves): j stays
    // inside the view (last is whole 16-byte steps before end), and every index into T is a row base plus a byte.
    // biome-ignore-start lint/style/noNonNullAssertion: in-range loads by construction, see above.
    for (const last = j + (((end - i) >>> 4) << 2); j < last; j += 4) {
      const a = c ^ w[j]!;
      const b = w[j + 1]!;
      const d = w[j + 2]!;
      const e = w[j + 3]!;
      c =
        T[3840 + (a & 0xff)]! ^
        T[3584 + ((a >>> 8) & 0xff)]! ^
        T[3328 + ((a >>> 16) & 0xff)]! ^
        T[3072 + (a >>> 24)]! ^
        T[2816 + (b & 0xff)]! ^
        T[2560 + ((b >>> 8) & 0xff)]! ^
        T[2304 + ((b >>> 16) & 0xff)]! ^
        T[2048 + (b >>> 24)]! ^
        T[1792 + (d & 0xff)]! ^
        T[1536 + ((d >>> 8) & 0xff)]! ^
        T[1280 + ((d >>> 16) & 0xff)]! ^
        T[1024 + (d >>> 24)]! ^
        T[768 + (e & 0xff)]! ^
        T[512 + ((e >>> 8) & 0xff)]! ^
        T[256 + ((e >>> 16) & 0xff)]! ^
        T[e >>> 24]!;
    }
    // biome-ignore-end lint/style/noNonNullAssertion: end of the hot loop.
    i = j * 4 - bytes.byteOffset;
  }
  // biome-ignore lint/style/noNonNullAssertion: hot loop (the tail, or every byte of a short input); i < end <= bytes.length, T's index is masked to 0..255.
  for (; i < end; i++) c = (c >>> 8) ^ T[(c ^ bytes[i]!) & 0xff]!;
  return ~c >>> 0;
}
