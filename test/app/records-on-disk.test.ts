// What `record --workers` counts from the files when a worker died without its last report (records-on-disk.ts):
// FILE and the rotated files this recording made, each up to its first bad frame, as `verify --repair` keeps them.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingFiles, recordsOnDisk, rotatedFilesNow } from '../../src/recorder/records-on-disk.ts';
import { archiveBytes } from './archive-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-on-disk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the files of a recording and the records in them', () => {
  it("names FILE and the rotated files made since the snapshot, not an earlier run's, nor look-alike names", () => {
    const path = join(dir, 'a.b.brk');
    writeFileSync(join(dir, 'a.b.brk.1'), archiveBytes(1)); // an earlier run's: rotation skipped it
    const before = rotatedFilesNow(path);
    expect([...before]).toEqual([join(dir, 'a.b.brk.1')]);
    writeFileSync(path, archiveBytes(3));
    writeFileSync(join(dir, 'a.b.brk.10'), archiveBytes(1));
    writeFileSync(join(dir, 'a.b.brk.2'), archiveBytes(1));
    for (const other of ['a.b.brk.02', 'a.b.brk.x', 'aXb.brk.3', 'a.b.brk.4.tmp', 'a.b.brk.']) writeFileSync(join(dir, other), 'not an archive');
    expect(recordingFiles(path, before)).toEqual([path, join(dir, 'a.b.brk.2'), join(dir, 'a.b.brk.10')]);
    expect(recordsOnDisk(recordingFiles(path, before))).toBe(5);
    // A recording without --rotate is FILE alone, whatever FILE.n lie beside it.
    expect(recordingFiles(path, null)).toEqual([path]);
  });

  it('counts each file up to its first bad frame: a torn tail and what follows it are not counted', () => {
    const path = join(dir, 'torn.brk');
    const whole = archiveBytes(4);
    writeFileSync(path, whole.subarray(0, whole.length - 3));
    expect(recordsOnDisk([path])).toBe(3);
    appendFileSync(path, archiveBytes(2).subarray(16)); // another worker's later batch, behind the torn frame
    expect(recordsOnDisk([path])).toBe(3);
  });

  it('null when a file cannot be read (the caller keeps the reports)', () => {
    expect(recordsOnDisk([join(dir, 'gone.brk')])).toBeNull();
    expect(rotatedFilesNow(join(dir, 'no-such-dir', 'x.brk')).size).toBe(0);
  });
});
