/*
 * The capture listener: answers every request with the configured status as soon as its body has
 * arrived (never waiting for the disk), and hands the request to the batch writer when it is sampled.
 * Without a writer it is a pure blackhole that only counts.
 *
 * A request goes to the writer when its answer has gone out (the response's 'finish': handed to the
 * kernel), not when it is answered: the archive holds exactly the requests whose 2xx was sent. A valid
 * request followed by junk in the same packet is answered a tick after the parser has met the junk and
 * the connection has been ended with a 400: its 2xx never goes out, and it is not recorded (issue 23).
 *
 * With `ackWritten` (record --ack written) the order turns round: the request goes to the writer first and
 * is answered when its batch is written — 2xx — or when it is dropped instead (a full disk, a writer behind
 * the disk), or at once when the format cannot hold it (recordProblem) — 503, never a 2xx for a request that is
 * not on disk. The archive then holds every request that
 * got a 2xx, and also any whose connection failed while it waited (its client saw no answer, and may retry). Junk
 * after such a request gets its 400 after the request's answer: the request is on disk already.
 *
 * With `tls` it serves HTTPS instead: HTTP/1.1 over TLS, ALPN `http/1.1`. A client whose ALPN offers only
 * other protocols (an HTTP/2-only client: h2) is refused in the handshake with TLS's no_application_protocol
 * alert (RFC 7301) and a log line, at most one a second. Each recorded request then carries the TLS flag
 * and the SNI name; without `tls` nothing of this runs per request but one test of a constant.
 */
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Codec } from '../archive/format.ts';
import { type RecordInput, recordProblem } from '../archive/record.ts';
import { errLine } from '../output.ts';
import type { BatchWriter } from './batch-writer.ts';
import { listen } from './listen.ts';
import type { TlsCredentials } from './tls-identity.ts';
import { takeHeadersAsCame, upgradeAsHttp } from './upgrade-as-http.ts';

export interface CaptureOptions {
  host: string;
  port: number;
  status: number;
  maxBody: number;
  sample: number;
  headerTimeoutMs: number;
  /**
   * The whole request — headers and body — must arrive within this from its first byte, or it gets 408 (0: no limit;
   * DEFAULT_REQUEST_TIMEOUT_MS when absent). At least headerTimeoutMs when not 0: Node refuses a smaller one.
   */
  requestTimeoutMs?: number;
  /** Where recorded requests go; null to only count. A promise while the writer starts: requests wait for it, unread. */
  writer: BatchWriter | Promise<BatchWriter> | null;
  /** Answer a recorded request only once its batch is written (durability.ts). */
  ackWritten?: boolean;
  /** Serve HTTPS with this PEM certificate and key, or PKCS#12 bundle (checked beforehand: tls-identity.ts, tls-pfx.ts). */
  tls?: TlsCredentials | null;
  /** Where the listener's occasional lines go (a refused HTTP/2-only client); stderr by default. */
  log?: (line: string) => void;
}

export interface CaptureCounters {
  requests: number;
  bodyBytes: number;
  recorded: number;
  sampledOut: number;
  tooLarge: number;
  malformed: number;
  timeouts: number;
  /** CONNECT requests, answered 501 (no tunnels here), and requests whose Expect was not 100-continue, answered 417. */
  connectRefused: number;
  expectationFailed: number;
  unrecordable: number;
  /** TLS connections that failed their handshake (any reason), and of those the ones refused for offering no http/1.1 in ALPN. */
  tlsErrors: number;
  h2Refused: number;
}

export function emptyCaptureCounters(): CaptureCounters {
  return { requests: 0, bodyBytes: 0, recorded: 0, sampledOut: 0, tooLarge: 0, malformed: 0, timeouts: 0, connectRefused: 0, expectationFailed: 0, unrecordable: 0, tlsErrors: 0, h2Refused: 0 };
}

export interface Capture {
  server: Server | HttpsServer;
  address: { host: string; port: number };
  counters: CaptureCounters;
  /** Stops accepting, lets in-flight requests finish for up to graceMs, then closes every connection. */
  close(graceMs?: number): Promise<void>;
}

const EMPTY = ['Content-Length', '0'];

/** record --request-timeout's default: Node's own (300 s) would let a trickled body hold a connection for minutes. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The whole-request deadline when none is given: 30 s, or the headers' own timeout when that is longer (Node refuses less). */
export const defaultRequestTimeoutMs = (headerTimeoutMs: number): number => Math.max(headerTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS);

/** Content-Length from the raw headers: reading req.headers would build Node's lazy headers object per request. */
function declaredLength(raw: string[]): number {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (name.length === 14 && name.toLowerCase() === 'content-length') return Number(raw[i + 1]);
  }
  return -1;
}

/** A lingering close reads and discards at most this long, and this much, before the connection is destroyed. */
export const LINGER_MS = 2_000;
export const LINGER_BYTES = 16 * 2 ** 20;

/**
 * A lingering close (as Apache and nginx do it) for a request answered before its body was read (413, 417): Node ends a
 * Connection: close response with socket.destroySoon(), FIN and then close(), and a close() with the body still
 * unread in the kernel sends a reset — which a client still sending its body (no Expect: 100-continue) usually met
 * before it had read the 413 (EPIPE, ECONNRESET). Instead: FIN after the answer, then the rest read and discarded
 * until the client closes, or for at most LINGER_MS and LINGER_BYTES; then the connection is destroyed.
 */
function lingerOnClose(req: IncomingMessage): void {
  const socket = req.socket;
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) socket.destroy();
  });
  req.resume();
  socket.destroySoon = () => {
    // The server is half-open: after this end, the socket still reads (into the parser, and `req` discards it).
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    socket.once('close', () => clearTimeout(timer));
  };
}

export async function startCapture(opts: CaptureOptions): Promise<Capture> {
  const c = emptyCaptureCounters();
  const { status, maxBody, sample } = opts;
  let writer = opts.writer instanceof Promise ? null : opts.writer;
  // Requests that came while the writer was starting, handled in order once it has (never, if it cannot start:
  // the recorder then closes the listener, and they go unanswered).
  let waiting: (() => void)[] | null = null;
  if (opts.writer instanceof Promise) {
    const queue: (() => void)[] = [];
    waiting = queue;
    opts.writer.then(
      (w) => {
        writer = w;
        waiting = null;
        for (const handle of queue) handle();
      },
      () => {},
    );
  }
  const tls = opts.tls ?? null;
  const log = opts.log ?? errLine;
  const noBody = status === 204 || status === 304;
  const ackWritten = opts.ackWritten === true;

  /** `sent` runs once the answer is handed to the kernel; never when the connection fails first. */
  const answer = (res: ServerResponse, sent?: () => void) => {
    if (noBody) res.writeHead(status);
    else res.writeHead(status, EMPTY);
    res.end(sent);
  };

  // 413 and close: the rest of an oversized body is not kept, so the connection cannot be reused. It is closed
  // lingering (below), so that the client reads its 413.
  const tooLarge = (req: IncomingMessage, res: ServerResponse) => {
    c.tooLarge++;
    req.removeAllListeners('data');
    if (!res.headersSent) {
      lingerOnClose(req);
      res.writeHead(413, { 'Content-Length': '0', Connection: 'close' });
    }
    res.end();
  };

  // The body within --max-body (413 past it, nothing else lost); `chunks` keeps it, null only counts it
  // (no --out, or sampled out: hold nothing). `done` runs at its end with the length.
  const readBody = (req: IncomingMessage, res: ServerResponse, chunks: Buffer[] | null, done: (length: number) => void) => {
    let length = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBody) {
        over = true;
        return tooLarge(req, res);
      }
      chunks?.push(chunk);
    });
    req.on('end', () => {
      // Ended by us first (a 408 for a body past --request-timeout that still came in, the server being half-open):
      // no request to answer or record, and no body counted.
      if (over || req.socket.writableEnded) return;
      c.bodyBytes += length;
      done(length);
    });
  };
  const countOnly = (req: IncomingMessage, res: ServerResponse) => readBody(req, res, null, () => answer(res));

  // --ack written: a request that will not be on disk is told so; the body says why. The client may retry one that
  // was dropped (Retry-After), not one that cannot be recorded at all (`retry` false): it would fail the same way.
  const notRecorded = (res: ServerResponse, why: string, retry = true) => {
    if (res.headersSent || res.destroyed) return;
    const text = `not recorded: ${why}\n`;
    res.writeHead(503, { 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(text)), ...(retry ? { 'Retry-After': '1' } : {}) });
    res.end(text);
  };
  const whyDropped = (w: BatchWriter) => (w.error ? `the archive cannot be written (${w.error.message})` : 'the recorder is behind the disk');

  // --ack written: each connection's last answer still waiting for its batch. What clientError sends for bytes that
  // came after that request waits for it: the request is on disk, and its 2xx is due first.
  const awaiting = new WeakMap<Socket, ServerResponse>();

  /** --ack written: into the batch first, answered once the batch is written. */
  const recordThenAnswer = (req: IncomingMessage, res: ServerResponse, w: BatchWriter, input: RecordInput) => {
    // The 400 of junk after the request (see above) has already ended the connection: no answer can go out.
    if (req.socket.writableEnded || req.socket.destroyed) return;
    const appended = w.append(input, Codec.none, (written) => (written ? answer(res) : notRecorded(res, whyDropped(w))));
    if (appended) {
      c.recorded++;
      awaiting.set(req.socket, res);
    } else notRecorded(res, whyDropped(w));
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (waiting) {
      waiting.push(() => onRequest(req, res));
      return;
    }
    c.requests++;
    // An upgrade request read again (upgrade-as-http.ts) is recorded with the headers it came with.
    const rawHeaders = takeHeadersAsCame(req);
    if (declaredLength(req.rawHeaders) > maxBody) return tooLarge(req, res);
    const w = writer;
    if (w === null) return countOnly(req, res);
    if (sample < 1 && Math.random() >= sample) {
      c.sampledOut++;
      return countOnly(req, res);
    }
    const time = performance.timeOrigin + performance.now();
    const chunks: Buffer[] = [];
    readBody(req, res, chunks, (length) => {
      // Built now: by 'finish' the socket of a Connection: close request may be gone, and its peer with it.
      const input = recordable(req, rawHeaders, time, chunks, length);
      // One the format cannot hold (recordProblem): --ack written answers no 2xx for a request not on disk.
      if (typeof input === 'string') return ackWritten ? notRecorded(res, `the archive format cannot hold this request (${input})`, false) : answer(res);
      if (ackWritten) return recordThenAnswer(req, res, w, input);
      answer(res, () => {
        if (w.append(input, Codec.none)) c.recorded++;
      });
    });
  };

  /**
   * The request as a record input; when it cannot be recorded, why not. Its body goes in as it came (frame flags
   * Codec.none): --compress compresses whole batches on the writing thread (archive-sink.ts), not each body here.
   */
  const recordable = (req: IncomingMessage, rawHeaders: string[], time: number, chunks: Buffer[], length: number): RecordInput | string => {
    const input: RecordInput = {
      time,
      peerAddress: req.socket.remoteAddress ?? '',
      peerPort: req.socket.remotePort ?? 0,
      method: req.method ?? '',
      url: req.url ?? '',
      rawHeaders,
      body: chunks,
      bodyLength: length,
    };
    // TLS: the SNI name the client sent ('' for none, e.g. a client that connected by IP address).
    if (tls !== null) input.sni = (req.socket as TLSSocket).servername || '';
    const problem = recordProblem(input);
    if (problem) {
      c.unrecordable++;
      return problem;
    }
    return input;
  };

  const httpOptions: ServerOptions = {
    headersTimeout: opts.headerTimeoutMs,
    requestTimeout: opts.requestTimeoutMs ?? defaultRequestTimeoutMs(opts.headerTimeoutMs),
    // Node checks those timeouts on this interval (30 s by default): the timeout is only as sharp as it.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(opts.headerTimeoutMs / 4))),
    keepAliveTimeout: 5_000,
    // An HTTP/1.1 request without Host is recorded like any other (Node would answer 400 before onRequest saw it):
    // a recorder takes what clients send, and the archive holds a request's headers as they came.
    requireHostHeader: false,
  };
  const server =
    tls === null
      ? createServer(httpOptions, onRequest)
      : // node:https only when serving HTTPS: a plain record start does not load it (tls-identity.ts says why).
        process.getBuiltinModule('node:https').createServer(
          // A handshake that never completes (a silent peer, a trickled ClientHello) is cut like slow headers.
          { ...httpOptions, allowHalfOpen: true, ...('pfx' in tls ? { pfx: tls.pfx, passphrase: tls.passphrase } : { cert: tls.cert, key: tls.key }), ALPNProtocols: ['http/1.1'], handshakeTimeout: opts.headerTimeoutMs },
          onRequest,
        );

  // Every header is recorded (the format keeps their order, case and repeats): Node's default of 2,000 entries in
  // rawHeaders cut the rest off silently up to Node 22 (Node 24 answers 431). The header bytes stay bounded by
  // Node's --max-http-header-size (16 KiB; over it 431, counted malformed).
  server.maxHeadersCount = 0;

  // A client may half-close once its request is sent (shutdown(SHUT_WR): `s.end(request)` in node:net, `curl` with
  // an upload from stdin). Node's default (httpAllowHalfOpen false) then ends the socket at once, and an answer not
  // yet sent — --ack written's, which waits for the batch — never reaches the client, though its request is
  // recorded. Half-open, Node marks the response in progress (or the last pipelined one) as the connection's last:
  // the socket still closes, right after that answer. Over TLS the TLS socket must stay half-open too: node:https,
  // unlike node:http, does not ask its net.Server for allowHalfOpen (given above).
  // (A property of http.Server since Node 0.x, not in @types/node.)
  (server as { httpAllowHalfOpen?: boolean }).httpAllowHalfOpen = true;

  // Expect: 100-continue. Without a listener here Node answers "100 Continue" itself, before onRequest can see that
  // the declared body is over --max-body: the client was told to send it, then got 413. Now it gets 413 at once.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (declaredLength(req.rawHeaders) <= maxBody) res.writeContinue();
    onRequest(req, res);
  });

  // Any other expectation (RFC 9110 10.1.1): 417, as Node would answer, but counted. Its body is not kept: the
  // connection closes lingering, as after a 413, so that a client already sending it reads the 417, not a reset.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    c.expectationFailed++;
    lingerOnClose(req);
    res.writeHead(417, { 'Content-Length': '0', Connection: 'close' });
    res.end();
  });

  // Upgrade (h2c, WebSocket) is not taken: the request is answered as any other, and what was pipelined behind it
  // is read too (upgrade-as-http.ts; Node's parser stopped there and dropped it).
  server.on('upgrade', upgradeAsHttp(server, tls === null ? 'connection' : 'secureConnection'));

  // CONNECT asks for a tunnel (a client taking broker for its proxy): no response of this server could start one, and
  // --status would tell the client it had one. 501, counted, and the connection closed — where Node, with no
  // listener, would close it without a word. It is not recorded: it got no 2xx, and its bytes after the request
  // are the tunnel's, no request's.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    c.connectRefused++;
    // The socket is ours now, past Node's HTTP handling: its errors and its end are too.
    socket.on('error', () => {});
    const text = 'CONNECT is not served: broker record is no proxy\n';
    socket.end(`HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n${text}`);
    // A peer that never closes its side is not waited for (the server is half-open): cut after --header-timeout.
    socket.setTimeout(opts.headerTimeoutMs, () => socket.destroy());
  });

  if (tls !== null) {
    let lastLine = Number.NEGATIVE_INFINITY;
    let unlogged = 0;
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
      c.tlsErrors++;
      if (err.code === 'ERR_SSL_NO_APPLICATION_PROTOCOL') {
        c.h2Refused++;
        // One line a second at most: a client retrying in a loop must not flood the log.
        const now = performance.now();
        if (now - lastLine < 1000) unlogged++;
        else {
          const more = unlogged ? ` (and ${unlogged} more since the last such line)` : '';
          log(`broker record: refused a TLS client from ${socket.remoteAddress ?? '?'}: its ALPN offers no http/1.1 (HTTP/2 is not served over TLS here)${more}`);
          lastLine = now;
          unlogged = 0;
        }
      }
      socket.destroy();
    });
  }

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable) return void socket.destroy();
    // The client closed its side in the middle of a request (a body cut short; the server is half-open): nothing
    // malformed came, and there is no request to answer. The connection ends after any answer still due.
    let line: string | null = null;
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      c.timeouts++;
      line = '408 Request Timeout';
    } else if (err.code === 'HPE_HEADER_OVERFLOW') {
      c.malformed++;
      line = '431 Request Header Fields Too Large';
    } else if (err.code !== 'HPE_INVALID_EOF_STATE') {
      c.malformed++;
      line = '400 Bad Request';
    }
    const end = () => (line === null ? socket.end() : socket.end(`HTTP/1.1 ${line}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`));
    const due = awaiting.get(socket);
    if (due && !due.writableFinished && !due.destroyed) due.once('close', end);
    else end();
  });

  await listen(server, opts.host, opts.port);
  const addr = server.address();
  const address = typeof addr === 'object' && addr ? { host: addr.address, port: addr.port } : { host: opts.host, port: opts.port };

  return {
    server,
    address,
    counters: c,
    async close(graceMs = 500) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}
