/*
 * The payload of a request frame (kind 1): one HTTP request as it arrived.
 *
 *   time:f64 (ms since the epoch, sub-ms precision)  peerPort:u16  peerAddress:u8-len latin1
 *   method:u8-len latin1  url:u32-len latin1  headerCount:u16 (name:u16-len value:u32-len)*
 *   body:u32-len bytes (compressed with the frame's codec)
 *   [sni:u16-len latin1]   only when the frame's TLS flag is set (format 3): the request came over TLS, and
 *                          this is the server name the client sent (empty when it sent none)
 *
 * Strings are latin1 because that is how Node hands out raw header and URL bytes: one char per byte,
 * so a round trip is byte-exact. Headers keep their order, case and repeats (req.rawHeaders).
 */
import { ArchiveError, FRAME_HEADER_SIZE, FrameKind, MAX_RECORD_TIME, sealFrame, TLS_FLAG } from './format.ts';

export interface RecordInput {
  time: number;
  peerAddress: string;
  peerPort: number;
  method: string;
  url: string;
  /** Flat [name, value, name, value, …], as req.rawHeaders. */
  rawHeaders: string[];
  /** The body as received, in chunks (no concat on the hot path), already compressed if flags say so. */
  body: readonly Uint8Array[];
  bodyLength: number;
  /**
   * Set only for a request that came over TLS: the SNI name ('' when the client sent none); the encoder then
   * sets the frame's TLS flag. A plain listener never sets it, so its records are as before.
   */
  sni?: string;
}

export interface ArchiveRecord {
  time: number;
  peer: { address: string; port: number };
  method: string;
  url: string;
  headers: [string, string][];
  /** Body bytes as stored (still compressed when codec is not 'none'). */
  body: Uint8Array;
  codec: number;
  /** The request came over TLS (format 3's TLS flag); `sni` is the server name its client sent, '' if none. */
  tls: boolean;
  sni: string;
}

export function recordPayloadSize(r: RecordInput): number {
  let n = 8 + 2 + 1 + r.peerAddress.length + 1 + r.method.length + 4 + r.url.length + 2 + 4 + r.bodyLength;
  const raw = r.rawHeaders;
  for (let i = 0; i < raw.length; i++) n += (i & 1 ? 4 : 2) + (raw[i]?.length ?? 0);
  if (r.sni !== undefined) n += 2 + r.sni.length;
  return n;
}

/** Fields that cannot be represented; Node's own parser limits keep real requests far inside these. */
export function recordProblem(r: RecordInput): string | null {
  if (r.peerAddress.length > 255) return 'peer address longer than 255 bytes';
  if (r.method.length > 255) return 'method longer than 255 bytes';
  if (r.rawHeaders.length / 2 > 0xffff) return 'more than 65535 headers';
  for (let i = 0; i < r.rawHeaders.length; i += 2) if ((r.rawHeaders[i]?.length ?? 0) > 0xffff) return 'header name longer than 65535 bytes';
  if (r.sni !== undefined && r.sni.length > 0xffff) return 'SNI name longer than 65535 bytes';
  return null;
}

/**
 * Encodes one request frame into `target` at `offset` (frame header included) and returns the offset just
 * past it, or -1 when it does not fit — the caller then seals the batch and retries in a fresh buffer.
 * Call recordProblem first: this function assumes the record is representable.
 */
export function encodeRequestFrame(target: Buffer, offset: number, r: RecordInput, flags: number): number {
  return encodeRequestFrameSized(target, offset, r, flags, recordPayloadSize(r));
}

// Longer strings go through Buffer#write; below this a JS loop is cheaper than the call into C++.
const SHORT_STRING = 48;

/** Writes s as latin1 (the low byte of each char, as Buffer#write does) at p; returns the end. */
function putLatin1(target: Buffer, s: string, p: number): number {
  const n = s.length;
  if (n > SHORT_STRING) return p + target.write(s, p, n, 'latin1');
  for (let i = 0; i < n; i++) target[p + i] = s.charCodeAt(i);
  return p + n;
}

function putU16(target: Buffer, v: number, p: number): number {
  target[p] = v;
  target[p + 1] = v >>> 8;
  return p + 2;
}

function putU32(target: Buffer, v: number, p: number): number {
  target[p] = v;
  target[p + 1] = v >>> 8;
  target[p + 2] = v >>> 16;
  target[p + 3] = v >>> 24;
  return p + 4;
}

/**
 * encodeRequestFrame with the payload size the caller already computed (the writer needs it to pick a buffer).
 * This runs once per recorded request, so it stores bytes directly: a request line and a handful of
 * headers are a dozen short strings, and a native call per string cost more than the loop. Without
 * `checksum` the frame's CRC is left for checksumFrames (format.ts).
 */
export function encodeRequestFrameSized(target: Buffer, offset: number, r: RecordInput, flags: number, payloadLength: number, checksum = true): number {
  if (offset + FRAME_HEADER_SIZE + payloadLength > target.length) return -1;
  let p = target.writeDoubleLE(r.time, offset + FRAME_HEADER_SIZE);
  p = putU16(target, r.peerPort, p);
  target[p++] = r.peerAddress.length;
  p = putLatin1(target, r.peerAddress, p);
  target[p++] = r.method.length;
  p = putLatin1(target, r.method, p);
  p = putU32(target, r.url.length, p);
  p = putLatin1(target, r.url, p);
  const raw = r.rawHeaders;
  p = putU16(target, raw.length >>> 1, p);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    // Both are there (i + 1 < raw.length); the defaults only tell the types so, and agree with recordPayloadSize.
    const name = raw[i] ?? '';
    const value = raw[i + 1] ?? '';
    p = putU16(target, name.length, p);
    p = putLatin1(target, name, p);
    p = putU32(target, value.length, p);
    p = putLatin1(target, value, p);
  }
  p = putU32(target, r.bodyLength, p);
  for (const chunk of r.body) {
    target.set(chunk, p);
    p += chunk.length;
  }
  // Only a TLS listener's records have an SNI; they get the TLS flag with it, whatever the caller passed.
  let frameFlags = flags;
  if (r.sni !== undefined) {
    p = putU16(target, r.sni.length, p);
    p = putLatin1(target, r.sni, p);
    frameFlags |= TLS_FLAG;
  }
  return sealFrame(target, offset, payloadLength, FrameKind.request, frameFlags, checksum);
}

/** Decodes a request payload; throws ArchiveError (offsets relative to `base`) when it is malformed. */
export function decodeRequestPayload(payload: Uint8Array, flags: number, base = 0): ArchiveRecord {
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  let p = 0;
  const need = (n: number, what: string) => {
    if (p + n > buf.length) throw new ArchiveError(`request record ends inside ${what}`, base + p);
  };
  // Plain byte reads, after `need` has checked the bounds: Buffer's readUInt*LE check them again in JavaScript, and
  // most of a short reader command runs before V8 compiles this function (cold, every bytecode counts).
  // biome-ignore-start lint/style/noNonNullAssertion: in-range reads, checked by need() first.
  const u8 = (at: number) => buf[at]!;
  const u16 = (at: number) => buf[at]! | (buf[at + 1]! << 8);
  const u32 = (at: number) => (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16)) + buf[at + 3]! * 0x1000000;
  // biome-ignore-end lint/style/noNonNullAssertion: the reads above.
  const str = (n: number, what: string) => {
    need(n, what);
    const s = buf.toString('latin1', p, p + n);
    p += n;
    return s;
  };
  need(8, 'time');
  const time = buf.readDoubleLE(p);
  p += 8;
  // Checked here, not left to a printer: a time no Date can hold must stop verify as it would stop cat.
  if (!(Math.abs(time) <= MAX_RECORD_TIME)) throw new ArchiveError(`request record time ${time} ms is outside the range of dates (±8.64e15 ms)`, base);
  need(3, 'peer');
  const port = u16(p);
  const addrLen = u8(p + 2);
  p += 3;
  const address = str(addrLen, 'peer address');
  need(1, 'method length');
  const method = str(u8(p++), 'method');
  need(4, 'url length');
  const urlLen = u32(p);
  p += 4;
  const url = str(urlLen, 'url');
  need(2, 'header count');
  const count = u16(p);
  p += 2;
  const headers: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    need(2, 'header name length');
    const nameLen = u16(p);
    p += 2;
    const name = str(nameLen, 'header name');
    need(4, 'header value length');
    const valueLen = u32(p);
    p += 4;
    headers.push([name, str(valueLen, 'header value')]);
  }
  need(4, 'body length');
  const bodyLen = u32(p);
  p += 4;
  need(bodyLen, 'body');
  const body = payload.subarray(p, p + bodyLen);
  p += bodyLen;
  const tls = (flags & TLS_FLAG) !== 0;
  let sni = '';
  if (tls) {
    need(2, 'SNI length');
    const sniLen = u16(p);
    p += 2;
    sni = str(sniLen, 'SNI name');
  }
  if (p !== buf.length) throw new ArchiveError(`${buf.length - p} stray bytes after the request record`, base + p);
  return { time, peer: { address, port }, method, url, headers, body, codec: flags & 0b11, tls, sni };
}
