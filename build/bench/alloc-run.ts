import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { execa } from 'execa';
import type { Logger } from '../../shared/toolchain/logger.ts';
import { officialRuntime } from '../runtime/official.ts';
import { runtimePin, staticNodeVersion } from '../runtime/pin.ts';
import type { Allocator } from '../runtime/static/context.ts';
import { cachedStaticRuntime } from '../runtime/static/verify.ts';

const pin = runtimePin();

export interface AllocVariant {
  id: string;
  label: string;
  runtime?: string;
  env: Record<string, string>;
  /** Why the variant cannot run here and the command that would make it available. */
  missing?: string;
  /** Which allocator's own statistics can prove it is the one hit. */
  stats?: 'jemalloc';
}

export const DEBIAN_JEMALLOC = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';

/** Every variant of the seed's table on the pinned Node version, present or listed as missing. */
export async function allocVariants(cacheDir: string, log: Logger): Promise<AllocVariant[]> {
  const official = await officialRuntime({ nodeVersion: pin.nodeVersion, arch: 'x64', cacheDir, log, integrity: pin.runtimeIntegrity?.x64 });
  const staticVariant = (allocator: Allocator, id: string, label: string) => staticAllocVariant(cacheDir, staticNodeVersion(pin), allocator, id, label);
  return [
    { id: 'glibc', label: 'official Node, glibc malloc (baseline)', runtime: official.path, env: {} },
    {
      id: 'glibc+jemalloc',
      label: 'official Node, LD_PRELOAD jemalloc (Debian libjemalloc2)',
      runtime: official.path,
      env: { LD_PRELOAD: DEBIAN_JEMALLOC },
      missing: existsSync(DEBIAN_JEMALLOC) ? undefined : 'apt-get install libjemalloc2',
      stats: 'jemalloc',
    },
    staticVariant('musl', 'musl', 'static musl, musl malloc (what pkg linuxstatic ships)'),
    staticVariant('jemalloc', 'musl+jemalloc', 'static musl + jemalloc (broker)'),
    ...jemallocConfVariants(staticVariant('jemalloc', 'musl+jemalloc', ''), process.env.BENCH_MALLOC_CONF),
    staticVariant('mimalloc', 'musl+mimalloc', 'static musl + mimalloc'),
  ];
}

/**
 * Extra rows for jemalloc settings a built-in default could use (BENCH_MALLOC_CONF="conf;conf", e.g.
 * "background_thread:true;dirty_decay_ms:1000,muzzy_decay_ms:0"): decay trades CPU for RSS, and the
 * same table shows both sides.
 */
export function jemallocConfVariants(base: AllocVariant, confs: string | undefined): AllocVariant[] {
  return (confs ?? '')
    .split(';')
    .filter(Boolean)
    .map((conf) => ({ ...base, id: `musl+jemalloc[${conf}]`, label: `static musl + jemalloc, MALLOC_CONF=${conf}`, env: { ...base.env, MALLOC_CONF: conf }, stats: undefined }));
}

/**
 * A static runtime variant: present when `npm run runtime -- --allocator A` has published it, i.e.
 * <cache>/runtimes/node-<version>-linux-x64-musl-<A>/manifest.json names an existing binary (the
 * manifest is written only after the runtime passed its checks); otherwise missing with that command.
 */
export function staticAllocVariant(cacheDir: string, nodeVersion: string, allocator: Allocator, id: string, label: string): AllocVariant {
  const rt = cachedStaticRuntime(cacheDir, nodeVersion, allocator);
  return { id, label, runtime: rt?.path, env: {}, missing: rt ? undefined : `npm run runtime -- --allocator ${allocator}`, stats: allocator === 'jemalloc' ? 'jemalloc' : undefined };
}

/** Bundles a bench script for the runtimes: one self-contained .mjs, nothing else to resolve. */
export async function bundleScript(entry: string, outfile: string): Promise<string> {
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node22', logLevel: 'error' });
  return outfile;
}

export interface WorkloadResult {
  threads: number;
  iterations: number;
  ms: number;
}

export function parseWorkload(stdout: string): WorkloadResult {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const r = JSON.parse(line) as WorkloadResult;
  if (typeof r.ms !== 'number' || typeof r.threads !== 'number') throw new Error(`workload printed ${JSON.stringify(line)}`);
  return r;
}

export async function runWorkload(v: AllocVariant, script: string, iterations: number, threads: number): Promise<WorkloadResult> {
  if (!v.runtime) throw new Error(`${v.id} is missing: ${v.missing}`);
  const r = await execa(v.runtime, [script, String(iterations), String(threads)], { env: { ...v.env, NODE_OPTIONS: '' }, extendEnv: false, timeout: 600_000 });
  return parseWorkload(r.stdout);
}

/** jemalloc's stats_print totals (the merged-arenas "total:" row): proof the workload reached the C allocator. */
export function parseJemallocStats(stderr: string): { allocatedBytes: number; nmalloc: number; nrequests: number } | undefined {
  // total:  <allocated> <nmalloc> (#/sec) <ndalloc> (#/sec) <nrequests> (#/sec) …
  const m = /Merged arenas stats:[\s\S]*?^total:\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+\d+\s+(\d+)/m.exec(stderr);
  return m ? { allocatedBytes: Number(m[1]), nmalloc: Number(m[2]), nrequests: Number(m[3]) } : undefined;
}

export async function jemallocProof(v: AllocVariant, script: string, iterations: number): Promise<ReturnType<typeof parseJemallocStats>> {
  if (!v.runtime || v.stats !== 'jemalloc') return undefined;
  const r = await execa(v.runtime, [script, String(iterations), '0'], { env: { ...v.env, MALLOC_CONF: 'stats_print:true', NODE_OPTIONS: '' }, extendEnv: false });
  return parseJemallocStats(r.stderr);
}

function rssKiB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** Where glibc malloc's memory is: the brk heap (main arena) and the other arenas' heaps. */
export interface GlibcHeaps {
  brkMiB: number;
  arenaMiB: number;
  arenas: number;
}

// glibc maps every non-main arena heap at a multiple of HEAP_MAX_SIZE (64 MiB on 64-bit, malloc/arena.c),
// read-write from its start; nothing else in a Node process maps anonymous memory on that boundary.
const ARENA_ALIGN = 64n << 20n;

/** Resident memory of glibc's heaps, from /proc/PID/smaps text. */
export function parseGlibcHeaps(smaps: string): GlibcHeaps {
  let kind: 'brk' | 'arena' | undefined;
  let brk = 0;
  let arena = 0;
  let arenas = 0;
  for (const line of smaps.split('\n')) {
    const m = /^([0-9a-f]+)-[0-9a-f]+ (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (m) {
      const [, start = '0', perms = '', name = ''] = m;
      kind = name === '[heap]' ? 'brk' : name === '' && perms.startsWith('rw') && BigInt(`0x${start}`) % ARENA_ALIGN === 0n ? 'arena' : undefined;
      if (kind === 'arena') arenas++;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && kind === 'brk') brk += Number(rss[1]);
    if (rss && kind === 'arena') arena += Number(rss[1]);
  }
  return { brkMiB: brk / 1024, arenaMiB: arena / 1024, arenas };
}

export interface BloatResult {
  requests: number;
  peakRssMiB: number;
  finalRssMiB: number;
  seconds: number;
  /** glibc only (no LD_PRELOAD): its heaps when the final RSS is read. */
  heaps?: GlibcHeaps;
}

/** The bloat test's load; the server side is build/bench/alloc-server.ts. */
export const BLOAT = {
  clients: 25,
  // The seed's Puma runs 25 threads for 25 clients; UV_THREADPOOL_SIZE is Node's knob for the same.
  // glibc creates arenas up to 8 × cores (16 on 2 cores), so on this machine some threads share one.
  threadpool: 25,
  minBody: 1024,
  maxBody: 512 * 1024,
  // RSS is read this long after the last response: jemalloc purges dirty pages over 10 s (dirty_decay_ms).
  settleMs: 10_000,
} as const;

/** Deterministic JSON-like upload bodies (they compress about as API payloads do), sizes log-uniform. */
export function bloatBodies(count: number, min: number, max: number): Buffer[] {
  let seed = 7;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const words = ['id', 'user', 'name', 'price', 'items', 'tags', 'created', 'status', 'ok', 'path'];
  return Array.from({ length: count }, () => {
    const size = Math.round(min * (max / min) ** rnd());
    const parts: string[] = [];
    let n = 0;
    while (n < size) {
      const rec = `{"${words[Math.floor(rnd() * words.length)]}":${Math.floor(rnd() * 1e6)},"${words[Math.floor(rnd() * words.length)]}":"${Math.floor(rnd() * 1e12).toString(36)}"},\n`;
      parts.push(rec);
      n += rec.length;
    }
    return Buffer.from(parts.join('').slice(0, size));
  });
}

let uploads: { plain: Buffer[]; gzipped: Buffer[] } | undefined;

/**
 * Request i of the bloat test: one of 64 bodies, made unique by a first line with i (so every digest the
 * server indexes is new); every 2nd sent gzip-encoded (a gzip member with that line, then the body's own:
 * gunzip reads concatenated members), 2 in 3 clients accepting brotli.
 */
function upload(i: number, pick: number): { body: Buffer; headers: Record<string, string> } {
  uploads ??= (() => {
    const plain = bloatBodies(64, BLOAT.minBody, BLOAT.maxBody);
    return { plain, gzipped: plain.map((b) => gzipSync(b)) };
  })();
  const head = Buffer.from(`{"upload":${i}}\n`);
  const k = pick % uploads.plain.length;
  const gz = i % 2 === 0;
  const body = gz ? Buffer.concat([gzipSync(head), uploads.gzipped[k] as Buffer]) : Buffer.concat([head, uploads.plain[k] as Buffer]);
  return { body, headers: { 'content-length': String(body.length), 'accept-encoding': i % 3 === 0 ? 'gzip' : 'br, gzip', ...(gz ? { 'content-encoding': 'gzip' } : {}) } };
}

/** The seed-004 test: 25 keep-alive clients, varied uploads, the server's peak and settled RSS. */
export async function runBloat(v: AllocVariant, script: string, requests: number, env: Record<string, string> = {}, settleMs: number = BLOAT.settleMs): Promise<BloatResult> {
  if (!v.runtime) throw new Error(`${v.id} is missing: ${v.missing}`);
  const child = spawn(v.runtime, [script], { env: { ...v.env, ...env, UV_THREADPOOL_SIZE: String(BLOAT.threadpool), NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`bloat server exited (${code}) before listening`)));
    });
    const pid = child.pid as number;
    const agent = new Agent({ keepAlive: true, maxSockets: BLOAT.clients });
    let next = 0;
    // Which body each request sends: a fixed pseudo-random sequence, the same for every variant.
    let pick = 1;
    const started = performance.now();
    const client = async () => {
      while (next < requests) {
        pick = (Math.imul(pick, 48271) >>> 0) % 0x7fffffff;
        const { body, headers } = upload(next++, pick);
        await new Promise<void>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers }, (res) => {
            if (res.statusCode !== 200) reject(new Error(`bloat server answered ${res.statusCode}`));
            res.resume();
            res.on('end', resolve);
          });
          req.on('error', reject);
          req.end(body);
        });
      }
    };
    await Promise.all(Array.from({ length: BLOAT.clients }, client));
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    // The load has stopped: what the allocator gives back (or keeps) shows in the settled RSS.
    await new Promise((r) => setTimeout(r, settleMs));
    const { rss, hwm } = rssKiB(pid);
    const heaps = v.id === 'glibc' ? parseGlibcHeaps(readFileSync(`/proc/${pid}/smaps`, 'utf8')) : undefined;
    return { requests, peakRssMiB: hwm / 1024, finalRssMiB: rss / 1024, seconds, heaps };
  } finally {
    child.kill('SIGKILL');
  }
}
