import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAllocator, JEMALLOC_CONF } from '../../build/runtime/static/allocator.ts';
import { allocatorAnswers, jemallocBuiltInConf } from '../../build/runtime/static/allocator-proof.ts';
import { elfFacts, loadAlignment } from '../../build/runtime/static/elf-check.ts';
import { pageSizeProblem } from '../../build/runtime/static/page-size.ts';
import { initialContext, runPipeline } from '../../build/runtime/static/pipeline.ts';
import { fetchSources } from '../../build/runtime/static/sources.ts';
import { STATIC_TARGETS } from '../../build/runtime/static/target.ts';
import { targetExecutionProblem } from '../../build/runtime/static/target-exec.ts';
import { prepareToolchain } from '../../build/runtime/static/toolchain.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { missingHostPrograms } from '../../shared/toolchain/host-programs.ts';
import { describeWhen, prerequisite } from '../fixtures/skip.ts';

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
    const ctx = await runPipeline(initialContext({ cacheDir: cacheRoot(), arch: 'x64', jobs: 2, allocator: 'jemalloc', intl: 'full', sourceMode: 'official', report: () => {} }, '22.22.2'), [
      { name: 'sources', run: fetchSources },
      { name: 'toolchain', run: prepareToolchain },
      { name: 'allocator', run: buildAllocator },
    ]);
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
      expect(elfFacts(path)).toEqual({ machine: STATIC_TARGETS.x64.elfMachine, interpreter: false, needed: [], note: true });
      expect(execFileSync('file', [path], { encoding: 'utf8' })).toMatch(/statically linked/);
      expect(spawnSync(path, { encoding: 'utf8', env: {} }).stdout).toBe('probe ok\n');
    }
    expect(allocatorAnswers(join(dir, 'probe-jemalloc'), [])).toBe('jemalloc');
    expect(jemallocBuiltInConf(join(dir, 'probe-jemalloc'), [])).toBe(JEMALLOC_CONF);
    expect(allocatorAnswers(join(dir, 'probe-musl'), [])).toBeUndefined();

    // The other allocator option, from the same toolchain: mimalloc's one-file build.
    const mi = { ...ctx, toolchain: ctx.toolchain!, options: { ...ctx.options, allocator: 'mimalloc' as const } };
    await buildAllocator(mi);
    execFileSync(cxx, [...common, '-Wl,--whole-archive', mi.allocatorArchives![0]!, '-Wl,--no-whole-archive', '-o', 'probe-mimalloc'], { cwd: dir });
    expect(elfFacts(join(dir, 'probe-mimalloc'))).toEqual({ machine: STATIC_TARGETS.x64.elfMachine, interpreter: false, needed: [], note: true });
    expect(allocatorAnswers(join(dir, 'probe-mimalloc'), [])).toBe('mimalloc');
  });
});

const arm64 = STATIC_TARGETS.arm64;
const qemuMissing = missingHostPrograms({ [`${arm64.qemu}-static`]: 'qemu-user-static' }).length > 0;
const AARCH64_SKIP = targetExecutionProblem(arm64) ?? (qemuMissing ? `${arm64.qemu}-static is not installed (apt-get install -y qemu-user-static)` : undefined);

/**
 * The arm64 runtime's first stages, proven on this host: the aarch64-linux-musl toolchain and its
 * jemalloc build a static program that runs under qemu via binfmt_misc (as torque and mksnapshot
 * will), jemalloc serves its malloc, and it starts on 4K, 16K and 64K pages (qemu -p).
 */
describeWhen(prerequisite('linux-arm64 programs running here through qemu-user', AARCH64_SKIP), 'aarch64 toolchain + jemalloc under qemu', () => {
  it('builds static aarch64 programs whose malloc is jemalloc, running on 4K, 16K and 64K pages', { timeout: 20 * 60_000 }, async () => {
    const ctx = await runPipeline(initialContext({ cacheDir: cacheRoot(), arch: 'arm64', jobs: 2, allocator: 'jemalloc', intl: 'full', sourceMode: 'official', report: () => {} }, '22.22.2'), [
      { name: 'sources', run: fetchSources },
      { name: 'toolchain', run: prepareToolchain },
      { name: 'allocator', run: buildAllocator },
    ]);
    const dir = join(ctx.stageRoot, 'probe-arm64');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'probe.cc'), PROBE);
    const cxx = ctx.toolchain!.cxx;
    const common = ['-std=c++20', '-O2', '-pthread', '-static', '-Wl,--build-id', 'probe.cc'];
    execFileSync(cxx, [...common, '-Wl,--whole-archive', ctx.allocatorArchives![0]!, '-Wl,--no-whole-archive', '-o', 'probe-jemalloc'], { cwd: dir });
    execFileSync(cxx, [...common, '-o', 'probe-musl'], { cwd: dir });

    for (const bin of ['probe-jemalloc', 'probe-musl']) {
      const path = join(dir, bin);
      expect(elfFacts(path)).toEqual({ machine: 'AArch64', interpreter: false, needed: [], note: true });
      // Zig's lld aligns aarch64 LOAD segments to 64K: a 64K-page kernel can map the binary.
      expect(loadAlignment(path)).toBeGreaterThanOrEqual(65536);
      expect(execFileSync('file', [path], { encoding: 'utf8' })).toMatch(/ARM aarch64.*statically linked/);
      // Executed by path: the kernel hands it to qemu-aarch64 through binfmt_misc.
      expect(spawnSync(path, { encoding: 'utf8', env: {} }).stdout).toBe('probe ok\n');
    }
    expect(allocatorAnswers(join(dir, 'probe-jemalloc'), [])).toBe('jemalloc');
    expect(jemallocBuiltInConf(join(dir, 'probe-jemalloc'), [])).toBe(JEMALLOC_CONF);
    expect(allocatorAnswers(join(dir, 'probe-musl'), [])).toBeUndefined();
    expect(pageSizeProblem(arm64, join(dir, 'probe-jemalloc'), [])).toBeUndefined();
    // The page check has teeth: a program that, like a jemalloc built for 16K, refuses 64K pages.
    writeFileSync(join(dir, 'small-pages.c'), '#include <unistd.h>\nint main(void) { return getpagesize() > 16384; }\n');
    execFileSync(ctx.toolchain!.cc, ['-O2', '-static', 'small-pages.c', '-o', 'small-pages'], { cwd: dir });
    expect(pageSizeProblem(arm64, join(dir, 'small-pages'), [])).toMatch(/fails on 64K pages/);
  });
});
