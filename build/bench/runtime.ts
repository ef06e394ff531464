// npm run bench:runtime [-- --warm] — the static runtime's numbers: build time per stage (summed over
// every attempt, even across sessions, dated by the build that made them), size stripped and xz-compressed,
// and start-up of the runtimes and — judged — of the two broker artifacts, built here from the working tree;
// --warm first measures a warm rebuild (build dir wiped, Zig cache kept: ~minutes of both cores).
// Writes its section of docs/benchmarks.md, unless a page fault cost more than 4 µs in the run (as bench:startup).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { officialRuntime } from '../runtime/official.ts';
import { runtimePin, staticNodeVersion } from '../runtime/pin.ts';
import { stageTimes } from '../runtime/static/stage-times.ts';
import { cachedStaticRuntime } from '../runtime/static/verify.ts';
import { benchArgs, envInt } from './bench-args.ts';
import { faultCost, faultCostText, slowFaultsReason } from './fault-cost.ts';
import { freshArtifact } from './fresh-artifact.ts';
import { FreshCopies } from './fresh-copy.ts';
import { benchNeeds } from './needs.ts';
import { pauseRuntimeBuilds } from './quiet.ts';
import { loadAverage, machine, median, table, writeSection } from './report.ts';
import { RunsProgress } from './runs-progress.ts';
import { lastWarmRebuild, measureWarmRebuild } from './runtime-warm.ts';

// xz for the runtimes' compressed sizes.
benchNeeds('bench:runtime', { xz: 'xz-utils' });
const pin = runtimePin();

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const log = { info: (l: string) => process.stdout.write(`${l}\n`), progress: () => {} };
const runs = envInt('BENCH_RUNS', 30);

// --help prints what this bench does; --warm is its one switch (checked before anything is measured).
const warmFirst = benchArgs('bench:runtime', import.meta.filename, ['warm']).warm;
if (warmFirst) {
  const warm = await measureWarmRebuild(cacheRoot(), staticNodeVersion(pin), (l) => process.stderr.write(`${l}\n`));
  const cache = warm.compileCache ? `, ccache ${warm.compileCache.hits} hits / ${warm.compileCache.misses} misses` : '';
  log.info(`warm rebuild: ${warm.seconds} s, same binary: ${warm.sameBinary}${cache}`);
}
const rt = cachedStaticRuntime(cacheRoot(), staticNodeVersion(pin));
if (!rt) {
  console.error('no static runtime in the cache: build it with `npm run runtime` first');
  process.exit(1);
}
const official = await officialRuntime({ nodeVersion: pin.nodeVersion, arch: 'x64', cacheDir: cacheRoot(), log, integrity: pin.runtimeIntegrity?.x64 });

// The manifest names the exact stage dirs that made this runtime; older manifests lack it, and then the
// newest finished dir per stage is the best guess (wrong once another arch or allocator built since).
const stages = rt.stages ?? stageTimes(join(cacheRoot(), 'static'), 'x64');
const stagesFrom = rt.stages ? "the runtime's manifest (the stages that made it)" : 'the newest finished dir per stage (manifest without stages)';
const total = stages.reduce((a, s) => a + s.seconds, 0);

const xzSize = (path: string) => Number(execFileSync('sh', ['-c', `xz -T2 -6 -c '${path}' | wc -c`], { encoding: 'utf8' }).trim());
const mib = (n: number) => (n / 2 ** 20).toFixed(1);

// The product is judged, not only its runtime: both artifacts built now from the working tree (never dist/'s).
const scratch = mkdtempSync(join(tmpdir(), 'broker-bench-runtime-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const built = (runtime: 'official' | 'static') => {
  log.info(`building the ${runtime}-runtime artifact from the working tree …`);
  const a = freshArtifact({ root, version: pkg.version, runtime, dir: scratch });
  if (!('path' in a)) throw new Error(a.skipped);
  return a.path;
};
const artifacts = { official: built('official'), static: built('static') };
const quiet = pauseRuntimeBuilds(log.info);
const loadBefore = loadAverage();
const faultsBefore = faultCost();
const N = {
  official: 'official Node runtime, --version',
  static: 'static runtime (musl + jemalloc), --version',
  staticBare: 'static runtime, -e 0',
  officialArtifact: 'broker artifact, official runtime, --version',
  staticArtifact: 'broker artifact, static runtime, --version',
};
// Each runs from a copy written now (fresh-copy.ts): the runtimes are cached for days, the artifacts built minutes ago.
const copies = new FreshCopies(join(scratch, 'fresh'));
const candidates: { name: string; path: string; args: string[] }[] = [
  { name: N.official, path: official.path, args: ['--version'] },
  { name: N.static, path: rt.path, args: ['--version'] },
  { name: N.staticBare, path: rt.path, args: ['-e', '0'] },
  { name: N.officialArtifact, path: artifacts.official, args: ['--version'] },
  { name: N.staticArtifact, path: artifacts.static, args: ['--version'] },
].map((c) => ({ ...c, path: copies.of(c.path) }));

// Interleaved start-up runs (A B C D E A B …), spawn to exit.
const times = new Map<string, number[]>(candidates.map(({ name }) => [name, []]));
log.info(`start-up: ${runs} interleaved rounds of ${candidates.length} …`);
const progress = new RunsProgress(runs * candidates.length, log.info);
for (let i = 0; i < runs; i++) {
  for (const { name, path, args } of candidates) {
    const t = performance.now();
    execFileSync(path, args, { stdio: 'ignore', env: {} });
    times.get(name)?.push(performance.now() - t);
    progress.tick();
  }
}
const loadAfter = loadAverage();
const faultsAfter = faultCost();
quiet.resume();
const startOf = (name: string) => median(times.get(name) ?? []);
const rows = candidates.map(({ name, path }) => [name, mib(statSync(path).size), mib(xzSize(path)), startOf(name).toFixed(1), Math.min(...(times.get(name) ?? [])).toFixed(1)]);
const ratio = startOf(N.static) / startOf(N.official);
const artifactRatio = startOf(N.staticArtifact) / startOf(N.officialArtifact);
const bareRatio = startOf(N.staticArtifact) / startOf(N.staticBare);
const finished = (dir: string) => {
  const marker = join(isAbsolute(dir) ? dir : join(cacheRoot(), 'static', dir), 'stage-done.json');
  return existsSync(marker) ? statSync(marker).mtime.toISOString().slice(0, 16).replace('T', ' ') : 'unknown';
};
const size = statSync(rt.path).size;
const warm = lastWarmRebuild(cacheRoot());
const warmLine = warm
  ? `${(warm.seconds / 60).toFixed(1)} min (${warm.seconds} s, measured ${warm.measuredAt.slice(0, 16)} UTC, load before ${warm.loadBefore}; ${warm.compileCache ? `${warm.compileCache.hits} compiles from ccache, ${warm.compileCache.misses} compiled; ` : ''}rebuilt runtime ${warm.sameBinary ? 'byte-identical to the cold one' : 'DIFFERS from the cold one'}) — ${warm.seconds <= 15 * 60 ? 'met' : 'NOT met'}`
  : 'not measured yet (`npm run bench:runtime -- --warm`)';

const md = `## Static runtime: build, size, start-up

Command: \`npm run bench:runtime\`. Machine: ${machine()}. Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; load \`${loadBefore}\` before the start-up runs, \`${loadAfter}\` after${quiet.paused.length ? ' (the detached static-runtime build paused meanwhile)' : ''}; page faults (build/bench/fault-cost.ts) ${faultCostText(faultsBefore)} before them, ${faultCostText(faultsAfter)} after.
What else ran on these cores while the runtime was built is not recorded, so the stage times are what the build took here,
not its floor (the conditions of the build measured 2026-11-26: "The cold build's conditions", hand-written, below).

Cold build by stage (seconds, summed over every attempt of the stage, from ${stagesFrom}; \`npm run runtime -- times\`).
Attempts under earlier configurations live in other directories and are not counted, so this is the cost of one clean run:

${table(['stage', 'seconds', 'finished (UTC)'], [...stages.map((s) => [s.stage, s.seconds, finished(s.dir)]), ['total', `${total} (${(total / 3600).toFixed(2)} h)`, '']])}

Size and start-up (${runs} interleaved runs each, median and min in ms, empty environment; the artifacts built from the
working tree at the start of this run):

${table(['binary', 'size (MiB)', 'xz -6 (MiB)', 'start-up median (ms)', 'min (ms)'], rows)}

Targets for the product (issue 25 sets them; medians of the runs above):
- the static artifact's \`--version\` ≤ 2× the bare static runtime's \`-e 0\`: ${bareRatio.toFixed(2)}× — ${bareRatio <= 2 ? 'met' : 'NOT met'}
- the static artifact starts no slower than the official artifact: ${artifactRatio.toFixed(2)}× — ${artifactRatio <= 1 ? 'met' : 'NOT met'}

Targets for the runtime (issue 3):
- cold build ≤ 4 h on 2 cores: ${(total / 3600).toFixed(2)} h — ${total <= 4 * 3600 ? 'met' : 'NOT met'}
- runtime ≤ 60 MB: ${mib(size)} MiB (${(size / 1e6).toFixed(1)} MB) — ${size <= 60e6 ? 'met' : 'NOT met'}
- the runtime's \`--version\` ≤ 0.8× the official runtime's: ${ratio.toFixed(2)}× — ${ratio <= 0.8 ? 'met' : 'NOT met'}
- warm rebuild (compile cache intact, build dir wiped: \`npm run bench:runtime -- --warm\`) ≤ 15 min: ${warmLine}`;
log.info(md);
// Its start-up rows and their verdicts are times a slow page fault inflates, as bench:startup's are: the same rule.
const slowFaults = slowFaultsReason([faultsBefore, faultsAfter]);
if (slowFaults) log.info(`\ndocs/benchmarks.md left as it is: ${slowFaults}`);
else log.info(`\nwritten to ${await writeSection(root, 'bench:runtime', md)}`);
