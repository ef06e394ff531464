// Issue 23, item 1: the recorder writes only into archive files it created. With --rotate, a FILE.1 left by an
// earlier run and a FILE.2 that is a symlink to someone's file used to take the recorded requests; now a taken
// name is skipped and stays as it was.
import { chmodSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArchive } from '../../../src/archive/reader.ts';
import { archiveBytes } from '../archive-fixtures.ts';
import { startRecorder } from '../broker-process.ts';
import { scratchDir } from '../fault-scratch.ts';
import { keepAlive, post } from '../http-client.ts';
import type { BinOf } from './bin.ts';

export function rotationSafetyCases(bin: BinOf): void {
  const dir = scratchDir('rotate');

  /** FILE.1: an archive from an earlier run; FILE.2: a symlink to a world-readable file that is not an archive. */
  function plantTakenNames(out: string) {
    const old = archiveBytes(3);
    writeFileSync(`${out}.1`, old, { mode: 0o600 });
    const victim = `${out}.victim`;
    writeFileSync(victim, 'not yours\n');
    chmodSync(victim, 0o644);
    symlinkSync(victim, `${out}.2`);
    return {
      untouched() {
        expect(readFileSync(`${out}.1`)).toEqual(old);
        expect(lstatSync(`${out}.2`).isSymbolicLink()).toBe(true);
        expect(readlinkSync(`${out}.2`)).toBe(victim);
        expect(readFileSync(victim, 'utf8')).toBe('not yours\n');
      },
    };
  }

  /** The files the recording made: FILE and FILE.N, less the planted ones. */
  function recordedFiles(out: string) {
    const base = out.split('/').pop()!;
    const names = readdirSync(dir).filter((f) => f === base || (f.startsWith(`${base}.`) && /^\d+$/.test(f.slice(base.length + 1))));
    return names.filter((f) => f !== `${base}.1` && f !== `${base}.2`).map((f) => ({ f, mode: statSync(join(dir, f)).mode & 0o777, size: statSync(join(dir, f)).size, ...readArchive(readFileSync(join(dir, f))) }));
  }

  describe('rotation writes only into files it created', () => {
    it('one process: FILE.1 (an old archive) and FILE.2 (a symlink) are skipped and left as they were', async () => {
      const out = join(dir, 'single.brk');
      const planted = plantTakenNames(out);
      const r = await startRecorder(['--out', out, '--rotate', '64KiB', '--flush-ms', '60000', '--json'], bin());
      const agent = keepAlive();
      for (let i = 0; i < 120; i++) await post(r.port, `/r/${i}`, Buffer.alloc(2048, 120), agent);
      agent.destroy();
      r.child.kill('SIGTERM');
      expect((await r.exited).code).toBe(0);
      planted.untouched();
      const files = recordedFiles(out);
      expect(files.map((f) => f.f).sort()).toContain('single.brk.3');
      for (const f of files) expect(f).toMatchObject({ bad: null, mode: 0o600 });
      expect(files.every((f) => f.size <= 64 * 1024)).toBe(true);
      expect(files.flatMap((f) => f.records.map((x) => x.url)).sort()).toEqual(Array.from({ length: 120 }, (_, i) => `/r/${i}`).sort());
      expect(JSON.parse(r.stdout())).toMatchObject({ recorded: 120, archive: { files: files.length } });
    });

    it('--workers 2: the same, and every record is in a file the recording created', async () => {
      const out = join(dir, 'workers.brk');
      const planted = plantTakenNames(out);
      const r = await startRecorder(['--out', out, '--rotate', '64KiB', '--workers', '2', '--flush-ms', '5', '--json'], bin());
      for (let i = 0; i < 100; i++) await post(r.port, `/rw/${i}`, Buffer.alloc(2048, 121));
      r.child.kill('SIGTERM');
      expect((await r.exited).code).toBe(0);
      planted.untouched();
      const files = recordedFiles(out);
      expect(files.length).toBeGreaterThanOrEqual(3);
      for (const f of files) expect(f).toMatchObject({ bad: null, mode: 0o600 });
      expect(files.flatMap((f) => f.records.map((x) => x.url)).sort()).toEqual(Array.from({ length: 100 }, (_, i) => `/rw/${i}`).sort());
      const summary = JSON.parse(r.stdout());
      expect(summary).toMatchObject({ recorded: 100, archive: { files: files.length } });
      expect(summary.archive.bytes).toBe(files.reduce((n, f) => n + f.size, 0));
    });
  });
}
