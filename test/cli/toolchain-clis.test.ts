// The toolchain's CLIs (dist/inspect/wasm, matrix, runtime) refuse unknown subcommands, unknown options and bad
// values with exit 2 and one line naming them, before doing anything: `runtime pack`, when pack was no command yet, once started a full build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../fixtures/context.ts';

function run(script: string, ...args: string[]) {
  // A cache of its own: should a check ever let the command through, it works nowhere that matters.
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, BROKER_CACHE: tempDir('cli-cache') },
  });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
}

describe('toolchain CLIs: usage errors exit 2 naming the word, what is allowed and the help', () => {
  const cases: [string, string[], RegExp][] = [
    ['build/cli.ts', ['pakc'], /^error: unknown command 'pakc'; the commands are pack, dist, toolchain-package, inspect, stack, wasm \(see 'tsx build\/cli\.ts --help'\)$/],
    ['build/cli.ts', ['--frob'], /^error: unknown option '--frob'; the commands are pack, dist, toolchain-package, inspect, stack, wasm/],
    [
      'build/cli.ts',
      ['dist', '--bogus'],
      /^error: unknown option '--bogus' for 'dist'; its options are --runtime, --arch, --node, --startup, --intl, --pointer-compression, --no-train, --out, --runtime-source, --build-runtime, --help \(see 'npm run dist -- --help'\)$/,
    ],
    ['build/cli.ts', ['dist', '--startup', 'bytecode'], /^error: --startup must be code-cache, snapshot or none, got 'bytecode' \(see 'npm run dist -- --help'\)$/],
    ['build/cli.ts', ['pack', 'a', 'b'], /^error: pack takes at most one DIR, got 2 \(see 'npm run pack -- --help'\)$/],
    ['build/cli.ts', ['dist', '--arch', 'ia64'], /^error: --arch must be x64 or arm64, got 'ia64' \(see 'npm run dist -- --help'\)$/],
    ['build/cli.ts', ['dist', '--runtime-source', 'ftp'], /^error: --runtime-source must be npm or nodejs\.org, got 'ftp'/],
    ['build/cli.ts', ['dist', 'extra'], /^error: unexpected argument 'extra' for 'dist'/],
    ['build/cli.ts', ['wasm', 'extra'], /^error: unexpected argument 'extra' for 'wasm'/],
    ['build/cli.ts', ['inspect'], /^error: inspect takes exactly one FILE, got 0 \(see 'npm run inspect -- --help'\)$/],
    ['docker/cli.ts', ['a.out', '--bogus'], /^error: unknown option '--bogus' for 'matrix'; its options are --json, --timeout, /],
    ['docker/cli.ts', ['a.out', '--images', 'cloud'], /^error: --images must be auto, online or offline, got 'cloud' \(see 'npm run matrix -- --help'\)/],
    ['docker/cli.ts', ['a.out', '--backend', 'podman'], /^error: --backend must be auto, docker or chroot, got 'podman'/],
    ['docker/cli.ts', ['a.out', '--emulation', 'x'], /^error: --emulation must be auto, binfmt or in-root, got 'x'/],
    ['docker/cli.ts', ['a.out', '--timeout', 'soon'], /^error: --timeout must be a duration .* got 'soon'/],
    ['docker/cli.ts', ['a.out', '--only', 'musl,alpine'], /^error: --only must be .*, or a comma list of them, got 'alpine' in 'musl,alpine'/],
    ['build/runtime/static/cli.ts', ['pakc'], /^error: unknown command 'pakc' for 'runtime'; the commands are status, times, key, prune, pack, publish \(see 'npm run runtime -- --help'\)$/],
    ['build/runtime/static/cli.ts', ['--bogus'], /^error: unknown option '--bogus' for 'runtime'; its options are --jobs, --allocator, /],
    ['build/runtime/static/cli.ts', ['status', 'extra'], /^error: unexpected argument 'extra' for 'runtime'/],
    ['build/runtime/static/cli.ts', ['--allocator', 'jemalloc,tcmalloc'], /^error: --allocator must be jemalloc, mimalloc or musl, or a comma list of them, or 'all', got 'tcmalloc' in 'jemalloc,tcmalloc'/],
    ['build/runtime/static/cli.ts', ['key', '--allocator', 'tcmalloc'], /^error: --allocator must be .* got 'tcmalloc'/],
    ['build/runtime/static/cli.ts', ['key', '--allocator', 'all'], /^error: key takes one --allocator/],
    ['build/runtime/static/cli.ts', ['key', '--source', 'git'], /^error: --source must be distribution or official, got 'git'/],
    ['build/runtime/static/cli.ts', ['times', '--intl', 'huge'], /^error: --intl must be full, small or none, got 'huge'/],
    ['build/runtime/static/cli.ts', ['--arch', 'riscv64'], /^error: --arch must be x64 or arm64, got 'riscv64'/],
    ['build/runtime/static/cli.ts', ['--jobs', 'many'], /^error: --jobs must be an integer from 1 to 1024, got 'many'/],
    ['build/parity/cli.ts', ['intl', '--areas', 'http', '--jobs', '4'], /^error: --areas, --jobs are options of node-tests, not intl \(see 'npm run parity -- --help'\)$/],
    ['build/parity/cli.ts', ['node-tests', '--areas', 'htp'], /^error: --areas must be .* got 'htp'/],
    // An option the command does not use: --out on a build started hours of compile and wrote nowhere asked.
    ['build/runtime/static/cli.ts', ['--out', '/tmp/x'], /^error: --out is not an option of a build, whose options are --jobs, /],
    ['build/runtime/static/cli.ts', ['status', '--yes', '--until', 'link'], /^error: --yes, --until are not options of 'status', whose options are --arch \(see 'npm run runtime -- --help'\)$/],
    ['build/runtime/static/cli.ts', ['--jobs', 'abc', '--jobs', '2'], /^error: --jobs is given 2 times \('abc', '2'\); give it once/],
    // Checked before --detach forks: the mistake would otherwise show only in the detached build's log.
    ['build/runtime/static/cli.ts', ['--until', 'bogus', '--detach'], /^error: --until must be a stage of this build, one of sources, toolchain, .*; got 'bogus'/],
    ['build/runtime/static/cli.ts', ['--tarball', 'node.tar.xz'], /^error: --tarball is a file of the official source: it goes with --source official/],
    ['build/runtime/static/cli.ts', ['--source', 'official', '--shasums', '/nonexistent/SHASUMS256.txt'], /^error: --shasums \/nonexistent\/SHASUMS256\.txt: no such file/],
    ['build/cli.ts', ['dist', '--runtime', 'stattic'], /^error: --runtime must be auto, official, static or the path of a Node binary, got 'stattic' \(no file .*\/stattic\)/],
    ['build/cli.ts', ['dist', '--runtime', 'official', '--build-runtime'], /^error: --build-runtime builds a static runtime when none is cached: it goes with --runtime static/],
    ['build/cli.ts', ['dist', '--out', 'package.json'], /^error: --out .*\/package\.json is a file: give a directory/],
  ];
  for (const [script, args, message] of cases) {
    it(`${script} ${args.join(' ')}`, () => {
      const r = run(script, ...args);
      expect(r.err.split('\n')[0]).toMatch(message);
      expect(r.code).toBe(2);
    });
  }

  it('runtime --help answers even beside a mistake', () => {
    const r = run('build/runtime/static/cli.ts', 'pakc', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^npm run runtime -- /);
  });
});

describe('runtime: the build host is checked before anything is fetched', () => {
  // No program on PATH at all: every host tool is missing. The build (and --detach, in the foreground)
  // must stop on that one line, naming the packages, before the sources stage downloads anything.
  for (const args of [
    ['--until', 'sources'],
    ['--until', 'sources', '--detach'],
  ]) {
    it(`runtime ${args.join(' ')} with no host programs: exit 1, the packages named, nothing fetched`, () => {
      const cache = tempDir('cli-host-cache');
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'build/runtime/static/cli.ts', ...args], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, PATH: tempDir('empty-path'), BROKER_CACHE: cache },
      });
      expect(r.stderr.trim()).toMatch(/^error: missing host programs: make, ccache, cmake, ninja, .* — install with: apt-get install -y make ccache cmake ninja-build /);
      expect(r.status).toBe(1);
      expect(existsSync(join(cache, 'sources'))).toBe(false);
      expect(existsSync(join(cache, 'static', 'runtime-build.pid'))).toBe(false);
    });
  }
});
