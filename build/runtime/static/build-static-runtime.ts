import type { Arch } from '../../../shared/toolchain/arch.ts';
import { cacheRoot } from '../../../shared/toolchain/cache-root.ts';
import type { Runtime } from '../runtime.ts';
import type { Allocator, IntlMode, SourceMode } from './context.ts';
import { initialContext, runPipeline } from './pipeline.ts';
import { cachedStaticRuntime } from './verify.ts';

export interface StaticRuntimeRequest {
  nodeVersion: string;
  arch?: Arch;
  allocator?: Allocator;
  intl?: IntlMode;
  pointerCompression?: boolean;
  sourceMode?: SourceMode;
  jobs?: number;
  report?: (line: string) => void;
}

/**
 * The static runtime builder behind the dist pipeline's `--runtime static`: the cached, proven
 * runtime when there is one (seconds), otherwise the whole staged build (hours, resumable).
 */
export async function buildStaticRuntime(req: StaticRuntimeRequest): Promise<Runtime> {
  const allocator = req.allocator ?? 'jemalloc';
  const arch = req.arch ?? 'x64';
  const intl = req.intl ?? 'full';
  const cacheDir = cacheRoot();
  const pointerCompression = req.pointerCompression === true;
  const cached = cachedStaticRuntime(cacheDir, req.nodeVersion, allocator, arch, intl, pointerCompression);
  if (cached) return cached;
  await runPipeline(
    initialContext(
      {
        cacheDir,
        arch,
        jobs: req.jobs ?? 2,
        allocator,
        intl,
        pointerCompression,
        sourceMode: req.sourceMode ?? 'distribution',
        report: req.report ?? ((line) => console.error(line)),
      },
      req.nodeVersion,
    ),
  );
  const built = cachedStaticRuntime(cacheDir, req.nodeVersion, allocator, arch, intl, pointerCompression);
  if (!built) throw new Error('the static runtime pipeline finished without publishing a runtime');
  return built;
}
