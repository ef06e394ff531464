// Issue 23, item 4: a write error on stdout is one line and exit 1 from every command (it was a minified source
// line, a stack trace and "Node.js v22…"); a reader that closes the pipe early (EPIPE) ends broker quietly, exit 0.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArchive } from '../../../src/archive/reader.ts';
import { archiveBytes } from '../archive-fixtures.ts';
import { brokerCommand } from '../broker-process.ts';
import { scratchDir } from '../fault-scratch.ts';
import { post } from '../http-client.ts';
import type { BinOf } from './bin.ts';

const oneLine = /^broker: cannot write the output: no space left on device \(ENOSPC\); it is incomplete\n$/;

export function stdoutErrorsCases(bin: BinOf): void {
  const dir = scratchDir('stdout');
  const archive = join(dir, 'a.brk');
  writeFileSync(archive, archiveBytes(2000));
  // The same with a torn frame at the end: a reader that gets that far says so on stderr.
  const tornTail = join(dir, 'torn.brk');
  writeFileSync(tornTail, Buffer.concat([archiveBytes(2000), archiveBytes(1).subarray(4096, 4110)]));
  let target: Server;
  let targetUrl = '';
  beforeAll(async () => {
    target = createServer((req, res) => req.resume().on('end', () => res.end()));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetUrl = `http://127.0.0.1:${(target.address() as { port: number }).port}`;
  });
  afterAll(() => target?.close());

  /** Starts `broker ARGS` with stdout on `stdout` ('pipe' or a descriptor); stderr is collected. */
  async function start(args: string[], stdout: number | 'pipe') {
    const [cmd, argv] = await brokerCommand(args, bin());
    const child = spawn(cmd, argv, { stdio: ['ignore', stdout, 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    return { child, stderr: () => err, exited };
  }

  /** Runs `broker ARGS` with stdout on /dev/full: every write fails with ENOSPC. */
  async function toFullDevice(args: string[]) {
    const fd = openSync('/dev/full', 'w');
    try {
      const r = await start(args, fd);
      return { code: await r.exited, stderr: r.stderr() };
    } finally {
      closeSync(fd);
    }
  }

  describe('stdout that cannot be written', () => {
    const commands: [string, () => string[]][] = [
      ['cat', () => ['cat', archive]],
      ['cat --json', () => ['cat', archive, '--json']],
      ['stats', () => ['stats', archive]],
      ['stats --json', () => ['stats', archive, '--json']],
      ['verify', () => ['verify', archive]],
      ['verify --json', () => ['verify', archive, '--json']],
      ['replay', () => ['replay', archive, '--target', targetUrl, '--loop', '1']],
      ['version', () => ['version']],
      ['--help', () => ['--help']],
      ['cat --help', () => ['cat', '--help']],
    ];
    for (const [name, args] of commands) {
      it.skipIf(process.platform !== 'linux')(`${name} > /dev/full: one line naming the cause, exit 1`, async () => {
        const r = await toFullDevice(args());
        expect(r.stderr).toMatch(oneLine);
        expect(r.code).toBe(1);
      });
    }

    it.skipIf(process.platform !== 'linux')("record's summary > /dev/full: one line, exit 1, and the archive holds what was answered", async () => {
      const out = join(dir, 'rec.brk');
      const fd = openSync('/dev/full', 'w');
      const r = await start(['record', '--listen', '127.0.0.1:0', '--out', out], fd);
      closeSync(fd);
      const port = await new Promise<number>((res) => {
        const check = () => {
          const m = /listening on [^\s]+:(\d+)/.exec(r.stderr());
          if (m) res(Number(m[1]));
        };
        r.child.stderr!.on('data', check);
      });
      for (let i = 0; i < 3; i++) expect((await post(port, `/s/${i}`, 'x')).status).toBe(200);
      r.child.kill('SIGTERM');
      expect(await r.exited).toBe(1);
      expect(r.stderr().replace(/^broker record: listening on .*\n/, '')).toMatch(oneLine);
      expect(readArchive(readFileSync(out))).toMatchObject({ bad: null, records: { length: 3 } });
    });
  });

  describe('a reader that closes the pipe early (EPIPE)', () => {
    for (const args of [
      ['cat', 'FILE'],
      ['cat', 'FILE', '--json'],
      ['stats', 'FILE'],
      ['verify', 'FILE'],
    ]) {
      it(`${args.join(' ')} | (closed): exit 0, nothing on stderr`, async () => {
        const r = await start(
          args.map((a) => (a === 'FILE' ? archive : a)),
          'pipe',
        );
        // Closed before broker writes a byte: its first write fails with EPIPE.
        r.child.stdout!.destroy();
        expect(await r.exited).toBe(0);
        expect(r.stderr()).toBe('');
      });
    }

    it('cat stops at its first failed write: it never reads on to the torn frame at the end', async () => {
      const r = await start(['cat', tornTail], 'pipe');
      r.child.stdout!.destroy();
      expect(await r.exited).toBe(0);
      // Reading on (as it did) ends with "stopped at a bad frame" on stderr, though the reader had long gone.
      expect(r.stderr()).toBe('');
    });
  });
}
