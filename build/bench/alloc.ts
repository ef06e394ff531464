// npm run bench:alloc — the seed's allocator table on Node runtimes (same Node version everywhere),
// plus the seed-004 memory-bloat test. Writes its section of docs/benchmarks.md and docs/bench-alloc.svg.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { type AllocVariant, allocVariants, BLOAT, type BloatResult, bundleScript, jemallocProof, runBloat, runWorkload } from './alloc-run.ts';
import { benchArgs, envInt } from './bench-args.ts';
import { barChart } from './chart.ts';
import { pauseRuntimeBuilds } from './quiet.ts';
import { loadAverage, machine, median, table, writeSection } from './report.ts';
import { ratioVerdict } from './verdict.ts';

// --help prints what this bench does; nothing else is an argument (checked before anything is measured).
benchArgs('bench:alloc', import.meta.filename);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const reps = envInt('BENCH_RUNS', 5);
const iterations = envInt('BENCH_ITER', 20000);
const requests = envInt('BENCH_REQUESTS', 5000);
// Knobs for partial runs (e.g. BENCH_PARTS=bloat BENCH_VARIANTS=glibc,musl+jemalloc, which keeps the
// BENCH_MALLOC_CONF rows: they are musl+jemalloc with a setting); only a full run
// writes docs/benchmarks.md and the chart, so a partial table never replaces the full one.
const parts = new Set((process.env.BENCH_PARTS ?? 'timing,bloat').split(','));
const only = process.env.BENCH_VARIANTS?.split(',');
const full = parts.has('timing') && parts.has('bloat') && !only;
const log = { info: (l: string) => process.stdout.write(`${l}\n`), progress: () => {} };

const modes = [
  { name: 'single thread', threads: 0 },
  { name: '8 worker threads', threads: 8 },
  { name: `${cpus().length} worker threads (= cores)`, threads: cpus().length },
];

const scratch = mkdtempSync(join(tmpdir(), 'broker-alloc-'));
const quiet = pauseRuntimeBuilds(log.info);
try {
  const loadBefore = loadAverage();
  const variants = await allocVariants(cacheRoot(), log);
  const present = variants.filter((v): v is AllocVariant & { runtime: string } => v.runtime !== undefined && !v.missing && (!only || only.includes(v.id.replace(/\[.*\]$/, ''))));
  const workload = await bundleScript(join(root, 'build/bench/alloc-workload.ts'), join(scratch, 'workload.mjs'));
  const server = await bundleScript(join(root, 'build/bench/alloc-server.ts'), join(scratch, 'server.mjs'));

  // Interleaved: every repetition runs each variant once (A B C A B C …), so drift hits all alike.
  const times = new Map<string, number[]>();
  for (const mode of parts.has('timing') ? modes : []) {
    for (let r = 0; r < reps; r++) {
      for (const v of present) {
        const res = await runWorkload(v, workload, iterations, mode.threads);
        const key = `${v.id}|${mode.threads}`;
        times.set(key, [...(times.get(key) ?? []), res.ms]);
      }
      log.info(`${mode.name}: repetition ${r + 1}/${reps} done`);
    }
  }

  const proofs: string[] = [];
  for (const v of parts.has('timing') ? present : []) {
    const p = await jemallocProof(v, workload, iterations);
    if (p) proofs.push(`${v.id}: ${p.nrequests} allocation requests, ${p.nmalloc} reached jemalloc's arenas (stats_print, ${iterations} iterations)`);
  }

  type BloatPlan = { v: AllocVariant & { runtime: string }; env: Record<string, string>; label: string };
  const bloatPlan = (parts.has('bloat') ? present : []).flatMap((v): BloatPlan[] => [{ v, env: {}, label: v.label }, ...(v.id === 'glibc' ? [{ v, env: { MALLOC_ARENA_MAX: '2' }, label: `${v.label} + MALLOC_ARENA_MAX=2` }] : [])]);
  const bloat = new Map<string, BloatResult[]>();
  const bloatReps = Math.min(reps, 3);
  for (let r = 0; r < bloatReps; r++) {
    for (const p of bloatPlan) {
      const res = await runBloat(p.v, server, requests, p.env);
      bloat.set(p.label, [...(bloat.get(p.label) ?? []), res]);
      log.info(`bloat ${r + 1}/${bloatReps} ${p.label}: peak ${res.peakRssMiB.toFixed(0)} MiB, final ${res.finalRssMiB.toFixed(0)} MiB, ${res.seconds.toFixed(1)} s`);
    }
  }
  const bloatRows = bloatPlan.map((p) => {
    const runs = bloat.get(p.label) ?? [];
    const r: BloatResult = { requests, peakRssMiB: median(runs.map((x) => x.peakRssMiB)), finalRssMiB: median(runs.map((x) => x.finalRssMiB)), seconds: median(runs.map((x) => x.seconds)) };
    return { v: p.v, label: p.label, r, runs };
  });

  const timesOf = (id: string, threads: number) => times.get(`${id}|${threads}`) ?? [];
  const base = (threads: number) => median(times.get(`glibc|${threads}`) ?? [Number.NaN]);
  const cell = (v: AllocVariant, threads: number) => {
    const xs = times.get(`${v.id}|${threads}`);
    if (!xs) return { text: v.missing ? 'missing' : 'not run', ratio: null as number | null };
    const m = median(xs);
    const ratio = m / base(threads);
    return { text: `${ratio.toFixed(2)}× (${m.toFixed(0)} ms, ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`, ratio };
  };
  const named = (v: AllocVariant) => (v.missing ? `${v.label} — missing: \`${v.missing}\`` : v.label);
  const rows = variants.map((v) => [named(v), ...modes.map((m) => cell(v, m.threads).text)]);
  const missing = variants.filter((v) => v.missing).map((v) => `- ${v.label}: missing — \`${v.missing}\``);
  const baseBloat = bloatRows.find((b) => b.v.id === 'glibc' && !b.label.includes('ARENA'))?.r;
  const ratio = (x: number, base: number | undefined) => (base ? `${(x / base).toFixed(2)}×` : '');
  // One row per variant in the seed's order (missing ones name the command that builds them), the
  // MALLOC_ARENA_MAX=2 row right after the baseline.
  const bloatTable = variants.flatMap((v) => {
    const measured = bloatRows.filter((b) => b.v.id === v.id);
    const absent = v.missing ? 'missing' : 'not run';
    if (!measured.length) return [[named(v), absent, '', absent, '', '']];
    return measured.map((b) => [
      b.label,
      `${b.r.peakRssMiB.toFixed(0)} (${Math.min(...b.runs.map((x) => x.peakRssMiB)).toFixed(0)}–${Math.max(...b.runs.map((x) => x.peakRssMiB)).toFixed(0)})`,
      ratio(b.r.peakRssMiB, baseBloat?.peakRssMiB),
      `${b.r.finalRssMiB.toFixed(0)} (${Math.min(...b.runs.map((x) => x.finalRssMiB)).toFixed(0)}–${Math.max(...b.runs.map((x) => x.finalRssMiB)).toFixed(0)})`,
      ratio(b.r.finalRssMiB, baseBloat?.finalRssMiB),
      b.r.seconds.toFixed(1),
    ]);
  });
  // Where glibc's RSS sits at the end (median run by final RSS): evidence for arenas, not a guess.
  const heapNotes = bloatRows.flatMap((b) => {
    const runs = b.runs.filter((x) => x.heaps).sort((x, y) => x.finalRssMiB - y.finalRssMiB);
    const h = runs[Math.floor(runs.length / 2)]?.heaps;
    return h ? [`${b.label}: brk heap ${h.brkMiB.toFixed(0)} MiB + ${h.arenas} arena heaps ${h.arenaMiB.toFixed(0)} MiB`] : [];
  });

  const jem = variants.find((v) => v.id === 'musl+jemalloc');
  const musl = variants.find((v) => v.id === 'musl');
  const targets: string[] = [];
  if (jem?.runtime && parts.has('timing')) {
    const t8 = cell(jem, 8).ratio ?? Number.NaN;
    targets.push(`- static+jemalloc, 8 threads ≤ 1.0× baseline: ${t8.toFixed(2)}× — ${ratioVerdict(timesOf(jem.id, 8), timesOf('glibc', 8), 'at most', 1)}`);
    if (musl?.runtime && timesOf(musl.id, 8).length) {
      const speedup = (cell(musl, 8).ratio ?? Number.NaN) / t8;
      targets.push(`- static+jemalloc ≥ 10× faster than static musl malloc (8 threads): ${speedup.toFixed(1)}× — ${ratioVerdict(timesOf(musl.id, 8), timesOf(jem.id, 8), 'at least', 10)}`);
    } else targets.push(`- static+jemalloc ≥ 10× faster than static musl malloc: not evaluated — ${musl?.missing ? `the musl-malloc runtime is missing (\`${musl.missing}\`)` : 'not run'}`);
    const t1 = cell(jem, 0).ratio ?? Number.NaN;
    targets.push(`- static+jemalloc single thread ≤ 1.05×: ${t1.toFixed(2)}× — ${ratioVerdict(timesOf(jem.id, 0), timesOf('glibc', 0), 'at most', 1.05)}`);
  }
  const jb = bloatRows.find((b) => b.v.id === 'musl+jemalloc')?.r;
  if (jb && baseBloat) {
    const peak = jb.peakRssMiB / baseBloat.peakRssMiB;
    targets.push(`- bloat test peak RSS ≤ 0.8× baseline: ${peak.toFixed(2)}× — ${peak <= 0.8 ? 'met' : 'NOT met'} (final RSS: ${(jb.finalRssMiB / baseBloat.finalRssMiB).toFixed(2)}×, no target)`);
  }
  if (!jem?.runtime) {
    targets.push('- not evaluated: the static musl + jemalloc runtime is not built yet (see missing variants).');
  }

  const svg = barChart(
    'Allocation workload time vs official Node (glibc) — lower is better',
    modes.map((m) => m.name),
    variants.map((v) => ({ label: v.label, values: modes.map((m) => cell(v, m.threads).ratio) })),
    '×',
  );

  const md = `## Allocators: the seed's table on Node runtimes

Command: \`npm run bench:alloc\` (BENCH_RUNS=${reps} interleaved repetitions, BENCH_ITER=${iterations} iterations per thread,
BENCH_REQUESTS=${requests} bloat requests${process.env.BENCH_MALLOC_CONF ? `, BENCH_MALLOC_CONF="${process.env.BENCH_MALLOC_CONF}"` : ''}). Machine: ${machine()}. Load average before/after: ${loadBefore} / ${loadAverage()}; ${quiet.paused.length ? `paused for the run: the ${quiet.paused.join(' and the ')}` : 'no static-runtime build was running'}.
Measured ${new Date().toISOString().slice(0, 10)}. Headline: time ratio to the official runtime (median of the repetitions);
absolute median and min–max in ms as context. Chart: [bench-alloc.svg](bench-alloc.svg).

Workload (build/bench/alloc-workload.ts): per iteration a Buffer.allocUnsafeSlow of 64 B–64 KiB kept in a ring of 64, every
2nd a SHA-256 of it, every 4th a zlib deflate+inflate of ≤ 2 KiB, every 8th a JSON round trip of a 40-item object.

${table(['variant', ...modes.map((m) => m.name)], rows)}

${missing.length ? `Missing variants:\n${missing.join('\n')}\n` : ''}
The allocator is hit: ${proofs.length ? proofs.join('; ') : 'no jemalloc variant present to print stats'}.

### Memory bloat (seed 004)

An upload API on node:http (build/bench/alloc-server.ts; the comment there says why each part) under ${BLOAT.clients} concurrent
keep-alive clients: ${requests} POSTs of JSON-like bodies, ${BLOAT.minBody / 1024} KiB–${BLOAT.maxBody / 1024} KiB log-uniform, every 2nd gzip-encoded. Per request, on the
libuv pool (UV_THREADPOOL_SIZE=${BLOAT.threadpool}, so malloc runs on ${BLOAT.threadpool} threads): gunzip, a WebCrypto SHA-256 kept in an index of the
last 4096 uploads, and the reply compressed with brotli (quality 4, 2 in 3 clients) or gzip. Server RSS from /proc: peak = VmHWM,
final = ${BLOAT.settleMs / 1000} s after the last response. Median (min–max) of ${bloatReps} interleaved runs.

${table(['variant', 'peak RSS (MiB)', 'peak vs baseline', 'final RSS (MiB)', 'final vs baseline', 'seconds'], bloatTable)}

${
  heapNotes.length
    ? `glibc's heaps at the end (from /proc/PID/smaps; arena heaps are the 64 MiB-aligned mappings): ${heapNotes.join('; ')}.
`
    : ''
}
### Targets

${targets.join('\n')}`;
  log.info(md);
  if (full) {
    writeFileSync(join(root, 'docs', 'bench-alloc.svg'), svg);
    const path = await writeSection(root, 'bench:alloc', md);
    log.info(`\nwritten to ${path} and docs/bench-alloc.svg`);
  } else log.info('\npartial run (BENCH_PARTS / BENCH_VARIANTS): docs/benchmarks.md and the chart left as they were');
} finally {
  quiet.resume();
  rmSync(scratch, { recursive: true, force: true });
}
