// Issue 23, item 1: the recorder writes only into archive files it created. With --rotate, a FILE.1 left by an
// earlier run and a FILE.2 that is a symlink to someone's file used to take the recorded requests; now a taken
// name is skipped and stays as it was (faults/rotation-safety.ts; test/build/faults-artifact.test.ts runs it against the
// dist artifacts). The first FILE is opened by identity, never through a link.
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readArchive } from '../../src/archive/reader.ts';
import { encodeRequestFrame, recordPayloadSize } from '../../src/archive/record.ts';
import { ArchiveSink, createArchiveFile } from '../../src/recorder/archive-sink.ts';
import { archiveBytes, sampleRecord } from './archive-fixtures.ts';
import { killLeftovers, removeBundle } from './broker-process.ts';
import { testBundle } from './faults/bin.ts';
import { rotationSafetyCases } from './faults/rotation-safety.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-rotate-'));
afterAll(() => {
  killLeftovers();
  removeBundle();
  rmSync(dir, { recursive: true, force: true });
});

rotationSafetyCases(testBundle);

// In-process: the sink itself, given a first FILE that is no longer the one record created.
describe('rotation writes only into files it created', () => {
  it('the first FILE replaced by a symlink or another file after record created it: the sink refuses it', () => {
    const path = join(dir, 'first.brk');
    const identity = createArchiveFile(path);
    const victim = join(dir, 'first.victim');
    writeFileSync(victim, 'not yours\n');
    rmSync(path);
    symlinkSync(victim, path);
    const opts = { path, identity, rotateBytes: 0, shared: false, batchBytes: 4096 };
    expect(() => new ArchiveSink(opts)).toThrow(/cannot open .*first\.brk: is a symbolic link \(broker never writes through a link\) \(ELOOP\)/);
    rmSync(path);
    writeFileSync(path, archiveBytes(1), { mode: 0o600 });
    expect(() => new ArchiveSink(opts)).toThrow(/cannot open .*first\.brk: it is no longer the file this recording created/);
    expect(readFileSync(victim, 'utf8')).toBe('not yours\n');
  });

  it('a FILE whose name is near the 255-byte limit is created and rotated: the temporary name is short, not built from it', async () => {
    const sub = mkdtempSync(join(dir, 'long-'));
    // 250 bytes: FILE.1 is 252, within NAME_MAX; a temporary name built from the basename was not.
    const base = `${'n'.repeat(246)}.brk`;
    const path = join(sub, base);
    const sink = new ArchiveSink({ path, identity: createArchiveFile(path), rotateBytes: 64 * 1024, shared: false, batchBytes: 60 * 1024 });
    for (let b = 0; b < 3; b++) {
      const batch = Buffer.concat(
        Array.from({ length: 20 }, (_, i) => {
          const r = sampleRecord(b * 20 + i, Buffer.alloc(2000, 98));
          const frame = Buffer.alloc(12 + recordPayloadSize(r));
          encodeRequestFrame(frame, 0, r, 0);
          return frame;
        }),
      );
      await sink.write(batch, batch.length);
    }
    sink.close();
    expect(sink.counters.files).toBeGreaterThan(1);
    // Nothing left but the archive's files: every temporary name was removed.
    expect(readdirSync(sub).sort()).toEqual(Array.from({ length: sink.counters.files }, (_, i) => (i === 0 ? base : `${base}.${i}`)).sort());
    expect(readArchive(readFileSync(`${path}.1`)).bad).toBeNull();
  });
});
