// npm run bench:startup — how fast broker starts (issue 25): `--version` of the artifacts beside the bare runtimes'
// `node -e 0`, bun's compiled builds of the same bundle (with and without bytecode) and @yao-pkg/pkg's SEA;
// `broker record` from exec to its first accepted connection; `broker stats` on a 1 MiB archive; peak RSS of
// `--version`; page faults of `--version`, `stats` and `record` (a count the machine's speed does not move). The
// artifacts are built fresh from the working tree (official, and static when a static runtime is cached), each also
// with a start-up snapshot (seal.startup); "today's" numbers come from a baseline artifact (BENCH_BASELINE, default the
// official artifact of the commit before issue 25, built once into ~/.cache/broker/bench/: baseline-artifact.ts).
// Paired, interleaved runs (BENCH_RUNS, default 30); a running detached static-runtime build is paused meanwhile.
// Writes its section of docs/benchmarks.md from 30 runs up.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { present } from '../../shared/checked.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { freePort } from '../../shared/toolchain/free-port.ts';
import type { BuildInfo } from '../../src/build-info.ts';
import { ensureDevTools } from '../dev-tools/dev-tools.ts';
import { bundleProject } from '../project/bundle.ts';
import type { Startup } from '../project/config.ts';
import { readProject } from '../project/project.ts';
import { officialRuntime } from '../runtime/official.ts';
import { cachedPackage } from '../runtime/package/cached-package.ts';
import { type PackagePin, runtimePin, staticNodeVersion } from '../runtime/pin.ts';
import { cachedStaticRuntime } from '../runtime/static/verify.ts';
import { baselineArtifact } from './baseline-artifact.ts';
import { benchArgs, envInt } from './bench-args.ts';
import { type FaultCost, faultCost, faultCostText, minorFaultsOf, slowFaultsReason } from './fault-cost.ts';
import { freshArtifact } from './fresh-artifact.ts';
import { FreshCopies } from './fresh-copy.ts';
import { benchNeeds } from './needs.ts';
import { pauseRuntimeBuilds } from './quiet.ts';
import { loadAverage, machine, median, table, writeSection } from './report.ts';
import { RunsProgress } from './runs-progress.ts';
import { interleave, type Measured, ratioLine, timeRows } from './startup-text.ts';
import { CONFIDENCE, NOISY } from './verdict.ts';

// --help prints what this bench does; nothing else is an argument (checked before anything is measured).
benchArgs('bench:startup', import.meta.filename);

// GNU time for peak RSS and page faults, uptime for the load the report records.
benchNeeds('bench:startup', { '/usr/bin/time': 'time', uptime: 'procps' });
const pin = runtimePin();

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
const runs = envInt('BENCH_RUNS', 30);
const rssRuns = Math.min(runs, 10);
const log = (line: string) => process.stdout.write(`${line}\n`);
const scratch = mkdtempSync(join(tmpdir(), 'broker-startup-'));
const BASELINE_COMMIT = 'd25d907';

// Servers still running: a bench stopped half-way must not leave them behind.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs a command to its end, ignoring its output; the wall time from spawn to exit in ms. */
function wall(cmd: string, args: string[]): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { stdio: 'ignore', env: {} });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}`);
  return ms;
}

/** One figure GNU time gives of one run: `%M` peak RSS (KiB) or `%R` minor page faults. */
function gnuTime(cmd: string, args: string[], field: '%M' | '%R'): number {
  const r = spawnSync('/usr/bin/time', ['-f', `BENCH ${field}`, cmd, ...args], { encoding: 'utf8', env: {} });
  const m = /BENCH (\d+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m?.[1]) throw new Error(`${cmd} ${args.join(' ')} failed under /usr/bin/time (${r.status}): ${r.stderr.trim()}`);
  return Number(m[1]);
}

/** Resolves once a TCP connection to the port is accepted, trying again at once after each refusal. */
function firstConnection(port: number, child: ChildProcess): Promise<void> {
  return new Promise((res, rej) => {
    const attempt = () => {
      if (child.exitCode !== null || child.signalCode !== null) return rej(new Error(`broker record exited (${child.exitCode ?? child.signalCode}) before it accepted a connection`));
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        res();
      });
      s.once('error', () => {
        s.destroy();
        setImmediate(attempt);
      });
    };
    attempt();
  });
}

/**
 * `broker record` from exec until it accepts its first connection: the ms, and its page faults by then; then SIGTERM and
 * wait for its exit. With `out`, it records to that file (removed after): the archive's writer starts too.
 */
async function recordStart(bin: string, out?: string): Promise<{ ms: number; faults: number }> {
  const port = await freePort();
  if (out) rmSync(out, { force: true });
  const t = performance.now();
  const child = spawn(bin, ['record', '--listen', `127.0.0.1:${port}`, ...(out ? ['--out', out] : [])], { stdio: 'ignore', env: {} });
  live.add(child);
  try {
    await firstConnection(port, child);
    const ms = performance.now() - t;
    return { ms, faults: minorFaultsOf(present(child.pid, 'the pid of a running child')) };
  } finally {
    await stop(child);
    if (out) rmSync(out, { force: true });
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res();
    child.once('exit', () => {
      live.delete(child);
      res();
    });
    child.kill('SIGTERM');
  });
}

/** A 1 MiB archive recorded by `bin` (2 KiB POSTs over keep-alive until the file holds 1 MiB). */
async function makeArchive(bin: string, path: string): Promise<void> {
  const port = await freePort();
  const child = spawn(bin, ['record', '--listen', `127.0.0.1:${port}`, '--out', path], { stdio: 'ignore', env: {} });
  live.add(child);
  await firstConnection(port, child);
  const body = Buffer.alloc(2048, 'x');
  const post = () =>
    new Promise<void>((res, rej) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/ingest', headers: { 'content-length': body.length } }, (r) => {
        r.resume();
        r.on('end', res);
      });
      req.on('error', rej);
      req.end(body);
    });
  // The recorder batches its writes: post in rounds until what it wrote reaches 1 MiB.
  while (!existsSync(path) || statSync(path).size < 2 ** 20) {
    for (let i = 0; i < 64; i++) await post();
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop(child);
}

const info: BuildInfo = {
  version: pkg.version,
  commit: 'bench',
  sourceDateEpoch: 0,
  runtime: { kind: 'official', nodeVersion: pin.nodeVersion, libc: 'glibc', allocator: 'glibc malloc', intl: 'full' },
};

// Everything built before the measurements start (and before the static-runtime build is paused).
log('building the artifacts, the bundle, bun and pkg builds …');
const official = await officialRuntime({ nodeVersion: pin.nodeVersion, arch: 'x64', cacheDir: cacheRoot(), log: { info: () => {}, progress: () => {} }, integrity: pin.runtimeIntegrity?.x64 });
const staticRt = cachedStaticRuntime(cacheRoot(), staticNodeVersion(pin));
const compressedRt = cachedStaticRuntime(cacheRoot(), staticNodeVersion(pin), 'jemalloc', 'x64', 'full', true);
const fresh = (runtime: 'official' | 'static', startup?: Startup, pointerCompression?: boolean, noTrain?: boolean) => {
  const built = freshArtifact({ root, version: pkg.version, runtime, dir: scratch, ...(startup ? { startup } : {}), pointerCompression, noTrain });
  return 'path' in built ? built.path : built;
};
const officialArtifact = fresh('official');
if (typeof officialArtifact !== 'string') throw new Error(officialArtifact.skipped);
const staticArtifact = fresh('static');
// The other start-up the toolchain offers (seal.startup), on each runtime: a V8 snapshot of the program.
const officialSnapshot = fresh('official', 'snapshot');
const staticSnapshot = fresh('static', 'snapshot');
// The code cache without seal.train's training (--no-train): what the trained caches buy.
const officialUntrained = fresh('official', undefined, undefined, true);
const staticUntrained = fresh('static', undefined, undefined, true);
// The runtime variant with V8 pointer compression (seal.pointerCompression), when one is cached.
const staticCompressed = fresh('static', undefined, true);
const bundle = join(scratch, 'broker.cjs');
const project = await readProject(root);
const { config } = project;
await bundleProject({ project, outfile: bundle, target: `node${pin.nodeVersion.split('.')[0]}`, minify: true, define: config.buildInfo ? { [config.buildInfo]: JSON.stringify(info) } : {} });
// The peer, fetched for this bench only (not a dependency: 105 MB that every npm ci would write).
const BUN: PackagePin = { package: '@oven/bun-linux-x64', version: '1.4.5', integrity: 'sha512-IWX9BELoGHAUtMonkeSaNaZwXzRk+oDw6Mk+HBFXd3KHYIBNBsIGRupMZPcgNoDbJpLu6gAJjIoIVPZtt1aJ1g==' };
const bunVersion = BUN.version;
const bunBin = await cachedPackage(BUN, { cacheDir: cacheRoot(), where: 'bench-packages', ready: 'bin/bun', log: { info: log, progress: () => {} }, pinnedIn: 'build/bench/startup.ts' }).then(
  (dir) => join(dir, 'bin/bun'),
  (err: Error) => ({ skipped: `bun ${BUN.version} could not be fetched: ${err.message.split('\n')[0]}` }),
);
function bunBuild(bytecode: boolean): string | { skipped: string } {
  if (typeof bunBin !== 'string') return bunBin;
  const out = join(scratch, bytecode ? 'bun-bytecode' : 'bun');
  const r = spawnSync(bunBin, ['build', '--compile', ...(bytecode ? ['--bytecode', '--format=cjs'] : []), bundle, '--outfile', out], { encoding: 'utf8' });
  return r.status === 0 ? out : { skipped: `bun build --compile failed: ${r.stderr.trim().split('\n').at(-1)}` };
}
const bun = bunBuild(false);
const bunBytecode = bunBuild(true);
const pkgOut = join(scratch, 'pkg-sea');
const pkgDir = join(await ensureDevTools({ info: log, progress: () => {} }), 'node_modules/@yao-pkg/pkg');
const pkgBuild = spawnSync(official.path, [join(root, 'build/bench/pkg-sea.ts'), bundle, official.path, pkgOut, pkgDir], { encoding: 'utf8' });
const pkgSea = pkgBuild.status === 0 && existsSync(pkgOut) ? pkgOut : { skipped: `pkg's SEA build failed: ${pkgBuild.stderr.trim().split('\n').at(-1)}` };
const envBaseline = process.env.BENCH_BASELINE;
const base = envBaseline === undefined ? baselineArtifact({ root, commit: BASELINE_COMMIT, version: pkg.version, log }) : existsSync(envBaseline) ? envBaseline : { skipped: `no artifact at BENCH_BASELINE=${envBaseline}` };
const baseline = typeof base === 'string' ? base : 'none';

const N = {
  official: 'broker --version, official artifact',
  static: 'broker --version, static artifact',
  officialSnapshot: 'broker --version, official artifact, start-up snapshot',
  staticSnapshot: 'broker --version, static artifact, start-up snapshot',
  staticCompressed: 'broker --version, static artifact, pointer compression',
  officialUntrained: 'broker --version, official artifact, untrained code cache',
  staticUntrained: 'broker --version, static artifact, untrained code cache',
  baseline: `broker --version, official artifact at ${BASELINE_COMMIT} (before issue 25)`,
  nodeOfficial: 'official runtime, node -e 0',
  nodeStatic: 'static runtime, node -e 0',
  nodeCompressed: 'static runtime with pointer compression, node -e 0',
  bun: `bun ${bunVersion} build --compile, --version`,
  bunBytecode: `bun ${bunVersion} build --compile --bytecode, --version`,
  pkg: '@yao-pkg/pkg SEA, --version',
};
type Candidate = { name: string; bin: string | { skipped: string }; args: string[] };
const versionArgs = ['--version'];
// Every row runs a copy written now (fresh-copy.ts).
const copies = new FreshCopies(join(scratch, 'fresh'));

const candidates: Candidate[] = [
  { name: N.official, bin: officialArtifact, args: versionArgs },
  { name: N.static, bin: staticArtifact, args: versionArgs },
  { name: N.officialSnapshot, bin: officialSnapshot, args: versionArgs },
  { name: N.staticSnapshot, bin: staticSnapshot, args: versionArgs },
  { name: N.staticCompressed, bin: staticCompressed, args: versionArgs },
  { name: N.officialUntrained, bin: officialUntrained, args: versionArgs },
  { name: N.staticUntrained, bin: staticUntrained, args: versionArgs },
  { name: N.baseline, bin: base, args: versionArgs },
  { name: N.nodeOfficial, bin: official.path, args: ['-e', '0'] },
  { name: N.nodeStatic, bin: staticRt?.path ?? { skipped: 'no static runtime is cached' }, args: ['-e', '0'] },
  { name: N.nodeCompressed, bin: compressedRt?.path ?? { skipped: 'no static runtime with pointer compression is cached (npm run runtime -- --pointer-compression)' }, args: ['-e', '0'] },
  { name: N.bun, bin: bun, args: versionArgs },
  { name: N.bunBytecode, bin: bunBytecode, args: versionArgs },
  { name: N.pkg, bin: pkgSea, args: versionArgs },
].map((c) => ({ ...c, bin: typeof c.bin === 'string' ? copies.of(c.bin) : c.bin }));

/** Paired interleaved runs of every candidate that could be built; the others keep their reason. */
async function measure(list: Candidate[], run: (bin: string, args: string[]) => number | Promise<number>, n = runs): Promise<Measured[]> {
  const ready = list.filter((c): c is Candidate & { bin: string } => typeof c.bin === 'string');
  const ms = ready.map(() => [] as number[]);
  const progress = new RunsProgress(ready.length * n, log);
  for (const i of interleave(ready.length, n)) {
    const c = present(ready[i], 'a candidate');
    present(ms[i], 'its runs').push(await run(c.bin, c.args));
    progress.tick();
  }
  return list.map((c) => {
    const k = ready.indexOf(c as Candidate & { bin: string });
    return typeof c.bin === 'string' ? { name: c.name, ms: present(ms[k], 'its runs') } : { name: c.name, skipped: c.bin.skipped };
  });
}

/**
 * record's start, timed: the ms of each run, and beside them each run's page faults by its first connection (one set of
 * runs gives both tables).
 */
async function measureRecord(list: Candidate[], out?: string): Promise<{ ms: Measured[]; faults: Measured[] }> {
  const faults = new Map<string, number[]>();
  const ms = await measure(list, async (bin) => {
    const r = await recordStart(bin, out);
    faults.set(bin, [...(faults.get(bin) ?? []), r.faults]);
    return r.ms;
  });
  return {
    ms,
    faults: ms.map((m, i) => {
      const { bin } = present(list[i], 'a candidate');
      return typeof bin === 'string' ? { name: m.name, ms: faults.get(bin) ?? [] } : m;
    }),
  };
}

const archiveMaker = typeof base === 'string' ? base : officialArtifact;
const archive = join(scratch, 'one-mib.brk');

const quiet = pauseRuntimeBuilds(log);
const startedAt = new Date();
const uptimeStart = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
const faultsStart = faultCost();
let faultsEnd: FaultCost | null = null;
let version: Measured[];
let record: Measured[];
let recordOut: Measured[];
let stats: Measured[];
let rss: Measured[];
let faults: Measured[];
let recordFaults: Measured[];
try {
  // Each check once first: a candidate that cannot answer fails here, not in the middle of the runs.
  for (const c of candidates) if (typeof c.bin === 'string') wall(c.bin, c.args);
  log(`--version and node -e 0: ${runs} interleaved rounds …`);
  version = await measure(candidates, wall);
  const artifacts = candidates.filter((c) => [N.official, N.static, N.officialSnapshot, N.staticSnapshot, N.staticCompressed, N.officialUntrained, N.staticUntrained, N.baseline].includes(c.name));
  const named = (suffix: string) => artifacts.map((c) => ({ ...c, name: c.name.replace('broker --version, ', `${suffix}, `) }));
  log(`record, exec → first accepted connection: ${runs} interleaved rounds …`);
  ({ ms: record, faults: recordFaults } = await measureRecord(named('broker record')));
  log(`record --out, exec → first accepted connection: ${runs} interleaved rounds …`);
  recordOut = (await measureRecord(named('broker record --out'), join(scratch, 'record-out.brk'))).ms;
  log(`a 1 MiB archive (recorded by ${archiveMaker === base ? 'the baseline' : 'the official artifact'}) …`);
  await makeArchive(archiveMaker, archive);
  log(`stats on it: ${runs} interleaved rounds …`);
  stats = await measure(
    named('broker stats (1 MiB archive)').map((c) => ({ ...c, args: ['stats', archive] })),
    (bin, args) => wall(bin, args),
  );
  log(`peak RSS of --version: ${rssRuns} interleaved rounds …`);
  rss = await measure(named('peak RSS (MiB), --version'), (bin, args) => gnuTime(bin, args, '%M') / 1024, rssRuns);
  log(`page faults of --version and stats: ${rssRuns} interleaved rounds …`);
  faults = await measure(
    [...candidates.map((c) => ({ ...c, name: `page faults, ${c.name}` })), ...named('page faults, broker stats (1 MiB archive)').map((c) => ({ ...c, args: ['stats', archive] }))],
    (bin, args) => gnuTime(bin, args, '%R'),
    rssRuns,
  );
  faults.push(...recordFaults.map((f) => ({ ...f, name: f.name.replace('broker record, ', 'page faults by its first accepted connection, broker record, ') })));
} finally {
  faultsEnd = faultCost();
  quiet.resume();
}
const uptimeEnd = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();

const head = ['what runs', 'median (ms)', `median's ${CONFIDENCE * 100}% bounds (ms)`, '× reference', 'note'];
/** Rows of a figure that is not a time: its median and range with `digits` decimals. */
const spreadRows = (list: Measured[], digits: number) =>
  list.map((v) => ('ms' in v ? [v.name, median(v.ms).toFixed(digits), `${Math.min(...v.ms).toFixed(digits)}–${Math.max(...v.ms).toFixed(digits)}`] : [v.name, '—', `not measured: ${v.skipped}`]));
const all = [...version, ...record, ...recordOut, ...stats, ...rss];
const rec = (x: string) => `broker record, ${x.replace('broker --version, ', '')}`;
const recOut = (x: string) => `broker record --out, ${x.replace('broker --version, ', '')}`;
const st = (x: string) => `broker stats (1 MiB archive), ${x.replace('broker --version, ', '')}`;
const mem = (x: string) => `peak RSS (MiB), --version, ${x.replace('broker --version, ', '')}`;
/** "(the default's check)" lines: `--version`, record's start and stats of `subject` against `reference` ("with ${versus}, <the default artifact>"), at most 1×. */
function defaultsCheck(versus: string, pairs: [subject: string, reference: string, artifact: string][]) {
  return pairs.flatMap(([subject, reference, artifact]) => {
    const on = artifact.replace('broker --version, ', '');
    return [
      ratioLine(`(the default's check) \`--version\` with ${versus}, ${on}`, all, subject, reference, 'at most', 1),
      ratioLine(`(the default's check) \`broker record\` start with ${versus}, ${on}`, all, rec(subject), rec(reference), 'at most', 1),
      ratioLine(`(the default's check) \`broker stats\` with ${versus}, ${on}`, all, st(subject), st(reference), 'at most', 1),
    ];
  });
}
const targets = [
  ratioLine('static artifact `--version` ≤ 2× the bare static runtime', all, N.static, N.nodeStatic, 'at most', 2),
  ratioLine('static artifact `--version` ≤ 0.9× `bun build --compile --bytecode`', all, N.static, N.bunBytecode, 'at most', 0.9),
  ratioLine('(for reference, not a target) official artifact ≤ 2× the bare official runtime', all, N.official, N.nodeOfficial, 'at most', 2),
  ratioLine('(for reference, not a target) official artifact ≤ 0.9× `bun build --compile --bytecode`', all, N.official, N.bunBytecode, 'at most', 0.9),
  ratioLine(`\`broker record\` exec → first accepted connection ≤ 0.6× ${BASELINE_COMMIT}'s (official artifacts)`, all, rec(N.official), rec(N.baseline), 'at most', 0.6),
  ratioLine(`\`broker record --out\` (recording, the writer's thread started too) exec → first accepted connection ≤ 0.6× ${BASELINE_COMMIT}'s (official artifacts)`, all, recOut(N.official), recOut(N.baseline), 'at most', 0.6),
  ratioLine(`\`broker stats\` on a 1 MiB archive ≤ 0.6× ${BASELINE_COMMIT}'s (official artifacts)`, all, st(N.official), st(N.baseline), 'at most', 0.6),
  ratioLine(`peak RSS of \`--version\` not above ${BASELINE_COMMIT}'s (official artifacts)`, all, mem(N.official), mem(N.baseline), 'at most', 1),
  // The static artifact is the one users get where a static runtime exists; its baseline is still the official one of d25d907.
  ratioLine(`(for reference, not a target) static artifact's \`broker record\` ≤ 0.6× ${BASELINE_COMMIT}'s official one`, all, rec(N.static), rec(N.baseline), 'at most', 0.6),
  ratioLine(`(for reference, not a target) static artifact's \`broker record --out\` ≤ 0.6× ${BASELINE_COMMIT}'s official one`, all, recOut(N.static), recOut(N.baseline), 'at most', 0.6),
  ratioLine(`(for reference, not a target) static artifact's \`broker stats\` ≤ 0.6× ${BASELINE_COMMIT}'s official one`, all, st(N.static), st(N.baseline), 'at most', 0.6),
  // seal.pointerCompression: what the runtime variant buys, against the default static artifact.
  ratioLine("(the variant's gain) `--version`, pointer compression against the default static artifact", all, N.staticCompressed, N.static, 'at most', 1),
  ratioLine("(the variant's gain) `broker record` start, pointer compression against the default static artifact", all, rec(N.staticCompressed), rec(N.static), 'at most', 1),
  ratioLine("(the variant's gain) `broker stats`, pointer compression against the default static artifact", all, st(N.staticCompressed), st(N.static), 'at most', 1),
  ratioLine("(the variant's gain) peak RSS of `--version`, pointer compression against the default static artifact", all, mem(N.staticCompressed), mem(N.static), 'at most', 1),
  ratioLine(`(for reference, not a target) pointer-compressed static artifact's \`broker record\` ≤ 0.6× ${BASELINE_COMMIT}'s official one`, all, rec(N.staticCompressed), rec(N.baseline), 'at most', 0.6),
  ratioLine(`(for reference, not a target) pointer-compressed static artifact's \`broker stats\` ≤ 0.6× ${BASELINE_COMMIT}'s official one`, all, st(N.staticCompressed), st(N.baseline), 'at most', 0.6),
  // seal.train: broker's trained caches must start it at least as fast as the top level's alone.
  ...defaultsCheck('the trained code cache against the untrained one', [
    [N.official, N.officialUntrained, N.official],
    [N.static, N.staticUntrained, N.static],
  ]),
  // seal.startup: the default must be the fastest; a snapshot that is not at least as fast says the default is right.
  ...defaultsCheck('a start-up snapshot against the code cache', [
    [N.officialSnapshot, N.official, N.official],
    [N.staticSnapshot, N.static, N.static],
  ]),
];

const md = `## Start-up: \`npm run bench:startup\`

Command: \`npm run bench:startup\` (BENCH_RUNS=${runs} paired, interleaved rounds: each round runs every row of a table once, starting one row
later each round; spawn to exit, empty environment, output discarded). The artifacts are built from the working tree at the start; the baseline
is the official artifact of commit ${BASELINE_COMMIT}, before issue 25 (\`${baseline}\`); bun's and pkg's builds are of the same esbuild bundle.
Every row runs a copy of its binary written to a new file just before the runs (the same bytes ran 3–6% faster from a new file here).
Machine: ${machine()}. Measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.
Load: \`${uptimeStart}\` at the start, \`${uptimeEnd}\` at the end (loadavg ${loadAverage()} when written);
${quiet.paused.length ? `paused for the run: the ${quiet.paused.join(' and the ')} (SIGSTOP, resumed after)` : 'no static-runtime build was running'}.
Page faults (build/bench/fault-cost.ts): ${faultCostText(faultsStart)} at the start, ${faultCostText(faultsEnd)} at the end. A start touches
thousands of fresh pages: on these VMs a fault has cost 1.3 µs at one hour and 12–18 µs at another, which lengthens every start and squeezes
each ratio toward 1; compare tables whose fault costs are alike.

\`--version\` and the bare runtimes (reference: the official artifact):

${table(head, timeRows(version, N.official))}

\`broker record --listen 127.0.0.1:PORT\` from exec until it accepts its first TCP connection (the bench connects in a loop, at once again
after each refusal), then SIGTERM; the same recording to a new file (\`--out FILE\`: the archive is created and its writer's thread started);
and \`broker stats\` on a 1 MiB archive (2 KiB POSTs recorded by the ${archiveMaker === base ? 'baseline' : 'official'} artifact):

${table(head, timeRows(record, rec(N.official)))}

${table(head, timeRows(recordOut, recOut(N.official)))}

${table(head, timeRows(stats, st(N.official)))}

Peak RSS of \`--version\` (GNU time's maximum resident set size, ${rssRuns} interleaved rounds):

${table(['what runs', 'median (MiB)', 'min–max'], spreadRows(rss, 1))}

Minor page faults of one run (GNU time's %R, ${rssRuns} interleaved rounds; \`record\`: its /proc/PID/stat count when its
first connection is accepted, in each of its timed runs above): a count, not a time, so the machine's load and what a fault
costs it hardly move it: what a start touches, comparable between tables measured on different days.

${table(['what runs', 'median (faults)', 'min–max'], spreadRows(faults, 0))}

Targets (issue 25). A verdict is "met" or "NOT met" outright when the ratio's bounds (from each side's median ${CONFIDENCE * 100}% bounds) sit
on one side of the target; otherwise the median decides, unless the bounds spread over more than ${NOISY * 100}% of the median: then "inconclusive".

${targets.join('\n')}
`;
log(md);
const slowFaults = slowFaultsReason([faultsStart, faultsEnd]);
if (runs < 30) log(`BENCH_RUNS=${runs} < 30: docs/benchmarks.md left as it is (its targets are judged on ≥ 30 runs)`);
else if (slowFaults) log(`docs/benchmarks.md left as it is: ${slowFaults}`);
else log(`wrote ${await writeSection(root, 'bench:startup', md)}`);
