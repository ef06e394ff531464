// The chunked file reader must agree with the pure reader on every input: same records, same verdict.
// Archives here are several MiB so frames straddle its 256 KiB chunks, and one frame is larger than a chunk.
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArchiveScan, scanArchiveFile } from '../../src/archive/file.ts';
import { ArchiveError } from '../../src/archive/format.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { archiveBytes, prng } from './archive-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sizes = (i: number) => (i === 7 ? 1_600_000 : 20_000 + ((i * 7919) % 180_000));
const big = archiveBytes(40, 0, (i) => Buffer.alloc(sizes(i), i));

function compare(bytes: Buffer, name: string) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  let pure: ReturnType<typeof readArchive> | ArchiveError;
  try {
    pure = readArchive(bytes);
  } catch (err) {
    if (!(err instanceof ArchiveError)) throw err;
    pure = err;
  }
  const scan = new ArchiveScan(path);
  const offsets: number[] = [];
  const lengths: number[] = [];
  try {
    for (const r of scan.records()) {
      offsets.push(r.offset);
      lengths.push(r.body.length);
    }
  } catch (err) {
    expect(err).toBeInstanceOf(ArchiveError);
    expect(pure).toBeInstanceOf(ArchiveError);
    return;
  }
  if (pure instanceof ArchiveError) throw new Error(`pure reader threw ${pure.message} but the scan did not`);
  expect(offsets).toEqual(pure.records.map((r) => r.offset));
  expect(lengths).toEqual(pure.records.map((r) => r.body.length));
  expect(scan.result).toEqual({ size: bytes.length, frames: pure.records.length, padding: pure.padding, batches: pure.batches, goodEnd: pure.goodEnd, bad: pure.bad });
}

describe('ArchiveScan (chunked file reader) agrees with readArchive', () => {
  it('an intact multi-MiB archive with a frame larger than one chunk', () => {
    expect(big.length).toBeGreaterThan(4 * 2 ** 20);
    compare(big, 'intact.brk');
    expect(scanArchiveFile(join(dir, 'intact.brk'))).toMatchObject({ frames: 40, bad: null, goodEnd: big.length });
  });

  it('truncated anywhere: at chunk boundaries, inside the big frame, inside headers', () => {
    const offsets = readArchive(big).records.map((r) => r.offset);
    const cuts = new Set<number>([5, 16, 17, 2 ** 20 - 1, 2 ** 20, 2 ** 20 + 1, 2 * 2 ** 20 + 3, offsets[7]! + 11, offsets[7]! + 12, offsets[7]! + 900_000, big.length - 1]);
    const rnd = prng(11);
    for (let i = 0; i < 12; i++) cuts.add(Math.floor(rnd() * big.length));
    for (const cut of cuts) compare(big.subarray(0, cut), `cut-${cut}.brk`);
  });

  it('a flipped byte near chunk boundaries and in the big frame', () => {
    const offsets = readArchive(big).records.map((r) => r.offset);
    const rnd = prng(12);
    const spots = [2 ** 20 - 2, 2 ** 20, 2 ** 20 + 2, offsets[7]! + 3, offsets[7]! + 1_000_000, ...Array.from({ length: 8 }, () => Math.floor(rnd() * big.length))];
    for (const at of spots) {
      const copy = Buffer.from(big);
      copy[at]! ^= 0x40;
      compare(copy, `flip-${at}.brk`);
    }
  });
});

describe('ArchiveScan of a file cut while it is read', () => {
  it('ends at a cut-short frame where the file now ends, as if it had always ended there', () => {
    const path = join(dir, 'shrinks.brk');
    writeFileSync(path, big);
    const cut = 2 ** 20 + 5_000;
    const scan = new ArchiveScan(path);
    // After the first chunk is read, the file is cut (verify --repair in another shell would do this).
    let reads = 0;
    scan.onRead = () => {
      if (++reads === 1) truncateSync(path, cut);
      // A scan that never ends re-reads the same bytes: stop the test rather than hang.
      if (reads > 1000) throw new Error('the scan keeps reading a file that ended');
    };
    const offsets: number[] = [];
    for (const r of scan.records()) offsets.push(r.offset);
    const whole = readArchive(big.subarray(0, cut));
    expect(offsets).toEqual(whole.records.map((r) => r.offset));
    expect(scan.result?.bad).toEqual(whole.bad);
    expect(scan.result?.goodEnd).toBe(whole.goodEnd);
  });
});
