/*
 * undici compiles its HTTP parser (llhttp, WebAssembly) on the process's first connection, on the event loop: 35–80 ms
 * here, charged to the latency of every request already handed over — with --concurrency 16, the first 16 of them.
 * A small replay's p50 and any replay's p99 showed the client's start, not the target (a helper's hunt: p50 80 ms
 * against 14 ms once warm). One exchange with a throwaway loopback listener before the clock starts makes that
 * compile there; where nothing may listen, the replay measures as it did.
 */
import { type AddressInfo, createServer } from 'node:net';
import { Client } from 'undici';

export async function warmHttpClient(): Promise<void> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
  });
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    const client = new Client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      await (await client.request({ path: '/', method: 'GET' })).body.dump();
    } finally {
      await client.close().catch(() => {});
    }
  } catch {
    // Best effort: the first requests then carry the compile, as before.
  } finally {
    server.close();
  }
}
