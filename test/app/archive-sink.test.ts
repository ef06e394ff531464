// The archive sink's direct I/O: batches padded to whole blocks, the file's end always on a block
// boundary, every record readable — and plain buffered writes where a file cannot take direct appends.
import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BLOCK_SIZE } from '../../src/archive/format.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { encodeRequestFrame, recordPayloadSize } from '../../src/archive/record.ts';
import { ArchiveSink, createArchiveFile } from '../../src/recorder/archive-sink.ts';
import { repoRoot } from '../fixtures/context.ts';
import { itWhen, prerequisite } from '../fixtures/skip.ts';
import { sampleRecord } from './archive-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Why this directory's file system cannot take O_DIRECT, or null when it can. */
function noDirectIo(): string | null {
  if (!constants.O_DIRECT) return 'no O_DIRECT on this platform';
  const probe = join(dir, 'probe');
  try {
    closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT, 0o600));
    return null;
  } catch (err) {
    return `${tmpdir()} refuses O_DIRECT (${(err as NodeJS.ErrnoException).code})`;
  } finally {
    rmSync(probe, { force: true });
  }
}
const directSkip = noDirectIo();

/** A batch of `count` request frames starting at record `first`, as the batch writer builds one. */
function batch(first: number, count: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = first; i < first + count; i++) {
    const body = Buffer.alloc(100 + ((i * 397) % 3000), i);
    const r = sampleRecord(i, body);
    const buf = Buffer.alloc(12 + recordPayloadSize(r));
    encodeRequestFrame(buf, 0, r, 0);
    parts.push(buf);
  }
  return Buffer.concat(parts);
}

describe('ArchiveSink', () => {
  it.skipIf(directSkip !== null)(`writes batches with direct I/O, each padded to a whole block${directSkip ? ` (skipped: ${directSkip})` : ''}`, async () => {
    const path = join(dir, 'direct.brk');
    const identity = createArchiveFile(path);
    expect(statSync(path).size).toBe(BLOCK_SIZE);
    // Batches on both sides of batchBytes: the kept staging memory and a one-off one for a larger batch.
    const sink = new ArchiveSink({ path, identity, rotateBytes: 0, shared: false, batchBytes: 12_000 });
    let written = 0;
    const sizes: number[] = [];
    for (let b = 0; b < 6; b++) {
      const buf = batch(b * 7, 7);
      sizes.push(buf.length);
      await sink.write(buf, buf.length);
      written += buf.length;
      expect(statSync(path).size % BLOCK_SIZE).toBe(0);
    }
    sink.close();
    expect(Math.min(...sizes)).toBeLessThan(12_000);
    expect(Math.max(...sizes)).toBeGreaterThan(12_000);
    expect(sink.counters.directBatches).toBe(6);
    expect(statSync(path).size).toBe(BLOCK_SIZE + written + sink.counters.paddingBytes);
    const read = readArchive(readFileSync(path));
    expect(read.bad).toBeNull();
    expect(read.records.map((r) => r.url)).toEqual(Array.from({ length: 42 }, (_, i) => sampleRecord(i).url));
    expect(read.padding).toBe(BLOCK_SIZE - 16 + sink.counters.paddingBytes);
  });

  it.skipIf(directSkip !== null)(`two sinks appending to one file (--workers) keep its end on a block boundary${directSkip ? ` (skipped: ${directSkip})` : ''}`, async () => {
    const path = join(dir, 'shared.brk');
    const identity = createArchiveFile(path);
    const a = new ArchiveSink({ path, identity, rotateBytes: 0, shared: true, batchBytes: 1 << 20 });
    const b = new ArchiveSink({ path, identity, rotateBytes: 0, shared: true, batchBytes: 1 << 20 });
    // Each sink writes one batch at a time (as the batch writer calls it); the two run at once.
    const writes = async (sink: ArchiveSink, ks: number[]) => {
      for (const k of ks) await sink.write(batch(k * 5, 5), batch(k * 5, 5).length);
    };
    await Promise.all([writes(a, [0, 2, 4]), writes(b, [1, 3, 5])]);
    a.close();
    b.close();
    expect(a.counters.directBatches + b.counters.directBatches).toBe(6);
    const read = readArchive(readFileSync(path));
    expect(read.bad).toBeNull();
    expect(read.records.map((r) => r.url).sort()).toEqual(Array.from({ length: 30 }, (_, i) => sampleRecord(i).url).sort());
  });

  it.skipIf(directSkip !== null)(`a direct write refused mid-file (EINVAL) falls back to buffered writes and loses nothing${directSkip ? ` (skipped: ${directSkip})` : ''}`, async () => {
    const path = join(dir, 'mixed.brk');
    const identity = createArchiveFile(path);
    const sink = new ArchiveSink({ path, identity, rotateBytes: 0, shared: true, batchBytes: 1 << 20 });
    const first = batch(0, 4);
    await sink.write(first, first.length);
    // Another writer appends one frame without padding: the file's end is now off a block boundary,
    // where a direct write is refused (ext4, xfs: EINVAL).
    appendFileSync(path, batch(4, 1));
    const second = batch(5, 4);
    await sink.write(second, second.length);
    sink.close();
    const read = readArchive(readFileSync(path));
    expect(read.bad).toBeNull();
    expect(read.records.map((r) => r.url)).toEqual(Array.from({ length: 9 }, (_, i) => sampleRecord(i).url));
    // 1 when the file system refused the unaligned write (it fell back: ext4 here), 2 when it took it anyway (tmpfs).
    expect([1, 2]).toContain(sink.counters.directBatches);
  });

  it('a file whose end is off a block boundary (another worker fell back to buffered writes) gets plain buffered appends', async () => {
    const path = join(dir, 'unaligned.brk');
    const identity = createArchiveFile(path);
    const first = batch(0, 1);
    appendFileSync(path, first);
    const sink = new ArchiveSink({ path, identity, rotateBytes: 0, shared: true, batchBytes: 1 << 20 });
    const buf = batch(1, 3);
    await sink.write(buf, buf.length);
    sink.close();
    expect(sink.counters).toMatchObject({ directBatches: 0, paddingBytes: 0 });
    expect(statSync(path).size).toBe(BLOCK_SIZE + first.length + buf.length);
    expect(readArchive(readFileSync(path)).records).toHaveLength(4);
  });
});

describe('ArchiveSink --fsync', () => {
  it('batch: every batch is fdatasynced before its write resolves; an interval: once, by its timer, for several batches', async () => {
    const every = join(dir, 'fsync-batch.brk');
    const sink = new ArchiveSink({ path: every, identity: createArchiveFile(every), rotateBytes: 0, shared: false, batchBytes: 1 << 20, fsync: 'batch' });
    for (let b = 0; b < 3; b++) await sink.write(batch(b * 2, 2), batch(b * 2, 2).length);
    expect(sink.counters.syncs).toBe(3);
    sink.close();

    const timed = join(dir, 'fsync-interval.brk');
    const interval = new ArchiveSink({ path: timed, identity: createArchiveFile(timed), rotateBytes: 0, shared: false, batchBytes: 1 << 20, fsync: { intervalMs: 300 } });
    for (let b = 0; b < 3; b++) await interval.write(batch(b * 2, 2), batch(b * 2, 2).length);
    expect(interval.counters.syncs).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    // No batch came after the three: the timer synced them.
    expect(interval.counters.syncs).toBe(1);
    interval.close();
    expect(readArchive(readFileSync(timed)).records).toHaveLength(6);
  });
});

// strace shows the calls themselves: nothing else tells a synced directory entry from an unsynced one short of a power cut.
const strace = prerequisite('strace', spawnSync('strace', ['-V']).error ? 'not installed (.ci/run installs it)' : undefined);

describe('ArchiveSink: a clean stop', () => {
  itWhen(strace, 'with --fsync never, close fsyncs the file and its directory entry, so a new file survives a power cut', () => {
    const at = join(dir, 'close-syncs');
    mkdirSync(at);
    const log = join(dir, 'close-syncs.strace');
    const r = spawnSync('strace', ['-f', '-e', 'trace=openat,fsync', '-o', log, process.execPath, '--import', 'tsx', join(repoRoot, 'test/fixtures/sink-close.ts'), join(at, 'a.brk')], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const calls = readFileSync(log, 'utf8');
    // The directory opened read-only, and an fsync of that descriptor.
    const dirFds = [...calls.matchAll(new RegExp(`openat\\(AT_FDCWD, "${at}", O_RDONLY[^)]*\\) = (\\d+)`, 'g'))].map((m) => m[1]);
    expect(dirFds.length).toBeGreaterThan(0);
    expect(dirFds.some((fd) => new RegExp(`fsync\\(${fd}\\) += 0`).test(calls))).toBe(true);
    expect(readArchive(readFileSync(join(at, 'a.brk'))).records).toHaveLength(1);
  });
});
