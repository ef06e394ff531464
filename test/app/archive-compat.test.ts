// Archives written before a format change keep reading (and the first format-4 file, below). test/fixtures/archives/v2-none-gzip-brotli.brk was
// written by the format-2 encoder (before zstd and TLS frames, issue 27) and is committed as bytes, so a
// change to the reader cannot quietly regenerate it: 9 records, 3 bodies stored as they came, 3 gzip, 3 brotli.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decompressBody } from '../../src/archive/codec.ts';
import { ArchiveScan } from '../../src/archive/file.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { runCli } from '../../src/cli.ts';
import { repoRoot } from '../fixtures/context.ts';

const fixture = join(repoRoot, 'test/fixtures/archives/v2-none-gzip-brotli.brk');
const expected = [0, 1, 2].flatMap((codec) => [0, 1, 2].map((i) => ({ codec, body: `codec ${codec} body ${i} `.repeat(20), url: `/items/${i}?q=caf\u00e9` })));

describe('a format-2 archive from before zstd and TLS', () => {
  it('reads in memory: version 2, every record, body and codec as written', () => {
    const read = readArchive(readFileSync(fixture));
    expect(read.version).toBe(2);
    expect(read.bad).toBeNull();
    expect(read.records.map((r) => ({ codec: r.codec, body: Buffer.from(decompressBody(r.codec, r.body)).toString(), url: r.url }))).toEqual(expected);
  });

  it('reads from the file, as cat, stats, verify and replay do', () => {
    const scan = new ArchiveScan(fixture);
    const bodies = [...scan.records()].map((r) => Buffer.from(decompressBody(r.codec, r.body)).toString());
    expect(bodies).toEqual(expected.map((e) => e.body));
    expect(scan.result?.bad).toBeNull();
  });

  it('verify passes it and stats counts each codec', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    expect(await runCli(['verify', fixture], io)).toBe(0);
    expect(await runCli(['stats', fixture, '--json'], io)).toBe(0);
    expect(JSON.parse(out.slice(1).join('\n')).codecs).toEqual({ none: 3, gzip: 3, brotli: 3 });
  });
});

// test/fixtures/archives/v4-batches-gzip-brotli.brk: the first format-4 file, committed as bytes — a header block, a gzip
// batch frame (records 0–5), a brotli batch frame (6–11), two request frames as they came (12, 13), padding; every
// fourth record came over TLS with SNI v4.example.test. A later reader must read it as written.
const v4 = join(repoRoot, 'test/fixtures/archives/v4-batches-gzip-brotli.brk');
const v4Body = (n: number) => `{"n":${n},"event":"v4 batch","pad":"${'v'.repeat(40)}"}`;

describe('a format-4 archive of compressed batches', () => {
  it('reads in memory and from the file: every record as written, each batch at its offset', () => {
    const read = readArchive(readFileSync(v4));
    expect(read.version).toBe(4);
    expect(read.bad).toBeNull();
    expect(read.batches).toEqual({ count: 2, stored: 720, raw: 2435 });
    expect(read.records.map((r) => Buffer.from(r.body).toString())).toEqual(Array.from({ length: 14 }, (_, n) => v4Body(n)));
    expect(read.records.map((r) => (r.tls ? r.sni : null))).toEqual(Array.from({ length: 14 }, (_, n) => (n % 4 === 3 ? 'v4.example.test' : null)));
    expect([...new Set(read.records.map((r) => r.offset))]).toHaveLength(4);
    const scan = new ArchiveScan(v4, 512);
    expect([...scan.records()].map((r) => r.offset)).toEqual(read.records.map((r) => r.offset));
    expect(scan.result).toMatchObject({ bad: null, batches: read.batches });
  });

  it('verify passes it and stats reports its batches', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    expect(await runCli(['verify', v4], io)).toBe(0);
    expect(await runCli(['stats', v4, '--json'], io)).toBe(0);
    expect(JSON.parse(out.slice(1).join('\n'))).toMatchObject({ requests: 14, codecs: { none: 14 }, batches: { count: 2, storedBytes: 720, frameBytes: 2435 }, intact: true });
  });
});
