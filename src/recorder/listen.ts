/*
 * The capture server's listen. `server.listen({ host, port })` costs a start three things an IP address does not need:
 * it looks the host up (Node loads node:dns and creates its c-ares channel to answer the address with itself), tests
 * the answer against its IPv6 regular expression (compiled on first use), and loads node:cluster — with child_process
 * and dgram — to ask whether this process is a cluster worker (`listenInCluster`, on every listen, a BoundSocket's
 * too). On the official 24.22 that was 12.7 ms of listen() to 'listening' against 3.4 ms bound directly on a VM whose
 * page faults cost 11–18 µs (docs/benchmarks.md, "Start-up: an IPv4 listen"), and cluster alone ~2 ms more.
 *
 * What listenInCluster does in a process that is no worker is `server._listen2(address, port, family, backlog)`:
 * bind, listen, 'listening' on the next tick (Node keeps the name "to avoid breaking code that wraps this method").
 * An IP address outside a cluster worker is listened on so, directly; a host name, a worker (whose listen goes
 * through its primary, which shares one socket among the workers) and a Node without the method listen as before.
 */
import * as net from 'node:net';

/** The legacy listen step of net.Server (lib/net.js setupListenHandle), not in @types/node. */
type Listen2 = (address: string, port: number, family: 4 | 6, backlog: number, fd?: number, flags?: number) => void;

/** Node's backlog when none is given (lib/net.js: 511, which the kernel rounds to 512). */
const BACKLOG = 511;

/**
 * How `host` is listened on: 'direct' (bound and listened at once), or 'listen' (Node looks it up). `ipc`: the
 * process has an IPC channel, as every cluster worker has (Node deletes NODE_UNIQUE_ID from a worker's environment as
 * it starts, so that says nothing here).
 */
export function listenPath(host: string, listen2: unknown, ipc: boolean): 'direct' | 'listen' {
  if (typeof listen2 !== 'function' || ipc) return 'listen';
  return net.isIP(host) === 0 ? 'listen' : 'direct';
}

/** Listens on host:port; rejects with Node's error (EADDRINUSE, EACCES, …) as `listen` would emit it. */
export function listen(server: net.Server, host: string, port: number): Promise<void> {
  const direct = server as net.Server & { _listen2?: Listen2; _listeningId?: number };
  return new Promise<void>((resolve, reject) => {
    const failed = (err: Error) => {
      server.off('listening', listening);
      reject(err);
    };
    const listening = () => {
      server.off('error', failed);
      resolve();
    };
    server.once('error', failed);
    server.once('listening', listening);
    if (listenPath(host, direct._listen2, process.channel !== undefined) === 'listen') return void server.listen({ host, port });
    // As listen() does first: a listen still pending from before is told apart from this one.
    if (typeof direct._listeningId === 'number') direct._listeningId++;
    // isIP: 4 or 6 here (isIPv4 first, so an IPv4 address never compiles the IPv6 expression).
    direct._listen2?.(host, port, net.isIP(host) as 4 | 6, BACKLOG, undefined, 0);
  });
}
