// A target that closes a keep-alive connection as the next request goes out on it (idle-timeout close crossing the
// request): replay sends an idempotent request once more and never a POST twice (src/replayer/retry.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sendAgain } from '../../src/replayer/retry.ts';
import { runBrokerCli as run } from '../fixtures/run-cli.ts';
import { archiveBytes } from './archive-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-replay-retry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Answers the first request on each connection and ends the connection on its second without a byte of answer, by a
 * close (FIN) or a reset (RST): what a target closing idle connections does when the close crosses the next request.
 */
async function closingTarget(how: 'close' | 'reset') {
  const received: string[] = [];
  const server = createServer((socket: Socket) => {
    let requests = 0;
    let buf = '';
    socket.on('error', () => {});
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end);
        const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        buf = buf.slice(end + 4 + length);
        received.push(head.split(' ', 2).join(' '));
        if (++requests === 1) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
        else return how === 'close' ? void socket.destroy() : void socket.resetAndDestroy();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, received, close: () => server.close() };
}

describe('replay and a keep-alive connection closed under a request', () => {
  // Records 0..5 are GET POST POST GET POST POST (archive-fixtures' sampleRecord), one connection at a time:
  // r0 answered on conn 1; r1 (POST) hits its close; r2 answered on conn 2; r3 (GET) hits its close and goes again
  // on conn 3, answered; r4 (POST) hits conn 3's close; r5 answered on conn 4.
  it.each(['close', 'reset'] as const)('by a %s: the GET goes again and is answered, a POST never goes twice', { timeout: 60_000 }, async (how) => {
    const target = await closingTarget(how);
    const file = join(dir, `${how}.brk`);
    // The GETs without a body: undici closes the connection after a GET that sends one.
    const bodies = (i: number) => Buffer.from(i % 3 ? 'b' : '');
    writeFileSync(
      file,
      archiveBytes(6, 0, bodies, (i) => `/r${i}`),
    );
    try {
      const r = await run('replay', file, '--target', target.url, '--concurrency', '1', '--json');
      const report = JSON.parse(r.out);
      expect(report).toMatchObject({ sent: 6, responses: 4, statuses: { 200: 4 }, retried: 1 });
      expect(Object.values(report.errors as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(2);
      expect(r.code).toBe(1);
      expect(target.received).toEqual(['GET /r0', 'POST /r1', 'POST /r2', 'GET /r3', 'GET /r3', 'POST /r4', 'POST /r5']);
      const text = await run('replay', file, '--target', target.url, '--concurrency', '1');
      expect(text.out).toMatch(/; 1 sent again \(the target closed their keep-alive connection before answering\)/);
    } finally {
      target.close();
    }
  });
});

describe('which failures are sent again', () => {
  const closed = (bytesRead: number) => Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET', socket: { bytesRead } });
  it('idempotent methods only, on a reset or on a close of a connection that had answered before', () => {
    expect(sendAgain(closed(120), 'GET')).toBe(true);
    expect(sendAgain(closed(120), 'delete')).toBe(true);
    expect(sendAgain(closed(120), 'POST')).toBe(false);
    expect(sendAgain(closed(120), 'PATCH')).toBe(false);
    // A fresh connection closed on its first request: the target refuses this request, sending it again sends it twice.
    expect(sendAgain(closed(0), 'GET')).toBe(false);
    expect(sendAgain(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'HEAD')).toBe(true);
    expect(sendAgain(Object.assign(new Error('bad response'), { code: 'UND_ERR_SOCKET', socket: { bytesRead: 9 } }), 'GET')).toBe(false);
    expect(sendAgain(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'GET')).toBe(false);
    expect(sendAgain(null, 'GET')).toBe(false);
  });
});
