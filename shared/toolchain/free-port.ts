import { createServer } from 'node:net';

/** A port on 127.0.0.1 nothing listened on a moment ago (the kernel's pick for port 0), for a server the caller starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
