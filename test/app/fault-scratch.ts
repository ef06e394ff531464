// What a file (or group) of broker-as-a-process fault tests sets up and tears down: a scratch directory, a tiny
// disk to fill, and — after the file or group — every broker it left running, the test bundle, the disk and the
// directory gone. A group that is skipped runs no afterAll: removeFaultScratches() (a file's own afterAll) then
// removes what its collection made.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { killLeftovers, removeBundle } from './broker-process.ts';
import { mountSmallDisk, type SmallDisk } from './small-disk.ts';

const cleanups = new Set<() => void>();

/** Registers `cleanup` to run after the enclosing file or group, once (removeFaultScratches may run it first). */
function afterwards(cleanup: () => void): void {
  const once = () => {
    if (cleanups.delete(once)) cleanup();
  };
  cleanups.add(once);
  afterAll(() => {
    killLeftovers();
    removeBundle();
    once();
  });
}

/** A scratch directory, removed (with any broker left running) after the enclosing file or group. */
export function scratchDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `broker-${name}-`));
  afterwards(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function faultScratch(name: string): { dir: string; disk: SmallDisk } {
  const dir = scratchDir(name);
  const disk = mountSmallDisk();
  afterwards(() => disk.remove());
  return { dir, disk };
}

/** Removes every scratch directory and disk not removed yet (those of skipped groups). */
export function removeFaultScratches(): void {
  for (const cleanup of [...cleanups]) cleanup();
}
