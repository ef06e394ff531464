// broker record as a real process (the test bundle): what its summary counts, in text and --json, for requests that
// are answered but not recorded as usual.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/context.ts';
import { killLeftovers, removeBundle, startRecorder } from './broker-process.ts';
import { post, rawExchange } from './http-client.ts';

const dir = tempDir('record-summary');
afterAll(() => {
  killLeftovers();
  removeBundle();
});

async function stop(r: Awaited<ReturnType<typeof startRecorder>>) {
  r.child.kill('SIGTERM');
  const { code } = await r.exited;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

/** Starts the recorder with `nodeOptions` in its environment (NODE_OPTIONS is read as the process starts). */
async function startWith(nodeOptions: string, args: string[]) {
  const before = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = nodeOptions;
  try {
    return await startRecorder(args);
  } finally {
    if (before === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = before;
  }
}

describe('record summary', () => {
  it('counts a request the format cannot hold as unrecordable in the text summary too (503 under --ack written)', async () => {
    // A header name over 64 KiB needs Node's header limit raised.
    const r = await startWith('--max-http-header-size=1000000', ['--out', join(dir, 'unrecordable.brk'), '--ack', 'written']);
    const reply = await rawExchange(r.port, [`POST /big HTTP/1.1\r\nHost: x\r\n${'n'.repeat(70_000)}: v\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`]);
    expect(reply).toMatch(/^HTTP\/1\.1 503 /);
    expect(await rawExchange(r.port, ['POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi'])).toMatch(/^HTTP\/1\.1 200 /);
    const s = await stop(r);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/^ {2}recorded 1 to .*; dropped 0, sampled out 0, unrecordable 1 \(503\)$/m);
  });
});

describe('record summary of what Node would have refused unseen', () => {
  it('counts CONNECT (501) and an unmet Expect (417) on the rejected line and in --json; a request without Host is recorded', async () => {
    for (const json of [false, true]) {
      const r = await startRecorder(['--out', join(dir, `refused-${json}.brk`), ...(json ? ['--json'] : [])]);
      expect(await rawExchange(r.port, ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'])).toMatch(/^HTTP\/1\.1 501 /);
      expect(await rawExchange(r.port, ['POST /e HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nContent-Length: 2\r\n\r\nhi'])).toMatch(/^HTTP\/1\.1 417 /);
      expect(await rawExchange(r.port, ['GET /no-host HTTP/1.1\r\nConnection: close\r\n\r\n'])).toMatch(/^HTTP\/1\.1 200 /);
      const s = await stop(r);
      expect(s.code).toBe(0);
      if (json) expect(JSON.parse(s.stdout)).toMatchObject({ requests: 1, recorded: 1, malformed: 0, connectRefused: 1, expectationFailed: 1 });
      else expect(s.stdout).toMatch(/^ {2}rejected: 0 too large \(413\), 0 malformed \(400\/431\), 0 timed out \(408\), 1 CONNECT \(501\), 1 unmet Expect \(417\)$/m);
    }
  });
});

describe('record --request-timeout', () => {
  it('a body slower than --request-timeout gets 408 and counts as timed out; 0 (no limit) is accepted and requests are answered', async () => {
    const r = await startRecorder(['--request-timeout', '1s', '--header-timeout', '300', '--json']);
    const started = performance.now();
    const reply = await rawExchange(r.port, ['POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n', ...Array.from({ length: 60 }, () => 'x')], 50);
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(JSON.parse((await stop(r)).stdout)).toMatchObject({ timeouts: 1, requests: 1, bodyBytes: 0 });
    const none = await startRecorder(['--request-timeout', '0']);
    expect(await rawExchange(none.port, ['POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi'])).toMatch(/^HTTP\/1\.1 200 /);
    expect((await stop(none)).code).toBe(0);
  });
});

describe('record --max-body', () => {
  // The client sends the whole body without waiting (no Expect: 100-continue). Closed with the body still unread in
  // the kernel, the connection was reset, and the reset usually reached the client before it had read its 413. A
  // separate process: in one event loop with its client the server rarely wins that race.
  it('a client sending a 5 MB body in one go reads its 413, not a reset (node:http, and a raw socket that reads after writing)', async () => {
    const r = await startRecorder(['--max-body', '1MiB', '--json']);
    const body = Buffer.alloc(5_000_000, 120);
    const viaHttp: (number | string)[] = [];
    const viaSocket: string[] = [];
    for (let i = 0; i < 8; i++) {
      viaHttp.push(
        await post(r.port, `/big/${i}`, body).then(
          (x) => x.status,
          (e: NodeJS.ErrnoException) => e.code ?? e.message,
        ),
      );
      const request = Buffer.concat([Buffer.from(`POST /raw/${i} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
      viaSocket.push((await rawExchange(r.port, [request])).split('\r\n')[0] ?? '');
    }
    expect(viaHttp).toEqual(Array(8).fill(413));
    expect(viaSocket).toEqual(Array(8).fill('HTTP/1.1 413 Payload Too Large'));
    expect((await post(r.port, '/small', 'ok')).status).toBe(200);
    expect(JSON.parse((await stop(r)).stdout)).toMatchObject({ tooLarge: 16, requests: 17, recorded: 0 });
  });

  it('a client sending a 5 MB body with an Expect broker does not meet reads its 417, not a reset', async () => {
    const r = await startRecorder(['--json']);
    const body = Buffer.alloc(5_000_000, 120);
    const viaSocket: string[] = [];
    for (let i = 0; i < 8; i++) {
      const request = Buffer.concat([Buffer.from(`POST /expect/${i} HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
      viaSocket.push((await rawExchange(r.port, [request])).split('\r\n')[0] ?? '');
    }
    expect(viaSocket).toEqual(Array(8).fill('HTTP/1.1 417 Expectation Failed'));
    expect(JSON.parse((await stop(r)).stdout)).toMatchObject({ expectationFailed: 8, recorded: 0 });
  });
});
