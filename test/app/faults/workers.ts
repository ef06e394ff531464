// record --workers N as real processes under faults (issue 23 items 2 and 3): whichever process dies, and when
// the disk fills, what the workers answered and counted is what the archive holds.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { readArchive } from '../../../src/archive/reader.ts';
import { archiveBytes } from '../archive-fixtures.ts';
import { runBroker, startRecorder } from '../broker-process.ts';
import { faultScratch } from '../fault-scratch.ts';
import { load, until, workerPids } from '../traffic.ts';
import type { BinOf } from './bin.ts';

export function workersCases(bin: BinOf): void {
  const { dir, disk } = faultScratch('workers');

  const recordsIn = (file: string) => readArchive(readFileSync(file)).records;

  describe('record --workers 2 when a process dies', () => {
    it('kill -9 of the primary: the workers record every request they answered, stop, and say what they recorded', async () => {
      const out = join(dir, 'primary.brk');
      const r = await startRecorder(['--out', out, '--workers', '2', '--flush-ms', '20'], bin());
      const traffic = load(r.port, 4, 'x'.repeat(200));
      await until(() => recordsIn(out).length >= 300, '300 records on disk');
      r.child.kill('SIGKILL');
      // The primary's output pipes close once the workers, which share them, have exited too.
      await r.exited;
      await traffic.stop();
      const read = readArchive(readFileSync(out));
      expect(read.bad).toBeNull();
      const onDisk = new Set(read.records.map((x) => x.url));
      const lost = [...traffic.answered.keys()].filter((url) => !onDisk.has(url));
      expect(lost, `acknowledged requests missing from the archive, of ${traffic.answered.size} answered`).toEqual([]);
      // Each worker says it stopped because the primary was gone, and what it recorded: together, the archive.
      const said = [...r.stderr().matchAll(/worker \d+ \(pid \d+\): the primary is gone; stopped after (\d+) requests: recorded (\d+), dropped (\d+)/g)];
      expect(said).toHaveLength(2);
      expect(said.reduce((sum, m) => sum + Number(m[2]), 0)).toBe(read.records.length);
      expect(said.reduce((sum, m) => sum + Number(m[3]), 0)).toBe(0);
    });

    it('kill -9 of a worker: the other stops, the summary names it, and what was answered a flush earlier is on disk', async () => {
      const out = join(dir, 'worker.brk');
      const flushMs = 20;
      const r = await startRecorder(['--out', out, '--workers', '2', '--flush-ms', String(flushMs), '--json'], bin());
      const traffic = load(r.port, 4, 'y'.repeat(200));
      await until(() => recordsIn(out).length >= 300, '300 records on disk');
      const [victim] = workerPids(r.child.pid!);
      process.kill(victim!, 'SIGKILL');
      const killedAt = performance.now();
      const { code } = await r.exited;
      await traffic.stop();
      expect(code).toBe(1);
      const summary = JSON.parse(r.stdout());
      expect(summary.error).toMatch(/^worker \d+ was killed \(SIGKILL\)/);
      const read = readArchive(readFileSync(out));
      expect(read.bad).toBeNull();
      const onDisk = new Set(read.records.map((x) => x.url));
      // Generous for a loaded 2-core machine: a batch goes out flushMs after its first record, then takes its write.
      const lost = [...traffic.answered].filter(([url, at]) => at < killedAt - flushMs - 500 && !onDisk.has(url));
      expect(lost).toEqual([]);
      // The killed worker's last report may be a batch behind the file: the primary counts the file instead.
      expect(r.stderr()).toContain(`a worker ended without its last report; counting the records in ${out}`);
      expect(summary.recorded).toBe(read.records.length);
    });

    it("kill -9 of a worker with --rotate: the count takes FILE and this recording's rotated files, not an earlier run's FILE.1", async () => {
      const out = join(dir, 'rotating.brk');
      writeFileSync(`${out}.1`, archiveBytes(7), { mode: 0o600 });
      const r = await startRecorder(['--out', out, '--workers', '2', '--rotate', '64KiB', '--flush-ms', '20', '--json'], bin());
      const traffic = load(r.port, 4, 'z'.repeat(500));
      await until(() => existsSync(`${out}.3`), 'two rotated files');
      const [victim] = workerPids(r.child.pid!);
      process.kill(victim!, 'SIGKILL');
      await r.exited;
      await traffic.stop();
      const summary = JSON.parse(r.stdout());
      const files = readdirSync(dir).filter((f) => /^rotating\.brk(\.\d+)?$/.test(f) && f !== 'rotating.brk.1');
      expect(files.length).toBeGreaterThanOrEqual(3);
      expect(r.stderr()).toContain(`counting the records in ${out} and ${files.length - 1} rotated files`);
      expect(recordsIn(`${out}.1`)).toHaveLength(7);
      expect(summary.recorded).toBe(files.reduce((sum, f) => sum + recordsIn(join(dir, f)).length, 0));
    });
  });

  describe('record on a full disk: the counts are exact, with and without workers', () => {
    beforeEach(() => disk.empty());

    it.skipIf(disk.unavailable !== null).each([1, 2])(
      `--workers %i: recorded is exactly what is on disk after verify --repair${disk.unavailable ? ` (skipped: cannot mount a 64 KiB tmpfs: ${disk.unavailable})` : ''}`,
      async (workers) => {
        const out = join(disk.dir, 'full.brk');
        // Batches of several pages, many records each: the disk takes part of one — whole records, then a torn one.
        const r = await startRecorder(['--out', out, '--workers', String(workers), '--flush-bytes', '16KiB', '--flush-ms', '50', '--json'], bin());
        const traffic = load(r.port, 4, Buffer.alloc(700, 102));
        const { code } = await r.exited;
        await traffic.stop();
        expect(code).toBe(1);
        expect(r.stderr()).toMatch(/broker: cannot write to .*full\.brk: no space left on device \(ENOSPC\)/);
        const summary = JSON.parse(r.stdout());
        expect((await runBroker(['verify', out, '--repair'], bin())).code).toBe(0);
        const read = readArchive(readFileSync(out));
        expect(read.bad).toBeNull();
        expect(summary.recorded).toBe(read.records.length);
        expect(summary.recorded + summary.dropped).toBeLessThanOrEqual(summary.requests);
      },
    );
  });
}
