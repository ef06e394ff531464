// Every bench reads its command line and BENCH_* numbers before it measures anything: --help prints what it does and
// exits 0, anything else exits 2 naming the word (a bench runs minutes and pauses a detached runtime build).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/context.ts';

const bench = (name: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', `build/bench/${name}.ts`, ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });

describe('bench arguments', () => {
  it.each(['build', 'broker', 'alloc', 'checksums', 'codecs', 'startup', 'fresh-clone', 'runtime'])('bench:%s --help says what it measures and exits 0', (name) => {
    const r = bench(name, ['--help']);
    expect([r.status, r.stdout.split('\n')[0]]).toEqual([0, expect.stringMatching(new RegExp(`^npm run bench:${name}\\b.* — `))]);
  });

  it('an unknown argument and a BENCH_RUNS that is not a whole number exit 2 naming them, before anything runs', () => {
    const bogus = bench('startup', ['--bogus']);
    expect([bogus.status, bogus.stderr.trim()]).toEqual([2, "error: unknown option '--bogus' for 'bench:startup'; its options are --help (see 'README.md, Benchmarks')"]);
    const runs = bench('codecs', [], { BENCH_RUNS: 'abc' });
    expect([runs.status, runs.stderr.trim()]).toEqual([2, "error: BENCH_RUNS must be a whole number from 1, got 'abc' (see 'README.md, Benchmarks')"]);
  });
});
