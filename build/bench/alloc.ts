// npm run bench:alloc — the seed's allocator table on Node runtimes (same Node version everywhere),
// plus the seed-004 memory-bloat test. Writes its section of docs/benchmarks.md and docs/bench-alloc.svg.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from '../cache.ts';
import { allocVariants, bundleScript, jemallocProof, runBloat, runWorkload, type AllocVariant, type BloatResult } from './alloc-run.ts';
import { barChart } from './chart.ts';
import { machine, median, table, writeSection } from './report.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const reps = Number(process.env.BENCH_RUNS ?? 5);
const iterations = Number(process.env.BENCH_ITER ?? 20000);
const requests = Number(process.env.BENCH_REQUESTS ?? 4000);
const log = { info: (l: string) => process.stdout.write(`${l}\n`), progress: () => {} };
const load = () => execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ');

const modes = [
  { name: 'single thread', threads: 0 },
  { name: '8 worker threads', threads: 8 },
  { name: `${cpus().length} worker threads (= cores)`, threads: cpus().length },
];

const scratch = mkdtempSync(join(tmpdir(), 'broker-alloc-'));
try {
  const loadBefore = load();
  const variants = await allocVariants(root, cacheRoot(), log);
  const present = variants.filter((v): v is AllocVariant & { runtime: string } => v.runtime !== undefined && !v.missing);
  const workload = await bundleScript(join(root, 'build/bench/alloc-workload.ts'), join(scratch, 'workload.mjs'));
  const server = await bundleScript(join(root, 'build/bench/alloc-server.ts'), join(scratch, 'server.mjs'));

  // Interleaved: every repetition runs each variant once (A B C A B C …), so drift hits all alike.
  const times = new Map<string, number[]>();
  for (const mode of modes) {
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
  for (const v of present) {
    const p = await jemallocProof(v, workload, iterations);
    if (p) proofs.push(`${v.id}: ${p.nrequests} allocation requests, ${p.nmalloc} reached jemalloc's arenas (stats_print, ${iterations} iterations)`);
  }

  const bloatRows: { v: AllocVariant; label: string; r: BloatResult }[] = [];
  type BloatPlan = { v: AllocVariant & { runtime: string }; env: Record<string, string>; label: string };
  const bloatPlan = present.flatMap((v): BloatPlan[] => [
    { v, env: {}, label: v.label },
    ...(v.id === 'glibc' ? [{ v, env: { MALLOC_ARENA_MAX: '2' }, label: `${v.label} + MALLOC_ARENA_MAX=2` }] : []),
  ]);
  const bloat = new Map<string, BloatResult[]>();
  for (let r = 0; r < Math.min(reps, 3); r++) {
    for (const p of bloatPlan) bloat.set(p.label, [...(bloat.get(p.label) ?? []), await runBloat(p.v, server, requests, p.env)]);
    log.info(`bloat: repetition ${r + 1} done`);
  }
  for (const p of bloatPlan) {
    const runs = bloat.get(p.label) ?? [];
    bloatRows.push({ v: p.v, label: p.label, r: { requests, peakRssMiB: median(runs.map((x) => x.peakRssMiB)), finalRssMiB: median(runs.map((x) => x.finalRssMiB)), seconds: median(runs.map((x) => x.seconds)) } });
  }

  const base = (threads: number) => median(times.get(`glibc|${threads}`) ?? [Number.NaN]);
  const cell = (v: AllocVariant, threads: number) => {
    const xs = times.get(`${v.id}|${threads}`);
    if (!xs) return { text: 'missing', ratio: null as number | null };
    const m = median(xs);
    const ratio = m / base(threads);
    return { text: `${ratio.toFixed(2)}× (${m.toFixed(0)} ms, ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`, ratio };
  };
  const rows = variants.map((v) => [v.label, ...modes.map((m) => cell(v, m.threads).text)]);
  const missing = variants.filter((v) => v.missing).map((v) => `- ${v.label}: missing — \`${v.missing}\``);
  const baseBloat = bloatRows.find((b) => b.v.id === 'glibc' && !b.label.includes('ARENA'))?.r;
  const bloatTable = bloatRows.map((b) => [b.label, b.r.peakRssMiB.toFixed(0), baseBloat ? `${(b.r.peakRssMiB / baseBloat.peakRssMiB).toFixed(2)}×` : '', b.r.finalRssMiB.toFixed(0), b.r.seconds.toFixed(1)]);

  const jem = variants.find((v) => v.id === 'musl+jemalloc');
  const musl = variants.find((v) => v.id === 'musl');
  const targets: string[] = [];
  if (jem?.runtime) {
    const t8 = cell(jem, 8).ratio ?? Number.NaN;
    targets.push(`- static+jemalloc, 8 threads ≤ 1.0× baseline: ${t8.toFixed(2)}× — ${t8 <= 1 ? 'met' : 'NOT met'}`);
    if (musl?.runtime) {
      const speedup = (cell(musl, 8).ratio ?? Number.NaN) / t8;
      targets.push(`- static+jemalloc ≥ 10× faster than static musl malloc (8 threads): ${speedup.toFixed(1)}× — ${speedup >= 10 ? 'met' : 'NOT met'}`);
    } else targets.push(`- static+jemalloc ≥ 10× faster than static musl malloc: not evaluated — the musl-malloc runtime is missing (\`${musl?.missing}\`)`);
    const t1 = cell(jem, 0).ratio ?? Number.NaN;
    targets.push(`- static+jemalloc single thread ≤ 1.05×: ${t1.toFixed(2)}× — ${t1 <= 1.05 ? 'met' : 'NOT met'}`);
    const jb = bloatRows.find((b) => b.v.id === 'musl+jemalloc')?.r;
    if (jb && baseBloat) targets.push(`- bloat test peak RSS ≤ 0.8× baseline: ${(jb.peakRssMiB / baseBloat.peakRssMiB).toFixed(2)}× — ${jb.peakRssMiB / baseBloat.peakRssMiB <= 0.8 ? 'met' : 'NOT met'}`);
  } else {
    targets.push('- not evaluated: the static musl + jemalloc runtime is not built yet (see missing variants).');
  }

  const svg = barChart(
    'Allocation workload time vs official Node (glibc) — lower is better',
    modes.map((m) => m.name),
    variants.map((v) => ({ label: v.label, values: modes.map((m) => cell(v, m.threads).ratio) })),
    '×',
  );
  writeFileSync(join(root, 'docs', 'bench-alloc.svg'), svg);

  const md = `## Allocators: the seed's table on Node runtimes

Command: \`npm run bench:alloc\` (BENCH_RUNS=${reps} interleaved repetitions, BENCH_ITER=${iterations} iterations per thread,
BENCH_REQUESTS=${requests} bloat requests). Machine: ${machine()}. Load average before/after: ${loadBefore} / ${load()}.
Measured ${new Date().toISOString().slice(0, 10)}. Headline: time ratio to the official runtime (median of the repetitions);
absolute median and min–max in ms as context. Chart: [bench-alloc.svg](bench-alloc.svg).

Workload (build/bench/alloc-workload.ts): per iteration a Buffer.allocUnsafeSlow of 64 B–64 KiB kept in a ring of 64, every
2nd a SHA-256 of it, every 4th a zlib deflate+inflate of ≤ 2 KiB, every 8th a JSON round trip of a 40-item object.

${table(['variant', ...modes.map((m) => m.name)], rows)}

${missing.length ? `Missing variants:\n${missing.join('\n')}\n` : ''}
The allocator is hit: ${proofs.length ? proofs.join('; ') : 'no jemalloc variant present to print stats'}.

### Memory bloat (seed 004)

node:http server (build/bench/alloc-server.ts) gzipping each body on the libuv pool (UV_THREADPOOL_SIZE=8, so malloc runs on
several threads), 25 concurrent keep-alive clients, ${requests} POSTs of 1–256 KiB; server RSS from /proc (peak = VmHWM, final = 1 s
after the last response). Median of ${Math.min(reps, 3)} runs.

${table(['variant', 'peak RSS (MiB)', 'peak vs baseline', 'final RSS (MiB)', 'seconds'], bloatTable)}

### Targets

${targets.join('\n')}`;
  const path = await writeSection(root, 'bench:alloc', md);
  log.info(md);
  log.info(`\nwritten to ${path} and docs/bench-alloc.svg`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
