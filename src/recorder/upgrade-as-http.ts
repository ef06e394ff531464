/*
 * A request carrying `Upgrade` (h2c, WebSocket) is not upgraded here: RFC 9110 7.8 lets a server ignore the header and
 * go on with HTTP/1.1 on the connection, and a client may pipeline more requests behind such a one. Node's parser stops
 * at it: with no 'upgrade' listener the request was answered, but every byte that came with it in the same read — the
 * requests pipelined behind it — was dropped (Node 20, 22.22, 24.21 and 24.22 alike). So the recorder takes the upgrade
 * itself and gives the request back to a fresh parser on the same connection, as it came but for the `upgrade` token
 * of its Connection header (which alone makes the parser stop), followed by the bytes that came after it: the request,
 * its body and what follows are then read as any others. Its headers are recorded as they came (`takeHeadersAsCame`).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** The request's head as the parser reads it again: the request line and headers, Connection without `upgrade`. */
export function headWithoutUpgrade(req: Pick<IncomingMessage, 'method' | 'url' | 'httpVersion' | 'rawHeaders'>): Buffer {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    let value = req.rawHeaders[i + 1] as string;
    if (name.toLowerCase() === 'connection') {
      value = value
        .split(',')
        .map((token) => token.trim())
        .filter((token) => token !== '' && token.toLowerCase() !== 'upgrade')
        .join(', ');
      if (value === '') continue;
    }
    lines.push(`${name}: ${value}`);
  }
  // latin1: Node read each header byte as one character, so this gives the bytes back as they came.
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** The headers the request read again came with, by its connection; taken once, by the first request read there. */
const asCame = new WeakMap<Duplex, string[]>();

/** The headers `req` came with when it is the request given back to the parser, else its own (`req.rawHeaders`). */
export function takeHeadersAsCame(req: IncomingMessage): string[] {
  const raw = asCame.get(req.socket);
  if (raw === undefined) return req.rawHeaders;
  asCame.delete(req.socket);
  return raw;
}

/** Runs `then` once the connection has no answer still going out (Node's current response on it, then any queued). */
function afterAnswers(socket: Duplex, then: () => void): void {
  // Node's own field for the response being written on a socket (set and cleared by ServerResponse.assignSocket /
  // detachSocket since Node 0.x; not in @types/node). Pipelined answers behind it are assigned as each finishes.
  const current = (socket as { _httpMessage?: NodeJS.EventEmitter | null })._httpMessage;
  if (current) current.once('finish', () => setImmediate(afterAnswers, socket, then));
  else then();
}

/**
 * The 'upgrade' listener that reads an upgrade request as HTTP/1.1: `connectionEvent` is the event the server gives a
 * new connection to its HTTP parser on ('connection' for node:http, 'secureConnection' for node:https).
 */
export function upgradeAsHttp(server: Server, connectionEvent: 'connection' | 'secureConnection') {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Node has taken its listeners off the socket; until a parser has it again its errors are no one's.
    const ignore = () => {};
    socket.on('error', ignore);
    afterAnswers(socket, () => {
      if (socket.destroyed) return;
      socket.off('error', ignore);
      asCame.set(socket, req.rawHeaders);
      socket.unshift(Buffer.concat([headWithoutUpgrade(req), head]));
      server.emit(connectionEvent, socket);
    });
  };
}
