// Issue 23, item 6: the archive holds exactly the requests whose 2xx went out. A valid request followed by junk
// in the same packet used to be recorded although its client got only the 400 the junk earned.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArchive } from '../../../src/archive/reader.ts';
import { startRecorder } from '../broker-process.ts';
import { scratchDir } from '../fault-scratch.ts';
import { rawExchange } from '../http-client.ts';
import type { BinOf } from './bin.ts';

const post = (path: string, body: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
const JUNK = '\x00\x01 junk\r\n\r\n';

/** One packet each: the requests in it, in order, and what follows them. */
const cases: { name: string; paths: string[]; packet: string }[] = [
  { name: 'a POST, then junk', paths: ['/a'], packet: `${post('/a', 'hello')}${JUNK}` },
  { name: 'a GET, then junk', paths: ['/c'], packet: `GET /c HTTP/1.1\r\nHost: x\r\n\r\n${JUNK}` },
  { name: 'a chunked POST, then junk', paths: ['/d'], packet: `POST /d HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n${JUNK}` },
  { name: 'two pipelined POSTs, then junk', paths: ['/b1', '/b2'], packet: `${post('/b1', 'hi')}${post('/b2', 'hi')}${JUNK}` },
  { name: 'three pipelined POSTs, then junk', paths: ['/t1', '/t2', '/t3'], packet: `${post('/t1', 'x')}${post('/t2', 'y')}${post('/t3', 'z')}${JUNK}` },
  { name: 'a body shorter than its Content-Length, then the client closes', paths: ['/e'], packet: 'POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc' },
  // The control: nothing wrong, everything answered and recorded.
  { name: 'two pipelined POSTs, nothing after', paths: ['/ok1', '/ok2'], packet: `${post('/ok1', 'a')}${post('/ok2', 'b')}GET /ok3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n` },
];

export function acknowledgedCases(bin: BinOf): void {
  const dir = scratchDir('ack');

  describe('recorded = acknowledged', () => {
    // --ack written records first and answers after the write: it must still leave out what the junk's 400 cut off.
    it.each([['immediate'], ['written']])('a request is in the archive exactly when its 2xx went out, junk or not (--ack %s)', async (ack) => {
      const out = join(dir, `ack-${ack}.brk`);
      const r = await startRecorder(['--out', out, '--flush-ms', '5', '--ack', ack, '--json'], bin());
      const answered: string[] = [];
      for (const c of cases) {
        const paths = c.name.endsWith('nothing after') ? [...c.paths, '/ok3'] : c.paths;
        // rawExchange sends, then reads until the server closes; the short body's client closes its side at once.
        const reply = c.name.includes('closes') ? await rawExchange(r.port, [c.packet, Buffer.alloc(0)], 0, 3000).catch(() => '') : await rawExchange(r.port, [c.packet]);
        const statuses = [...reply.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
        // Responses come in request order; the 400 (if any) comes last.
        const ok = statuses.filter((s) => s >= 200 && s < 300).length;
        answered.push(...paths.slice(0, ok));
      }
      r.child.kill('SIGTERM');
      expect((await r.exited).code).toBe(0);
      const recorded = readArchive(readFileSync(out)).records.map((x) => x.url);
      expect(answered).toEqual(expect.arrayContaining(['/ok1', '/ok2', '/ok3']));
      expect(JSON.parse(r.stdout())).toMatchObject({ recorded: recorded.length });
      // --ack written writes before it answers: the junk's 400 waits for the answers still due (the pipelined requests
      // on disk get their 2xx first), where it used to close the connection on them (/b1, /t1, /t2 on disk, no 2xx).
      expect(recorded.sort()).toEqual(answered.sort());
    });
  });
}
