import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a background (`--detach`) static build records its pid and writes its log. */
export function detachedPaths(cacheDir: string): { log: string; pidFile: string } {
  const root = join(cacheDir, 'static');
  return { log: join(root, 'runtime-build.log'), pidFile: join(root, 'runtime-build.pid') };
}

/** The background build, if one is running: a second build beside it would fight over the same stage dirs. */
export function runningStaticBuild(cacheDir: string): { pid: number; log: string } | undefined {
  const { log, pidFile } = detachedPaths(cacheDir);
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 0);
    return { pid, log };
  } catch {
    return undefined;
  }
}
