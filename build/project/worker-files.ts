/*
 * The worker threads a program starts from its own files (new Worker(join(__dirname, 'w.js'))): a SEA has no such
 * file, so each is bundled on its own with the program's preludes first, and in the worker thread the embedded files
 * are mounted and its imports are inside. prelude/workers.cjs starts the worker from that code, which ends with a
 * sourceURL comment naming it (`seal:worker-file/<its path>`: started from a string, its frames would read
 * `[worker eval]`, the same for every worker); its map travels in the artifact's, by that name, for `seal stack`.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { present } from '../../shared/checked.ts';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import type { DynamicLoad } from './dynamic-loads.ts';
import { type Embeds, preludeSource } from './entry.ts';
import { finishedCode } from './finished-code.ts';
import { maintainerMap } from './maintainer-map.ts';
import type { Project } from './project.ts';
import { buildLeavingUnresolved, type Unresolved } from './unresolved.ts';
import { fileOnDisk, treeRoot, VIRTUAL_ROOT } from './virtual-paths.ts';

/** A worker thread's file, bundled on its own (with the preludes) into `file`, to be embedded at `path` under the virtual root. */
export interface WorkerFile {
  path: string;
  file: string;
}

/** How the program was bundled, for its workers to be bundled alike. */
export interface ProgramBuild {
  project: Pick<Project, 'root' | 'installed' | 'config'>;
  /** The program's file: the workers' are written next to it. */
  outfile: string;
  /** The esbuild options every pass over the project shares (bundle.ts). */
  options: BuildOptions;
  /** The program's compile-time constants. */
  define: Record<string, string>;
  /** What the program embeds: the same preludes run first in each worker. */
  embeds: Embeds;
}

/** The worker files the loads start (dynamic-loads.ts), as paths under the virtual root. */
export function workerPaths(loads: readonly DynamicLoad[]): string[] {
  return [...new Set(loads.flatMap((l) => (l.kind === 'worker' && l.into !== undefined ? [l.into] : [])))].sort();
}

/** The name a worker file's frames show (its sourceURL), from its path under the virtual root. */
export const workerFileScript = (path: string) => `seal:worker-file/${posix.relative(VIRTUAL_ROOT, path)}`;

/**
 * The program's preludes, then `load` (a require statement), bundled as the code a worker thread runs; `define` is
 * the program's with any changes the caller makes. Imports esbuild cannot resolve are added to `unresolved`. Given
 * `script` (and `outfile`), the code names itself so and comes with its map as the maintainers' map keeps it.
 */
async function withPreludes(
  program: ProgramBuild,
  load: string,
  build: { define: Record<string, string>; sourcefile: string; outfile?: string; script?: string; what: string },
  unresolved: Unresolved[],
): Promise<{ code: string; map?: string }> {
  const { outfile, script } = build;
  const mapped = outfile !== undefined && script !== undefined;
  const out = await buildLeavingUnresolved(
    {
      ...program.options,
      stdin: { contents: `${preludeSource(program.project.config, program.embeds)}${load}\n`, resolveDir: program.project.root, sourcefile: build.sourcefile, loader: 'js' },
      ...(outfile === undefined ? {} : { outfile }),
      ...(mapped ? { sourcemap: 'external' as const } : {}),
      define: build.define,
      supported: { 'dynamic-import': false },
      write: false,
    },
    treeRoot(program.project),
    unresolved,
  );
  const js = present(
    out.outputFiles.find((f) => !f.path.endsWith('.map')),
    `esbuild's output for ${build.what}`,
  );
  const map = out.outputFiles.find((f) => f.path.endsWith('.map'))?.text;
  const finished = await finishedCode(js.text, program.options.minify === true, map);
  if (outfile === undefined || script === undefined) return { code: finished.code };
  return {
    // After the last line: no position moves.
    code: `${finished.code}\n//# sourceURL=${script}\n`,
    map: maintainerMap(present(finished.map, `the map of ${build.what}`), { bundleDir: dirname(outfile), projectRoot: program.project.root, file: script }),
  };
}

/**
 * The code a worker thread runs for a file of the tree that was not bundled as a worker (prelude/workers.cjs): the
 * preludes, which mount the embedded files in the thread, then a require of the file the thread was started for.
 */
export function workerBootstrap(program: ProgramBuild, unresolved: Unresolved[]): Promise<string> {
  const define = { ...program.define, __SEAL_WORKER_BOOTSTRAP__: '""' };
  return withPreludes(program, 'require(globalThis.__sealWorkerFile);', { define, sourcefile: 'seal-worker-bootstrap.js', what: 'the worker bootstrap' }, unresolved).then((b) => b.code);
}

/**
 * Each worker file the loads start (dynamic-loads.ts), bundled and written next to the program, with the maps their
 * frames are read with, by the name they show (workerFileScript); imports esbuild cannot resolve are added to `unresolved`.
 */
export async function bundleWorkers(program: ProgramBuild, loads: DynamicLoad[], unresolved: Unresolved[]): Promise<{ workers: WorkerFile[]; maps: Record<string, string> }> {
  const tree = treeRoot(program.project);
  const places = new Map<string, string>();
  for (const l of loads) if (l.kind === 'worker' && l.into !== undefined && !places.has(l.into)) places.set(l.into, l.at);
  const workers: WorkerFile[] = [];
  const maps: Record<string, string> = {};
  for (const [path, at] of [...places].sort()) {
    const source = fileOnDisk(tree, path);
    if (source === undefined) throw new BuildError(`${at}: a worker thread starts from ${path}, which names no file of the package (a worker's file must be named in full, e.g. join(__dirname, 'worker.js'))`);
    const file = join(dirname(program.outfile), `worker-${workers.length}.cjs`);
    const script = workerFileScript(path);
    const { code, map } = await withPreludes(program, `require(${JSON.stringify(source)});`, { define: program.define, sourcefile: 'seal-worker.js', outfile: file, script, what: `the worker ${path}` }, unresolved);
    await writeFile(file, code);
    workers.push({ path, file });
    maps[script] = present(map, `the map of the worker ${path}`);
  }
  return { workers, maps };
}
