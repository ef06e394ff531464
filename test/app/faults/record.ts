// broker record as a real process: faults from the issue, each a test. No timing assertions: waits are
// for events (a line, an exit, a file's contents), bounded only by the test timeout.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArchive } from '../../../src/archive/reader.ts';
import { runBroker, startRecorder } from '../broker-process.ts';
import { faultScratch } from '../fault-scratch.ts';
import { keepAlive, post, rawExchange } from '../http-client.ts';
import type { BinOf } from './bin.ts';

export function recordCases(bin: BinOf): void {
  // A full disk too: a 64 KiB tmpfs.
  const { dir, disk } = faultScratch('record');
  let n = 0;
  const file = () => join(dir, `a${n++}.brk`);

  async function stop(r: Awaited<ReturnType<typeof startRecorder>>, signal: NodeJS.Signals = 'SIGTERM') {
    r.child.kill(signal);
    const { code } = await r.exited;
    return { code, stdout: r.stdout(), stderr: r.stderr() };
  }

  async function until(cond: () => boolean, what: string) {
    for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!cond()) throw new Error(`gave up waiting for ${what}`);
  }

  describe('broker record', () => {
    it('records every request, answers --status, and SIGTERM flushes and prints a summary', async () => {
      const out = file();
      const r = await startRecorder(['--out', out, '--status', '202', '--json'], bin());
      const agent = keepAlive();
      for (let i = 0; i < 25; i++) expect((await post(r.port, `/p/${i}`, `body ${i}`, agent)).status).toBe(202);
      agent.destroy();
      const s = await stop(r);
      expect(s.code).toBe(0);
      const summary = JSON.parse(s.stdout);
      expect(summary).toMatchObject({ requests: 25, recorded: 25, dropped: 0, error: null });
      // What the summary says is on disk is on disk: header block, batches and their padding.
      expect(summary.archive.bytes).toBe(statSync(out).size);
      expect(summary.archive.io).toMatch(/^(direct|page cache)$/);
      const read = readArchive(readFileSync(out));
      expect(read.bad).toBeNull();
      expect(read.records.map((x) => x.url)).toEqual(Array.from({ length: 25 }, (_, i) => `/p/${i}`));
      expect(Buffer.from(read.records[3]!.body).toString()).toBe('body 3');
      expect(read.records[0]!.peer.address).toBe('127.0.0.1');
    });

    it('SIGINT does the same', async () => {
      const out = file();
      const r = await startRecorder(['--out', out], bin());
      await post(r.port, '/one', 'x');
      const s = await stop(r, 'SIGINT');
      expect(s.code).toBe(0);
      expect(s.stdout).toMatch(/1 requests .*\n\s+recorded 1 to/);
      expect(readArchive(readFileSync(out)).records).toHaveLength(1);
    });

    it('binds 127.0.0.1 unless told otherwise, and creates the archive with mode 0600', async () => {
      const out = file();
      const r = await startRecorder(['--out', out, '--listen', ':0'], bin());
      expect(r.host).toBe('127.0.0.1');
      expect(statSync(out).mode & 0o777).toBe(0o600);
      await stop(r);
    });

    it('without --out it only counts (a blackhole) and writes no file', async () => {
      const r = await startRecorder(['--json'], bin());
      for (let i = 0; i < 5; i++) await post(r.port, '/x', 'abc');
      const s = await stop(r);
      expect(JSON.parse(s.stdout)).toMatchObject({ requests: 5, bodyBytes: 15, recorded: 0, out: null, archive: null });
    });

    it('no live stats line when stderr is not a TTY', async () => {
      const r = await startRecorder([], bin());
      await post(r.port, '/x', 'abc');
      await new Promise((res) => setTimeout(res, 1200)); // longer than the live line's interval
      const s = await stop(r);
      // The request was served and counted (the summary on stdout says so); stderr holds the listening line and nothing else.
      expect(s.stdout).toMatch(/^broker record: 1 requests in /);
      expect(s.stderr).toMatch(/^broker record: listening on 127\.0\.0\.1:\d+ \(blackhole: counting only\)\n$/);
    });

    it('malformed HTTP gets 400 and the server keeps serving', async () => {
      const out = file();
      const r = await startRecorder(['--out', out, '--json'], bin());
      const answer = await rawExchange(r.port, ['THIS IS NOT HTTP\r\n\r\n']);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      const bad2 = await rawExchange(r.port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n']);
      expect(bad2).toMatch(/^HTTP\/1\.1 400 /);
      expect((await post(r.port, '/after', 'still here')).status).toBe(200);
      const s = JSON.parse((await stop(r)).stdout);
      expect(s).toMatchObject({ malformed: 2, recorded: 1 });
      expect(readArchive(readFileSync(out)).records.map((x) => x.url)).toEqual(['/after']);
    });

    it('a request with 1,500 headers is recorded with all of them, in order', async () => {
      const out = file();
      const r = await startRecorder(['--out', out, '--json'], bin());
      const names = Array.from({ length: 1500 }, (_, i) => `x-h${i}`);
      const answer = await rawExchange(r.port, [`GET /many HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${names.map((n) => `${n}: v\r\n`).join('')}\r\n`]);
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      await stop(r);
      const [rec] = readArchive(readFileSync(out)).records;
      expect(rec?.headers.map(([n]) => n)).toEqual(['Host', 'Connection', ...names]);
    });

    it('a body over --max-body gets 413 and nothing else is lost', async () => {
      const out = file();
      const r = await startRecorder(['--out', out, '--max-body', '1KiB', '--json'], bin());
      const agent = keepAlive();
      const sizes = [10, 2048, 20, 1024, 5000, 30];
      const results = await Promise.all(sizes.map((size, i) => post(r.port, `/s/${i}`, Buffer.alloc(size, 97), i % 2 ? undefined : agent)));
      expect(results.map((x) => x.status)).toEqual([200, 413, 200, 200, 413, 200]);
      // Chunked: no Content-Length, so the limit is found while reading.
      const chunked = await rawExchange(r.port, ['POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', `800\r\n${'b'.repeat(0x800)}\r\n`, '0\r\n\r\n']);
      expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
      // Expect: 100-continue with a declared body over the limit: 413 at once, never "send it" first; within it,
      // 100 Continue and then the answer.
      const asked = await rawExchange(r.port, ['POST /asked HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000000\r\n\r\n']);
      expect(asked).toMatch(/^HTTP\/1\.1 413 /);
      const small = await rawExchange(r.port, ['POST /continued HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\nConnection: close\r\n\r\n', 'body'], 200);
      expect(small).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
      expect((await post(r.port, '/last', 'ok', agent)).status).toBe(200);
      agent.destroy();
      const s = JSON.parse((await stop(r)).stdout);
      expect(s).toMatchObject({ tooLarge: 4, recorded: 6 });
      expect(
        readArchive(readFileSync(out))
          .records.map((x) => x.url)
          .sort(),
      ).toEqual(['/continued', '/last', '/s/0', '/s/2', '/s/3', '/s/5']);
    });

    it('a client trickling its headers is cut off with 408 (--header-timeout), others are served', async () => {
      const r = await startRecorder(['--header-timeout', '300', '--json'], bin());
      const trickle = ['POST /slow HTTP/1.1\r\n', 'Host: x\r\n', ...Array.from({ length: 200 }, (_, i) => `X-Drip-${i}: y\r\n`)];
      const answer = await rawExchange(r.port, trickle, 50);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect((await post(r.port, '/fast', 'x')).status).toBe(200);
      const s = JSON.parse((await stop(r)).stdout);
      expect(s).toMatchObject({ timeouts: 1, requests: 1 });
    });

    it('an unwritable --out is a clear error and a non-zero exit, before listening', async () => {
      const r1 = await runBroker(['record', '--listen', '127.0.0.1:0', '--out', join(dir, 'no/such/dir/x.brk')], bin());
      expect(r1.code).toBe(1);
      expect(r1.stderr).toMatch(/^broker: cannot create .*x\.brk: no such directory \(ENOENT\)$/m);
      const existing = file();
      writeFileSync(existing, 'precious');
      const r2 = await runBroker(['record', '--listen', '127.0.0.1:0', '--out', existing], bin());
      expect(r2.code).toBe(1);
      expect(r2.stderr).toMatch(/already exists/);
      expect(readFileSync(existing, 'utf8')).toBe('precious');
      const r3 = await runBroker(['record', '--listen', '127.0.0.1:0', '--out', '/proc/broker-test.brk'], bin());
      expect(r3.code).toBe(1);
      // /proc is there but takes no new file: not 'no such directory'.
      expect(r3.stderr).toMatch(/^broker: cannot create \/proc\/broker-test\.brk: no file can be created in that directory \(ENOENT\)$/m);
      // A directory given as --out: the archive's name is asked for, not the directory's removal.
      const r4 = await runBroker(['record', '--listen', '127.0.0.1:0', '--out', dir], bin());
      expect(r4.code).toBe(1);
      expect(r4.stderr).toMatch(/^broker: cannot create .*: is a directory: --out names the archive file to create \(e\.g\. DIR\/traffic\.brk\) \(EEXIST\)$/m);
    });

    it('a port already in use is one line and exit 1, with and without workers, text or --json (no summary, no hang, no stray file)', async () => {
      const blocker = createServer();
      await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
      const port = (blocker.address() as { port: number }).port;
      try {
        for (const [workers, json] of [
          ['1', []],
          ['2', []],
          ['2', ['--json']],
        ] as const) {
          const out = file();
          const r = await runBroker(['record', '--listen', `127.0.0.1:${port}`, '--out', out, '--workers', workers, ...json], bin());
          expect(r.code).toBe(1);
          // The summary of an archive that was removed again would say nothing true.
          expect(r.stdout).toBe('');
          expect(r.stderr).toBe(`broker: cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE)\n`);
          expect(existsSync(out)).toBe(false);
        }
      } finally {
        blocker.close();
      }
    });

    it('kill -9 while recording: the archive is readable up to the last flushed batch', async () => {
      const out = file();
      const r = await startRecorder(['--out', out, '--flush-ms', '5'], bin());
      const agent = keepAlive();
      for (let i = 0; i < 40; i++) await post(r.port, `/k/${i}`, `body ${i}`, agent);
      await until(() => readArchive(readFileSync(out)).records.length === 40, 'the first 40 records to be flushed');
      // Keep traffic going while the process is killed mid-stream.
      const more = (async () => {
        for (let i = 40; i < 400; i++) await post(r.port, `/k/${i}`, `body ${i}`, agent).catch(() => {});
      })();
      await until(() => readArchive(readFileSync(out)).records.length >= 60, 'more records');
      r.child.kill('SIGKILL');
      await r.exited;
      await more;
      agent.destroy();
      const bytes = readFileSync(out);
      const read = readArchive(bytes);
      expect(read.records.length).toBeGreaterThanOrEqual(60);
      expect(read.records.map((x) => x.url)).toEqual(Array.from({ length: read.records.length }, (_, i) => `/k/${i}`));
      // SIGKILL can cut a write() between pages: then only the tail frame is torn (the bad frame, if any, is where the
      // good ones end), and verify --repair cuts the file there, keeping every good record.
      expect(read.bad?.offset ?? read.goodEnd).toBe(read.goodEnd);
      expect(read.goodEnd).toBeGreaterThan(0);
      expect(read.goodEnd).toBeLessThanOrEqual(bytes.length);
      const repaired = await runBroker(['verify', out, '--repair'], bin());
      expect(repaired.code).toBe(0);
      const after = readFileSync(out);
      expect(after.length).toBe(read.goodEnd);
      expect(after.equals(bytes.subarray(0, read.goodEnd))).toBe(true);
      expect(readArchive(after)).toMatchObject({ bad: null, goodEnd: read.goodEnd, records: { length: read.records.length } });
    });

    it('--workers 2: both listen on one port, append to one archive, and report one summary', async () => {
      const out = file();
      const r = await startRecorder(['--out', out, '--workers', '2', '--json'], bin());
      for (let i = 0; i < 30; i++) expect((await post(r.port, `/w/${i}`, `w${i}`)).status).toBe(200);
      const s = await stop(r);
      expect(s.code).toBe(0);
      expect(JSON.parse(s.stdout)).toMatchObject({ workers: 2, requests: 30, recorded: 30 });
      const read = readArchive(readFileSync(out));
      expect(read.bad).toBeNull();
      expect(read.records.map((x) => x.url).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `/w/${i}`).sort());
    });

    async function rotated(out: string) {
      const base = out.split('/').pop()!;
      const files = readdirSync(dir)
        .filter((f) => f === base || f.startsWith(`${base}.`))
        .sort();
      const reads = files.map((f) => ({ f, bytes: readFileSync(join(dir, f)) }));
      return reads.map(({ f, bytes }) => ({ f, size: bytes.length, ...readArchive(bytes) }));
    }

    it('--rotate starts FILE.1, FILE.2, … each a whole archive within SIZE (batches are capped at SIZE)', async () => {
      const out = file();
      // No --flush-bytes and no timer flush: batches fill by size, and the 1 MiB default must shrink to fit 64 KiB.
      const r = await startRecorder(['--out', out, '--rotate', '64KiB', '--flush-ms', '60000'], bin());
      const agent = keepAlive();
      for (let i = 0; i < 120; i++) await post(r.port, `/r/${i}`, Buffer.alloc(2048, 120), agent);
      agent.destroy();
      expect((await stop(r)).code).toBe(0);
      const files = await rotated(out);
      expect(files.length).toBeGreaterThanOrEqual(3);
      for (const f of files) {
        expect(f.size).toBeLessThanOrEqual(64 * 1024);
        expect(f.bad).toBeNull();
      }
      expect(files.flatMap((f) => f.records.map((x) => x.url))).toEqual(Array.from({ length: 120 }, (_, i) => `/r/${i}`));
    });

    it('--rotate with --workers 2: each worker rotates into files of its own and nothing is lost', async () => {
      const out = file();
      const r = await startRecorder(['--out', out, '--rotate', '64KiB', '--workers', '2', '--flush-ms', '5'], bin());
      for (let i = 0; i < 100; i++) await post(r.port, `/rw/${i}`, Buffer.alloc(2048, 121));
      expect((await stop(r)).code).toBe(0);
      const files = await rotated(out);
      expect(files.length).toBeGreaterThanOrEqual(3);
      for (const f of files) expect(f.bad).toBeNull();
      expect(files.flatMap((f) => f.records.map((x) => x.url)).sort()).toEqual(Array.from({ length: 100 }, (_, i) => `/rw/${i}`).sort());
    });

    it('--sample 0 answers and counts everything and records nothing; --compress gzip round-trips', async () => {
      const out = file();
      const r = await startRecorder(['--out', out, '--sample', '0', '--json'], bin());
      for (let i = 0; i < 5; i++) await post(r.port, '/s', 'x');
      expect(JSON.parse((await stop(r)).stdout)).toMatchObject({ requests: 5, sampledOut: 5, recorded: 0 });
      expect(readArchive(readFileSync(out)).records).toHaveLength(0);

      const gz = file();
      const g = await startRecorder(['--out', gz, '--compress', 'gzip'], bin());
      const body = JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => ({ i, name: `item ${i}` })) });
      await post(g.port, '/gz', body);
      await stop(g);
      const cat = await runBroker(['cat', gz, '--json'], bin());
      const rec = JSON.parse(cat.stdout);
      expect(Buffer.from(rec.body, 'base64').toString()).toBe(body);
      // One gzip batch frame (format 4), smaller than the request frame it holds.
      const read = readArchive(readFileSync(gz));
      expect(read.batches).toMatchObject({ count: 1 });
      expect(read.batches.stored).toBeLessThan(read.batches.raw);
    });
  });

  describe('broker record on a full disk', () => {
    it.skipIf(disk.unavailable !== null)(`stops with a clear error and exit 1; what was flushed stays readable${disk.unavailable ? ` (skipped: cannot mount a 64 KiB tmpfs: ${disk.unavailable})` : ''}`, async () => {
      const out = join(disk.dir, 'full.brk');
      const r = await startRecorder(['--out', out, '--flush-bytes', '4KiB', '--flush-ms', '2', '--json'], bin());
      const agent = keepAlive();
      for (let i = 0; i < 200 && r.child.exitCode === null; i++) await post(r.port, `/f/${i}`, Buffer.alloc(2048, 102), agent).catch(() => {});
      agent.destroy();
      const { code } = await r.exited;
      expect(code).toBe(1);
      expect(r.stderr()).toMatch(/broker: cannot write to .*full\.brk: no space left on device \(ENOSPC\)/);
      const summary = JSON.parse(r.stdout());
      const read = readArchive(readFileSync(out));
      expect(read.bad).toBeNull(); // the torn batch was cut off
      expect(read.records.length).toBe(summary.recorded);
      expect(read.records.length).toBeGreaterThan(10);
      expect(existsSync(out)).toBe(true);
    });
  });
}
