import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { present } from '../../shared/checked.ts';
import { sha256File } from '../../shared/toolchain/file-hash.ts';
import { type CompileCacheCounts, compileCacheCounts, compileCacheDelta } from '../runtime/static/compile-cache.ts';
import { nodeTreeDir } from '../runtime/static/configure.ts';
import { runningStaticBuild } from '../runtime/static/detached.ts';
import { initialContext, PIPES, runPipeline } from '../runtime/static/pipeline.ts';
import { cachedStaticRuntime } from '../runtime/static/verify.ts';
import { loadAverage } from './report.ts';

/** One warm rebuild: the Node build dir wiped, every other cache (ccache's and Zig's) kept. */
export interface WarmRebuild {
  measuredAt: string;
  /** Wall time of configure → compile → link → verify. */
  seconds: number;
  /** The directory that was deleted (the Node tree's out/). */
  wiped: string;
  /** Whether the rebuilt runtime is byte-identical to the one before. */
  sameBinary: boolean;
  loadBefore: string;
  /** Where the compiles' objects came from during the rebuild (ccache's counters, before → after). */
  compileCache?: CompileCacheCounts;
}

const FIRST_REBUILT = 'configure';

export function warmRebuildFile(cacheDir: string): string {
  return join(cacheDir, 'static', 'warm-rebuild.json');
}

export function lastWarmRebuild(cacheDir: string): WarmRebuild | undefined {
  const file = warmRebuildFile(cacheDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as WarmRebuild) : undefined;
}

/**
 * Issue 3's warm rebuild: resolve the cached stages up to the allocator (seconds), delete the Node
 * tree's out/ (objects, build.ninja, the linked node), then time configure → verify. ccache answers
 * every object whose command line and inputs are unchanged, so this measures how cheap a lost
 * build dir is. Destructive for out/ only; the result is the same runtime (checked by hash).
 */
export async function measureWarmRebuild(cacheDir: string, nodeVersion: string, report: (line: string) => void): Promise<WarmRebuild> {
  const running = runningStaticBuild(cacheDir);
  if (running) throw new Error(`a static runtime build is running (pid ${running.pid}): wiping its build dir now would break it; wait for it`);
  const before = cachedStaticRuntime(cacheDir, nodeVersion);
  if (!before) throw new Error('no static runtime in the cache to rebuild: run `npm run runtime` first');
  const options = { cacheDir, arch: 'x64' as const, jobs: 2, allocator: 'jemalloc' as const, intl: 'full' as const, sourceMode: 'distribution' as const, report };
  const start = PIPES.findIndex((p) => p.name === FIRST_REBUILT);
  const prepared = await runPipeline(initialContext(options, nodeVersion), PIPES.slice(0, start));
  const out = join(nodeTreeDir(prepared), 'out');
  const loadBefore = loadAverage();
  report(`[warm] wiping ${out}`);
  rmSync(out, { recursive: true, force: true });
  const countsBefore = compileCacheCounts(cacheDir);
  const t0 = performance.now();
  const done = await runPipeline(prepared, PIPES.slice(start));
  const seconds = Math.round((performance.now() - t0) / 1000);
  const countsAfter = compileCacheCounts(cacheDir);
  const result: WarmRebuild = {
    measuredAt: new Date().toISOString(),
    seconds,
    wiped: out,
    sameBinary: (await sha256File(present(done.runtimePath, 'the rebuilt runtime'))) === before.sha256,
    loadBefore,
    ...(countsBefore && countsAfter ? { compileCache: compileCacheDelta(countsBefore, countsAfter) } : {}),
  };
  writeFileSync(warmRebuildFile(cacheDir), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
