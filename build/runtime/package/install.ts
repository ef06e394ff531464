import { existsSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StaticRuntimeManifest } from '../static/verify.ts';

/**
 * Installs a proven binary and its manifest at `dir` (<cache>/runtimes/<name>/) with one rename: a
 * runtime is cached whole or not at all. `scratch` must be on the cache's file system (a dir beside `dir`);
 * whatever `dir` held before (a build interrupted between its binary and its manifest) is moved aside
 * into it, and the caller removes `scratch`.
 */
export async function installRuntime(binary: string, manifest: Omit<StaticRuntimeManifest, 'path'>, dir: string, scratch: string): Promise<StaticRuntimeManifest> {
  const staged = join(scratch, 'install');
  await mkdir(staged);
  await rename(binary, join(staged, 'node'));
  await chmod(join(staged, 'node'), 0o755);
  const installed: StaticRuntimeManifest = { ...manifest, path: join(dir, 'node') };
  await writeFile(join(staged, 'manifest.json'), `${JSON.stringify(installed, null, 2)}\n`);
  if (existsSync(dir)) await rename(dir, join(scratch, 'replaced'));
  await rename(staged, dir);
  await rm(join(scratch, 'replaced'), { recursive: true, force: true });
  return installed;
}
