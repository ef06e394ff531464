// npm run bench:build — cold and incremental `npm run dist`, where the time goes, and @yao-pkg/pkg's SEA mode
// beside it on the same runtime, for broker and for a third-party CLI of a few MB of JS (typescript, installed as
// the real-world table installs it). Every build kind runs once per round, the rounds interleaved (the order
// rotating), so load drift spreads over every row. Sizes and memory in MB (10^6 bytes), the unit of the targets.
// Writes its section of docs/benchmarks.md.

import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { devToolVersion, ensureDevTools } from '../dev-tools/dev-tools.ts';
import { CLIS } from '../realworld/clis.ts';
import { installCli } from '../realworld/install.ts';
import { configurePackage } from '../realworld/pack.ts';
import { fakePkgHome } from '../realworld/pkg-sea.ts';
import { officialRuntime } from '../runtime/official.ts';
import { runtimePin } from '../runtime/pin.ts';
import { benchArgs, envInt } from './bench-args.ts';
import { benchNeeds } from './needs.ts';
import { pauseRuntimeBuilds } from './quiet.ts';
import { loadAverage, machine, median, table, writeSection } from './report.ts';

// --help prints what this bench does; nothing else is an argument (checked before anything is measured).
benchArgs('bench:build', import.meta.filename);

const pin = runtimePin();
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const runs = envInt('BENCH_RUNS', 5);
const log = (line: string) => process.stdout.write(`${line}\n`);
const MB = 1e6;

interface Timed {
  wallMs: number;
  /** Peak RSS of the largest process in the tree (GNU time's %M), in bytes. */
  maxRss: number;
  stdout: string;
}

/** Runs a command under GNU time: wall clock and the peak RSS of the largest process in the tree. */
function timed(cmd: string, args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string; replaceEnv?: boolean } = {}): Timed {
  const env = o.replaceEnv ? o.env : { ...process.env, ...o.env };
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCH %e %M', cmd, ...args], { cwd: o.cwd ?? root, encoding: 'utf8', env, maxBuffer: 64 * 2 ** 20 });
  const m = /BENCH ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { wallMs: Number(m[1]) * 1000, maxRss: Number(m[2]) * 1024, stdout: r.stdout };
}

function stepTimes(stdout: string): Record<string, number> {
  return Object.fromEntries([...stdout.matchAll(/\] (\w+) ✓ ([\d.]+) s/g)].map((m) => [m[1], Number(m[2]) * 1000]));
}

function summarize(xs: Timed[]) {
  const wall = xs.map((x) => x.wallMs);
  return { wall: median(wall), min: Math.min(...wall), max: Math.max(...wall), rss: Math.max(...xs.map((x) => x.maxRss)) };
}

function versionMs(bin: string): number {
  const t = performance.now();
  execFileSync(bin, ['--version'], { stdio: 'ignore' });
  return performance.now() - t;
}

const s = (ms: number) => (ms / 1000).toFixed(2);
const mb = (bytes: number) => (bytes / MB).toFixed(0);
const mb1 = (bytes: number) => (bytes / MB).toFixed(1);

// GNU time for peak memory.
benchNeeds('bench:build', { '/usr/bin/time': 'time' });

const scratch = mkdtempSync(join(tmpdir(), 'broker-bench-'));
const quiet = pauseRuntimeBuilds(log);
const loadBefore = loadAverage();
try {
  const runtime = await officialRuntime({ nodeVersion: pin.nodeVersion, arch: 'x64', cacheDir: cacheRoot(), log: { info: () => {}, progress: () => {} }, integrity: pin.runtimeIntegrity?.x64 });
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  const dist = (cache: string, out: string) => timed('npm', ['run', '--silent', 'dist', '--', '--runtime', 'official', '--out', out], { env: { BROKER_CACHE: cache } });

  // broker's bundle for pkg (pkg's SEA mode takes one file), built as the dist bundle step builds it.
  const bundle = join(scratch, 'broker.cjs');
  await build({ entryPoints: [join(root, 'src/main.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', minify: true, logLevel: 'error' });

  // The third-party CLI: typescript as the real-world table installs and configures it (seal.assets: lib.*.d.ts).
  const ts = CLIS.find((c) => c.name === 'typescript');
  if (!ts) throw new Error('build/realworld/clis.ts has no typescript row');
  const tsDir = await installCli(ts, log);
  await configurePackage(tsDir, ts);
  const tsJs = readdirSync(join(tsDir, 'lib'))
    .filter((f) => f.endsWith('.js'))
    .reduce((n, f) => n + statSync(join(tsDir, 'lib', f)).size, 0);
  const pkgHome = await fakePkgHome(runtime.path, runtime.nodeVersion);
  const pkgDir = join(await ensureDevTools({ info: log, progress: () => {} }), 'node_modules/@yao-pkg/pkg');
  const pkgCli = join(pkgDir, 'lib-es5', 'bin.js');
  const pkgEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: pkgHome, PKG_CACHE_PATH: join(pkgHome, '.pkg-cache'), NODE_OPTIONS: '' };

  const warmCache = join(scratch, 'warm-cache');
  log('priming the warm cache (one dist) …');
  dist(warmCache, join(scratch, 'warm-prime'));

  const kinds = {
    cold: (i: number) => {
      const cache = mkdtempSync(join(scratch, 'cache-'));
      try {
        return dist(cache, join(scratch, `cold-${i}`));
      } finally {
        rmSync(cache, { recursive: true, force: true });
      }
    },
    warm: (i: number) => dist(warmCache, join(scratch, `warm-${i}`)),
    pkgBroker: (i: number) => timed(runtime.path, [join(root, 'build/bench/pkg-sea.ts'), bundle, runtime.path, join(scratch, `pkg-broker-${i}`), pkgDir]),
    sealTs: (i: number) => timed(tsx, ['build/cli.ts', 'pack', tsDir, '--runtime', 'official', '--out', join(scratch, `seal-ts-${i}`)], { env: { BROKER_CACHE: warmCache, NODE_OPTIONS: '' } }),
    pkgTs: (i: number) => timed(runtime.path, [pkgCli, tsDir, '--sea', '-t', `node${runtime.nodeVersion}-linux-x64`, '-o', join(scratch, `pkg-ts-${i}`, 'tsc')], { env: pkgEnv, replaceEnv: true, cwd: scratch }),
  } as const;
  type Kind = keyof typeof kinds;
  const order = Object.keys(kinds) as Kind[];
  const got = Object.fromEntries(order.map((k) => [k, [] as Timed[]])) as Record<Kind, Timed[]>;
  for (let i = 0; i < runs; i++) {
    // Rotated each round, so no build kind always follows the same one.
    const round = order.map((_, j) => order[(i + j) % order.length] as Kind);
    for (const k of round) got[k].push(kinds[k](i));
    log(`round ${i + 1}/${runs}: ${round.map((k) => `${k} ${s(got[k].at(-1)?.wallMs ?? 0)} s`).join(', ')}`);
  }

  log('postject directly (what every build paid before the template) …');
  const postjectTarget = join(scratch, 'postject-target');
  copyFileSync(runtime.path, postjectTarget);
  const postjectScript = `require('postject').inject(${JSON.stringify(postjectTarget)}, 'NODE_SEA_BLOB', Buffer.alloc(20000), { sentinelFuse: ['NODE_SEA_FUSE','fce680ab2cc467b6e072b8b5df1996b2'].join('_') })`;
  const postject = timed(process.execPath, ['-e', postjectScript]);

  log('start-up: --version, interleaved …');
  const brokerArtifact = join(scratch, 'warm-0', `broker-${pkg.version}-linux-x64`);
  const pkgArtifact = join(scratch, 'pkg-broker-0');
  const n = 30;
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < n; i++) {
    a.push(versionMs(brokerArtifact));
    b.push(versionMs(pkgArtifact));
  }
  const loadAfter = loadAverage();

  const [c, w, pb, st, pt] = [summarize(got.cold), summarize(got.warm), summarize(got.pkgBroker), summarize(got.sealTs), summarize(got.pkgTs)];
  const tsArtifact = join(scratch, 'seal-ts-0', readdirSync(join(scratch, 'seal-ts-0')).find((f) => f.startsWith('typescript-')) ?? '');
  const row = (name: string, x: ReturnType<typeof summarize>, target = '—') => [name, s(x.wall), `${s(x.min)}–${s(x.max)}`, mb(x.rss), target];
  const steps = Object.keys(stepTimes(got.warm[0]?.stdout ?? ''));
  const stepRows = steps.map((step) => [step, s(median(got.cold.map((r) => stepTimes(r.stdout)[step] ?? 0))), s(median(got.warm.map((r) => stepTimes(r.stdout)[step] ?? 0)))]);
  const stepSum = median(got.warm.map((r) => Object.values(stepTimes(r.stdout)).reduce((x, y) => x + y, 0)));
  const pkgVersion = devToolVersion('@yao-pkg/pkg');

  const md = `## Build: \`npm run dist\`, \`npm run pack\` of a third-party CLI, and @yao-pkg/pkg's SEA mode

Command: \`npm run bench:build\` (${runs} rounds; BENCH_RUNS to change). Machine: ${machine()}.
Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Load: \`${loadBefore}\` at the start, \`${loadAfter}\` at the end${quiet.paused.length ? ` (the detached static-runtime build${quiet.paused.length > 1 ? 's were' : ' was'} paused meanwhile)` : ''}.
Each round runs every build below once, in an order rotated round by round, so drift in the machine's speed spreads
over every row. Wall time and peak RSS (the largest process of the tree, GNU time) of the whole command, npm and tsx
start-up included; MB = 10⁶ bytes, the unit of the target. All builds are on the same stripped official Node ${pin.nodeVersion}.

${table(
  ['build', 'wall median (s)', 'min–max (s)', 'peak RSS (MB)', 'target'],
  [
    row('broker: cold dist (empty ~/.cache/broker)', c),
    row('broker: incremental dist (runtime + template cached)', w, `≤ 5 s, ≤ 300 MB: ${w.wall <= 5000 && w.rss <= 300 * MB ? 'met' : 'NOT met'}`),
    row(`broker: @yao-pkg/pkg ${pkgVersion} SEA mode, the same bundle`, pb),
    row(`typescript ${ts.version} (${mb1(tsJs)} MB of JS in lib/): \`npm run pack\`, cache warm`, st, `× pkg: ${(st.wall / pt.wall).toFixed(2)} time, ${(st.rss / pt.rss).toFixed(2)} RSS`),
    row(`typescript ${ts.version}: @yao-pkg/pkg ${pkgVersion} SEA mode (\`pkg DIR --sea\`)`, pt),
    ['postject alone, one injection (stripped runtime)', s(postject.wallMs), '', mb(postject.maxRss), '—'],
  ],
)}

Where broker's dist spends its time (median per step, seconds; the rest of the wall time is npm + tsx start-up, ${s(w.wall - stepSum)} s warm):

${table(['step', 'cold', 'incremental'], stepRows)}

Why incremental is fast: postject copies the whole ${mb(statSync(runtime.path).size)} MB runtime into LIEF's WASM heap and back — ${s(postject.wallMs)} s and ${mb(postject.maxRss)} MB for one
injection. So \`inject\` runs postject once per runtime, into a cached template holding a zero-filled 1 MiB note,
and each build copies the template and writes the blob into that note (see build/steps/inject.ts). The
cold \`runtime\` step is the npm fetch + strip; the first \`inject\` pays the one postject run. The typescript pack
parses, bundles and source-maps ${mb1(tsJs)} MB of JS (esbuild, then acorn over the bundle for computed loads);
pkg's SEA mode bundles nothing: it packs the package's files as they are.

Artifacts side by side:

${table(
  ['artifact', 'size (MB)', '`--version` median (ms)', 'min (ms)', 'code cache'],
  [
    ['broker, dist', mb1(statSync(brokerArtifact).size), median(a).toFixed(1), Math.min(...a).toFixed(1), 'on'],
    ['broker, pkg --sea', mb1(statSync(pkgArtifact).size), median(b).toFixed(1), Math.min(...b).toFixed(1), 'off (pkg default)'],
    [`typescript, pack`, mb1(statSync(tsArtifact).size), '', '', 'on'],
    [`typescript, pkg --sea`, mb1(statSync(join(scratch, 'pkg-ts-0', 'tsc')).size), '', '', 'off (pkg default)'],
  ],
)}

Start-up: ${n} interleaved runs each (A B A B…), spawn to exit. broker's artifact is larger by the unused
part of the reserved 1 MiB note (zeros; they compress away in a release archive).`;
  const path = await writeSection(root, 'bench:build', md);
  log(md);
  log(`\nwritten to ${path}`);
} finally {
  quiet.resume();
  rmSync(scratch, { recursive: true, force: true });
}
