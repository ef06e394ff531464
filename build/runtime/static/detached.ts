import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../../../shared/toolchain/arch.ts';

/**
 * Where a background (`--detach`) static build records its pid and writes its log: one per arch
 * (x64 keeps the names it had), since the two builds share no stage dirs and may run side by side.
 */
export function detachedPaths(cacheDir: string, arch: Arch = 'x64'): { log: string; pidFile: string } {
  const root = join(cacheDir, 'static');
  const suffix = arch === 'x64' ? '' : `-${arch}`;
  return { log: join(root, `runtime-build${suffix}.log`), pidFile: join(root, `runtime-build${suffix}.pid`) };
}

/** The background build, if one is running: a second build beside it would fight over the same stage dirs. */
export function runningStaticBuild(cacheDir: string, arch: Arch = 'x64'): { pid: number; log: string } | undefined {
  const { log, pidFile } = detachedPaths(cacheDir, arch);
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 0);
    return { pid, log };
  } catch {
    return undefined;
  }
}
