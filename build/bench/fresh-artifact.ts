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
import { cachedStaticRuntime } from '../runtime/static/verify.ts';

export type FreshArtifact = { path: string } | { skipped: string };

/**
 * `npm run dist -- --arch x64 --runtime RUNTIME [--startup S] --out DIR/dist-RUNTIME[-S]`: the artifact's path, or why
 * there is none. `startup` builds it another way than seal.startup says (bench:startup compares them).
 */
export function freshArtifact(o: { root: string; version: string; runtime: 'official' | 'static'; dir: string; startup?: Startup }): FreshArtifact {
  // dist without --node builds on the default line, whose static runtime may be an earlier patch release than its official one.
  if (o.runtime === 'static' && !cachedStaticRuntime(cacheRoot(), staticNodeVersion(runtimePin()), 'jemalloc', 'x64')) {
    return { skipped: 'no static runtime is cached (`npm run runtime -- --detach` builds it, hours; `npm run runtime -- status`)' };
  }
  const out = join(o.dir, `dist-${o.runtime}${o.startup ? `-${o.startup}` : ''}`);
  const startup = o.startup ? ['--startup', o.startup] : [];
  const r = spawnSync('npm', ['run', '--silent', 'dist', '--', '--arch', 'x64', '--runtime', o.runtime, ...startup, '--out', out], { cwd: o.root, encoding: 'utf8' });
  if (r.status !== 0) return { skipped: `npm run dist -- --runtime ${o.runtime} ${startup.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').at(-1)}` };
  return { path: join(out, `broker-${o.version}-linux-x64${o.runtime === 'static' ? '-static' : ''}`) };
}
