import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type AnyStep, runSteps } from '../../pipeline.ts';
import { buildAllocator } from './allocator.ts';
import { compileNode } from './compile.ts';
import { configureNode } from './configure.ts';
import { type StaticBuildOptions, type StaticPipelineContext, staticStage } from './context.ts';
import { DEPENDENCIES, dependencyStage } from './deps/table.ts';
import { probeDependencies } from './deps-probe.ts';
import { prepareGyp } from './gyp.ts';
import { prepareIcu } from './icu.ts';
import { prepareJsBuiltins } from './js-builtins.ts';
import { linkNode } from './link.ts';
import { officialSourceStage } from './official-source.ts';
import { fetchSources } from './sources.ts';
import type { StageReporter, StageTime } from './stage.ts';
import { staticTarget } from './target.ts';
import { prepareToolchain } from './toolchain.ts';
import { verifyRuntime } from './verify.ts';

export type Pipe = AnyStep<StaticPipelineContext>;

/** Node's source (Debian's, or the official tarball before it) and the toolchain every later stage compiles with. */
const SOURCES_AND_TOOLCHAIN = [staticStage({ name: 'sources', run: fetchSources }), staticStage({ name: 'toolchain', run: prepareToolchain })];

/** What Debian removed from Node's source, put back (mode b only: the official tarball carries all of it). */
const REMOVED_BY_DEBIAN = [
  staticStage({ name: 'gyp', run: prepareGyp }),
  staticStage({ name: 'js-builtins', run: prepareJsBuiltins }),
  ...DEPENDENCIES.map(dependencyStage),
  staticStage({ name: 'deps-probe', needs: ['toolchain'], run: probeDependencies }),
  staticStage({ name: 'icu', run: prepareIcu }),
];

/** The runtime itself: allocator, configure, the hours-long compile, the allocator's link, the proof. */
const RUNTIME = [
  staticStage({ name: 'allocator', needs: ['toolchain'], run: buildAllocator }),
  staticStage({ name: 'configure', needs: ['toolchain'], run: configureNode }),
  staticStage({ name: 'compile', needs: ['toolchain', 'nodeTree'], run: compileNode }),
  staticStage({ name: 'link', needs: ['toolchain', 'nodeTree'], run: linkNode }),
  staticStage({ name: 'verify', needs: ['toolchain', 'runtimePath'], run: verifyRuntime }),
];

/** Mode (b), Debian's source: every stage, in order. */
export const PIPES: Pipe[] = [...SOURCES_AND_TOOLCHAIN, ...REMOVED_BY_DEBIAN, ...RUNTIME];

/** Mode (a): the official tarball first; sources then fetches only the allocators. */
export function officialPipes(official: StaticBuildOptions['official'] = {}): Pipe[] {
  return [officialSourceStage(official), ...SOURCES_AND_TOOLCHAIN, ...RUNTIME];
}

export function pipesFor(options: StaticBuildOptions): Pipe[] {
  return options.sourceMode === 'official' ? officialPipes(options.official) : PIPES;
}

/** The names of the stages a source mode runs, in order (what --until takes). */
export function stageNames(sourceMode: StaticBuildOptions['sourceMode']): string[] {
  return (sourceMode === 'official' ? officialPipes() : PIPES).map((p) => p.name);
}

export function initialContext(options: StaticBuildOptions, nodeVersion: string): StaticPipelineContext {
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

/** Runs the stages in order (the same runner as dist's steps), stopping after `options.until` when given. */
export async function runPipeline(ctx: StaticPipelineContext, pipes: Pipe[] = pipesFor(ctx.options)): Promise<StaticPipelineContext> {
  return runSteps(ctx, pipes, { line: (text) => ctx.options.report(text) }, ctx.options.until);
}
