import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheRoot } from '../../build/cache.ts';
import { allocatorAnswers } from '../../build/runtime/static/allocator-proof.ts';
import { buildAllocator } from '../../build/runtime/static/allocator.ts';
import { elfFacts } from '../../build/runtime/static/elf-check.ts';
import { initialContext, runPipeline } from '../../build/runtime/static/pipeline.ts';
import { fetchSources } from '../../build/runtime/static/sources.ts';
import { prepareToolchain } from '../../build/runtime/static/toolchain.ts';

// Threads allocating and freeing: the workload the allocator choice is about.
const PROBE = `#include <thread>
#include <vector>
#include <string>
#include <cstdio>
int main() {
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; t++) ts.emplace_back([] {
    for (int i = 0; i < 20000; i++) { std::string s(64 + i % 512, 'x'); volatile char c = s[0]; (void)c; }
  });
  for (auto& t : ts) t.join();
  std::puts("probe ok");
}
`;

/**
 * The fast proof that always runs (a fresh CI included): the very toolchain and jemalloc the
 * runtime uses build a static C++ program in which jemalloc serves malloc. Cold, this fetches the
 * jemalloc source and builds it (~3 min); warm, it reuses the cache.
 */
describe('Zig toolchain + jemalloc', () => {
  it('builds static C++ programs whose malloc is jemalloc, mimalloc, or musl malloc without either', { timeout: 15 * 60_000 }, async () => {
    const ctx = await runPipeline(
      initialContext(
        { cacheDir: cacheRoot(), jobs: 2, allocator: 'jemalloc', sourceMode: 'official', report: () => {} },
        '22.22.2',
      ),
      [
        { name: 'sources', run: fetchSources },
        { name: 'toolchain', run: prepareToolchain },
        { name: 'allocator', run: buildAllocator },
      ],
    );
    // Zig runs from the cache, not from this checkout: a second checkout must hit the same Zig cache.
    expect(ctx.toolchain!.zig.startsWith(join(cacheRoot(), 'static'))).toBe(true);
    expect(readFileSync(ctx.toolchain!.cxx, 'utf8')).not.toContain(process.cwd());
    const archives = ctx.allocatorArchives!;
    expect(archives).toHaveLength(1);
    const dir = join(ctx.stageRoot, 'probe');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'probe.cc'), PROBE);
    const cxx = ctx.toolchain!.cxx;
    const common = ['-std=c++20', '-O2', '-pthread', '-static', '-Wl,--build-id', 'probe.cc'];
    execFileSync(cxx, [...common, '-Wl,--whole-archive', archives[0]!, '-Wl,--no-whole-archive', '-o', 'probe-jemalloc'], { cwd: dir });
    execFileSync(cxx, [...common, '-o', 'probe-musl'], { cwd: dir });

    for (const bin of ['probe-jemalloc', 'probe-musl']) {
      const path = join(dir, bin);
      expect(elfFacts(path)).toEqual({ interpreter: false, needed: [], note: true });
      expect(execFileSync('file', [path], { encoding: 'utf8' })).toMatch(/statically linked/);
      expect(spawnSync(path, { encoding: 'utf8', env: {} }).stdout).toBe('probe ok\n');
    }
    expect(allocatorAnswers(join(dir, 'probe-jemalloc'), [])).toBe('jemalloc');
    expect(allocatorAnswers(join(dir, 'probe-musl'), [])).toBeUndefined();

    // The other allocator option, from the same toolchain: mimalloc's one-file build.
    const mi = await buildAllocator({ ...ctx, options: { ...ctx.options, allocator: 'mimalloc' } });
    execFileSync(cxx, [...common, '-Wl,--whole-archive', mi.allocatorArchives![0]!, '-Wl,--no-whole-archive', '-o', 'probe-mimalloc'], { cwd: dir });
    expect(elfFacts(join(dir, 'probe-mimalloc'))).toEqual({ interpreter: false, needed: [], note: true });
    expect(allocatorAnswers(join(dir, 'probe-mimalloc'), [])).toBe('mimalloc');
  });
});
