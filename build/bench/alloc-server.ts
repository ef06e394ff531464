// The seed-004 bloat test's server: node:http, every request's body gzipped on libuv's thread pool (so
// malloc is hit from several threads, where glibc grows arenas), and a response of varied size.
// Prints its port, then serves until killed.
import { createServer } from 'node:http';
import { gzip } from 'node:zlib';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    gzip(body, (err, packed) => {
      if (err) {
        res.writeHead(500).end();
        return;
      }
      const reply = Buffer.alloc(1024 + (packed.length % 65536), 0x61);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-gzip-bytes': String(packed.length) }).end(reply);
    });
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  console.log(JSON.stringify({ port: typeof addr === 'object' && addr ? addr.port : 0 }));
});
