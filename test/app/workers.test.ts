// record --workers N as real processes under faults (issue 23 item 3): when the disk fills, what the
// recorder counts as recorded is what the archive holds.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { readArchive } from '../../src/archive/reader.ts';
import { killLeftovers, removeBundle, runBroker, startRecorder } from './broker-process.ts';
import { keepAlive, post } from './http-client.ts';
import { mountSmallDisk } from './small-disk.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-workers-'));
const disk = mountSmallDisk();
afterAll(() => {
  killLeftovers();
  removeBundle();
  disk.remove();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * `clients` keep-alive clients posting /c<client>/<i> until told to stop or their first failed request (the
 * recorder is gone). `answered` maps each URL that got a 200 to when it did.
 */
function load(port: number, clients: number, body: string | Buffer) {
  const answered = new Map<string, number>();
  let stopped = false;
  const runs = Array.from({ length: clients }, async (_, c) => {
    const agent = keepAlive();
    try {
      for (let i = 0; !stopped; i++) {
        const url = `/c${c}/${i}`;
        const { status } = await post(port, url, body, agent);
        if (status === 200) answered.set(url, performance.now());
      }
    } catch {
      // Connection refused or reset: the recorder stopped.
    } finally {
      agent.destroy();
    }
  });
  return {
    answered,
    async stop() {
      stopped = true;
      await Promise.all(runs);
    },
  };
}

describe('record on a full disk: the counts are exact, with and without workers', () => {
  beforeEach(() => disk.empty());

  it.skipIf(disk.unavailable !== null).each([1, 2])(
    `--workers %i: recorded is exactly what is on disk after verify --repair${disk.unavailable ? ` (skipped: cannot mount a 64 KiB tmpfs: ${disk.unavailable})` : ''}`,
    async (workers) => {
      const out = join(disk.dir, 'full.brk');
      // Batches of several pages, many records each: the disk takes part of one — whole records, then a torn one.
      const r = await startRecorder(['--out', out, '--workers', String(workers), '--flush-bytes', '16KiB', '--flush-ms', '50', '--json']);
      const traffic = load(r.port, 4, Buffer.alloc(700, 102));
      const { code } = await r.exited;
      await traffic.stop();
      expect(code).toBe(1);
      expect(r.stderr()).toMatch(/broker: cannot write to .*full\.brk: no space left on device \(ENOSPC\)/);
      const summary = JSON.parse(r.stdout());
      expect((await runBroker(['verify', out, '--repair'])).code).toBe(0);
      const read = readArchive(readFileSync(out));
      expect(read.bad).toBeNull();
      expect(summary.recorded).toBe(read.records.length);
      expect(summary.recorded + summary.dropped).toBeLessThanOrEqual(summary.requests);
    },
  );
});
