/*
 * The capture server's listen. `server.listen({ host, port })` looks the host up first, even an IP address: Node
 * loads node:dns (and creates its c-ares channel) to answer the address with itself, then tests the answer against
 * its IPv6 regular expression (is it link-local?), whose first use compiles it: on Node 24.22 the listen() to
 * 'listening' took 12.7 ms against 3.4 ms bound directly (a VM whose page faults cost 11–18 µs; docs/benchmarks.md,
 * "Start-up: an IPv4 listen"). Where Node has net.BoundSocket (24.22 on), an IP address is bound synchronously, no
 * lookup, and the server adopts the socket. A host name, an older Node, or a cluster worker (whose listen goes through its
 * primary, which shares one socket among the workers) listen as before.
 */
import * as net from 'node:net';

/** What this module needs of net.BoundSocket (newer than the @types/node the project builds with). */
type BoundSocketClass = new (options: { host: string; port: number }) => object;

/**
 * How `host` is bound: 'bound' directly, or 'listen' (Node looks it up). `ipc`: the process has an IPC channel, as every
 * cluster worker has (Node deletes NODE_UNIQUE_ID from a worker's environment as it starts, so that says nothing here).
 */
export function listenPath(host: string, boundSocket: unknown, ipc: boolean): 'bound' | 'listen' {
  if (typeof boundSocket !== 'function' || ipc) return 'listen';
  return net.isIP(host) === 0 ? 'listen' : 'bound';
}

/** Listens on host:port; rejects with Node's error (EADDRINUSE, EACCES, …) as `listen` would emit it. */
export function listen(server: net.Server, host: string, port: number): Promise<void> {
  const BoundSocket = (net as { BoundSocket?: BoundSocketClass }).BoundSocket;
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      server.off('error', reject);
      resolve();
    };
    if (!BoundSocket || listenPath(host, BoundSocket, process.channel !== undefined) === 'listen') return void server.listen({ host, port }, listening);
    let bound: object;
    try {
      bound = new BoundSocket({ host, port });
    } catch (err) {
      server.off('error', reject);
      return reject(err);
    }
    server.listen(bound, listening);
  });
}
