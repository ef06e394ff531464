import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StaticBuildContext, StaticBuildOptions } from './context.ts';
import { buildAda } from './deps/ada.ts';
import { buildBrotli } from './deps/brotli.ts';
import { buildCares } from './deps/cares.ts';
import { buildLlhttp } from './deps/llhttp.ts';
import { buildNghttp2 } from './deps/nghttp2.ts';
import { buildOpenssl } from './deps/openssl.ts';
import { buildSimdjson } from './deps/simdjson.ts';
import { buildSimdutf } from './deps/simdutf.ts';
import { buildZlib } from './deps/zlib.ts';
import { buildZstd } from './deps/zstd.ts';
import { fetchSources } from './sources.ts';
import { SHARED_DEPS } from './configure-flags.ts';
import { officialSourcePipe } from './official-source.ts';
import { prepareGyp } from './gyp.ts';
import { prepareJsBuiltins } from './js-builtins.ts';
import { configureNode } from './configure.ts';
import { prepareIcu } from './icu.ts';
import { buildAllocator } from './allocator.ts';
import { compileNode } from './compile.ts';
import { probeDependencies } from './deps-probe.ts';
import { linkNode } from './link.ts';
import { verifyRuntime } from './verify.ts';
import type { StageReporter, StageTime } from './stage.ts';
import { staticTarget } from './target.ts';
import { prepareToolchain } from './toolchain.ts';

export interface Pipe {
  name: string;
  run: (ctx: StaticBuildContext) => Promise<StaticBuildContext>;
}

/** The stages in order; each takes the context and returns it with its result added. */
export const PIPES: Pipe[] = [
  { name: 'sources', run: fetchSources },
  { name: 'toolchain', run: prepareToolchain },
  { name: 'gyp', run: prepareGyp },
  { name: 'js-builtins', run: prepareJsBuiltins },
  { name: 'zlib', run: buildZlib },
  { name: 'cares', run: buildCares },
  { name: 'nghttp2', run: buildNghttp2 },
  { name: 'brotli', run: buildBrotli },
  { name: 'zstd', run: buildZstd },
  { name: 'llhttp', run: buildLlhttp },
  { name: 'simdutf', run: buildSimdutf },
  { name: 'simdjson', run: buildSimdjson },
  { name: 'ada', run: buildAda },
  { name: 'openssl', run: buildOpenssl },
  { name: 'deps-probe', run: probeDependencies },
  { name: 'icu', run: prepareIcu },
  { name: 'allocator', run: buildAllocator },
  { name: 'configure', run: configureNode },
  { name: 'compile', run: compileNode },
  { name: 'link', run: linkNode },
  { name: 'verify', run: verifyRuntime },
];

/** Mode (a): no removed deps to build; gyp, builtins and deps come inside the official tarball. */
export function officialPipes(official: StaticBuildOptions['official'] = {}): Pipe[] {
  const skip = new Set(['gyp', 'js-builtins', 'deps-probe', 'icu', ...Object.keys(SHARED_DEPS)]);
  return [
    { name: 'official-source', run: officialSourcePipe(official) },
    ...PIPES.filter((p) => !skip.has(p.name)),
  ];
}

export function pipesFor(options: StaticBuildOptions): Pipe[] {
  return options.sourceMode === 'official' ? officialPipes(options.official) : PIPES;
}

export function initialContext(options: StaticBuildOptions, nodeVersion: string): StaticBuildContext {
  const stageRoot = join(options.cacheDir, 'static');
  mkdirSync(stageRoot, { recursive: true });
  const stages: StageTime[] = [];
  const report: StageReporter = Object.assign((line: string) => options.report(line), {
    stage: (t: StageTime) => {
      stages.push(t);
      options.report.stage?.(t);
    },
  });
  return { options: { ...options, report }, target: staticTarget(options.arch), stageRoot, nodeVersion, sources: {}, libs: {}, stages };
}

/** Run the pipes in order, stopping after `options.until` when given. */
export async function runPipeline(ctx: StaticBuildContext, pipes: Pipe[] = pipesFor(ctx.options)): Promise<StaticBuildContext> {
  const until = ctx.options.until;
  if (until && !pipes.some((p) => p.name === until)) {
    throw new Error(`unknown stage "${until}"; stages: ${pipes.map((p) => p.name).join(', ')}`);
  }
  let current = ctx;
  for (const pipe of pipes) {
    current = await pipe.run(current);
    if (pipe.name === until) break;
  }
  return current;
}
