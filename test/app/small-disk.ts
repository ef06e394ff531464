// A full disk for tests: a tiny tmpfs (mounting needs root; CI and this machine are root).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  dir: string;
  /** Why it could not be mounted (the tests that need it skip, naming this); null when mounted. */
  unavailable: string | null;
  /** Removes every file on it, for the next test. */
  empty(): void;
  /** Unmounts it and removes the mount point. */
  remove(): void;
}

export function mountSmallDisk(size = '64k'): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'broker-full-'));
  let unavailable: string | null = null;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'broker-test', dir], { stdio: 'pipe' });
  } catch (err) {
    unavailable =
      String((err as { stderr?: Buffer }).stderr ?? err)
        .trim()
        .split('\n')[0] || 'mount failed';
  }
  return {
    dir,
    unavailable,
    empty() {
      for (const f of readdirSync(dir)) rmSync(join(dir, f), { force: true });
    },
    remove() {
      if (unavailable === null) execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
