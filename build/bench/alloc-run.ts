import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import { execa } from 'execa';
import type { Logger } from '../context.ts';
import { officialRuntime } from '../runtime/official.ts';
import type { Allocator } from '../runtime/static/context.ts';
import { cachedStaticRuntime } from '../runtime/static/verify.ts';

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

const DEBIAN_JEMALLOC = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';

/** Every variant of the seed's table on the pinned Node version, present or listed as missing. */
export async function allocVariants(root: string, cacheDir: string, log: Logger): Promise<AllocVariant[]> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { broker: { nodeVersion: string; runtimeIntegrity: { x64: string } } };
  const v = pkg.broker.nodeVersion;
  const official = await officialRuntime({ nodeVersion: v, arch: 'x64', cacheDir, log, integrity: pkg.broker.runtimeIntegrity.x64 });
  const staticVariant = (allocator: Allocator, id: string, label: string): AllocVariant => {
    const rt = cachedStaticRuntime(cacheDir, v, allocator);
    return { id, label, runtime: rt?.path, env: {}, missing: rt ? undefined : `npm run runtime -- --allocator ${allocator}`, stats: allocator === 'jemalloc' ? 'jemalloc' : undefined };
  };
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
    staticVariant('mimalloc', 'musl+mimalloc', 'static musl + mimalloc'),
  ];
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

export interface BloatResult {
  requests: number;
  peakRssMiB: number;
  finalRssMiB: number;
  seconds: number;
}

const BODY_SIZES = [1024, 8192, 65536, 262144, 16384, 131072, 4096, 32768];

/** The seed-004 test: 25 keep-alive clients, varied bodies, the server's peak and settled RSS. */
export async function runBloat(v: AllocVariant, script: string, requests: number, env: Record<string, string> = {}): Promise<BloatResult> {
  if (!v.runtime) throw new Error(`${v.id} is missing: ${v.missing}`);
  const child = spawn(v.runtime, [script], { env: { ...v.env, ...env, UV_THREADPOOL_SIZE: '8', NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`bloat server exited (${code}) before listening`)));
    });
    const pid = child.pid as number;
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssKiB(pid).hwm);
    }, 50);
    const agent = new Agent({ keepAlive: true, maxSockets: 25 });
    const bodies = BODY_SIZES.map((n, i) => Buffer.alloc(n, 97 + i));
    let next = 0;
    const started = performance.now();
    const client = async () => {
      while (next < requests) {
        const body = bodies[next++ % bodies.length] as Buffer;
        await new Promise<void>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { 'content-length': body.length } }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          req.on('error', reject);
          req.end(body);
        });
      }
    };
    await Promise.all(Array.from({ length: 25 }, client));
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    // Let the server settle (freed memory returned or not) before reading its final RSS.
    await new Promise((r) => setTimeout(r, 1000));
    clearInterval(sampler);
    const { rss, hwm } = rssKiB(pid);
    return { requests, peakRssMiB: Math.max(peak, hwm) / 1024, finalRssMiB: rss / 1024, seconds };
  } finally {
    child.kill('SIGKILL');
  }
}
