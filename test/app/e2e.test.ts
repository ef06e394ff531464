// End to end with the real artifact: `npm run dist` into a temp dir (≈2 s with the runtime cached),
// then record → cat/verify/replay with that SEA binary, cluster workers included. esbuild's bundle
// under plain node is not the same thing: in a SEA `require` reaches only builtins and argv differs.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { readArchive } from '../../src/archive/reader.ts';
import { runDist, tempDir } from '../fixtures/context.ts';
import { killLeftovers, runBroker, startRecorder } from './broker-process.ts';
import { keepAlive, post } from './http-client.ts';

const out = tempDir('e2e-dist');
const bin = join(out, `broker-${pkg.version}-linux-x64`);
const work = tempDir('e2e-work');

describe('the built SEA artifact records, inspects and replays', () => {
  beforeAll(() => {
    runDist(['--runtime', 'official'], out);
  }, 300_000);
  afterAll(() => {
    killLeftovers();
    // The artifact alone is ~100 MiB: leave nothing behind.
    rmSync(out, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('record --workers 2 → SIGTERM summary → cat, verify and stats read it back', async () => {
    const archive = join(work, 'sea.brk');
    const r = await startRecorder(['--out', archive, '--workers', '2', '--compress', 'brotli', '--json'], bin);
    const agent = keepAlive();
    for (let i = 0; i < 40; i++) expect((await post(r.port, `/e2e/${i}`, JSON.stringify({ i, pad: 'p'.repeat(300) }), i % 2 ? agent : undefined)).status).toBe(200);
    agent.destroy();
    r.child.kill('SIGTERM');
    expect((await r.exited).code).toBe(0);
    const summary = JSON.parse(r.stdout());
    expect(summary).toMatchObject({ workers: 2, requests: 40, recorded: 40, error: null, archive: { compress: 'brotli', uncompressedBatches: 0 } });
    // Both workers' writing threads timed their codec: a rate, summed across them.
    expect(summary.archive.compressMiBPerSecond).toBeGreaterThan(0);
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    const read = readArchive(readFileSync(archive));
    expect(read.bad).toBeNull();
    expect(read.records).toHaveLength(40);

    const cat = await runBroker(['cat', archive, '--json', '--filter', 'path=/e2e/7'], bin);
    expect(cat.code).toBe(0);
    expect(JSON.parse(Buffer.from(JSON.parse(cat.stdout).body, 'base64').toString())).toEqual({ i: 7, pad: 'p'.repeat(300) });
    expect((await runBroker(['verify', archive], bin)).stdout).toMatch(/intact, 40 records/);
    // Brotli batches (format 4): the records' bodies read back uncompressed, the batches counted apart.
    const stats = JSON.parse((await runBroker(['stats', archive, '--json'], bin)).stdout);
    expect(stats).toMatchObject({ requests: 40, codecs: { none: 40 }, batches: { count: read.batches.count } });
    expect(read.batches.count).toBeGreaterThan(0);
    expect(stats.batches.storedBytes).toBeLessThan(stats.batches.frameBytes);
  });

  it('replay from the artifact (undici, hdr-histogram-js bundled in) reaches a live target', async () => {
    const archive = join(work, 'replay.brk');
    const r = await startRecorder(['--out', archive], bin);
    for (let i = 0; i < 10; i++) await post(r.port, `/r/${i}`, `r${i}`);
    r.child.kill('SIGINT');
    await r.exited;
    let got = 0;
    const target = createServer((req, res) => (req.resume(), req.on('end', () => (got++, res.end()))));
    await new Promise<void>((res) => target.listen(0, '127.0.0.1', res));
    const port = (target.address() as { port: number }).port;
    const rep = await runBroker(['replay', archive, '--target', `http://127.0.0.1:${port}`, '--loop', '3', '--json'], bin);
    target.close();
    expect(rep.code).toBe(0);
    expect(JSON.parse(rep.stdout)).toMatchObject({ sent: 30, responses: 30, statuses: { 200: 30 } });
    expect(got).toBe(30);
  });
});
