// The x64 Node runtimes an in-runtime workload bench (bench:checksums, bench:codecs) measures: the official one the
// official artifact embeds, and the static one when `npm run runtime` has cached it (said when it has not).
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { officialRuntime } from '../runtime/official.ts';
import { runtimePin, staticNodeVersion } from '../runtime/pin.ts';
import { cachedStaticRuntime } from '../runtime/static/verify.ts';

export interface BenchRuntime {
  name: string;
  path: string;
}

export async function runtimesToMeasure(log: (line: string) => void): Promise<BenchRuntime[]> {
  const pin = runtimePin();
  const official = await officialRuntime({ nodeVersion: pin.nodeVersion, arch: 'x64', cacheDir: cacheRoot(), log: { info: () => {}, progress: () => {} }, integrity: pin.runtimeIntegrity?.x64 });
  const runtimes = [{ name: `official Node ${pin.nodeVersion}`, path: official.path }];
  const statik = cachedStaticRuntime(cacheRoot(), staticNodeVersion(pin), 'jemalloc', 'x64');
  if (statik) runtimes.push({ name: `static (musl + jemalloc) Node ${statik.nodeVersion}`, path: statik.path });
  else log('static runtime not cached (npm run runtime): measuring the official runtime only');
  return runtimes;
}
