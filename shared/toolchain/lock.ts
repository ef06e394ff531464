import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * One process at a time: per static-runtime stage and per Node build tree (two builds of one stage at once
 * collide: a toolchain test beside a detached build; two ninjas in one out/ dir), and per snapshot build
 * directory (steps/blob.ts: its path is fixed, it goes into the snapshot). The lock is a file created with
 * O_EXCL that holds its holder's pid. A holder that is gone (sessions end without warning) leaves a stale
 * lock, which the next process takes over; a live one is waited for, and the wait names it.
 */

const POLL_MS = 500;

function holderOf(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock (true), or says who holds it. A stale lock (dead or unreadable holder) is removed and retried. */
function tryLock(path: string): { taken: true } | { taken: false; holder: number } {
  mkdirSync(dirname(path), { recursive: true });
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return { taken: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = holderOf(path);
    if (holder !== undefined && alive(holder)) return { taken: false, holder };
    rmSync(path, { force: true });
  }
}

/** Runs `fn` holding the lock at `path`; `what` names the work in the one line printed while waiting. */
export async function withLock<T>(path: string, what: string, report: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  let said = false;
  for (;;) {
    const attempt = tryLock(path);
    if (attempt.taken) break;
    if (!said) {
      report(`${what} is being built by pid ${attempt.holder}${attempt.holder === process.pid ? ' (this process)' : ''}: waiting for it`);
      said = true;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}
