// replay sends each record's own body, also when it waits for its --rate slot: a record's body is a view of the
// scan's read buffer, which the other connections' reads refill meanwhile (found 2026-12-06: with --rate, 30 of 300
// requests of an archive larger than one read chunk carried bytes of records read after them; without the fix both
// cases below fail, ~100 wrong bodies each).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBrokerCli as run } from '../fixtures/run-cli.ts';
import { archiveBytes } from './archive-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-replay-bodies-'));
// 3,000-byte bodies, each filled with its record's number: 200 records are ~600 KiB, more than two 256 KiB read chunks.
const body = (i: number) => Buffer.alloc(3000, `<${i}>`);
const one = join(dir, 'one.brk');
const a = join(dir, 'a.brk');
const b = join(dir, 'b.brk');

let server: Server;
let port: number;
const wrong: string[] = [];
let received = 0;

beforeAll(async () => {
  const twoHundred = archiveBytes(200, 0, body, (i) => `/r${i}`);
  writeFileSync(one, twoHundred);
  // Two files merged by time, each read by its own buffers.
  writeFileSync(a, twoHundred);
  writeFileSync(
    b,
    archiveBytes(120, 0, body, (i) => `/r${i}`),
  );
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received++;
      const i = Number(/^\/r(\d+)$/.exec(req.url ?? '')?.[1]);
      if (!Buffer.concat(chunks).equals(body(i))) wrong.push(req.url ?? '?');
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('replay --rate: every request carries its own record body', () => {
  it('one archive larger than a read chunk, 100 connections waiting for their slots', { timeout: 60_000 }, async () => {
    wrong.length = 0;
    received = 0;
    const r = await run('replay', one, '--target', `http://127.0.0.1:${port}`, '--rate', '400', '--concurrency', '100', '--json');
    expect(r.code).toBe(0);
    expect(received).toBe(200);
    expect(wrong).toEqual([]);
  });

  it('two archives merged', { timeout: 60_000 }, async () => {
    wrong.length = 0;
    received = 0;
    const r = await run('replay', a, b, '--target', `http://127.0.0.1:${port}`, '--rate', '400', '--concurrency', '100', '--json');
    expect(r.code).toBe(0);
    expect(received).toBe(320);
    expect(wrong).toEqual([]);
  });
});
