// Archives written before a format change keep reading. test/fixtures/archives/v2-none-gzip-brotli.brk was
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
