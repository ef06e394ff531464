import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkSmall } from '../../build/runtime/static/link.ts';
import { initialContext, runPipeline } from '../../build/runtime/static/pipeline.ts';
import { fetchSources } from '../../build/runtime/static/sources.ts';
import { prepareToolchain } from '../../build/runtime/static/toolchain.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';

// Two identical functions whose addresses are never taken, one nothing calls, and an exception
// thrown and caught: what the runtime's link and compile flags change, in miniature.
const PROBE = `#include <cstdio>
#include <stdexcept>
extern "C" __attribute__((noinline)) int triple_a(int x) { return x * 3 + 1; }
extern "C" __attribute__((noinline)) int triple_b(int x) { return x * 3 + 1; }
extern "C" int never_called(int x) { return x * 7 - 2; }
__attribute__((noinline)) void thrower(int x) { if (x > 0) throw std::runtime_error("thrown"); }
int main(int argc, char**) {
  try { thrower(argc); } catch (const std::exception& e) { std::printf("caught %s\\n", e.what()); }
  std::printf("%d\\n", triple_a(argc) + triple_b(argc));
}
`;

function symbols(path: string): Map<string, string> {
  const lines = execFileSync('nm', [path], { encoding: 'utf8' }).trim().split('\n');
  return new Map(lines.map((l) => l.split(' ')).map(([address, , name]) => [name!, address!]));
}

function sections(path: string): string {
  return execFileSync('readelf', ['-SW', path], { encoding: 'utf8' });
}

/**
 * The runtime's size levers, proven with the runtime's own toolchain on a small program: no unwind
 * tables where nothing can throw, yet exceptions still caught; lld's --gc-sections drops what
 * nothing calls and --icf=safe folds identical functions (zig's driver refuses --icf, so the link
 * runs again as zig's own ld.lld line). Warm, seconds; cold, the toolchain stage first.
 */
describe('the static runtime link: gc-sections, safe ICF, no unwind tables', () => {
  it('folds and drops functions in a static program that still catches its exception', { timeout: 15 * 60_000 }, async () => {
    const ctx = await runPipeline(initialContext({ cacheDir: cacheRoot(), arch: 'x64', jobs: 2, allocator: 'musl', intl: 'full', sourceMode: 'official', report: () => {} }, '22.22.2'), [
      { name: 'sources', run: fetchSources },
      { name: 'toolchain', run: prepareToolchain },
    ]);
    const toolchain = ctx.toolchain!;
    const dir = join(ctx.stageRoot, 'probe-link-small');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'probe.cc'), PROBE);
    writeFileSync(join(dir, 'plain.c'), 'int add(int a, int b) { return a + b; }\n');
    const log = join(dir, 'link.log');

    // C cannot throw: its object carries no unwind table at all.
    execFileSync(toolchain.cc, ['-O2', '-c', 'plain.c', '-o', 'plain.o'], { cwd: dir });
    expect(sections(join(dir, 'plain.o'))).not.toContain('.eh_frame');

    // Compiled as V8 is, depfile included (zig's cached compile, without one, writes an address-
    // significance table lld cannot read: sh_link 0, so nothing of that object is folded); linked as
    // Node's ninja links (no -O, so zig passes lld no --gc-sections).
    execFileSync(toolchain.cxx, ['-std=c++20', '-O2', '-ffunction-sections', '-MD', '-MF', 'probe.d', '-c', 'probe.cc', '-o', 'probe.o'], { cwd: dir });
    const link = `${toolchain.cxx} -static probe.o -o`;
    execFileSync('sh', ['-c', `${link} probe-plain`], { cwd: dir });
    const output = join(dir, 'probe-small');
    await linkSmall(toolchain.zig, `${link} ${output}`, output, { cwd: dir, log });

    for (const bin of ['probe-plain', 'probe-small']) {
      expect(spawnSync(join(dir, bin), { encoding: 'utf8', env: {} }).stdout).toBe('caught thrown\n8\n');
    }
    const plain = symbols(join(dir, 'probe-plain'));
    const small = symbols(join(dir, 'probe-small'));
    expect(plain.get('triple_a')).not.toBe(plain.get('triple_b'));
    expect(plain.has('never_called')).toBe(true);
    expect(small.get('triple_a')).toBe(small.get('triple_b'));
    expect(small.has('never_called')).toBe(false);
  });
});
