/*
 * The benches judge the product as it is now: broker's artifact built from the working tree into the
 * bench's own directory (an artifact left in dist/ may be from older code or another arch). The static
 * one only from a cached static runtime: a bench never fetches or builds a runtime.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import type { Startup } from '../project/config.ts';
import { runtimePin, staticNodeVersion } from '../runtime/pin.ts';
import { runtimeBuildFlags } from '../runtime/static/build-flags.ts';
import { pointerCompressionSuffix } from '../runtime/static/key.ts';
import { cachedStaticRuntime } from '../runtime/static/verify.ts';

export type FreshArtifact = { path: string } | { skipped: string };

/**
 * `npm run dist -- --arch x64 --runtime RUNTIME [--startup S] [--pointer-compression] [--no-train] --out DIR/dist-RUNTIME[-S][-pointer-compression][-untrained]`:
 * the artifact's path, or why there is none. `startup`, `pointerCompression` and `noTrain` build it another way than
 * the config says (bench:startup compares them).
 */
export function freshArtifact(o: { root: string; version: string; runtime: 'official' | 'static'; dir: string; startup?: Startup; pointerCompression?: boolean; noTrain?: boolean }): FreshArtifact {
  // dist without --node builds on the default line, whose static runtime may be an earlier release than its official one.
  if (o.runtime === 'static' && !cachedStaticRuntime(cacheRoot(), staticNodeVersion(runtimePin()), 'jemalloc', 'x64', 'full', o.pointerCompression)) {
    const flag = runtimeBuildFlags({ arch: 'x64', pointerCompression: o.pointerCompression });
    return { skipped: `no static runtime${o.pointerCompression ? ' with pointer compression' : ''} is cached (\`npm run runtime --${flag} --detach\` builds it, hours; \`npm run runtime -- status\`)` };
  }
  const out = join(o.dir, `dist-${o.runtime}${o.startup ? `-${o.startup}` : ''}${pointerCompressionSuffix(o.pointerCompression)}${o.noTrain ? '-untrained' : ''}`);
  const options = [...(o.startup ? ['--startup', o.startup] : []), ...(o.pointerCompression ? ['--pointer-compression'] : []), ...(o.noTrain ? ['--no-train'] : [])];
  const r = spawnSync('npm', ['run', '--silent', 'dist', '--', '--arch', 'x64', '--runtime', o.runtime, ...options, '--out', out], { cwd: o.root, encoding: 'utf8' });
  if (r.status !== 0) return { skipped: `npm run dist -- --runtime ${o.runtime} ${options.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').at(-1)}` };
  return { path: join(out, `broker-${o.version}-linux-x64${o.runtime === 'static' ? '-static' : ''}`) };
}
