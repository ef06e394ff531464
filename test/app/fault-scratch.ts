// What a file of broker-as-a-process fault tests sets up and tears down: a scratch directory, a tiny disk to
// fill, and — after the file — every broker it left running, the test bundle, the disk and the directory gone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { killLeftovers, removeBundle } from './broker-process.ts';
import { mountSmallDisk, type SmallDisk } from './small-disk.ts';

export function faultScratch(name: string): { dir: string; disk: SmallDisk } {
  const dir = mkdtempSync(join(tmpdir(), `broker-${name}-`));
  const disk = mountSmallDisk();
  afterAll(() => {
    killLeftovers();
    removeBundle();
    disk.remove();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, disk };
}
