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

function cutShort(what: string, at: number): never {
  throw new ArchiveError(`request record ends inside ${what}`, at);
}

// biome-ignore-start lint/style/noNonNullAssertion: plain byte reads, every caller has checked the bounds first.
// (Buffer's readUInt*LE check them again in JavaScript, and most of a short reader command runs before V8 compiles the
// decoder: cold, every bytecode counts. Functions at module level, not closures per call: a closure is an allocation
// and, with the bundle's keepNames, a defineProperty each.)
const u16 = (b: Buffer, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Buffer, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;

/** Decodes a request payload; throws ArchiveError (offsets relative to `base`) when it is malformed. */
export function decodeRequestPayload(payload: Uint8Array, flags: number, base = 0): ArchiveRecord {
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const end = buf.length;
  if (end < 8) cutShort('time', base);
  const time = buf.readDoubleLE(0);
  // Checked here, not left to a printer: a time no Date can hold must stop verify as it would stop cat.
  if (!(Math.abs(time) <= MAX_RECORD_TIME)) throw new ArchiveError(`request record time ${time} ms is outside the range of dates (±8.64e15 ms)`, base);
  if (end < 11) cutShort('peer', base + 8);
  const port = u16(buf, 8);
  // First pass: every length checked against the payload, up to the end of the last header value. The strings from
  // the peer address to there are then one latin1 decode and a slice each: a native call per string was the largest
  // part of decoding a record (docs/benchmarks.md, "stats: where the time went").
  const addressAt = 11;
  let p = addressAt + buf[10]!;
  if (p > end) cutShort('peer address', base + addressAt);
  if (p + 1 > end) cutShort('method length', base + p);
  const methodAt = p + 1;
  p = methodAt + buf[p]!;
  if (p > end) cutShort('method', base + methodAt);
  if (p + 4 > end) cutShort('url length', base + p);
  const urlAt = p + 4;
  p = urlAt + u32(buf, p);
  if (p > end) cutShort('url', base + urlAt);
  if (p + 2 > end) cutShort('header count', base + p);
  const count = u16(buf, p);
  p += 2;
  const headersAt = p;
  for (let i = 0; i < count; i++) {
    if (p + 2 > end) cutShort('header name length', base + p);
    const nameAt = p + 2;
    p = nameAt + u16(buf, p);
    if (p > end) cutShort('header name', base + nameAt);
    if (p + 4 > end) cutShort('header value length', base + p);
    const valueAt = p + 4;
    p = valueAt + u32(buf, p);
    if (p > end) cutShort('header value', base + valueAt);
  }
  // Positions below are into `text`, which starts at the peer address.
  const text = buf.toString('latin1', addressAt, p);
  const address = text.slice(0, methodAt - 1 - addressAt);
  const method = text.slice(methodAt - addressAt, urlAt - 4 - addressAt);
  const url = text.slice(urlAt - addressAt, headersAt - 2 - addressAt);
  const headers: [string, string][] = [];
  for (let i = 0, q = headersAt; i < count; i++) {
    const nameAt = q + 2;
    const valueLengthAt = nameAt + u16(buf, q);
    const valueAt = valueLengthAt + 4;
    q = valueAt + u32(buf, valueLengthAt);
    headers.push([text.slice(nameAt - addressAt, valueLengthAt - addressAt), text.slice(valueAt - addressAt, q - addressAt)]);
  }
  if (p + 4 > end) cutShort('body length', base + p);
  const bodyAt = p + 4;
  p = bodyAt + u32(buf, p);
  if (p > end) cutShort('body', base + bodyAt);
  const body = payload.subarray(bodyAt, p);
  const tls = (flags & TLS_FLAG) !== 0;
  let sni = '';
  if (tls) {
    if (p + 2 > end) cutShort('SNI length', base + p);
    const sniAt = p + 2;
    p = sniAt + u16(buf, p);
    if (p > end) cutShort('SNI name', base + sniAt);
    sni = buf.toString('latin1', sniAt, p);
  }
  if (p !== end) throw new ArchiveError(`${end - p} stray bytes after the request record`, base + p);
  return { time, peer: { address, port }, method, url, headers, body, codec: flags & 0b11, tls, sni };
}
// biome-ignore-end lint/style/noNonNullAssertion: the byte reads above.
