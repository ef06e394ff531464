import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AllocVariant,
  allocVariants,
  BLOAT,
  bloatBodies,
  bundleScript,
  DEBIAN_JEMALLOC,
  jemallocProof,
  parseGlibcHeaps,
  parseJemallocStats,
  parseWorkload,
  runBloat,
  runWorkload,
  staticAllocVariant,
} from '../../build/bench/alloc-run.ts';
import { barChart } from '../../build/bench/chart.ts';
import { cachedStaticRuntime, runtimeDir } from '../../build/runtime/static/verify.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { repoRoot, tempDir } from '../fixtures/context.ts';
import { DEFAULT_STATIC } from '../fixtures/line.ts';
import { itWhen, prerequisite, STRICT } from '../fixtures/skip.ts';

// The benchmark's harness, run small: every variant present here executes and its output parses.
// No timing is asserted; numbers belong to `npm run bench:alloc`.
let variants: AllocVariant[] = [];
let workload = '';
let server = '';
beforeAll(async () => {
  variants = await allocVariants(cacheRoot(), { info: () => {}, progress: () => {} });
  const dir = tempDir('alloc-bench');
  workload = await bundleScript(join(repoRoot, 'build/bench/alloc-workload.ts'), join(dir, 'workload.mjs'));
  server = await bundleScript(join(repoRoot, 'build/bench/alloc-server.ts'), join(dir, 'server.mjs'));
}, 120_000);

describe('bench:alloc harness', () => {
  // Present: an executable runtime and nothing missing. Absent: no runtime, and the one command that makes it.
  const MAKES = {
    glibc: undefined,
    'glibc+jemalloc': 'apt-get install libjemalloc2',
    musl: 'npm run runtime -- --allocator musl',
    'musl+jemalloc': 'npm run runtime -- --allocator jemalloc',
    'musl+mimalloc': 'npm run runtime -- --allocator mimalloc',
  } as const;
  it('lists all five variants; each is runnable or names the command that would make it', () => {
    expect(variants.map((v) => v.id)).toEqual(Object.keys(MAKES));
    for (const v of variants) {
      if (v.missing === undefined) {
        expect(v.runtime, v.id).toEqual(expect.any(String));
        expect(() => accessSync(v.runtime!, constants.X_OK), `${v.id}: ${v.runtime} is executable`).not.toThrow();
        if (v.id === 'glibc+jemalloc') expect(v.env.LD_PRELOAD).toSatisfy((p: string) => existsSync(p));
      } else {
        expect(v.missing, v.id).toBe(MAKES[v.id as keyof typeof MAKES]);
      }
    }
    // The official runtime is always there; CI installs libjemalloc2 (.ci/run) and restores the static jemalloc runtime.
    const present = variants.filter((v) => v.missing === undefined).map((v) => v.id);
    expect(present).toContain('glibc');
    if (STRICT) expect(present).toEqual(expect.arrayContaining(['glibc', 'glibc+jemalloc', 'musl+jemalloc']));
  });

  it('runs the workload on every present variant, single-threaded and with workers', async () => {
    const present = variants.filter((x) => x.runtime && !x.missing);
    expect(present.map((v) => v.id)).toContain('glibc');
    for (const v of present) {
      const single = await runWorkload(v, workload, 200, 0);
      const multi = await runWorkload(v, workload, 200, 2);
      expect(single, v.id).toMatchObject({ threads: 0, iterations: 200 });
      expect(multi, v.id).toMatchObject({ threads: 2, iterations: 200 });
      expect(single.ms).toBeGreaterThan(0);
    }
  });

  const libjemalloc = prerequisite('libjemalloc2', existsSync(DEBIAN_JEMALLOC) ? '' : `no ${DEBIAN_JEMALLOC} (apt-get install libjemalloc2; .ci/run installs it)`);
  itWhen(libjemalloc, "jemalloc's own statistics show the workload reaches the C allocator", async () => {
    const v = variants.find((x) => x.id === 'glibc+jemalloc')!;
    const stats = await jemallocProof(v, workload, 500);
    // Each iteration allocates at least one backing store; hashing, zlib and JSON add more.
    expect(stats).toBeDefined();
    expect(stats!.nrequests).toBeGreaterThan(500);
  });

  itWhen(libjemalloc, "the stats parser reads the real library's table: the total row is the small and large rows summed", async () => {
    const v = variants.find((x) => x.id === 'glibc+jemalloc')!;
    const r = await execa(v.runtime!, ['-e', 'Buffer.alloc(1 << 20); JSON.stringify({ a: [1, 2, 3] })'], { env: { ...v.env, MALLOC_CONF: 'stats_print:true', NODE_OPTIONS: '' }, extendEnv: false });
    expect(r.stderr).toContain('___ Begin jemalloc statistics ___');
    // allocated, nmalloc, (#/sec), ndalloc, (#/sec), nrequests, … as jemalloc 5.3 prints them under "Merged arenas stats:".
    const merged = r.stderr.slice(r.stderr.indexOf('Merged arenas stats:'));
    const row = (name: string) => (new RegExp(`^${name}:((?:\\s+\\d+)+)$`, 'm').exec(merged)?.[1] ?? '').trim().split(/\s+/).map(Number);
    const [small, large] = [row('small'), row('large')];
    expect(small.length).toBeGreaterThanOrEqual(6);
    expect(large.length).toBeGreaterThanOrEqual(6);
    const sum = (i: number) => (small[i] as number) + (large[i] as number);
    const parsed = parseJemallocStats(r.stderr);
    expect(parsed).toEqual({ allocatedBytes: sum(0), nmalloc: sum(1), nrequests: sum(5) });
    // Distinct columns, so a parser reading the wrong one could not pass: ndalloc differs from both.
    expect(parsed!.nrequests).toBeGreaterThan(parsed!.nmalloc);
    expect(parsed!.allocatedBytes).toBeGreaterThan(1 << 20);
  });

  it('adds a row per BENCH_MALLOC_CONF setting, on the jemalloc runtime, with that MALLOC_CONF', async () => {
    const { jemallocConfVariants } = await import('../../build/bench/alloc-run.ts');
    const base = { id: 'musl+jemalloc', label: 'x', runtime: '/rt/node', env: {}, stats: 'jemalloc' as const };
    const rows = jemallocConfVariants(base, 'background_thread:true;dirty_decay_ms:0,muzzy_decay_ms:0');
    expect(rows.map((r) => [r.id, r.runtime, r.env.MALLOC_CONF])).toEqual([
      ['musl+jemalloc[background_thread:true]', '/rt/node', 'background_thread:true'],
      ['musl+jemalloc[dirty_decay_ms:0,muzzy_decay_ms:0]', '/rt/node', 'dirty_decay_ms:0,muzzy_decay_ms:0'],
    ]);
    expect(jemallocConfVariants(base, undefined)).toEqual([]);
  });

  it('finds a re-linked static variant where `npm run runtime -- --allocator` publishes it', () => {
    const cache = tempDir('alloc-cache');
    expect(staticAllocVariant(cache, '22.22.2', 'mimalloc', 'musl+mimalloc', 'm')).toMatchObject({ runtime: undefined, missing: 'npm run runtime -- --allocator mimalloc' });
    const dir = runtimeDir(cache, '22.22.2', 'mimalloc', 'x64', 'full');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'node'), '');
    // No manifest yet: the runtime has not passed its checks, so it is still missing.
    expect(staticAllocVariant(cache, '22.22.2', 'mimalloc', 'musl+mimalloc', 'm').missing).toBeDefined();
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ kind: 'static', path: join(dir, 'node'), nodeVersion: '22.22.2', arch: 'x64' }));
    expect(staticAllocVariant(cache, '22.22.2', 'mimalloc', 'musl+mimalloc', 'm')).toMatchObject({ runtime: join(dir, 'node'), missing: undefined });
  });

  it('the bloat test runs its upload API and reports peak and settled RSS, and glibc heaps', async () => {
    // 60 requests and a short settle: the harness works; the load itself is npm run bench:alloc's.
    const glibc = variants.find((x) => x.id === 'glibc')!;
    const r = await runBloat(glibc, server, 60, {}, 200);
    expect(r.requests).toBe(60);
    expect(r.peakRssMiB).toBeGreaterThanOrEqual(r.finalRssMiB);
    expect(r.finalRssMiB).toBeGreaterThan(10);
    // UV_THREADPOOL_SIZE threads malloc'd: glibc gave some of them arenas of their own.
    expect(r.heaps?.arenas).toBeGreaterThan(1);
  });

  const staticJemalloc = prerequisite('the static musl+jemalloc runtime', cachedStaticRuntime(cacheRoot(), DEFAULT_STATIC, 'jemalloc') ? '' : 'not cached (npm run runtime; CI restores it)');
  itWhen(staticJemalloc, 'the bloat test runs on the static jemalloc runtime and reports its RSS, without glibc heaps', async () => {
    const jem = variants.find((x) => x.id === 'musl+jemalloc')!;
    expect(jem).toMatchObject({ runtime: expect.any(String), missing: undefined });
    const r = await runBloat(jem, server, 60, {}, 200);
    expect(r.requests).toBe(60);
    expect(r.peakRssMiB).toBeGreaterThanOrEqual(r.finalRssMiB);
    expect(r.finalRssMiB).toBeGreaterThan(10);
    expect(r.heaps).toBeUndefined();
  });

  it('bloat bodies are deterministic, within bounds and varied', () => {
    const a = bloatBodies(64, BLOAT.minBody, BLOAT.maxBody);
    const b = bloatBodies(64, BLOAT.minBody, BLOAT.maxBody);
    // Buffer.equals, not toEqual: a deep compare of 5 MB takes vitest tens of seconds.
    expect(a.every((x, i) => x.equals(b[i] as Buffer))).toBe(true);
    const sizes = a.map((b) => b.length);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(BLOAT.minBody);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(BLOAT.maxBody);
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeGreaterThan(50);
  });

  it("reads glibc's brk heap and 64 MiB-aligned arena heaps from smaps", () => {
    const smaps = [
      '55d0c0000000-55d0c4000000 rw-p 00000000 00:00 0                          [heap]',
      'Rss:               10240 kB',
      '7f3a08000000-7f3a0a000000 rw-p 00000000 00:00 0 ',
      'Rss:                2048 kB',
      '7f3a0a000000-7f3a0c000000 ---p 00000000 00:00 0 ',
      'Rss:                   0 kB',
      '7f3a0c021000-7f3a0c100000 rw-p 00000000 00:00 0 ',
      'Rss:                 512 kB',
      '7f3a10000000-7f3a10400000 r-xp 00000000 08:01 42                         /usr/lib/x86_64-linux-gnu/libc.so.6',
      'Rss:                1024 kB',
    ].join('\n');
    expect(parseGlibcHeaps(smaps)).toEqual({ brkMiB: 10, arenaMiB: 2, arenas: 1 });
  });

  it('parsers reject what they do not understand', () => {
    expect(() => parseWorkload('Segmentation fault')).toThrow();
    expect(parseJemallocStats('no stats here')).toBeUndefined();
    const sample = 'Merged arenas stats:\n                  allocated nmalloc (#/sec) ndalloc (#/sec) nrequests (#/sec)\nsmall: 1 2 2 3 3 4 4\nlarge: 5 6 6 7 7 8 8\ntotal: 100 200 200 150 150 900 900\n';
    expect(parseJemallocStats(sample)).toEqual({ allocatedBytes: 100, nmalloc: 200, nrequests: 900 });
  });

  it('draws a chart with a bar per present value and "missing" for the rest', () => {
    const svg = barChart(
      't',
      ['a', 'b'],
      [
        { label: 'glibc', values: [1, 1] },
        { label: 'musl', values: [null, 12.5] },
      ],
      '×',
    );
    expect(svg.startsWith('<svg')).toBe(true);
    // Bars start at the plot's left edge (x=300); legend swatches sit at x=10.
    expect(svg.match(/<rect x="300" /g)).toHaveLength(3);
    expect(svg).toContain('missing');
    expect(svg).toContain('12.50×');
  });
});
