// record --ack written (issue 23, "Durable acknowledgements"), as real processes: whichever process a kill -9
// hits, every request that got a 2xx is in the archive; on a full disk no request that is not gets a 2xx.
// Each fault runs the default mode too, which must lose some: the mode is what makes the difference.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { readArchive } from '../../../src/archive/reader.ts';
import { runBroker, startRecorder } from '../broker-process.ts';
import { faultScratch } from '../fault-scratch.ts';
import { busiestWorker, load, until } from '../traffic.ts';
import type { BinOf } from './bin.ts';

export function durableAckCases(bin: BinOf): void {
  const { dir, disk } = faultScratch('durable');

  type Ack = 'immediate' | 'written';
  const ackArgs = (ack: Ack) => (ack === 'written' ? ['--ack', 'written'] : []);
  let n = 0;
  const archivePath = (ack: Ack) => join(dir, `${ack}-${n++}.brk`);
  const readRecords = (file: string) => readArchive(readFileSync(file));

  /** The 2xx URLs not in the archive (its records before any torn tail a kill left). */
  function lostOf(answered: Map<string, number>, file: string): string[] {
    const onDisk = new Set(readRecords(file).records.map((r) => r.url));
    return [...answered.keys()].filter((url) => !onDisk.has(url));
  }

  /**
   * The default mode flushes every second here, by time only, not every 100 ms or each 1 MiB: the kill below then
   * lands well inside a flush even when this loaded 2-core machine stalls a process for tens of milliseconds
   * (100 ms lost nothing now and then; so did 1 MiB, which one client fills in a few hundred ms: a flush could
   * fall while the test blocked its own client finding the victim). --ack written keeps its own default (2 ms).
   */
  const modeArgs = (ack: Ack) => (ack === 'written' ? ['--ack', 'written'] : ['--flush-ms', '1000', '--flush-bytes', '16MiB']);

  /**
   * Under load from `clients` connections, waits for 300 records on disk, then for the next batch to land, and
   * kills `victim` 300 ms later: in the default mode the batch filling then holds requests already answered.
   * The victim is found before the wait, so nothing this process does in it holds up the clients (it was a pgrep).
   */
  async function killUnderLoad(ack: Ack, o: { args: string[]; clients: number; victim: (primary: number, port: number) => number }) {
    const out = archivePath(ack);
    const r = await startRecorder(['--out', out, ...modeArgs(ack), ...o.args, '--json'], bin());
    const traffic = load(r.port, o.clients, 'k'.repeat(300));
    await until(() => readRecords(out).records.length >= 300, '300 records on disk');
    const size = statSync(out).size;
    await until(() => statSync(out).size > size, 'the next batch');
    const victim = o.victim(r.child.pid as number, r.port);
    await new Promise((res) => setTimeout(res, 300));
    process.kill(victim, 'SIGKILL');
    const exit = await r.exited;
    await traffic.stop();
    const lost = lostOf(traffic.answered, out);
    // The numbers docs/archive.md quotes.
    console.info(`kill -9 (${o.args.join(' ') || 'one process'}, ${o.clients} clients), --ack ${ack}: ${lost.length} of ${traffic.answered.size} acknowledged requests lost`);
    return { out, exit, r, answered: traffic.answered.size, lost: lost.length };
  }

  describe('kill -9 under load: what was acknowledged is on disk with --ack written, and not without', () => {
    it.each<Ack>(['written', 'immediate'])('one process, --ack %s', async (ack) => {
      const k = await killUnderLoad(ack, { args: [], clients: 8, victim: (pid) => pid });
      expect(k.answered).toBeGreaterThan(300);
      if (ack === 'written') expect(k.lost).toBe(0);
      else expect(k.lost).toBeGreaterThan(0);
    });

    // One connection: one worker serves it, so the batch the kill is timed from is the victim's own.
    it.each<Ack>(['written', 'immediate'])('--workers 2, the serving worker killed, --ack %s: the summary counts what is on disk', async (ack) => {
      const k = await killUnderLoad(ack, { args: ['--workers', '2'], clients: 1, victim: busiestWorker });
      expect(k.exit.code).toBe(1);
      const summary = JSON.parse(k.r.stdout());
      expect(summary.error).toMatch(/^worker \d+ was killed \(SIGKILL\)/);
      // Counted from the file: the victim's last report can be a batch behind it (records-on-disk.ts).
      expect(k.r.stderr()).toContain(`a worker ended without its last report; counting the records in ${k.out}`);
      expect(summary.recorded).toBe(readRecords(k.out).records.length);
      if (ack === 'written') expect(k.lost).toBe(0);
      else expect(k.lost).toBeGreaterThan(0);
    });

    // The default mode loses nothing here either: the workers outlive the primary and write what they answered
    // (workers.test.ts). With --ack written they have answered nothing they have not written.
    it('--workers 2, the primary killed, --ack written: the workers say what they recorded, all of it acknowledged', async () => {
      const k = await killUnderLoad('written', { args: ['--workers', '2'], clients: 8, victim: (primary) => primary });
      expect(k.lost).toBe(0);
      const said = [...k.r.stderr().matchAll(/the primary is gone; stopped after \d+ requests: recorded (\d+), dropped (\d+)/g)];
      expect(said).toHaveLength(2);
      expect(said.reduce((sum, m) => sum + Number(m[1]), 0)).toBe(readRecords(k.out).records.length);
    });
  });

  describe('a full disk with --ack written: 503, never 2xx, for a request that is not on disk', () => {
    beforeEach(() => disk.empty());

    it.skipIf(disk.unavailable !== null).each<[Ack, number]>([
      ['written', 1],
      ['written', 2],
      ['immediate', 1],
    ])(`--ack %s --workers %i${disk.unavailable ? ` (skipped: cannot mount a 64 KiB tmpfs: ${disk.unavailable})` : ''}`, async (ack, workers) => {
      const out = join(disk.dir, 'full.brk');
      // Several records a batch (4 clients, 4 ms), so the batch the disk refuses holds some already waiting.
      const r = await startRecorder(['--out', out, ...ackArgs(ack), '--workers', String(workers), '--flush-ms', '4', '--json'], bin());
      const traffic = load(r.port, 4, Buffer.alloc(700, 102));
      const { code } = await r.exited;
      await traffic.stop();
      expect(code).toBe(1);
      const summary = JSON.parse(r.stdout());
      expect((await runBroker(['verify', out, '--repair'], bin())).code).toBe(0);
      const records = readRecords(out).records;
      expect(summary.recorded).toBe(records.length);
      const lost = lostOf(traffic.answered, out);
      const refused = traffic.refused.get(503) ?? [];
      console.info(`full disk, --ack ${ack} --workers ${workers}: ${traffic.answered.size} got 2xx, ${lost.length} of them not on disk; ${refused.length} got 503; summary recorded ${summary.recorded}, dropped ${summary.dropped}`);
      if (ack === 'immediate') return void expect(lost.length).toBeGreaterThan(0);
      expect(lost).toEqual([]);
      // Every 503 is a dropped request (a client whose connection closed first never saw its 503).
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.length).toBeLessThanOrEqual(summary.dropped);
      const onDisk = new Set(records.map((x) => x.url));
      expect(refused.filter((url) => onDisk.has(url))).toEqual([]);
    });
  });

  describe('--fsync', () => {
    it.each([
      ['batch', (s: { fsyncs: number; batches: number }) => expect(s.fsyncs).toBe(s.batches)],
      ['1h', (s: { fsyncs: number; batches: number }) => expect(s.fsyncs).toBe(0)],
    ] as const)('--ack written --fsync %s: the summary counts the fsyncs', async (policy, check) => {
      const out = archivePath('written');
      const r = await startRecorder(['--out', out, '--ack', 'written', '--fsync', policy, '--json'], bin());
      const traffic = load(r.port, 4, 'f'.repeat(100));
      await until(() => traffic.answered.size >= 200, '200 answers');
      await traffic.stop();
      r.child.kill('SIGTERM');
      expect((await r.exited).code).toBe(0);
      const summary = JSON.parse(r.stdout());
      expect(summary.archive).toMatchObject({ ack: 'written', fsync: policy });
      check({ fsyncs: summary.archive.fsyncs, batches: summary.archive.batches });
      expect(summary.recorded).toBe(traffic.answered.size);
      expect(readRecords(out).records).toHaveLength(traffic.answered.size);
    });
  });
}
