// npm run bench:broker — loopback load on `broker record` (the built SEA artifacts) with autocannon and wrk:
// 2 KiB POST bodies over keep-alive connections. Max throughput and p99 with --out vs without vs a
// no-op node:http server on the same runtime and cores; p50/p99 at half the max rate (wrk, paced); RSS over
// a 60 s run at full load; what --ack written (and with --fsync batch) costs against the default --out row.
// Writes its section of docs/benchmarks.md.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Result } from 'autocannon';
import { transformSync } from 'esbuild';
import { build as buildHistogram } from 'hdr-histogram-js';
import { present } from '../../shared/checked.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { devToolVersion, ensureDevTools, requireDevTool } from '../dev-tools/dev-tools.ts';
import { officialRuntime } from '../runtime/official.ts';
import { runtimePin } from '../runtime/pin.ts';
import { benchArgs, envInt } from './bench-args.ts';
import { p99Spread, throughputSpread } from './broker-text.ts';
import { freshArtifact } from './fresh-artifact.ts';
import { type HeapSample, nearest, readHeapSamples, youngAt } from './heap-samples.ts';
import { benchNeeds } from './needs.ts';
import { cpuMs, rssMiB } from './proc.ts';
import { pauseRuntimeBuilds } from './quiet.ts';
import { loadAverage, machine, median, table, writeSection } from './report.ts';
import { corpus, sendCorpus } from './traffic-corpus.ts';
import { CONFIDENCE, levelVerdict, NOISY, ratioVerdict } from './verdict.ts';
import { findWrk, offPace, PACE_TOLERANCE, paceMiss, type WrkResult, wrkAtRate, wrkLoad } from './wrk.ts';

// --help prints what this bench does; nothing else is an argument (checked before anything is measured).
benchArgs('bench:broker', import.meta.filename);

// uptime for the load the report records; openssl makes the TLS rows' certificate (wrk is checked where its rows run).
benchNeeds('bench:broker', { uptime: 'procps', openssl: 'openssl' });
const pin = runtimePin();
// autocannon comes from dev-tools/ (installed on first use), not from the project's dependencies.
await ensureDevTools({ info: (l) => process.stdout.write(`${l}\n`), progress: () => {} });
const autocannon = requireDevTool('autocannon') as typeof import('autocannon').default;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; seal: { nodeOptions: string[] } };
// The Node options broker's binary starts with (package.json seal.nodeOptions): the no-op server gets them too.
const SEA_EXEC_ARGV = pkg.seal.nodeOptions;
const runs = envInt('BENCH_RUNS', 3);
const seconds = envInt('BENCH_SECONDS', 8);
const rssSeconds = envInt('BENCH_RSS_SECONDS', 60, 0);
// V8 and malloc grow in steps for a while after start-up (old-space limit, arenas, the JIT); the warm-up runs the
// same full load first so the measured window is steady state. Both are reported.
const rssWarmup = envInt('BENCH_RSS_WARMUP', 60, 0);
// The RSS runs' servers sample their V8 heaps every second (heap-sampler.cjs, preloaded in every thread): V8 sizes
// each young generation itself, between its bounds, growing and shrinking it under a steady load at any time (a
// 300 s trace: 4 -> 8 -> 16 MiB at 18 and 80 s, down at 220 s, up again at 250 s), so "flat" is judged on RSS less
// the young generations. BENCH_RSS_HEAP=1 adds a table of what the RSS was made of.
const heapTable = process.env.BENCH_RSS_HEAP === '1';
const HEAP_SAMPLER = join(dirname(fileURLToPath(import.meta.url)), 'heap-sampler.cjs');
// A subset for quick checks (the docs are written only by a full run): BENCH_ROWS from count,out,workers,durable,tls,codecs
// (or none; the no-op baseline always runs), BENCH_RUNTIMES from official,static, BENCH_RSS_SECONDS=0 skips the RSS runs.
const rowFilter = process.env.BENCH_ROWS?.split(',') ?? ['count', 'out', 'workers', 'durable', 'tls', 'codecs'];
/** The compression rows (issue 27), each judged against gzip's; the archive sizes come from the same corpus for each (traffic-corpus.ts). */
const CODECS = ['gzip', 'zstd'] as const;
const TLS_ROW = 'broker record --out FILE over TLS (--tls-cert/--tls-key)';
const TLS_NOOP = 'no-op node:https server';
const codecRow = (codec: string) => `broker record --out FILE --compress ${codec}`;
const SIZE_REQUESTS = 20_000;
/** The durable-acknowledgement rows (record --ack written), each judged against the default --out row. */
const DURABLE_ROWS = [
  { name: 'broker record --out FILE --ack written', args: ['--ack', 'written'], file: 'ack' },
  { name: 'broker record --out FILE --ack written --fsync batch', args: ['--ack', 'written', '--fsync', 'batch'], file: 'ack-fsync' },
];
const runtimeFilter = process.env.BENCH_RUNTIMES?.split(',') ?? ['official', 'static'];
const partial = process.env.BENCH_ROWS !== undefined || process.env.BENCH_RUNTIMES !== undefined || rssSeconds === 0 || process.env.BENCH_RSS_NOOP === '0';
const connections = 32;
const log = (line: string) => process.stdout.write(`${line}\n`);
const body = Buffer.from(randomBytes(1536).toString('base64')); // 2048 printable bytes
const scratch = mkdtempSync(join(tmpdir(), 'broker-bench-'));

interface Server {
  child: ChildProcess;
  port: number;
  /** https for the TLS rows (the generators do not check the certificate). */
  scheme: 'http' | 'https';
  stop(): Promise<string>;
}

// Servers still running: a bench stopped half-way (Ctrl-C, kill) must not leave them behind.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** Starts a server process and waits for the line that carries its port. */
function startServer(cmd: string, args: string[], portLine: RegExp, scheme: Server['scheme'] = 'http', env?: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
  live.add(child);
  child.on('close', () => live.delete(child));
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  let stopping = false;
  let listening = false;
  // A server that dies mid-bench (a full disk stops a recorder, by design) would otherwise show up only as the
  // generator's "connection refused" on its next run: say which one, and why in its own words.
  child.on('close', (code, signal) => {
    if (listening && !stopping) log(`server exited during the bench (${signal ?? `code ${code}`}): ${cmd} ${args.join(' ')}\n${err.trim().split('\n').slice(-5).join('\n')}`);
  });
  return new Promise((resolveStart, reject) => {
    const check = () => {
      const m = portLine.exec(out + err);
      if (!m) return;
      child.stdout.off('data', check);
      child.stderr.off('data', check);
      listening = true;
      resolveStart({
        child,
        port: Number(m[1]),
        scheme,
        async stop() {
          stopping = true;
          child.kill('SIGTERM');
          await exited;
          return out;
        },
      });
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    void exited.then(() => reject(new Error(`${cmd} ${args.join(' ')} exited before listening:\n${out}${err}`)));
  });
}

/** Latency percentiles in ms from our own HDR histogram (µs resolution). */
interface Latency {
  p50: number;
  p99: number;
  p999: number;
}

/**
 * Called before every measured run, whichever the generator: previous runs leave dirty page cache behind;
 * without this the kernel writes it back during whichever server's run comes next (the no-op one too),
 * charging one row for another's disk.
 * It also frees what the recorders have written so far (a hole punched over all but each archive's last MiB,
 * which its writer may still be finishing): the archives are never read, and a full run writes ~55 GB — more
 * than this VM's disk may have free (a run died near its end that way, most likely). Punching keeps
 * the files' size and the writers' offsets, so the recorders run exactly as with a disk that never fills.
 */
function settleDisk(): void {
  for (const name of punchUnsupported ? [] : readdirSync(scratch)) {
    const path = join(scratch, name);
    const length = Math.floor((statSync(path).size - (1 << 20)) / 4096) * 4096;
    if (length <= 0) continue;
    const r = spawnSync('fallocate', ['--punch-hole', '--offset', '0', '--length', String(length), path], { encoding: 'utf8' });
    if (r.status !== 0) {
      punchUnsupported = true;
      log(`fallocate --punch-hole failed (${(r.stderr || r.error?.message || '').trim()}): archives keep their disk space; a full run writes ~55 GB`);
      break;
    }
  }
  spawnSync('sync');
}
let punchUnsupported = false;

/**
 * One autocannon run, with latency recorded in µs from its per-response event: autocannon's own histogram
 * holds whole milliseconds (it floors: "2" is anything from 2.0 to 2.99 ms), too coarse for a 2 ms target.
 * `overallRate` is a quota, not a pace: each connection sends flat out until its share of the second is
 * used, then waits for the next second (lib/httpClient.js; measured in docs/benchmarks.md, "Notes on the
 * method": flat out for half of each second, nothing in the other half). So a run "at half rate" is full load half the time: its p99 is
 * the p99 at max, and no send schedule exists to correct for coordinated omission against.
 */
async function load(server: Pick<Server, 'port' | 'scheme'>, duration: number, overallRate?: number): Promise<{ result: Result; latency: Latency }> {
  settleDisk();
  const h = buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const run = autocannon({ url: `${server.scheme}://127.0.0.1:${server.port}/ingest`, connections, pipelining: 1, duration, method: 'POST', body, headers: { 'content-type': 'application/octet-stream' }, overallRate });
  run.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status < 200 || status > 299) return;
    h.recordValue(Math.max(1, Math.round(ms * 1000)));
  });
  const result = await run;
  const at = (q: number) => h.getValueAtPercentile(q) / 1000;
  const latency = { p50: at(50), p99: at(99), p999: at(99.9) };
  h.destroy();
  return { result, latency };
}

type PacedRun = WrkResult & { target: number; attempts: number; connections: number };

interface Row {
  name: string;
  runtime: string;
  rps: number[];
  p99AtMax: number[];
  /**
   * autocannon with overallRate at half the max (a per-second quota, see load()). cpuUs: server CPU time per
   * request over that run — less noisy than max throughput; loopUs: the part on event-loop threads (the rest
   * is the writing thread, libuv's pool and V8's helpers).
   */
  half: { rate: number; p50: number; p99: number; p999: number; errors: number; cpuUs: number; loopUs: number } | null;
  note: string;
  load: string;
  /** The same measurements with wrk as the generator (when installed); half: its paced runs, the judged p99. */
  wrk: { rps: number[]; half: PacedRun[]; cpu: MaxRunCpu[] };
}

/**
 * Where a max run's time went in the server: CPU per request (all threads, and the event-loop threads), and
 * the event-loop threads' share of the run spent running and spent runnable but waiting for a core. A loop
 * that runs ~100% of the run is the limit itself; one that waits is losing its core to something else.
 */
interface MaxRunCpu {
  cpuUs: number;
  loopUs: number;
  loopBusy: number;
  loopWaiting: number;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

interface Variant {
  row: Row;
  start: () => Promise<Server>;
  server?: Server;
}

/** The variant's server, which measureAll started before any load. */
const serverOf = (v: Variant): Server => present(v.server, `the server of ${v.row.name} (${v.row.runtime})`);

/** The server's process id (spawn leaves it undefined only when the process never started, and then no port line came). */
const pidOf = (s: Server): number => present(s.child.pid, 'the server process id');

/**
 * Every server runs side by side (idle ones cost nothing) and the runs are interleaved — run 1 of each,
 * then run 2 of each … — so drift in the machine's load (other work on this shared VM) spreads
 * over all rows instead of landing on whichever was measured last.
 */
async function measureAll(variants: Variant[]): Promise<void> {
  for (const v of variants) {
    v.server = await v.start();
    await load(v.server, 2); // warm-up: JIT, connections, buffer pool
  }
  try {
    for (let i = 0; i < runs; i++) {
      for (const v of variants) {
        v.row.load = v.row.load || loadAverage();
        const { result: r, latency } = await load(serverOf(v), seconds);
        v.row.rps.push(r.requests.average);
        v.row.p99AtMax.push(latency.p99);
        log(`  run ${i + 1} ${v.row.name} (${v.row.runtime}): ${r.requests.average.toFixed(0)} req/s, p99 ${latency.p99.toFixed(2)} ms, errors ${r.errors}, non-2xx ${r.non2xx}`);
      }
    }
    for (const v of variants) {
      const rate = Math.floor(median(v.row.rps) / 2);
      const server = serverOf(v);
      const pid = pidOf(server);
      const cpu0 = cpuMs(pid);
      const { result: h, latency } = await load(server, 10, rate);
      const cpu1 = cpuMs(pid);
      const perRequest = (a: number, b: number) => ((b - a) * 1000) / h.requests.total;
      const cpuUs = perRequest(cpu0.all, cpu1.all);
      const loopUs = perRequest(cpu0.loop, cpu1.loop);
      v.row.half = { rate, ...latency, errors: h.errors + h.timeouts, cpuUs, loopUs };
      log(
        `  ${v.row.name} (${v.row.runtime}) at overallRate ${rate} req/s (a per-second quota): p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms, p99.9 ${latency.p999.toFixed(2)} ms, ${cpuUs.toFixed(1)} µs CPU/request (event loop ${loopUs.toFixed(1)})`,
      );
    }
    if ('version' in wrk) await measureWithWrk(variants);
  } finally {
    for (const v of variants) {
      if (!v.server) continue;
      const out = await v.server.stop();
      const m = /"dropped": (\d+)/.exec(out);
      if (m) v.row.note = `dropped ${m[1]}`;
    }
  }
}

const wrk = findWrk();

/**
 * The same servers with wrk: interleaved max runs, then interleaved runs of each paced to half its own wrk
 * max — as many as the max runs: one run's p99 on this VM moves by half a millisecond from run to run.
 */
async function measureWithWrk(variants: Variant[]): Promise<void> {
  for (let i = 0; i < runs; i++) {
    for (const v of variants) {
      settleDisk();
      const server = serverOf(v);
      const pid = pidOf(server);
      const [cpu0, t0] = [cpuMs(pid), performance.now()];
      const r = await wrkLoad({ port: server.port, scheme: server.scheme, seconds, connections, body, delayMs: 0, scratch });
      const [cpu1, ms] = [cpuMs(pid), performance.now() - t0];
      const c: MaxRunCpu = {
        cpuUs: ((cpu1.all - cpu0.all) * 1000) / r.requests,
        loopUs: ((cpu1.loop - cpu0.loop) * 1000) / r.requests,
        loopBusy: (cpu1.loop - cpu0.loop) / (ms * cpu0.loops),
        loopWaiting: (cpu1.loopWait - cpu0.loopWait) / (ms * cpu0.loops),
      };
      v.row.wrk.rps.push(r.rps);
      v.row.wrk.cpu.push(c);
      log(
        `  wrk run ${i + 1} ${v.row.name} (${v.row.runtime}): ${r.rps.toFixed(0)} req/s, p99 ${r.p99.toFixed(2)} ms, errors ${r.errors}; ${c.cpuUs.toFixed(1)} µs CPU/request (event loop ${c.loopUs.toFixed(1)}), event loop running ${pct(c.loopBusy)} and waiting for a core ${pct(c.loopWaiting)} of the run`,
      );
    }
  }
  for (let i = 0; i < runs; i++) {
    for (const v of variants) {
      settleDisk();
      const target = Math.floor(median(v.row.wrk.rps) / 2);
      // The first run calibrates its connections; the next start from the closest run's.
      const closest = [...v.row.wrk.half].sort((a, b) => paceMiss(a.rps, target) - paceMiss(b.rps, target))[0];
      const h = await wrkAtRate({ port: serverOf(v).port, scheme: serverOf(v).scheme, seconds: 10, rate: target, body, scratch, connections: closest?.connections });
      v.row.wrk.half.push({ ...h, target });
      log(
        `  wrk run ${i + 1} ${v.row.name} (${v.row.runtime}) paced to ${target} req/s, reached ${h.rps.toFixed(0)}${h.attempts > 1 ? ` (run ${h.attempts} times to get there)` : ''}: p50 ${h.p50.toFixed(2)} ms, p99 ${h.p99.toFixed(2)} ms, p99.9 ${h.p999.toFixed(2)} ms`,
      );
    }
  }
}

interface RssRow {
  name: string;
  /** t = seconds since the process started; the measured window is t ≥ rssWarmup. */
  samples: { t: number; mib: number }[];
  rps: number;
  slope: number;
  /** V8's young generations at each sample (every thread's, committed, from its nearest heap sample), MiB. */
  young: number[];
  /** The samples less those young generations. */
  lessYoung: { t: number; mib: number }[];
  slopeLessYoung: number;
  /** Each thread's V8 heap, t in seconds since the process started. */
  heap: HeapSample[];
}

/**
 * RSS growth across the measured window: the average of its last 10 s minus that of its first 10 s, in MiB.
 * Averages, not the highest sample minus the first: jemalloc's decay makes RSS swing a few MiB either way
 * second to second, and a swing is not growth; a step up inside the window still shows in full.
 */
function growth(samples: { t: number; mib: number }[]): number {
  const w = samples.filter((x) => x.t >= rssWarmup);
  if (w.length < 20) {
    const [first] = w;
    const last = w.at(-1);
    return first && last ? last.mib - first.mib : 0;
  }
  const mean = (xs: { mib: number }[]) => xs.reduce((a, x) => a + x.mib, 0) / xs.length;
  return mean(w.slice(-10)) - mean(w.slice(0, 10));
}

/** Least-squares slope of RSS over the measured window, in MiB per minute. */
function slopePerMinute(samples: { t: number; mib: number }[]): number {
  const s = samples.filter((x) => x.t >= rssWarmup);
  const n = s.length;
  const mt = s.reduce((a, x) => a + x.t, 0) / n;
  const mm = s.reduce((a, x) => a + x.mib, 0) / n;
  const num = s.reduce((a, x) => a + (x.t - mt) * (x.mib - mm), 0);
  const den = s.reduce((a, x) => a + (x.t - mt) ** 2, 0);
  return (num / den) * 60;
}

async function rssRun(name: string, start: (out: string, env?: NodeJS.ProcessEnv) => Promise<Server>): Promise<RssRow> {
  log(`RSS: ${rssWarmup} s warm-up then ${rssSeconds} s measured, full load: ${name} …`);
  const out = join(scratch, `rss-${Date.now()}.brk`);
  const heapFile = join(scratch, `heap-${Date.now()}.jsonl`);
  const t0 = performance.now();
  const startedAt = Date.now();
  const s = await start(out, { NODE_OPTIONS: `--require=${HEAP_SAMPLER}`, BENCH_HEAP_SAMPLES: heapFile });
  const samples: { t: number; mib: number }[] = [];
  const timer = setInterval(() => samples.push({ t: (performance.now() - t0) / 1000, mib: rssMiB(pidOf(s)) }), 1000);
  if (rssWarmup > 0) await load(s, rssWarmup);
  const { result: r } = await load(s, rssSeconds);
  clearInterval(timer);
  await s.stop();
  rmSync(out, { force: true });
  const heap = readHeapSamples(heapFile, startedAt);
  if (!heap.length) throw new Error(`${name}: no heap samples in ${heapFile} (${HEAP_SAMPLER}, preloaded with NODE_OPTIONS, did not run)`);
  const young = samples.map(({ t }) => youngAt(heap, t));
  const lessYoung = samples.map(({ t, mib }, i) => ({ t, mib: mib - (young[i] ?? 0) }));
  return { name, samples, rps: r.requests.average, slope: slopePerMinute(samples), young, lessYoung, slopeLessYoung: slopePerMinute(lessYoung), heap };
}

const officialRt = await officialRuntime({ nodeVersion: pin.nodeVersion, arch: 'x64', cacheDir: cacheRoot(), log: { info: () => {}, progress: () => {} } });

// Both artifacts are built here from the current source into the bench's own dir (fresh-artifact.ts).
const artifacts: { runtime: string; bin: string | null; how: string }[] = [];
for (const runtime of ['official', 'static'] as const) {
  log(`building the ${runtime}-runtime artifact (npm run dist -- --runtime ${runtime}) …`);
  const built = freshArtifact({ root, version: pkg.version, runtime, dir: scratch });
  if (runtime === 'official' && !('path' in built)) throw new Error(built.skipped);
  artifacts.push('path' in built ? { runtime, bin: built.path, how: '' } : { runtime, bin: null, how: built.skipped });
}

// The no-op server keeps a tick object alive as broker does, with broker's own module compiled here (not
// required as .ts: Node's type stripper added ~15 MiB to the baseline's RSS): without it an idle GC can leave
// its nextTick on V8's slow path for good, and a baseline slowed by luck flatters the ratio.
const tickObjects = transformSync(readFileSync(join(root, 'src/tick-objects.ts'), 'utf8'), { loader: 'ts', format: 'cjs' }).code;
const tickGuard = `((module) => { ${tickObjects}; return module.exports; })({ exports: {} }).keepTickObjectMaps();`;
const noopScript = `${tickGuard} require('http').createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-length': '0' }); res.end(); }); }).listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });`;
// The baseline, started the same way for the throughput rows and the RSS run (with the artifacts' Node options).
const startNoop = (env?: NodeJS.ProcessEnv) => startServer(officialRt.path, [...SEA_EXEC_ARGV, '-e', noopScript], /port (\d+)/, 'http', env);
// An artifact's recorder, started the same way for the throughput rows and the RSS run.
const startRecord = (bin: string, extra: string[], env?: NodeJS.ProcessEnv) => startServer(bin, ['record', '--listen', '127.0.0.1:0', '--json', ...extra], /listening on 127\.0\.0\.1:(\d+)/, 'http', env);
// One throwaway certificate for both TLS servers (EC P-256, as --tls-self-signed makes), made before any load.
const tlsDir = mkdtempSync(join(tmpdir(), 'broker-bench-tls-'));
const [tlsCert, tlsKey] = [join(tlsDir, 'cert.pem'), join(tlsDir, 'key.pem')];
if (rowFilter.includes('tls')) {
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=localhost', '-days', '2', '-keyout', tlsKey, '-out', tlsCert], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl could not make the TLS rows' certificate: ${made.stderr}`);
}
process.on('exit', () => rmSync(tlsDir, { recursive: true, force: true }));
const noopTlsScript = `${tickGuard} const fs = require('fs'); require('https').createServer({ cert: fs.readFileSync(${JSON.stringify(tlsCert)}), key: fs.readFileSync(${JSON.stringify(tlsKey)}) }, (req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-length': '0' }); res.end(); }); }).listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });`;
const startNoopTls = () => startServer(officialRt.path, [...SEA_EXEC_ARGV, '-e', noopTlsScript], /port (\d+)/, 'https');
const startRecordTls = (bin: string, out: string) => startServer(bin, ['record', '--listen', '127.0.0.1:0', '--json', '--out', out, '--tls-cert', tlsCert, '--tls-key', tlsKey], /listening on 127\.0\.0\.1:(\d+)/, 'https');

/** Archive size per codec for the same corpus, on one artifact: bytes on disk, and requests recorded (all of them, or the row says so). */
async function codecSizes(bin: string): Promise<{ codec: string; bytes: number; recorded: number }[]> {
  const bodies = corpus(SIZE_REQUESTS);
  const sizes: { codec: string; bytes: number; recorded: number }[] = [];
  for (const codec of ['none', ...CODECS]) {
    const out = join(scratch, `size-${codec}.brk`);
    const server = await startRecord(bin, ['--out', out, ...(codec === 'none' ? [] : ['--compress', codec])]);
    await sendCorpus(server.port, bodies);
    const summary = await server.stop();
    const recorded = Number(/"recorded": (\d+)/.exec(summary)?.[1] ?? Number.NaN);
    sizes.push({ codec, bytes: statSync(out).size, recorded });
    rmSync(out, { force: true });
    log(`  ${SIZE_REQUESTS} corpus requests, --compress ${codec}: ${sizes.at(-1)?.bytes} bytes, ${recorded} recorded`);
  }
  return sizes;
}

const quiet = pauseRuntimeBuilds(log);
const startedAt = new Date();
const uptimeStart = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
const rows: Row[] = [];
const rss: RssRow[] = [];
let sizes: { codec: string; bytes: number; recorded: number }[] = [];
let sizesOn = '';
try {
  const variant = (name: string, runtime: string, start: () => Promise<Server>): Variant => {
    const row: Row = { name, runtime, rps: [], p99AtMax: [], half: null, note: '', load: '', wrk: { rps: [], half: [], cpu: [] } };
    rows.push(row);
    return { row, start };
  };
  const variants = [variant('no-op node:http server', `official Node ${pin.nodeVersion}`, startNoop)];
  if (rowFilter.includes('tls')) variants.push(variant(TLS_NOOP, `official Node ${pin.nodeVersion}`, startNoopTls));
  for (const a of artifacts) {
    const { bin } = a;
    if (!bin) continue;
    const rec = (extra: string[]) => () => startRecord(bin, extra);
    if (!runtimeFilter.includes(a.runtime)) continue;
    if (rowFilter.includes('count')) variants.push(variant('broker record (no --out: count only)', a.runtime, rec([])));
    if (rowFilter.includes('out')) variants.push(variant('broker record --out FILE', a.runtime, rec(['--out', join(scratch, `out-${a.runtime}.brk`)])));
    if (rowFilter.includes('workers')) variants.push(variant('broker record --out FILE --workers 2', a.runtime, rec(['--out', join(scratch, `out2-${a.runtime}.brk`), '--workers', '2'])));
    if (rowFilter.includes('durable')) for (const d of DURABLE_ROWS) variants.push(variant(d.name, a.runtime, rec(['--out', join(scratch, `${d.file}-${a.runtime}.brk`), ...d.args])));
    if (rowFilter.includes('tls')) variants.push(variant(TLS_ROW, a.runtime, () => startRecordTls(bin, join(scratch, `tls-${a.runtime}.brk`))));
    if (rowFilter.includes('codecs')) for (const c of CODECS) variants.push(variant(codecRow(c), a.runtime, rec(['--out', join(scratch, `${c}-${a.runtime}.brk`), '--compress', c])));
  }
  log(`max throughput: ${variants.length} servers side by side, ${runs} interleaved runs of ${seconds} s; then each at half its max …`);
  await measureAll(variants);
  // The throughput runs' archives are never read: free the disk before the next runs.
  for (const f of readdirSync(scratch)) if (f.endsWith('.brk')) rmSync(join(scratch, f), { force: true });
  const sizeBin = artifacts.find((a) => a.bin && runtimeFilter.includes(a.runtime));
  if (rowFilter.includes('codecs') && sizeBin?.bin) {
    log(`archive sizes: ${SIZE_REQUESTS} corpus requests into each codec (${sizeBin.runtime} artifact) …`);
    sizes = await codecSizes(sizeBin.bin);
    sizesOn = sizeBin.runtime;
  }
  // The no-op server is the baseline: Node's own heap growth under load, with nothing of ours in it.
  // BENCH_RSS_NOOP=0 (a partial run): a long trace of the recorder alone.
  if (rssSeconds > 0 && process.env.BENCH_RSS_NOOP !== '0') rss.push(await rssRun(`no-op node:http server (official Node ${pin.nodeVersion})`, (_out, env) => startNoop(env)));
  for (const { bin, runtime } of artifacts) if (bin && rssSeconds > 0 && runtimeFilter.includes(runtime)) rss.push(await rssRun(`broker record --out FILE (${runtime})`, (out, env) => startRecord(bin, ['--out', out], env)));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const uptimeEnd = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
quiet.resume();

// The first row is always the no-op server's (variants starts with it): the baseline of every ratio.
const noopRow = present(rows[0], "the no-op server's row");
const noop = median(noopRow.rps);
const fmt = (x: number, d = 0) => x.toFixed(d);
const span = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
const percentiles = (l: { p50: number; p99: number; p999: number }) => `${fmt(l.p50, 2)} / ${fmt(l.p99, 2)} / ${fmt(l.p999, 2)}`;
const perfRows = rows.map((r) => [
  r.name,
  r.runtime,
  fmt(median(r.rps)),
  span(r.rps),
  (median(r.rps) / noop).toFixed(2),
  fmt(median(r.p99AtMax), 2),
  r.half ? `${r.half.rate}` : '—',
  r.half ? percentiles(r.half) : '—',
  r.half ? `${r.half.cpuUs.toFixed(1)} (${r.half.loopUs.toFixed(1)} + ${(r.half.cpuUs - r.half.loopUs).toFixed(1)})` : '—',
  r.note || '—',
  r.load,
]);
const wrkNoop = median(noopRow.wrk.rps);
/** The paced runs that count: those that reached half rate (within PACE_TOLERANCE). */
const onPace = (hs: PacedRun[]) => hs.filter((h) => !offPace(h.rps, h.target));
const medianOf = (hs: PacedRun[], k: 'p50' | 'p99' | 'p999') => median(hs.map((h) => h[k]));
const eachP99 = (hs: PacedRun[]) => hs.map((h) => fmt(h.p99, 2)).join(', ');
const wrkHeader = [
  'server',
  'runtime',
  'max req/s (median)',
  'min–max',
  '× no-op',
  'half rate: paced to → reached (req/s, each run)',
  'p50 / p99 / p99.9 at half (ms, median of the runs on pace)',
  'p99 of each run (ms)',
  'errors',
  'at max: server CPU µs/request (event loop + other threads)',
  'at max: event loop running / waiting for a core (share of the run)',
];
const wrkRows = rows.map((r) => {
  const hs = r.wrk.half;
  if (!r.wrk.rps.length) return [r.name, r.runtime, '—', '', '', '', '', '', '', '', ''];
  const cpu = (k: keyof MaxRunCpu) => median(r.wrk.cpu.map((c) => c[k]));
  const good = onPace(hs);
  return [
    r.name,
    r.runtime,
    fmt(median(r.wrk.rps)),
    span(r.wrk.rps),
    (median(r.wrk.rps) / wrkNoop).toFixed(2),
    hs[0] ? `${hs[0].target} → ${hs.map((h) => `${fmt(h.rps)}${offPace(h.rps, h.target) ? ' (off pace)' : ''}`).join(', ')}` : '—',
    good.length ? percentiles({ p50: medianOf(good, 'p50'), p99: medianOf(good, 'p99'), p999: medianOf(good, 'p999') }) : '—',
    eachP99(hs) || '—',
    hs.length ? String(hs.reduce((n, h) => n + h.errors, 0)) : '—',
    `${cpu('cpuUs').toFixed(1)} (${cpu('loopUs').toFixed(1)} + ${(cpu('cpuUs') - cpu('loopUs')).toFixed(1)})`,
    `${pct(cpu('loopBusy'))} / ${pct(cpu('loopWaiting'))}`,
  ];
});
const wrkSection =
  'missing' in wrk
    ? `wrk rows: not measured — ${wrk.missing}.`
    : `The same servers with a light generator: wrk ${wrk.version} (Debian, C; one thread, ${connections} connections, same body). It costs a
fraction of autocannon's CPU per request, so these rows show the servers with the generator mostly out of the way. wrk has
no fixed-rate mode: a half-rate run paces each connection (1 ms between a response and its next request) and takes as many
connections as two 2 s calibration runs say the rate needs (later runs start from the closest run's); a run more than
${PACE_TOLERANCE * 100}% off its rate is redone (up to 3 times, the closest kept; "off pace" when none came within it, and then its p99 is not
judged). ${runs} paced runs of 10 s per server, interleaved like the max runs: ${p99Spread(rows.map((r) => ({ name: r.name, runtime: r.runtime, p99s: onPace(r.wrk.half).map((h) => h.p99) })))}.
Its latency is not corrected for coordinated omission. The last two columns are read from /proc
around each max run (medians of the runs): the server's CPU per request, and how much of the run its event-loop threads
spent running and runnable but waiting for a core (schedstat; averaged over a cluster's loops, its primary mostly idle).
A loop running ~100% is the limit itself; time spent waiting is a core lost to another task. **These runs judge the p99 target**: wrk's pacing
spreads the requests over each second, where autocannon's overallRate does not (above).

${table(wrkHeader, wrkRows)}`;
// Whole MiB, and no "-0" for a change under half a MiB.
const mib = (x: number) => (Math.abs(x) < 0.5 ? 0 : x).toFixed(0);
const at = (r: RssRow, t: number) => nearest(r.samples, t).mib.toFixed(0);
const rssTimes = Array.from({ length: Math.floor((rssWarmup + rssSeconds) / 10) }, (_, i) => (i + 1) * 10);
// Partial runs print it too: a long RSS trace (the command in the text) is one.
/**
 * BENCH_RSS_HEAP=1: what each server's RSS was made of at a few times — V8's heaps (committed; used in brackets), the
 * ArrayBuffers (Buffers) outside them, and the rest (code, stacks, malloc's arenas and caches, the runtime's own data).
 */
function heapSection(): string {
  const times = [...new Set([10, 60, rssWarmup, Math.round((rssWarmup + rssSeconds) / 2), rssWarmup + rssSeconds - 60, rssWarmup + rssSeconds - 5])].filter((t) => t > 0 && t < rssWarmup + rssSeconds).sort((x, y) => x - y);
  const rowsOut: string[][] = [];
  for (const r of rss) {
    const main = r.heap.filter((h) => h.thread === 'main');
    const workers = r.heap.filter((h) => h.thread !== 'main');
    if (!main.length) continue;
    for (const t of times) {
      const m = nearest(main, t);
      const w = workers.length ? nearest(workers, t) : undefined;
      const rssNow = m.rss ?? 0;
      const heaps = m.heapTotal + (w?.heapTotal ?? 0);
      const rest = rssNow - heaps - (m.arrayBuffers ?? 0);
      rowsOut.push([
        r.name,
        `${t} s`,
        rssNow.toFixed(1),
        `${m.heapTotal.toFixed(1)} (${m.heapUsed.toFixed(1)})`,
        (m.arrayBuffers ?? 0).toFixed(1),
        m.malloced.toFixed(1),
        w ? `${w.heapTotal.toFixed(1)} (${w.heapUsed.toFixed(1)})` : '—',
        youngAt(r.heap, t).toFixed(1),
        rest.toFixed(1),
      ]);
    }
  }
  return `What the RSS was made of (BENCH_RSS_HEAP=1; build/bench/heap-sampler.cjs, preloaded with NODE_OPTIONS=--require into every thread of the
server, samples \`v8.getHeapStatistics()\`, \`v8.getHeapSpaceStatistics()\` and \`process.memoryUsage()\` each second), MiB:

${table(['server', 'at', 'RSS (main thread sample)', 'main isolate heap committed (used)', 'ArrayBuffers', "V8's malloced", 'sink thread heap committed (used)', 'young generations (all threads, in the heaps)', 'rest: RSS − heaps − ArrayBuffers'], rowsOut)}`;
}

const inWindow = (xs: { t: number; mib: number }[]) => xs.filter((x) => x.t >= rssWarmup).map((x) => x.mib);
const youngRange = (r: RssRow) => {
  const ys = r.young.filter((_, i) => (r.samples[i]?.t ?? 0) >= rssWarmup);
  return `${Math.min(...ys).toFixed(0)}–${Math.max(...ys).toFixed(0)}`;
};
const rssSection = `RSS (VmRSS of the process and its children, MiB) sampled every second from process start while autocannon runs unthrottled:
${rssWarmup} s of warm-up, then the ${rssSeconds} s window that is judged (from the column marked "window starts"). The recorder writes to a file throughout.
Each server's threads sample their V8 heaps every second (build/bench/heap-sampler.cjs, preloaded): V8 grows and shrinks each
young generation between its bounds under a steady load, in steps of megabytes at any time, so "flat" is judged on RSS less the
young generations (the last two columns); the raw RSS columns are what the process held.
A longer trace of one artifact: \`BENCH_ROWS=none BENCH_RUNTIMES=official BENCH_RSS_WARMUP=0 BENCH_RSS_SECONDS=600 npm run bench:broker\`
(a partial run: it prints this table and writes nothing here).

${table(
  [
    'server',
    'req/s in window',
    ...rssTimes.map((t) => (t === rssWarmup ? `${t} s (window starts)` : `${t} s`)),
    'max in window',
    'grown across the window (MiB)',
    'slope in window (MiB/min)',
    'young generations in window (MiB)',
    'less young generations: grown (MiB)',
    'less young generations: slope (MiB/min)',
  ],
  rss.map((r) => [r.name, fmt(r.rps), ...rssTimes.map((t) => at(r, t)), Math.max(...inWindow(r.samples)).toFixed(0), mib(growth(r.samples)), r.slope.toFixed(2), youngRange(r), mib(growth(r.lessYoung)), r.slopeLessYoung.toFixed(2)]),
)}${heapTable ? `\n\n${heapSection()}` : ''}`;
for (const a of artifacts) if (!a.bin) perfRows.push([`broker record (all rows)`, a.runtime, 'missing', '', '', '', '', '', '', a.how, '']);
const sizeOf = (codec: string) => sizes.find((x) => x.codec === codec);
const sizeSection = sizes.length
  ? `Archive size on the same traffic (${SIZE_REQUESTS} JSON event requests of 170–200 bytes each, the same bodies in the same order for
every codec, build/bench/traffic-corpus.ts; sent 16 at a time to the ${sizesOn} artifact's recorder; default level of each codec):

${table(
  ['--compress', 'archive bytes', 'bytes per request', '× none', 'recorded'],
  sizes.map((x) => [x.codec, String(x.bytes), (x.bytes / SIZE_REQUESTS).toFixed(1), (x.bytes / (sizeOf('none')?.bytes ?? x.bytes)).toFixed(3), String(x.recorded)]),
)}`
  : 'Archive sizes per codec: not measured in this run.';

if (partial) {
  // A subset proves nothing about the targets and must not replace the full run in the docs.
  log(
    table(
      [
        'server',
        'runtime',
        'max req/s (median)',
        'min–max',
        '× no-op',
        'p99 at max (ms)',
        'overallRate = half (req/s)',
        'p50 / p99 / p99.9 at overallRate = half (ms)',
        'server CPU µs/request at overallRate = half (event loop + other threads)',
        'notes',
        'loadavg at start',
      ],
      perfRows,
    ),
  );
  log(wrkSection);
  if (rss.length) log(rssSection);
  log(sizeSection);
  log('partial run (BENCH_ROWS, BENCH_RUNTIMES or BENCH_RSS_SECONDS=0): docs/benchmarks.md not written');
  process.exit(0);
}

const verdict = (ok: boolean) => (ok ? '**met**' : '**not met**');
/** wrk's p99 at half rate, median of the runs on pace, or why there is none. */
const pacedP99 = (r: Row) => {
  const good = onPace(r.wrk.half);
  return good.length ? `${fmt(medianOf(good, 'p99'), 2)} ms` : 'not judged (no paced run on pace)';
};
/** What a durable row costs against the default --out row of its runtime: throughput and p99, no target. */
const durableCost = (d: Row, out: Row) =>
  `- ${d.runtime}: \`${d.name.replace('broker record --out FILE ', '')}\` against the default (\`--out FILE\`): throughput ${(median(d.rps) / median(out.rps)).toFixed(2)}× (autocannon)${
    d.wrk.rps.length ? `, ${(median(d.wrk.rps) / median(out.wrk.rps)).toFixed(2)}× (wrk)` : ''
  }; p99 at max ${fmt(median(d.p99AtMax), 2)} against ${fmt(median(out.p99AtMax), 2)} ms${'missing' in wrk ? '' : `; with wrk at half rate ${pacedP99(d)} against ${pacedP99(out)}`}${/dropped [1-9]/.test(d.note) ? ` (${d.note}: answered 503)` : ''}`;
const costLines: string[] = [];
const targetLines: string[] = [];
for (const a of artifacts) {
  if (!a.bin) {
    targetLines.push(`- ${a.runtime} runtime: not measured — ${a.how}; then rerun.`);
    continue;
  }
  const out = present(
    rows.find((r) => r.runtime === a.runtime && r.name === 'broker record --out FILE'),
    `the ${a.runtime} 'broker record --out FILE' row`,
  );
  const base = noopRow;
  for (const d of rows.filter((r) => r.runtime === a.runtime && DURABLE_ROWS.some((x) => x.name === r.name))) costLines.push(durableCost(d, out));
  // Throughput from every run, noise included (ratioVerdict); p99 from wrk's paced runs (levelVerdict), beside
  // the no-op server's own, which is this generator's floor on these cores.
  const throughput = (g: string, outRps: number[], noopRps: number[]) =>
    `- ${a.runtime}${g}: recording (--out, one process) ≥ 0.8× the no-op server's throughput: ${(median(outRps) / median(noopRps)).toFixed(2)}× — **${ratioVerdict(outRps, noopRps, 'at least', 0.8)}**`;
  targetLines.push(throughput('', out.rps, base.rps));
  // Issue 27: HTTPS recording against an HTTPS no-op server (same certificate), zstd against gzip.
  const tlsRow = rows.find((r) => r.runtime === a.runtime && r.name === TLS_ROW);
  const tlsNoop = rows.find((r) => r.name === TLS_NOOP);
  if (tlsRow && tlsNoop) {
    targetLines.push(
      `- ${a.runtime}: HTTPS recording (--out, one process) ≥ 0.8× the HTTPS no-op server's throughput: ${(median(tlsRow.rps) / median(tlsNoop.rps)).toFixed(2)}× — **${ratioVerdict(tlsRow.rps, tlsNoop.rps, 'at least', 0.8)}**`,
    );
  }
  const [gzip, zstd] = CODECS.map((c) => rows.find((r) => r.runtime === a.runtime && r.name === codecRow(c)));
  if (gzip && zstd) {
    // Since format 4 both compress whole batches on the writing thread: what the event loop pays is the same for
    // both, and the ratio to uncompressed recording says how far from 1.5× the codecs can be told apart at all.
    const ofOut = (r: { rps: number[] }) => (median(r.rps) / median(out.rps)).toFixed(2);
    targetLines.push(
      `- ${a.runtime}: --compress zstd recording ≥ 1.5× --compress gzip's throughput: ${(median(zstd.rps) / median(gzip.rps)).toFixed(2)}× — **${ratioVerdict(zstd.rps, gzip.rps, 'at least', 1.5)}**; against uncompressed recording (--out): gzip ${ofOut(gzip)}×, zstd ${ofOut(zstd)}× (batches are compressed on the writing thread, format 4: above 1.5× gzip, zstd would record faster than no compression; the codecs' own rates there: npm run bench:codecs)`,
    );
  }
  if ('missing' in wrk) {
    targetLines.push(`- ${a.runtime}: p99 at half the max rate ≤ 2 ms: **not measured** — it needs a paced generator and ${wrk.missing}; autocannon's overallRate is a per-second quota (full load half the time)`);
  } else {
    const good = onPace(out.wrk.half);
    const noopGood = onPace(base.wrk.half);
    const runsP99 = eachP99(out.wrk.half);
    const off = out.wrk.half.filter((h) => offPace(h.rps, h.target));
    const judgedP99 = `${eachP99(good)} ms${off.length ? `; off pace, left out: ${eachP99(off)} ms` : ''}`;
    const wrkLatency = good.length
      ? `- ${a.runtime}, with wrk: p99 at half the max rate ≤ 2 ms (--out, one process; median of the ${good.length} paced runs on pace: ${judgedP99}): ${fmt(medianOf(good, 'p99'), 2)} ms — **${levelVerdict(
          good.map((h) => h.p99),
          'at most',
          2,
        )}**; the no-op server at half its rate: ${noopGood.length ? fmt(medianOf(noopGood, 'p99'), 2) : '—'} ms`
      : `- ${a.runtime}, with wrk: p99 at half the max rate ≤ 2 ms: **not judged** — no paced run came within ${PACE_TOLERANCE * 100}% of ${out.wrk.half[0]?.target} req/s (${out.wrk.half.map((h) => fmt(h.rps)).join(', ')}), so their p99s (${runsP99} ms) are not at half rate`;
    targetLines.push(throughput(', with wrk', out.wrk.rps, base.wrk.rps), wrkLatency);
  }
  const r = present(
    rss.find((x) => x.name.includes(`(${a.runtime})`)),
    `the ${a.runtime} RSS run`,
  );
  const rssBase = present(rss[0], "the no-op server's RSS run");
  // Both: a small slope alone can be an accident of where a one-time step falls in the window. Less the young
  // generations: V8 resizes them between fixed bounds whatever the program does, and a leak is the rest growing.
  const flat = Math.abs(r.slopeLessYoung) < 2 && growth(r.lessYoung) <= 4;
  targetLines.push(
    `- ${a.runtime}: RSS flat over a ${rssSeconds} s run at full load (after ${rssWarmup} s of warm-up), less V8's young generations: ${r.slopeLessYoung.toFixed(2)} MiB/min, ${mib(growth(r.lessYoung))} MiB grown across the window (flat = |slope| < 2 MiB/min and its last 10 s average at most 4 MiB above its first 10 s) — ${verdict(flat)}; as RSS alone ${r.slope.toFixed(2)} MiB/min, ${mib(growth(r.samples))} MiB, the young generations ${youngRange(r)} MiB in the window; the no-op server, same load and window, less its young generation: ${rssBase.slopeLessYoung.toFixed(2)} MiB/min, ${mib(growth(rssBase.lessYoung))} MiB (RSS alone ${rssBase.slope.toFixed(2)}, ${mib(growth(rssBase.samples))} MiB)`,
  );
}

const md = `## Broker: \`broker record\` under load

Command: \`npm run bench:broker\` (BENCH_RUNS=${runs} interleaved runs × BENCH_SECONDS=${seconds} s each for max throughput, median shown; BENCH_RSS_SECONDS=${rssSeconds}).
All servers run side by side and the runs alternate between them, so load drift spreads over every row.
Machine: ${machine()}. Measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.
Load: \`${uptimeStart}\` at the start, \`${uptimeEnd}\` at the end (the load averages still count the minutes before the run);
${quiet.paused.length ? `paused for the run: the ${quiet.paused.join(' and the ')} (SIGSTOP, resumed after)` : 'no static-runtime build was running'}.
This is a shared VM. ${throughputSpread(rows)}

Generator: autocannon ${devToolVersion('autocannon')} (in the bench process: it takes one of the two cores, the server gets the other),
${connections} keep-alive connections, pipelining 1, POST of a 2048-byte body to \`/ingest\`, loopback. "Max" = unthrottled;
"overallRate = half" = autocannon \`overallRate\` at half the max median, 10 s — a per-second quota, not a pace: each
connection sends flat out until its share of the second is used, then waits for the next second (autocannon's
lib/httpClient.js; what that looked like when measured: "Notes on the method", hand-written, below this section), so its
p99 is a p99 at full load and is not judged against the half-rate target; its CPU per request is still the steadiest column.
Latency: each response's time from autocannon's \`response\` event into our own HDR histogram in µs (autocannon's own holds
whole, floored ms). The no-op server runs on the same official Node ${pin.nodeVersion} the artifact embeds:
\`req.resume()\`, answer 200 on \`end\` — and it keeps one \`process.nextTick\` object alive from its start, as broker does
(src/tick-objects.ts): without that, a full GC while a server idles can free those objects' maps and leave every later
nextTick on V8's slow path (several per request; its cost as measured once: "Notes on the method"), a slowdown by luck that would flatter the ratio.
The TLS rows (issue 27): the recorder with \`--tls-cert/--tls-key\` against a no-op \`node:https\` server with the same
throwaway EC P-256 certificate, same handler, same Node; both generators speak HTTPS over their keep-alive connections and
do not check the certificate. The \`--compress\` rows post the same fixed body as the others (which a codec shrinks to almost
nothing within a batch): since format 4 the writing thread compresses whole batches off the event loop, so their throughput
is recording's with the codec's CPU on easy input beside it (other threads); the sizes below come from varied traffic.

${table(['server', 'runtime', 'max req/s (median)', 'min–max', '× no-op', 'p99 at max (ms)', 'overallRate = half (req/s)', 'p50 / p99 / p99.9 at overallRate = half (ms)', 'server CPU µs/request at overallRate = half (event loop + other threads)', 'notes', 'loadavg at start'], perfRows)}

${wrkSection}

${rssSection}

Every server here starts with the artifacts' built-in Node options (\`${SEA_EXEC_ARGV.join(' ')}\`, given to the no-op server
too). V8 sizes its young generation itself (broker fixed its semi-spaces at 16 MiB, twice V8's own bound here, until
2026-12-07: "The young generation at V8's size").

"Server CPU µs/request" is the server's user + system time (all threads, workers included, from /proc) over the half-rate
run divided by the requests answered, split into its event-loop threads and the others (libuv's pool writing the archive,
V8's helpers): at a fixed rate it does not depend on how much CPU the generator and the other job leave over, so it is the
steadiest column for comparing rows. Each run starts after \`sync\`, so the kernel's writeback of one run's archive does not
land on the next server's run; the kernel's flusher threads are nobody's row, but during a run they share the same 2 cores.

Targets (issue 5), as measured above. A verdict is "met" or "NOT met" outright when the median's ${CONFIDENCE * 100}% bounds (order
statistics, distribution-free; the extremes up to 8 runs, one left out at each end from 9, two from 12, three from 15) sit on one side of the target;
otherwise the median decides, unless those bounds spread over more than ${NOISY * 100}% of the median: then "inconclusive".

${targetLines.join('\n')}

${sizeSection}
${sizeOf('zstd') && sizeOf('gzip') ? `\n- zstd's archive ≤ gzip's on the same traffic: ${sizeOf('zstd')?.bytes} against ${sizeOf('gzip')?.bytes} bytes (${((sizeOf('zstd')?.bytes ?? 0) / (sizeOf('gzip')?.bytes ?? 1)).toFixed(3)}×) — ${verdict((sizeOf('zstd')?.bytes ?? 0) <= (sizeOf('gzip')?.bytes ?? 0))}\n` : ''}
Durable acknowledgements (issue 23; docs/archive.md, "Durability"): what answering only after the write costs — \`--ack
written\` (group commit, 2 ms) and with \`--fsync batch\` — against the default --out row, same runs; no target:

${costLines.join('\n') || '- not measured in this run'}
`;
const path = await writeSection(root, 'bench:broker', md);
log(md);
log(`wrote ${path}`);
