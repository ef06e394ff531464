// Issue 23, item 1: the recorder writes only into archive files it created. With --rotate, a FILE.1 left by an
// earlier run and a FILE.2 that is a symlink to someone's file used to take the recorded requests; now a taken
// name is skipped and stays as it was (faults/rotation-safety.ts; test/build/faults-artifact.test.ts runs it against the
// dist artifacts). The first FILE is opened by identity, never through a link.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArchiveSink, createArchiveFile } from '../../src/recorder/archive-sink.ts';
import { archiveBytes } from './archive-fixtures.ts';
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
});
