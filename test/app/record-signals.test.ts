// A recorder told to stop (SIGINT, SIGTERM, SIGHUP: a closed terminal) first writes what it answered. A second signal while it does — a double
// Ctrl-C — is said and ignored: Node's default action would kill it there and lose those records (found 2026-12-06:
// 3 answered requests, then two SIGINTs 100 ms apart while a client held a half-sent body: exit 130, no summary, an
// empty archive).

import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBrokerCli as run } from '../fixtures/run-cli.ts';
import { killLeftovers, startRecorder } from './broker-process.ts';
import { post } from './http-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-signals-'));
afterAll(() => {
  killLeftovers();
  rmSync(dir, { recursive: true, force: true });
});

describe('record: a second signal while stopping', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s twice: the answered requests are in the archive, exit 0, the second said', async (sig) => {
    const out = join(dir, `${sig}.brk`);
    // A long flush: the answered requests are still in memory when the signals come.
    const r = await startRecorder(['--out', out, '--flush-ms', '60000']);
    for (let i = 0; i < 3; i++) expect((await post(r.port, `/r/${i}`, `body ${i}`)).status).toBe(200);
    // A client in the middle of its body keeps the stop waiting (its grace) while the second signal arrives.
    const held = connect(r.port, '127.0.0.1');
    await new Promise<void>((res) => held.once('connect', () => res()));
    held.write('POST /held HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf');
    held.on('error', () => {});
    await new Promise((res) => setTimeout(res, 100));
    r.child.kill(sig);
    await new Promise((res) => setTimeout(res, 100));
    r.child.kill(sig);
    const { code, signal } = await r.exited;
    held.destroy();
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(r.stderr()).toContain(`broker record: ${sig}: already stopping, writing what was answered to the archive first`);
    const cat = await run('cat', out, '--json');
    expect(cat.code).toBe(0);
    expect(cat.lines.map((l) => JSON.parse(l).url)).toEqual(['/r/0', '/r/1', '/r/2']);
  });
});

describe('record --ack written: a stop while a request waits for its batch to be written', () => {
  it('answers it (200) before the connection closes, and the record is in the archive', async () => {
    const out = join(dir, 'ack.brk');
    // Batches are written every 2 s: the request is still waiting for its write when SIGTERM comes.
    const r = await startRecorder(['--out', out, '--ack', 'written', '--flush-ms', '2000']);
    const answer = post(r.port, '/waiting', 'body').then(
      (a) => a.status,
      (err: Error) => err.message,
    );
    await new Promise((res) => setTimeout(res, 200));
    r.child.kill('SIGTERM');
    expect(await answer).toBe(200);
    expect((await r.exited).code).toBe(0);
    expect((await run('cat', out, '--json')).lines.map((l) => JSON.parse(l).url)).toEqual(['/waiting']);
  });
  it("answers a request whose body completes during the stop's grace (200), not a flush interval later when its connection is gone", async () => {
    const out = join(dir, 'ack-grace.brk');
    const r = await startRecorder(['--out', out, '--ack', 'written', '--flush-ms', '2000']);
    const s = connect(r.port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('error', () => {});
    const closed = new Promise<void>((res) => s.once('close', () => res()));
    await new Promise<void>((res) => s.once('connect', () => res()));
    s.write('POST /late HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n');
    await new Promise((res) => setTimeout(res, 200));
    r.child.kill('SIGTERM');
    // Within the stop's 500 ms grace: the body ends, and its batch must be written before the grace closes the connection.
    await new Promise((res) => setTimeout(res, 150));
    s.write('hello');
    await closed;
    expect(got).toMatch(/^HTTP\/1\.1 200 /);
    expect((await r.exited).code).toBe(0);
    expect((await run('cat', out, '--json')).lines.map((l) => JSON.parse(l).url)).toEqual(['/late']);
  });
});
