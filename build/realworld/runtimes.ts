/*
 * The Node binaries the real-world run needs: the official runtime the toolchain packs onto (also what
 * runs "plain node", so the reference and the binary are the same Node version), and the cached static
 * runtime if one was built. Found through the toolchain's own API and pin (build/runtime/pin.ts), never
 * by a path written here; a static runtime is never built from here.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { officialRuntime } from '../runtime/official.ts';
import { runtimePin, staticNodeVersion } from '../runtime/pin.ts';
import { cachedStaticRuntime } from '../runtime/static/verify.ts';

export const toolchainRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The official linux-x64 runtime (cached by the toolchain; fetched from the npm registry the first time). */
export async function officialNode(): Promise<{ path: string; version: string }> {
  const pin = runtimePin();
  const quiet = { info: () => {}, progress: () => {} };
  const rt = await officialRuntime({ nodeVersion: pin.nodeVersion, arch: 'x64', cacheDir: cacheRoot(), log: quiet, integrity: pin.runtimeIntegrity?.x64 });
  return { path: rt.path, version: rt.nodeVersion };
}

/** The cached static runtime's path and version, or why there is none. */
export async function staticNode(): Promise<{ path: string; version: string } | { skipped: string }> {
  const version = staticNodeVersion(runtimePin());
  const rt = cachedStaticRuntime(cacheRoot(), version);
  return rt ? { path: rt.path, version } : { skipped: 'no static runtime cached' };
}
