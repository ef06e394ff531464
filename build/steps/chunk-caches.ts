import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { fileFact } from '../../shared/toolchain/file-hash.ts';
import { type BuildContext, distStep } from '../context.ts';
import type { Ready } from '../pipeline.ts';
import { lazyFileStem } from '../project/lazy-chunks.ts';
import { PRELUDE_DIR } from '../project/preludes.ts';
import { TRAIN_FLAGS } from '../project/trained-cache.ts';

/**
 * The program run by the runtime to make the chunks' caches: each chunk loaded as the binary loads it
 * (prelude/lazy.cjs, its chunks read from files here), then each compiled script's cache written. Loaded, not only
 * compiled: what a package's top level calls is then in its cache too (undici: 113 → 80 ms to load on this VM, against
 * 94 for a cache of the compile alone). Writes the loads that threw to a file, their caches holding what compiled before.
 */
const MAKER = `'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { isBuiltin } = require('node:module');
const [prelude, list, report] = process.argv.slice(2);
const chunks = JSON.parse(list);
const scripts = new Map();
globalThis[Symbol.for('seal.lazy.build')] = {
  code: (name) => readFileSync(chunks.find((c) => c.name === name).file, 'utf8'),
  compiled: (name, script) => scripts.set(name, script),
  // The binary's main script requires built-in modules only: so does a chunk here, whatever is installed around.
  require: (id) => {
    if (isBuiltin(id)) return require(id);
    throw Object.assign(new Error(\`Cannot find module '\${id}'\`), { code: 'MODULE_NOT_FOUND' });
  },
};
const { lazyPackage } = require(prelude);
const threw = [];
for (const { name } of chunks) {
  try {
    lazyPackage(name);
  } catch (err) {
    threw.push({ name, message: String(err?.message ?? err).split('\\n')[0] });
  }
}
for (const { name, out } of chunks) writeFileSync(out, scripts.get(name).createCachedData());
// In a file: a package may print as it loads.
writeFileSync(report, JSON.stringify(threw));
// A package's load may leave a timer or a handle behind.
process.exit(0);
`;

/** Loading every lazy package once takes well under a second (broker's two: 0.35 s); this is for one that never ends. */
const LOAD_TIMEOUT_MS = 120_000;

/** Why no chunk cache is made for this build, or undefined when one is. */
function notMade(ctx: Ready<BuildContext, 'bundle' | 'runtime'>): string | undefined {
  const { startup } = ctx.project.config;
  if (startup !== 'code-cache') return `start-up is "${startup}": the blob holds no code cache, nor do its chunks`;
  if (!ctx.launcher) return 'the runtime cannot run on this host';
  if (ctx.launcher.emulated) return `no code cache is made under ${ctx.launcher.describe}`;
  return undefined;
}

/**
 * seal.lazy's chunks (project/lazy-chunks.ts) get a code cache each, as the bundle has Node's: V8's, made by the
 * runtime itself under the blob's Node options, with the flags that keep it byte-stable (TRAIN_FLAGS).
 */
async function makeChunkCaches(ctx: Ready<BuildContext, 'bundle' | 'runtime'>): Promise<string> {
  const chunks = ctx.lazy ?? [];
  if (chunks.length === 0) return 'none (seal.lazy)';
  const skipped = notMade(ctx);
  if (skipped !== undefined) return `skipped: ${skipped}`;
  const launcher = ctx.launcher as NonNullable<typeof ctx.launcher>;
  const dir = join(ctx.workDir, 'chunk-caches');
  await mkdir(dir, { recursive: true });
  const maker = join(dir, 'make-caches.cjs');
  await writeFile(maker, MAKER);
  const list = chunks.map((c) => ({ name: c.name, file: c.file.path, out: join(dir, `${lazyFileStem(c.name)}.cache`) }));
  const report = join(dir, 'loads.json');
  const [cmd, args] = launcher.command(ctx.runtime.path, [...TRAIN_FLAGS, ...ctx.project.config.nodeOptions, maker, join(PRELUDE_DIR, 'lazy.cjs'), JSON.stringify(list), report]);
  // Nothing of the builder's environment (a package may read DEBUG or HOME as it loads, and the cache would differ).
  const r = await execa(cmd, args, { cwd: dir, env: { HOME: dir, NODE_OPTIONS: '' }, extendEnv: false, timeout: LOAD_TIMEOUT_MS, reject: false });
  const said = (r.stderr || '').trim().split('\n').slice(-3).join(' ');
  if (r.timedOut)
    throw new BuildError(
      `loading seal.lazy's packages (${chunks.map((c) => c.name).join(', ')}) to make their code caches did not end within ${LOAD_TIMEOUT_MS / 1000} s: one of them does more than define things as it loads; take it out of seal.lazy`,
    );
  if (r.exitCode !== 0) throw new BuildError(`the runtime could not make seal.lazy's code caches (exit ${r.exitCode ?? r.signal}): ${said}`);
  if (!existsSync(report))
    throw new BuildError(
      `loading seal.lazy's packages (${chunks.map((c) => c.name).join(', ')}) to make their code caches ended the process before the caches were written (a package that calls process.exit as it loads?): take it out of seal.lazy${said ? `; stderr: ${said}` : ''}`,
    );
  const threw = JSON.parse(await readFile(report, 'utf8')) as { name: string; message: string }[];
  for (const t of threw) ctx.log.info(`  note: loading ${t.name} at build time threw (${t.message}): its cache holds only what compiled before it threw`);
  ctx.lazy = await Promise.all(chunks.map(async (c, i) => ({ ...c, cache: await fileFact((list[i] as { out: string }).out) })));
  return `${ctx.lazy.map((c) => `${c.name} ${((c.cache?.size ?? 0) / 1024).toFixed(1)} KiB`).join(', ')}`;
}

export const chunkCachesStep = distStep({ name: 'chunk caches', needs: ['bundle', 'runtime'], run: makeChunkCaches });
