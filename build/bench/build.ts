// npm run bench:build — cold and incremental `npm run dist`, where the time goes, and @yao-pkg/pkg's
// SEA mode beside it on the same runtime. Writes its section of docs/benchmarks.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { officialRuntime } from '../runtime/official.ts';
import { runtimePin } from '../runtime/pin.ts';
import { machine, median, table, writeSection } from './report.ts';

const pin = runtimePin();

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const runs = Number(process.env.BENCH_RUNS ?? 5);
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Timed {
  wallMs: number;
  maxRssMiB: number;
  stdout: string;
}

/** Runs a command under GNU time: wall clock and the peak RSS of the largest process in the tree. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Timed {
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCH %e %M', cmd, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 2 ** 20 });
  const m = /BENCH ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { wallMs: Number(m[1]) * 1000, maxRssMiB: Number(m[2]) / 1024, stdout: r.stdout };
}

function stepTimes(stdout: string): Record<string, number> {
  return Object.fromEntries([...stdout.matchAll(/\] (\w+) ✓ ([\d.]+) s/g)].map((m) => [m[1], Number(m[2]) * 1000]));
}

function summarize(xs: Timed[]) {
  const wall = xs.map((x) => x.wallMs);
  return { wall: median(wall), min: Math.min(...wall), max: Math.max(...wall), rss: Math.max(...xs.map((x) => x.maxRssMiB)) };
}

function startup(bin: string, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    execFileSync(bin, ['--version'], { stdio: 'ignore' });
    out.push(performance.now() - t);
  }
  return out;
}

if (!statSync('/usr/bin/time', { throwIfNoEntry: false })) {
  console.error('bench:build needs GNU time for peak memory: apt-get install time');
  process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), 'broker-bench-'));
try {
  const dist = (cache: string, out: string) => timed('npm', ['run', '--silent', 'dist', '--', '--runtime', 'official', '--out', out], { BROKER_CACHE: cache });

  log(`cold dist ×${runs} (empty BROKER_CACHE each time; npm's own tarball cache stays warm) …`);
  const cold: Timed[] = [];
  for (let i = 0; i < runs; i++) {
    const cache = mkdtempSync(join(scratch, 'cache-'));
    const run = dist(cache, join(scratch, `cold-${i}`));
    cold.push(run);
    rmSync(cache, { recursive: true, force: true });
    log(`  run ${i + 1}: ${(run.wallMs / 1000).toFixed(2)} s`);
  }

  log(`incremental dist ×${runs} (runtime and SEA template cached) …`);
  const warmCache = join(scratch, 'warm-cache');
  dist(warmCache, join(scratch, 'warm-prime'));
  const warm: Timed[] = [];
  for (let i = 0; i < runs; i++) {
    const run = dist(warmCache, join(scratch, `warm-${i}`));
    warm.push(run);
    log(`  run ${i + 1}: ${(run.wallMs / 1000).toFixed(2)} s`);
  }

  // Where the time goes: each step's median over the runs, cold and warm.
  const steps = Object.keys(stepTimes(warm[0]?.stdout ?? ''));
  const stepRows = steps.map((s) => [s, (median(cold.map((c) => stepTimes(c.stdout)[s] ?? 0)) / 1000).toFixed(2), (median(warm.map((w) => stepTimes(w.stdout)[s] ?? 0)) / 1000).toFixed(2)]);
  const stepSum = median(warm.map((w) => Object.values(stepTimes(w.stdout)).reduce((a, b) => a + b, 0)));

  log('postject directly (what every build paid before the template) …');
  const runtime = await officialRuntime({ nodeVersion: pin.nodeVersion, arch: 'x64', cacheDir: cacheRoot(), log: { info: () => {}, progress: () => {} }, integrity: pin.runtimeIntegrity?.x64 });
  const bundle = join(scratch, 'broker.cjs');
  await build({ entryPoints: [join(root, 'src/main.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', minify: true, logLevel: 'error' });
  const postjectTarget = join(scratch, 'postject-target');
  copyFileSync(runtime.path, postjectTarget);
  const blob = Buffer.alloc(20_000);
  const postjectScript = `require('postject').inject(${JSON.stringify(postjectTarget)}, 'NODE_SEA_BLOB', Buffer.alloc(${blob.length}), { sentinelFuse: ['NODE_SEA_FUSE','fce680ab2cc467b6e072b8b5df1996b2'].join('_') })`;
  const postject = timed(process.execPath, ['-e', postjectScript]);

  log('@yao-pkg/pkg SEA mode on the same runtime …');
  const pkgRuns: Timed[] = [];
  const pkgOut = join(scratch, 'pkg-broker');
  for (let i = 0; i < runs; i++) pkgRuns.push(timed(runtime.path, [join(root, 'build/bench/pkg-sea.ts'), bundle, runtime.path, pkgOut]));
  const brokerArtifact = join(scratch, 'warm-0', `broker-${pkg.version}-linux-x64`);

  log('startup: --version, interleaved …');
  const n = 30;
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < n; i++) {
    a.push(...startup(brokerArtifact, 1));
    b.push(...startup(pkgOut, 1));
  }

  const c = summarize(cold);
  const w = summarize(warm);
  const p = summarize(pkgRuns);
  const fmt = (ms: number) => (ms / 1000).toFixed(2);
  const md = `## Build: \`npm run dist\` (official runtime) and @yao-pkg/pkg's SEA mode

Command: \`npm run bench:build\` (${runs} runs each; BENCH_RUNS to change). Machine: ${machine()}.
Measured ${new Date().toISOString().slice(0, 10)}. Wall time and peak RSS (largest process, GNU time) of the whole \`npm run dist\`, npm and tsx start-up included.

${table(
  ['build', 'wall median (s)', 'min–max (s)', 'peak RSS (MiB)', 'target'],
  [
    ['cold dist (empty ~/.cache/broker)', fmt(c.wall), `${fmt(c.min)}–${fmt(c.max)}`, c.rss.toFixed(0), '—'],
    ['incremental dist (runtime + template cached)', fmt(w.wall), `${fmt(w.min)}–${fmt(w.max)}`, w.rss.toFixed(0), `≤ 5 s, ≤ 300 MB: ${w.wall <= 5000 && w.rss <= 300 ? 'met' : 'NOT met'}`],
    ['postject alone, one injection (stripped runtime)', fmt(postject.wallMs), '', postject.maxRssMiB.toFixed(0), '—'],
    ['@yao-pkg/pkg 6.23 SEA mode, same bundle + runtime', fmt(p.wall), `${fmt(p.min)}–${fmt(p.max)}`, p.rss.toFixed(0), '—'],
  ],
)}

Where the time goes (median per step, seconds; the rest of the wall time is npm + tsx start-up, ${fmt(w.wall - stepSum)} s warm):

${table(['step', 'cold', 'incremental'], stepRows)}

Why incremental is fast: postject copies the whole ${(statSync(runtime.path).size / 2 ** 20).toFixed(0)} MiB runtime into LIEF's WASM heap and back — ${fmt(postject.wallMs)} s and ${postject.maxRssMiB.toFixed(0)} MiB for one
injection. So \`inject\` runs postject once per runtime, into a cached template holding a zero-filled 1 MiB note,
and each build copies the template and writes the blob into that note (see build/steps/inject.ts). The
cold \`runtime\` step is the npm fetch + strip; the first \`inject\` pays the one postject run.

Artifacts side by side (same bundle, same stripped official Node ${pin.nodeVersion}):

${table(
  ['artifact', 'size (MiB)', '`--version` median (ms)', 'min (ms)', 'code cache'],
  [
    ['broker dist', (statSync(brokerArtifact).size / 2 ** 20).toFixed(1), median(a).toFixed(1), Math.min(...a).toFixed(1), 'on'],
    ['pkg --sea', (statSync(pkgOut).size / 2 ** 20).toFixed(1), median(b).toFixed(1), Math.min(...b).toFixed(1), 'off (pkg default)'],
  ],
)}

Startup: ${n} interleaved runs each (A B A B…), spawn to exit. broker's artifact is larger by the unused
part of the reserved 1 MiB note (zeros; they compress away in a release archive).`;
  const path = await writeSection(root, 'bench:build', md);
  log(md);
  log(`\nwritten to ${path}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
