import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Ready } from '../../pipeline.ts';
import { runLogged } from './command.ts';
import { compileCacheCounts, compileCacheDelta } from './compile-cache.ts';
import type { StaticBuildContext } from './context.ts';
import { formatProgress, ProgressTracker } from './progress.ts';
import { runStage } from './stage.ts';

/** Headers of the deps we build ourselves: Node sources including them are compiled first. */
const EXTERNAL_DEP_HEADER = /#include\s+["<](ada\.h|simdutf\.h|simdjson\.h|llhttp\.h|ares\.h|zlib\.h|brotli\/|zstd\.h|nghttp2\/|openssl\/|ncrypto\.h)/;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.cc')) out.push(path);
  }
  return out;
}

/**
 * The objects of Node's own sources that include a dependency we built (ada 3, simdutf 8, ...):
 * a version mismatch fails in minutes here instead of after hours of V8.
 */
export function dependencyTouchingObjects(tree: string, targets: Set<string>): string[] {
  const objects: string[] = [];
  for (const file of walk(join(tree, 'src'))) {
    if (!EXTERNAL_DEP_HEADER.test(readFileSync(file, 'utf8'))) continue;
    const rel = relative(tree, file); // src/crypto/crypto_aes.cc
    const dir = rel.slice(0, rel.lastIndexOf('/'));
    const base = rel.slice(rel.lastIndexOf('/') + 1, -'.cc'.length);
    const target = `obj/${dir}/libnode.${base}.o`;
    if (targets.has(target)) objects.push(target);
  }
  if (targets.has('obj/deps/ncrypto/ncrypto.ncrypto.o')) objects.push('obj/deps/ncrypto/ncrypto.ncrypto.o');
  return objects.sort();
}

export interface CompileResult {
  /** out/Release of the tree, where `ninja -t commands node` gives the link command. */
  outDir: string;
  node: string;
  steps: number;
}

/**
 * The libs' stage dirs change when a dependency is rebuilt: ninja then has work to do. The target
 * comes in through the tree (one per target) and the flags (--dest-cpu).
 */
export function compileInputs(ctx: StaticBuildContext): unknown {
  return { tree: ctx.nodeTree, flags: ctx.configureFlags, libs: ctx.libs, builtins: ctx.builtins ?? {} };
}

/**
 * ninja -j<jobs> node, niced, in the configured tree. Resumable: a killed run keeps ninja's state
 * and Zig's cache, so re-running continues. Progress goes to progress.json for `runtime status`.
 */
export async function compileNode(ctx: Ready<StaticBuildContext, 'nodeTree'>): Promise<string> {
  const outDir = join(ctx.nodeTree, 'out', 'Release');
  const result = await runStage<CompileResult>(
    ctx.stageRoot,
    {
      name: 'compile',
      inputs: compileInputs(ctx),
      resumable: true,
      // A re-configure (e.g. a new toolchain with the same flags) rewrites build.ninja without
      // changing this stage's inputs: then ninja has work to do, so the recorded result is stale.
      stillValid: (r) => existsSync(r.node) && statSync(r.node).mtimeMs >= statSync(join(r.outDir, 'build.ninja')).mtimeMs,
      sharedDir: ctx.nodeTree,
      run: async ({ dir, log }) => {
        const progressFile = join(dir, 'progress.json');
        const jobs = String(ctx.options.jobs);
        let lastReport = 0;
        const tracker = new ProgressTracker();
        const onOutput = (chunk: string) => {
          if (!tracker.feed(chunk) || !tracker.progress) return;
          writeFileSync(progressFile, JSON.stringify({ pid: process.pid, ...tracker.progress }, null, 2));
          if (Date.now() - lastReport > 60_000 || tracker.progress.done === tracker.progress.total) {
            lastReport = Date.now();
            ctx.options.report(`[compile] ${formatProgress(tracker.progress)}`);
          }
        };
        const targets = new Set(
          execFileSync('ninja', ['-C', outDir, '-t', 'targets', 'all'], { encoding: 'utf8', maxBuffer: 64 << 20 })
            .split('\n')
            .map((l) => l.slice(0, l.indexOf(':'))),
        );
        const early = dependencyTouchingObjects(ctx.nodeTree, targets);
        const cacheBefore = compileCacheCounts(ctx.options.cacheDir);
        ctx.options.report(`[compile] first: ${early.length} Node objects that use the deps we built`);
        await runLogged('ninja', ['-C', outDir, `-j${jobs}`, ...early], { cwd: outDir, log, nice: true, onOutput });
        ctx.options.report('[compile] now everything else (V8 is most of it)');
        await runLogged('ninja', ['-C', outDir, `-j${jobs}`, 'node'], { cwd: outDir, log, nice: true, onOutput });
        const node = join(outDir, 'node');
        if (!existsSync(node)) throw new Error(`ninja finished but ${node} is missing`);
        const cacheAfter = compileCacheCounts(ctx.options.cacheDir);
        if (cacheBefore && cacheAfter) {
          // Whether this was a real compile or a rebuild from the cache, in one line.
          const d = compileCacheDelta(cacheBefore, cacheAfter);
          ctx.options.report(`[compile] ccache: ${d.hits} objects from the cache, ${d.misses} compiled`);
        }
        return { outDir, node, steps: tracker.progress?.total ?? 0 };
      },
    },
    ctx.options.report,
  );
  ctx.linkedNode = result.node;
  return `${result.steps} ninja steps, ${result.node}`;
}
