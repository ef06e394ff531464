// --compress zstd and --compress-level (issue 27). Node's zlib has zstd from 22.15: the shipped runtime (the
// pinned official Node 22, which runs the test bundle here exactly as it runs the dist artifact) has it, the
// host's Node may not. So: recording and reading zstd runs on the official runtime; what a runtime without
// zstd does runs in-process when the host lacks it (and is skipped, loudly, on a host that has it).
// test/fixtures/archives/v3-zstd-tls.brk was written by the official runtime with this code: 4 records,
// bodies 0–2 zstd (level 3), body 3 stored; records 1 and 3 came over TLS (SNI api.example.test, and none).

import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODEC_LEVELS, compressBody, zstdMissing } from '../../src/archive/codec.ts';
import { BLOCK_SIZE, Codec, decodeFrame, decodeHeader, encodeHeader, FrameKind, TLS_FLAG } from '../../src/archive/format.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { encodeRequestFrame, recordPayloadSize } from '../../src/archive/record.ts';
import { repoRoot } from '../fixtures/context.ts';
import { runBrokerCli as run } from '../fixtures/run-cli.ts';
import { officialTestRuntime } from '../fixtures/runtime.ts';
import { itWhen, prerequisite } from '../fixtures/skip.ts';
import { sampleRecord } from './archive-fixtures.ts';
import { type BrokerBin, killLeftovers, removeBundle, runBroker, startRecorder } from './broker-process.ts';
import { keepAlive, post } from './http-client.ts';

const fixture = join(repoRoot, 'test/fixtures/archives/v3-zstd-tls.brk');
const fixtureBodies = [0, 1, 2, 3].map((i) => `zstd body ${i} `.repeat(30));
const dir = mkdtempSync(join(tmpdir(), 'broker-zstd-'));
afterAll(() => {
  killLeftovers();
  removeBundle();
  rmSync(dir, { recursive: true, force: true });
});

/** A frame with these flags in a file of this version, CRC sealed: does decodeFrame take it? */
function frameIn(version: number, codec: number, sni?: string) {
  const r = { ...sampleRecord(1), ...(sni === undefined ? {} : { sni }) };
  const buf = Buffer.alloc(12 + recordPayloadSize(r));
  encodeRequestFrame(buf, 0, r, codec);
  return decodeFrame(buf, 0, version);
}

describe('format 3: zstd codec and TLS flag', () => {
  it('codec 3 and the TLS bit are reserved bits in a version 2 file, valid in versions 3 and 4', () => {
    expect(frameIn(4, Codec.zstd, 'a.test')).toMatchObject({ status: 'frame' });
    expect(frameIn(2, Codec.zstd)).toEqual({ status: 'bad', reason: 'reserved frame bits set' });
    expect(frameIn(2, Codec.none, 'a.test')).toEqual({ status: 'bad', reason: 'reserved frame bits set' });
    expect(frameIn(3, Codec.zstd)).toMatchObject({ status: 'frame' });
    const tls = frameIn(3, Codec.gzip, 'a.test');
    expect(tls).toMatchObject({ status: 'frame', frame: { flags: Codec.gzip | TLS_FLAG } });
  });

  it('the committed zstd/TLS archive decodes its records, TLS flag and SNI on any runtime', () => {
    const read = readArchive(readFileSync(fixture));
    expect(read.version).toBe(3);
    expect(read.bad).toBeNull();
    expect(read.records.map((r) => [r.codec, r.tls, r.sni])).toEqual([
      [Codec.zstd, false, ''],
      [Codec.zstd, true, 'api.example.test'],
      [Codec.zstd, false, ''],
      [Codec.none, true, ''],
    ]);
  });

  it('--compress-level is checked against the codec it goes with, and needs one', async () => {
    const gz = await run('record', '--compress', 'gzip', '--compress-level', '10');
    expect(gz.code).toBe(2);
    expect(gz.err).toBe("broker: --compress-level (with --compress gzip) must be an integer from 1 to 9, got '10' (see 'broker record --help')");
    const br = await run('record', '--compress', 'brotli', '--compress-level', 'x');
    expect(br.err).toMatch(/--compress-level \(with --compress brotli\) must be an integer from 0 to 11, got 'x'/);
    const alone = await run('record', '--compress-level', '3');
    expect(alone.code).toBe(2);
    expect(alone.err).toBe("broker: --compress-level 3 needs --compress gzip, brotli or zstd (see 'broker record --help')");
    expect(CODEC_LEVELS.zstd).toEqual({ min: 1, max: 22, default: 1 });
  });
});

const hostWithoutZstd = prerequisite('a host Node without zstd (the no-zstd behaviour is tested in-process)', zstdMissing() === null ? `this host's Node ${process.version} has zstd` : undefined, 'optional');

describe(`on a runtime without zstd (this host: Node ${process.version})`, () => {
  itWhen(hostWithoutZstd, 'record --compress zstd is a usage error naming the runtime version', async () => {
    const r = await run('record', '--compress', 'zstd');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--compress zstd cannot be used: this runtime (Node ${process.version}) has no zstd in zlib: it needs Node 22.15 or later`);
    expect(() => compressBody(Codec.zstd, Buffer.from('x'))).toThrow(/no zstd/);
  });

  itWhen(hostWithoutZstd, 'cat prints every record, each zstd body replaced by a per-frame error, and exits 1', async () => {
    const r = await run('cat', fixture);
    expect(r.code).toBe(1);
    expect(r.out.match(/<\d+ bytes of stored body: cannot decompress zstd body: this runtime \(Node v[\d.]+\) has no zstd/g)).toHaveLength(3);
    expect(r.out).toContain(fixtureBodies[3]?.trim());
    expect(r.err).toMatch(/3 records printed without its body \(first at offset 4096\)/);
    const json = await run('cat', fixture, '--json');
    const lines = json.out.split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.body === null)).toEqual([true, true, true, false]);
    expect(lines[0].bodyError).toMatch(/no zstd/);
  });

  itWhen(hostWithoutZstd, 'verify says the zstd bodies could not be checked, exits 1, and --repair cuts nothing', async () => {
    const copy = join(dir, 'no-zstd-verify.brk');
    copyFileSync(fixture, copy);
    const r = await run('verify', copy, '--repair');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/every frame's checksum and record are good, 4 records/);
    expect(r.err).toMatch(/3 zstd bodies \(first at offset 4096\) could not be checked: this runtime \(Node v/);
    expect(statSync(copy).size).toBe(statSync(fixture).size);
  });

  itWhen(hostWithoutZstd, 'stats counts them at their stored size and exits 1; replay sends the others and counts them as errors', async () => {
    const s = await run('stats', fixture, '--json');
    expect(s.code).toBe(1);
    expect(JSON.parse(s.out)).toMatchObject({ requests: 4, undecodableBodies: 3, codecs: { zstd: 3, none: 1 } });
    const server: Server = createServer((req, res) => req.resume().on('end', () => res.end()));
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await run('replay', fixture, '--target', `http://127.0.0.1:${port}`, '--json');
      expect(r.code).toBe(1);
      // The one stored body went out whole (Node's parser answers 400 to the fixture's non-ASCII URL: still a response).
      expect(JSON.parse(r.out)).toMatchObject({ sent: 1, responses: 1, errors: { CODEC_UNAVAILABLE: 3 }, bodyBytesSent: fixtureBodies[3]?.length });
    } finally {
      server.close();
    }
  });
});

describe('on the official Node 22 runtime (the shipped one)', () => {
  let node: BrokerBin;
  beforeAll(async () => {
    node = { node: (await officialTestRuntime()).path };
  });

  it('reads the committed zstd archive: cat, stats, verify', async () => {
    const cat = await runBroker(['cat', fixture, '--json'], node);
    expect(cat.code).toBe(0);
    const lines = cat.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => Buffer.from(l.body, 'base64').toString())).toEqual(fixtureBodies);
    expect(lines.map((l) => l.sni)).toEqual([undefined, 'api.example.test', undefined, '']);
    expect((await runBroker(['verify', fixture], node)).code).toBe(0);
    const stats = JSON.parse((await runBroker(['stats', fixture, '--json'], node)).stdout);
    expect(stats).toMatchObject({ requests: 4, codecs: { zstd: 3, none: 1 }, undecodableBodies: 0, tls: { requests: 2, sni: { 'api.example.test': 1, '': 1 } } });
  });

  it('record --compress zstd --compress-level 19 stores zstd batch frames that every reader opens', async () => {
    const out = join(dir, 'rec-zstd.brk');
    const r = await startRecorder(['--out', out, '--compress', 'zstd', '--compress-level', '19'], node);
    const agent = keepAlive();
    const bodies = Array.from({ length: 6 }, (_, i) => `{"n":${i},"pad":"${'abc'.repeat(100 + i)}"}`);
    for (const [i, b] of bodies.entries()) expect((await post(r.port, `/z/${i}`, b, agent)).status).toBe(200);
    agent.destroy();
    r.child.kill('SIGTERM');
    expect((await r.exited).code).toBe(0);
    // The bytes: a version 4 file whose one batch frame is zstd (flags 3), its payload a zstd frame (magic
    // 28 B5 2F FD) after the length field; read here without inflating (this host's Node may lack zstd).
    const bytes = readFileSync(out);
    expect(decodeHeader(bytes).version).toBe(4);
    const kinds: number[] = [];
    for (let p = BLOCK_SIZE; p < bytes.length; ) {
      const f = decodeFrame(bytes, p, 4);
      if (f.status !== 'frame') throw new Error(`frame at ${p}: ${f.status}`);
      if (f.frame.kind === FrameKind.batch) {
        expect(f.frame.flags).toBe(Codec.zstd);
        expect(Buffer.from(f.frame.payload.subarray(4, 8))).toEqual(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
      }
      kinds.push(f.frame.kind);
      p = f.frame.end;
    }
    expect(new Set(kinds.filter((k) => k !== FrameKind.padding))).toEqual(new Set([FrameKind.batch]));
    const cat = await runBroker(['cat', out, '--json'], node);
    expect(
      cat.stdout
        .trim()
        .split('\n')
        .map((l) => Buffer.from(JSON.parse(l).body, 'base64').toString()),
    ).toEqual(bodies);
    expect((await runBroker(['verify', out], node)).code).toBe(0);
    const stats = JSON.parse((await runBroker(['stats', out, '--json'], node)).stdout);
    expect(stats).toMatchObject({ codecs: { none: 6 }, batches: { count: kinds.filter((k) => k === FrameKind.batch).length } });
  });

  it('--compress-level out of zstd range is exit 2 naming 1 to 22', async () => {
    const r = await runBroker(['record', '--compress', 'zstd', '--compress-level', '23'], node);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("broker: --compress-level (with --compress zstd) must be an integer from 1 to 22, got '23' (see 'broker record --help')\n");
  });

  it('a zstd body that would inflate past 128 MiB is a bad frame, never an allocation of its size', async () => {
    // Hand-made zstd (RFC 8878): 1,601 RLE blocks of 128 KiB zeros, 200 MiB in 6.4 KB; built here, where zstd may be missing.
    const blocks = 1601;
    const frame = Buffer.alloc(4 + 2 + blocks * 4);
    frame.writeUInt32LE(0xfd2fb528, 0);
    frame[4] = 0x00; // no content size, not single-segment, no checksum, no dictionary
    frame[5] = 7 << 3; // window 2^(10+7) = 128 KiB, one block's size
    for (let i = 0; i < blocks; i++) {
      const header = ((128 * 1024) << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0); // size, RLE, last
      frame.writeUIntLE(header, 6 + i * 4, 3);
      frame[6 + i * 4 + 3] = 0;
    }
    const r = sampleRecord(0, frame);
    const buf = Buffer.alloc(12 + recordPayloadSize(r));
    encodeRequestFrame(buf, 0, r, Codec.zstd);
    const bomb = join(dir, 'bomb.brk');
    writeFileSync(bomb, Buffer.concat([Buffer.from(encodeHeader()), buf]));
    const v = await runBroker(['verify', bomb], node);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/bad frame at offset 16: zstd body inflates to more than 134217728 bytes/);
  });

  it('the old format-2 archive still reads there', async () => {
    const cat = await runBroker(['cat', join(repoRoot, 'test/fixtures/archives/v2-none-gzip-brotli.brk'), '--json'], node);
    expect(cat.code).toBe(0);
    expect(cat.stdout.trim().split('\n')).toHaveLength(9);
  });
});
