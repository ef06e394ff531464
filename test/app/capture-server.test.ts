// The capture listener in-process (startCapture) with a writer that keeps its batches in memory: what a client is
// answered, and what is recorded and counted, for the requests Node's HTTP server handles in its own ways.
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { type Capture, type CaptureOptions, startCapture } from '../../src/recorder/capture-server.ts';
import { selfSignedIdentity } from '../../src/recorder/tls-identity.ts';
import { memoryWriter } from '../fixtures/memory-writer.ts';

/**
 * Sends `data` on a new connection, then half-closes it (end(): FIN after the bytes) unless `keepOpen`; resolves with
 * everything the server sent before it closed, or rejects when it has not closed within `maxMs`.
 */
function exchange(port: number, data: string | Buffer, { keepOpen = false, maxMs = 5_000 } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`no close within ${maxMs} ms; got: ${JSON.stringify(got)}`))), maxMs);
    s.on('connect', () => (keepOpen ? s.write(data) : s.end(data)));
    s.on('data', (d) => (got += d));
    s.on('error', () => {});
    s.on('close', () => (clearTimeout(timer), resolve(got)));
  });
}

let capture: Capture | undefined;
afterEach(async () => {
  await capture?.close(0);
  capture = undefined;
});

const options: CaptureOptions = { host: '127.0.0.1', port: 0, status: 200, maxBody: 1 << 20, sample: 1, headerTimeoutMs: 5_000, writer: null };

describe('a client that half-closes after its request', () => {
  it.each([['immediate'], ['written']])('is answered, recorded, and its connection closed (--ack %s)', async (ack) => {
    const mem = memoryWriter(2);
    capture = await startCapture({ ...options, writer: mem.writer, ackWritten: ack === 'written' });
    const reply = await exchange(capture.address.port, 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc');
    expect(reply).toMatch(/^HTTP\/1\.1 200 /);
    await mem.writer.drain();
    expect(mem.records().map((r) => r.url)).toEqual(['/a']);
    expect(capture.counters).toMatchObject({ requests: 1, recorded: 1 });
  });

  it('over TLS too: answered once its batch is written, then the connection closes (--ack written)', async () => {
    const mem = memoryWriter(2);
    capture = await startCapture({ ...options, writer: mem.writer, ackWritten: true, tls: await selfSignedIdentity('127.0.0.1') });
    const port = capture.address.port;
    const reply = await new Promise<string>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
      let got = '';
      const timer = setTimeout(() => (s.destroy(), reject(new Error(`no close; got: ${JSON.stringify(got)}`))), 5_000);
      s.on('secureConnect', () => s.end('POST /tls HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc'));
      s.on('data', (d) => (got += d));
      s.on('error', () => {});
      s.on('close', () => (clearTimeout(timer), resolve(got)));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 200 /);
    await mem.writer.drain();
    expect(mem.records().map((r) => r.url)).toEqual(['/tls']);
  });

  it('gets the answers of all its pipelined requests, then the connection closes', async () => {
    const mem = memoryWriter(2);
    capture = await startCapture({ ...options, writer: mem.writer, ackWritten: true });
    const post = (path: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi`;
    const reply = await exchange(capture.address.port, `${post('/p1')}${post('/p2')}${post('/p3')}`);
    expect([...reply.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1])).toEqual(['200', '200', '200']);
    await mem.writer.drain();
    expect(mem.records().map((r) => r.url)).toEqual(['/p1', '/p2', '/p3']);
  });
});

describe('what a connection sends after a request, or instead of its end', () => {
  it("--ack written: junk after a request waiting for its batch gets its 400 after that request's 200 (the request is on disk)", async () => {
    const mem = memoryWriter(1_000);
    const c = await startCapture({ ...options, writer: mem.writer, ackWritten: true });
    capture = c;
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(c.address.port, '127.0.0.1');
      let got = '';
      const timer = setTimeout(() => (s.destroy(), reject(new Error(`no close; got: ${JSON.stringify(got)}`))), 5_000);
      s.on('connect', () => {
        s.write('POST /one HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc');
        // Once /one is in its batch (written 1 s later, on a loaded machine too): bytes that are no request.
        const junk = setInterval(() => {
          if (c.counters.recorded === 0) return;
          clearInterval(junk);
          s.write('THIS IS NOT HTTP\r\n\r\n');
        }, 5);
      });
      s.on('data', (d) => (got += d));
      s.on('error', () => {});
      s.on('close', () => (clearTimeout(timer), resolve(got)));
    });
    expect([...reply.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1])).toEqual(['200', '400']);
    await mem.writer.drain();
    expect(mem.records().map((r) => r.url)).toEqual(['/one']);
    expect(capture.counters).toMatchObject({ recorded: 1, malformed: 1 });
  });

  it.each([['immediate'], ['written']])('a client that closes its side in the middle of a body gets no 400 and is not counted malformed (--ack %s)', async (ack) => {
    const mem = memoryWriter(2);
    capture = await startCapture({ ...options, writer: mem.writer, ackWritten: ack === 'written' });
    const reply = await exchange(capture.address.port, `POST /cut HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n${'q'.repeat(100)}`);
    expect(reply).toBe('');
    await mem.writer.drain();
    expect(mem.records()).toEqual([]);
    expect(capture.counters).toMatchObject({ requests: 1, recorded: 0, malformed: 0 });
  });
});

describe('a request the archive format cannot hold', () => {
  // A header name over 64 KiB (the format's u16 length): Node's 16 KiB header limit raised, as NODE_OPTIONS=
  // --max-http-header-size=1000000 would; the server reads its maxHeaderSize at each connection.
  const request = `POST /big HTTP/1.1\r\nHost: x\r\n${'n'.repeat(70_000)}: v\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`;

  it('gets a 503 saying so, not a 2xx, under --ack written; is counted unrecordable, never recorded', async () => {
    const mem = memoryWriter(2);
    capture = await startCapture({ ...options, writer: mem.writer, ackWritten: true });
    (capture.server as { maxHeaderSize?: number }).maxHeaderSize = 1_000_000;
    const reply = await exchange(capture.address.port, request, { keepOpen: true });
    expect(reply).toMatch(/^HTTP\/1\.1 503 /);
    expect(reply).toMatch(/\r\n\r\nnot recorded: the archive format cannot hold this request \(header name longer than 65535 bytes\)\n$/);
    expect(reply).not.toMatch(/Retry-After/i);
    await mem.writer.drain();
    expect(mem.records()).toEqual([]);
    expect(capture.counters).toMatchObject({ requests: 1, recorded: 0, unrecordable: 1 });
  });

  it('is answered --status and left out by default (--ack immediate)', async () => {
    const mem = memoryWriter(2);
    capture = await startCapture({ ...options, writer: mem.writer });
    (capture.server as { maxHeaderSize?: number }).maxHeaderSize = 1_000_000;
    expect(await exchange(capture.address.port, request, { keepOpen: true })).toMatch(/^HTTP\/1\.1 200 /);
    await mem.writer.drain();
    expect(mem.records()).toEqual([]);
    expect(capture.counters).toMatchObject({ requests: 1, recorded: 0, unrecordable: 1 });
  });
});

describe('requests Node would answer or drop before the handler', () => {
  it('CONNECT gets 501 and a closed connection, is counted, and is not recorded; the listener goes on serving', async () => {
    const mem = memoryWriter(2);
    capture = await startCapture({ ...options, writer: mem.writer });
    const reply = await exchange(capture.address.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', { keepOpen: true });
    expect(reply).toMatch(/^HTTP\/1\.1 501 Not Implemented\r\n/);
    expect(reply).toMatch(/\r\n\r\nCONNECT is not served: broker record is no proxy\n$/);
    expect(await exchange(capture.address.port, 'POST /after HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi')).toMatch(/^HTTP\/1\.1 200 /);
    await mem.writer.drain();
    expect(mem.records().map((r) => r.url)).toEqual(['/after']);
    expect(capture.counters).toMatchObject({ connectRefused: 1, requests: 1, recorded: 1, malformed: 0 });
  });

  // Node's parser stopped at an Upgrade request it did not upgrade and dropped what came with it (upgrade-as-http.ts).
  const pipelinedBehindUpgrade = [
    'GET /h2c HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nConnection: Upgrade, HTTP2-Settings\r\n\r\n',
    'POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc',
    'POST /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nconnection: upgrade\r\nContent-Length: 2\r\n\r\nxy',
    'GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  ].join('');
  it.each([['immediate'], ['written']])('requests pipelined behind an Upgrade request are answered in order and recorded, each with its body and its headers as they came (--ack %s)', async (ack) => {
    const mem = memoryWriter(2);
    capture = await startCapture({ ...options, writer: mem.writer, ackWritten: ack === 'written' });
    const reply = await exchange(capture.address.port, pipelinedBehindUpgrade, { keepOpen: true });
    expect([...reply.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1])).toEqual(['200', '200', '200', '200']);
    await mem.writer.drain();
    const records = mem.records();
    expect(records.map((r) => `${r.method} ${r.url} ${Buffer.from(r.body).toString()}`)).toEqual(['GET /h2c ', 'POST /second abc', 'POST /ws xy', 'GET /last ']);
    expect(records[0]?.headers).toEqual([
      ['Host', 'x'],
      ['Upgrade', 'h2c'],
      ['HTTP2-Settings', 'AAMAAABkAAQCAAAAAAIAAAAA'],
      ['Connection', 'Upgrade, HTTP2-Settings'],
    ]);
    expect(records[2]?.headers).toContainEqual(['connection', 'upgrade']);
    expect(capture.counters).toMatchObject({ requests: 4, recorded: 4, malformed: 0 });
  });

  it('over TLS too: an Upgrade request and the requests behind it are read on the same connection', async () => {
    const mem = memoryWriter(2);
    capture = await startCapture({ ...options, writer: mem.writer, tls: await selfSignedIdentity('127.0.0.1') });
    const port = capture.address.port;
    const reply = await new Promise<string>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
      let got = '';
      const timer = setTimeout(() => (s.destroy(), reject(new Error(`no close; got: ${JSON.stringify(got)}`))), 5_000);
      s.on('secureConnect', () => s.write(pipelinedBehindUpgrade));
      s.on('data', (d) => (got += d));
      s.on('error', () => {});
      s.on('close', () => (clearTimeout(timer), resolve(got)));
    });
    expect([...reply.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1])).toEqual(['200', '200', '200', '200']);
    await mem.writer.drain();
    expect(mem.records().map((r) => r.url)).toEqual(['/h2c', '/second', '/ws', '/last']);
  });

  it('a client that waits for the answer to its Upgrade request goes on on the same connection', async () => {
    const mem = memoryWriter(2);
    capture = await startCapture({ ...options, writer: mem.writer });
    const port = capture.address.port;
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      let got = '';
      let next = false;
      const timer = setTimeout(() => (s.destroy(), reject(new Error(`no close; got: ${JSON.stringify(got)}`))), 5_000);
      s.on('connect', () => s.write('GET /up HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
      s.on('data', (d) => {
        got += d;
        if (!next && got.includes('\r\n\r\n')) {
          next = true;
          s.write('POST /then HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
        }
      });
      s.on('error', () => {});
      s.on('close', () => (clearTimeout(timer), resolve(got)));
    });
    expect([...reply.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1])).toEqual(['200', '200']);
    await mem.writer.drain();
    expect(mem.records().map((r) => r.url)).toEqual(['/up', '/then']);
  });

  it('an HTTP/1.1 request without Host is answered and recorded like any other (Node would answer 400)', async () => {
    const mem = memoryWriter(2);
    capture = await startCapture({ ...options, writer: mem.writer });
    const reply = await exchange(capture.address.port, 'POST /no-host HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi');
    expect(reply).toMatch(/^HTTP\/1\.1 200 /);
    await mem.writer.drain();
    const [rec] = mem.records();
    expect(rec?.url).toBe('/no-host');
    expect(rec?.headers).toEqual([['Content-Length', '2']]);
    expect(capture.counters).toMatchObject({ requests: 1, recorded: 1, malformed: 0 });
  });

  it('an Expect other than 100-continue gets 417, is counted, and is not recorded', async () => {
    const mem = memoryWriter(2);
    capture = await startCapture({ ...options, writer: mem.writer });
    const reply = await exchange(capture.address.port, 'POST /odd HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nContent-Length: 2\r\n\r\nhi', { keepOpen: true });
    expect(reply).toMatch(/^HTTP\/1\.1 417 /);
    await mem.writer.drain();
    expect(mem.records()).toEqual([]);
    expect(capture.counters).toMatchObject({ expectationFailed: 1, requests: 0, recorded: 0 });
  });
});

describe('--request-timeout', () => {
  it('a body slower than requestTimeoutMs gets 408 and is counted a timeout, not recorded', async () => {
    const mem = memoryWriter(2);
    capture = await startCapture({ ...options, writer: mem.writer, headerTimeoutMs: 200, requestTimeoutMs: 600 });
    const started = performance.now();
    // Headers at once, 2 of the 10 body bytes, then nothing: only the whole-request deadline can end it.
    const reply = await exchange(capture.address.port, 'POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab', { keepOpen: true });
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(performance.now() - started).toBeGreaterThanOrEqual(550);
    await mem.writer.drain();
    expect(mem.records()).toEqual([]);
    expect(capture.counters).toMatchObject({ timeouts: 1, recorded: 0 });
  });

  it('a body that completes after its 408 is not counted in bodyBytes (the connection is half-open: it still comes in)', async () => {
    const mem = memoryWriter(2);
    capture = await startCapture({ ...options, writer: mem.writer, headerTimeoutMs: 200, requestTimeoutMs: 400 });
    const port = capture.address.port;
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      let got = '';
      const timer = setTimeout(() => (s.destroy(), reject(new Error(`no close; got: ${JSON.stringify(got)}`))), 5_000);
      s.on('connect', () => s.write('POST /late HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab'));
      // The rest of the body once the 408 is in, then the client's FIN.
      s.on('data', (d) => {
        got += d;
        if (got.includes('408')) s.end('cde');
      });
      s.on('error', () => {});
      s.on('close', () => (clearTimeout(timer), resolve(got)));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    await mem.writer.drain();
    expect(mem.records()).toEqual([]);
    expect(capture.counters).toMatchObject({ timeouts: 1, recorded: 0, bodyBytes: 0 });
  });
});
