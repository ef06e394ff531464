// The seed-004 bloat test's server: an upload API doing, per request, the work a Node server sends to
// libuv's thread pool, so malloc runs on many threads (glibc gives each its own arena, up to 8 × cores):
//   1. gunzip the body when the client sent it gzip-encoded (inflate state: ~40 KiB per stream);
//   2. SHA-256 it with WebCrypto (subtle.digest runs on the pool, and the 32-byte digest it returns is
//      memory that pool thread malloc'd) and keep the digest in a dedup index of the last 4096 uploads:
//      a long-lived small allocation made right after that thread's burst of short-lived ones, so it
//      can sit high in the arena and keep glibc from trimming the arena's top (mixed lifetimes);
//   3. compress the reply as the client asks: brotli quality 4 (a usual on-the-fly setting; Node's
//      default 11 is for static assets) or gzip level 6 — encoder state from ~270 KiB (deflate) to a
//      4 MiB window (brotli's default lgwin 22) in pieces of many sizes, allocated and freed on whichever
//      pool thread runs that stream's chunks; once glibc has freed one such mmap'd piece its mmap
//      threshold rises to that size, so later ones come from the arenas.
// Measured (2 cores shared with other jobs, 5000 requests, runs vary by ±10 MiB): the previous load
// (gzip only, 8 pool threads, 2000 × 1–256 KiB) did not bloat glibc (109 MiB peak, 107 with
// MALLOC_ARENA_MAX=2). This one ends with 52–57 MiB in glibc's brk heap plus 60–90 MiB in 16–17 arena
// heaps; MALLOC_ARENA_MAX=2 (2–3 heaps, 46–49 MiB) takes 11–37 MiB off the peak: real arena bloat, but
// modest next to what no arena setting changes (the main thread's brk heap, 35–52 MiB of binary text).
// The index moved glibc's final RSS by 2 MiB (183 vs 181, one run each): kept, as real servers hold
// such data, but it is not what bloats here. Most of what static+jemalloc keeps is freed pages waiting
// out jemalloc's 10 s dirty decay, purged only when it next allocates (no background thread by
// default): MALLOC_CONF=dirty_decay_ms:0 gave 125/89 MiB peak/final instead of 180/176, and
// background_thread:true a final 109 MiB.
// Prints its port, then serves until killed.
import { webcrypto } from 'node:crypto';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gunzip, gzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);
const INDEX_SIZE = 4096;
const index = new Map<string, ArrayBuffer>();

async function handle(encoding: string | undefined, accept: string, raw: Buffer): Promise<{ body: Buffer; encoding: string; etag: string }> {
  const body = encoding === 'gzip' ? await gunzipAsync(raw) : raw;
  const digest = await webcrypto.subtle.digest('SHA-256', body);
  const etag = Buffer.from(digest).toString('hex');
  index.set(etag, digest);
  if (index.size > INDEX_SIZE) index.delete(index.keys().next().value as string);
  if (accept.includes('br')) return { body: await brotliAsync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }), encoding: 'br', etag };
  return { body: await gzipAsync(body), encoding: 'gzip', etag };
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    handle(req.headers['content-encoding'], req.headers['accept-encoding'] ?? '', Buffer.concat(chunks)).then(
      (r) => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': r.encoding, etag: `"${r.etag}"` }).end(r.body),
      (err: Error) => res.writeHead(400).end(err.message),
    );
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  console.log(JSON.stringify({ port: typeof addr === 'object' && addr ? addr.port : 0 }));
});
