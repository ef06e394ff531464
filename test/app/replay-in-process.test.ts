// replay in-process. undici compiles its HTTP parser (WebAssembly) on the process's first connection, blocking the event loop: that time
// was charged to the latency of every request already handed over (a small replay's p50 showed 60–80 ms against a
// local target answering at once). replay warms the client before its clock starts (src/replayer/warm-client.ts):
// no WebAssembly module is compiled once the replay has started. Not a timing: a count of compiles.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FilterError } from '../../src/filter.ts';
import { type ReplayOptions, replay } from '../../src/replayer/replayer.ts';
import { archiveBytes } from './archive-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-replay-warm-'));
let server: Server;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One archive to the test's server, as the command would ask for it; `more` changes what a case is about. */
const optionsFor = (file: string, more: Partial<ReplayOptions>): ReplayOptions => ({
  files: [file],
  target: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
  tlsTarget: null,
  concurrency: 4,
  rate: 0,
  loop: 1,
  filter: null,
  timeoutMs: 10_000,
  trust: { kind: 'default' },
  ...more,
});

it("compiles undici's parser before the replay starts, not while its first requests are timed", async () => {
  const file = join(dir, 'a.brk');
  writeFileSync(file, archiveBytes(8));
  const compiles: number[] = [];
  const Module = WebAssembly.Module;
  WebAssembly.Module = new Proxy(Module, {
    construct(target, args) {
      compiles.push(performance.now());
      return Reflect.construct(target, args);
    },
  });
  let started = Number.POSITIVE_INFINITY;
  try {
    const report = await replay(
      optionsFor(file, {
        onStart: () => {
          started = performance.now();
        },
      }),
    );
    expect(report).toMatchObject({ sent: 8, responses: 8 });
  } finally {
    WebAssembly.Module = Module;
  }
  // This test file's own undici compiled its parser once, before the replay's clock.
  expect(compiles.length).toBe(1);
  expect(compiles.filter((t) => t >= started)).toEqual([]);
});

it('stops looping once a loop kept no record (a filter matching none, an empty archive): --loop 1000000 read the file a million times to send nothing', async () => {
  const file = join(dir, 'b.brk');
  writeFileSync(file, archiveBytes(3));
  let asked = 0;
  const report = await replay(optionsFor(file, { concurrency: 2, loop: 1000, filter: () => (asked++, false) }));
  expect(report).toMatchObject({ sent: 0, archive: { records: 3 } });
  expect(asked).toBe(3);
});

it('a --filter that cannot judge a record (a body term on a body this runtime cannot inflate) stops the walk there and keeps the report of what was sent', async () => {
  const file = join(dir, 'c.brk');
  writeFileSync(file, archiveBytes(6));
  let asked = 0;
  const report = await replay(
    optionsFor(file, {
      concurrency: 1,
      filter: () => {
        if (++asked === 3) throw new FilterError('c.brk: --filter needs the body of the record at offset 1234, and this runtime has no zstd');
        return true;
      },
    }),
  );
  expect(report).toMatchObject({ sent: 2, responses: 2, filterError: 'c.brk: --filter needs the body of the record at offset 1234, and this runtime has no zstd', archive: { records: 3 } });
});
