import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cacheRoot } from '../../build/cache.ts';
import { allocVariants, bundleScript, jemallocProof, parseJemallocStats, parseWorkload, runBloat, runWorkload, type AllocVariant } from '../../build/bench/alloc-run.ts';
import { barChart } from '../../build/bench/chart.ts';
import { repoRoot, tempDir } from '../fixtures/context.ts';

// The benchmark's harness, run small: every variant present here executes and its output parses.
// No timing is asserted; numbers belong to `npm run bench:alloc`.
let variants: AllocVariant[] = [];
let workload = '';
let server = '';
beforeAll(async () => {
  variants = await allocVariants(repoRoot, cacheRoot(), { info: () => {}, progress: () => {} });
  const dir = tempDir('alloc-bench');
  workload = await bundleScript(join(repoRoot, 'build/bench/alloc-workload.ts'), join(dir, 'workload.mjs'));
  server = await bundleScript(join(repoRoot, 'build/bench/alloc-server.ts'), join(dir, 'server.mjs'));
}, 120_000);

describe('bench:alloc harness', () => {
  it('lists all five variants; each is runnable or names the command that would make it', () => {
    expect(variants.map((v) => v.id)).toEqual(['glibc', 'glibc+jemalloc', 'musl', 'musl+jemalloc', 'musl+mimalloc']);
    for (const v of variants) expect(v.runtime !== undefined && !v.missing ? v.runtime : v.missing, v.id).toBeTruthy();
  });

  it('runs the workload on every present variant, single-threaded and with workers', async () => {
    for (const v of variants.filter((x) => x.runtime && !x.missing)) {
      const single = await runWorkload(v, workload, 200, 0);
      const multi = await runWorkload(v, workload, 200, 2);
      expect(single, v.id).toMatchObject({ threads: 0, iterations: 200 });
      expect(multi, v.id).toMatchObject({ threads: 2, iterations: 200 });
      expect(single.ms).toBeGreaterThan(0);
    }
  });

  const jemalloc = existsSync('/usr/lib/x86_64-linux-gnu/libjemalloc.so.2');
  it.skipIf(!jemalloc)(`jemalloc's own statistics show the workload reaches the C allocator${jemalloc ? '' : ' (SKIPPED: apt-get install libjemalloc2)'}`, async () => {
    const v = variants.find((x) => x.id === 'glibc+jemalloc')!;
    const stats = await jemallocProof(v, workload, 500);
    // Each iteration allocates at least one backing store; hashing, zlib and JSON add more.
    expect(stats?.nrequests).toBeGreaterThan(500);
  });

  it('the bloat test reports peak and settled RSS of the server', async () => {
    const r = await runBloat(variants[0]!, server, 60);
    expect(r.requests).toBe(60);
    expect(r.peakRssMiB).toBeGreaterThanOrEqual(r.finalRssMiB);
    expect(r.finalRssMiB).toBeGreaterThan(10);
  });

  it('parsers reject what they do not understand', () => {
    expect(() => parseWorkload('Segmentation fault')).toThrow();
    expect(parseJemallocStats('no stats here')).toBeUndefined();
    const sample = 'Merged arenas stats:\n                  allocated nmalloc (#/sec) ndalloc (#/sec) nrequests (#/sec)\nsmall: 1 2 2 3 3 4 4\nlarge: 5 6 6 7 7 8 8\ntotal: 100 200 200 150 150 900 900\n';
    expect(parseJemallocStats(sample)).toEqual({ allocatedBytes: 100, nmalloc: 200, nrequests: 900 });
  });

  it('draws a chart with a bar per present value and "missing" for the rest', () => {
    const svg = barChart('t', ['a', 'b'], [{ label: 'glibc', values: [1, 1] }, { label: 'musl', values: [null, 12.5] }], '×');
    expect(svg.startsWith('<svg')).toBe(true);
    // Bars start at the plot's left edge (x=300); legend swatches sit at x=10.
    expect(svg.match(/<rect x="300" /g)).toHaveLength(3);
    expect(svg).toContain('missing');
    expect(svg).toContain('12.50×');
  });
});
