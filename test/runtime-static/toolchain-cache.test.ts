import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialContext, runPipeline } from '../../build/runtime/static/pipeline.ts';
import { fetchSources } from '../../build/runtime/static/sources.ts';
import { prepareToolchain } from '../../build/runtime/static/toolchain.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';

/**
 * A warm rebuild is only fast if the compiles ninja runs are cached. ninja asks every object for a
 * depfile (-MMD -MF), which makes Zig skip its own cache; the ccache in front must hit anyway and
 * give ninja its depfile back.
 */
describe('compile cache', () => {
  it('a repeated ninja-style compile (-MMD -MF) is a cache hit that restores object and depfile', { timeout: 5 * 60_000 }, async () => {
    const ctx = await runPipeline(initialContext({ cacheDir: cacheRoot(), arch: 'x64', jobs: 2, allocator: 'jemalloc', intl: 'full', sourceMode: 'official', report: () => {} }, '22.22.2'), [
      { name: 'sources', run: fetchSources },
      { name: 'toolchain', run: prepareToolchain },
    ]);
    const dir = join(ctx.stageRoot, 'probe-ccache');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // Fresh content each run: the first compile must miss.
    const token = `${process.pid}_${Date.now()}`;
    writeFileSync(join(dir, 'own.h'), `inline int token() { return ${token.length}; }\n`);
    writeFileSync(join(dir, 'unit.cc'), `#include <string>\n#include "own.h"\nint f_${token}() { return std::string("x").size() + token(); }\n`);
    const log = join(dir, 'ccache.log');
    const compile = () =>
      execFileSync(ctx.toolchain!.cxx, ['-MMD', '-MF', 'unit.o.d', '-std=c++20', '-O2', '-c', 'unit.cc', '-o', 'unit.o'], {
        cwd: dir,
        env: { ...process.env, CCACHE_LOGFILE: log },
      });

    compile();
    const first = readFileSync(join(dir, 'unit.o'));
    rmSync(join(dir, 'unit.o'));
    rmSync(join(dir, 'unit.o.d'));
    compile();

    const results = [...readFileSync(log, 'utf8').matchAll(/Result: (\w+)/g)].map((m) => m[1]);
    // ccache logs several Result lines per call: one miss (first call), then a direct hit.
    expect(results.filter((r) => r === 'cache_miss')).toHaveLength(1);
    expect(results).toContain('direct_cache_hit');
    expect(readFileSync(join(dir, 'unit.o')).equals(first)).toBe(true);
    // The depfile names our header (not the toolchain's system headers, as -MMD asks).
    expect(existsSync(join(dir, 'unit.o.d'))).toBe(true);
    const deps = readFileSync(join(dir, 'unit.o.d'), 'utf8');
    expect(deps).toMatch(/^unit\.o:/);
    expect(deps).toContain('own.h');
    expect(deps).not.toContain('libcxx');
  });
});
