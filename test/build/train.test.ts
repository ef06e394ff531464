// seal.train (build/steps/train.ts, build/project/trained-cache.ts): the code cache trained by running the program
// at build time, one cache per first argument, compiled by a loader in the blob.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { CACHE_ASSET, commandCacheAsset, commandWord, loaderSource, REJECTED, trainerSource, wrapBundle } from '../../build/project/trained-cache.ts';
import { repoRoot, runPack, runToolchain, tempDir, writeTree } from '../fixtures/context.ts';

/** Runs the loader's source with a fake node:sea, node:vm and node:fs: which assets it reads and what it compiles and runs. */
function loaderRun(caches: Record<string, string>, args: string[], rejected = false) {
  const read: string[] = [];
  const stderr: string[] = [];
  const compiled: { source: string; options: Record<string, unknown> }[] = [];
  const ran: unknown[][] = [];
  const modules: Record<string, unknown> = {
    'node:sea': {
      getRawAsset: (name: string) => {
        read.push(name);
        return new TextEncoder().encode(`bytes of ${name}`).buffer;
      },
    },
    'node:vm': {
      constants: { USE_MAIN_CONTEXT_DEFAULT_LOADER: 'main-loader' },
      Script: class {
        cachedDataRejected = rejected;
        constructor(source: string, options: Record<string, unknown>) {
          compiled.push({ source, options });
        }
        runInThisContext() {
          return (...given: unknown[]) => ran.push(given);
        }
      },
    },
    'node:fs': { writeSync: (fd: number, text: string) => stderr.push(`${fd}:${text}`) },
  };
  const process = { argv: ['/bin/tool', '/bin/tool', ...args], pid: 7 };
  const run = new Script(`(function (exports, require, module, __filename, __dirname, process, Buffer) {${loaderSource('tool.cjs', '(function () {})', caches)}\n})`).runInThisContext();
  run('exports', (id: string) => modules[id], 'module', '/bin/tool', '/bin', process, Buffer);
  const options = compiled[0]?.options ?? {};
  return { read, stderr, source: compiled[0]?.source, options, cache: Buffer.from(options.cachedData as Uint8Array).toString(), ran };
}

describe('the loader a trained blob starts with', () => {
  const caches = { stats: commandCacheAsset(0), 'db:migrate': commandCacheAsset(1) };

  it("compiles the bundle it holds with the cache of the start's command word, as Node's SEA names its main, and runs it with the SEA main's own arguments", () => {
    const r = loaderRun(caches, ['stats', 'a.brk']);
    expect(r.read).toEqual([commandCacheAsset(0)]);
    expect(r.cache).toBe(`bytes of ${commandCacheAsset(0)}`);
    expect(r.source).toBe('(function () {})');
    expect(r.options).toMatchObject({ filename: 'tool.cjs', lineOffset: -1, importModuleDynamically: 'main-loader' });
    expect(r.ran).toEqual([['exports', expect.any(Function), 'module', '/bin/tool', '/bin']]);
    expect(r.stderr).toEqual([]);
    expect(loaderRun(caches, ['db:migrate']).cache).toBe(`bytes of ${commandCacheAsset(1)}`);
  });

  it('any other start (an option or a file first, no arguments, a word no run trained, an Object property name) gets the default cache', () => {
    for (const args of [['--version'], ['a.txt'], [], ['record'], ['__proto__'], ['constructor'], ['toString', 'x']]) expect(loaderRun(caches, args).cache).toBe(`bytes of ${CACHE_ASSET}`);
    expect(loaderRun({}, ['stats']).cache).toBe(`bytes of ${CACHE_ASSET}`);
  });

  it("wraps the bundle as Node's CommonJS wrapper does, a hashbang line emptied and the lines kept", () => {
    const wrapped = wrapBundle('#!/usr/bin/env node\nmodule.exports = [__filename, require.length];');
    expect(wrapped.split('\n')).toEqual(['(function (exports, require, module, __filename, __dirname) {', '', 'module.exports = [__filename, require.length];', '})']);
    const module = { exports: null };
    new Script(wrapped).runInThisContext()({}, () => 0, module, '/bin/tool', '/bin');
    expect(module.exports).toEqual(['/bin/tool', 0]);
  });

  it('the loader and the trainer are sloppy ASCII scripts: a sloppy bundle parses in them, and an ASCII one stays external on the static runtime', () => {
    // Legacy octal and `with` are syntax errors in strict code: the function holding the bundle would not parse.
    const sloppy = wrapBundle('with (Math) module.exports = [PI > 3, 010];');
    for (const source of [loaderSource('tool.cjs', sloppy, { stats: commandCacheAsset(0) }), trainerSource('tool.cjs', sloppy)]) {
      expect(() => new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`)).not.toThrow();
      expect(source).toMatch(/^[\x00-\x7f]*$/);
    }
  });

  it('a command word is a first argument of letters, digits, -, _ and :, not an option or a path', () => {
    expect([['stats', 'x'], ['run-script'], ['db:migrate'], ['x2']].map(commandWord)).toEqual(['stats', 'run-script', 'db:migrate', 'x2']);
    expect([['--version'], ['-h'], ['a.txt'], ['./x'], ['/tmp/x'], [], ['']].map(commandWord)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('a cache V8 rejects is said on stderr at once, as Node says it, and the program still runs', () => {
    const r = loaderRun(caches, ['stats'], true);
    expect(r.stderr).toEqual([`2:(node:7) Warning: ${REJECTED}\n`]);
    expect(r.ran).toHaveLength(1);
  });
});

// A program with two commands and a server, and a bin that fails on purpose. `serve` stops on SIGTERM as a server should.
const PROGRAM = `const [cmd, ...rest] = process.argv.slice(2);
function sum(xs) { return xs.reduce((a, b) => a + Number(b), 0); }
function shout(s) { return s.toUpperCase() + '!'; }
if (cmd === 'sum') console.log(sum(rest));
else if (cmd === 'shout') console.log(shout(rest.join(' ')));
else if (cmd === 'read') console.log(require('node:fs').readFileSync(rest[0], 'utf8').trim());
else if (cmd === 'serve') {
  const server = require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', () => console.error('listening on ' + server.address().port));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else if (cmd === 'throw') {
  throw new Error('thrown on purpose');
} else console.log('${'1.0.0'}');
`;

function trainedProject(prefix: string, seal: object, code = PROGRAM): string {
  return writeTree(prefix, {
    'package.json': JSON.stringify({ name: 'trained', version: '1.0.0', bin: { trained: 'bin/cli.js' }, seal }),
    'bin/cli.js': code,
    'data.txt': 'from the project\n',
  });
}

const TRAIN = [{ args: ['--version'] }, { args: ['sum', '1', '2'] }, { args: ['sum', '3'] }, { args: ['read', '{root}/data.txt'] }, { args: ['serve'], stopWhen: '^listening on \\d+$' }];

function run(bin: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(bin, args, { encoding: 'utf8', env, timeout: 30_000 });
}

describe('pack with seal.train', () => {
  const dir = trainedProject('train', { train: TRAIN });
  let out = '';
  let log = '';
  let bin = '';
  beforeAll(() => {
    ({ out, log } = runPack(dir));
    bin = join(out, 'trained-1.0.0-linux-x64');
  }, 120_000);

  it('runs each training run, groups them by command word (the rest into the default cache), and says what it made', () => {
    expect(log).toMatch(/training run 1\/5 'sum 1 2': [\d.]+ s, its cache [\d.]+ KiB/);
    expect(log).toMatch(/training run 2\/5 'sum 3'/);
    expect(log).toMatch(/training run 3\/5 'read \{root\}\/data\.txt'/);
    expect(log).toMatch(/training run 4\/5 'serve'/);
    expect(log).toMatch(/training run 5\/5 '--version'/);
    expect(log).toMatch(/\] train ✓ [\d.]+ s {2}5 run\(s\); code caches \(KiB\): default \d+, sum \d+, read \d+, serve \d+/);
    expect(log).toMatch(/\] blob ✓ [\d.]+ s {2}[\d.]+ KiB, start-up: code-cache, trained on 5 run\(s\)/);
  });

  it('the binary answers as plain node does, trained command or not, and no cache is rejected (nothing on stderr)', () => {
    for (const args of [['sum', '4', '5'], ['shout', 'a', 'b'], ['read', join(dir, 'data.txt')], []]) {
      const expected = spawnSync(process.execPath, [join(dir, 'bin/cli.js'), ...args], { encoding: 'utf8' });
      const r = run(bin, args);
      expect([args, r.stdout, r.stderr, r.status]).toEqual([args, expected.stdout, '', 0]);
    }
  });

  it("caches V8 rejects (a flag that changes its flag hash) are said on stderr, Node's for the loader and the program's, and the program still runs", () => {
    const r = run(bin, ['sum', '1'], { NODE_OPTIONS: '--jitless' });
    expect(r.stdout).toBe('1\n');
    expect(r.stderr.match(/Warning: Code cache data rejected\./g)).toHaveLength(1);
    expect(r.stderr.split('\n').filter((l) => l.endsWith(REJECTED))).toHaveLength(1);
  });

  it("an error's stack names the bundle's file and line, as without training", () => {
    const untrained = runPack(trainedProject('untrained', {})).out;
    const frame = (b: string) => run(b, ['throw']).stderr.match(/\n\s+at .*\(?(trained\.cjs:\d+:\d+)\)?/)?.[1];
    expect(frame(bin)).toMatch(/^trained\.cjs:\d+:\d+$/);
    expect(frame(bin)).toBe(frame(join(untrained, 'trained-1.0.0-linux-x64')));
  }, 120_000);

  it('the manifest lists each cache, and a second pack gives identical bytes', () => {
    const inputs = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).artifacts['trained-1.0.0-linux-x64'].inputs;
    expect(inputs.map((i: { name: string; note?: string }) => [i.name, i.note ?? ''])).toEqual(
      expect.arrayContaining([
        ['code cache (seal-main.cache)', 'the default, trained by 1 run(s)'],
        ['code cache (seal-main.0.cache)', 'trained for "sum"'],
        ['code cache (seal-main.2.cache)', 'trained for "serve"'],
        ['SEA blob', 'start-up: code-cache, trained on 5 run(s)'],
      ]),
    );
    const again = runPack(dir).out;
    expect(readFileSync(join(again, 'SHA256SUMS'), 'utf8')).toBe(readFileSync(join(out, 'SHA256SUMS'), 'utf8'));
  }, 120_000);
});

describe('seal.train mistakes stop the build, naming the run and what to do', () => {
  const failing = (seal: object, code?: string) => runToolchain('pack', [trainedProject('train-broken', seal, code), '--runtime', 'official']);

  it('a run that fails: its exit and stderr', () => {
    const r = failing({ train: [{ args: ['throw'] }] });
    expect(r.status).toBe(1);
    expect(r.log).toMatch(/error: the training run 'throw' \(seal\.train\) failed \(exit 1\): a training run must succeed, or its cache would train the failure; its stderr:\n[\s\S]*Error: thrown on purpose/);
  }, 60_000);

  it('a run stopped by SIGTERM that does not handle it: the cache is written as the program exits', () => {
    const r = failing({ train: [{ args: ['wait'], stopWhen: 'ready' }] }, "console.log('ready'); setInterval(() => {}, 1000);\n");
    expect(r.status).toBe(1);
    expect(r.log).toMatch(
      /error: the training run 'wait' \(seal\.train\) was stopped when it printed a line matching \/ready\/ and ended by SIGTERM without exiting: the cache is written as the program exits, so it must handle SIGTERM and exit/,
    );
  }, 60_000);

  it('a program with top-level await (an ES module behind a launcher) is refused', () => {
    const dir = tempDir('train-tla');
    cpSync(join(repoRoot, 'test/fixtures/projects/tla'), dir, { recursive: true });
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, seal: { ...pkg.seal, train: [{ args: ['x'] }] } }));
    const r = runToolchain('pack', [dir, '--runtime', 'official']);
    expect(r.status).toBe(1);
    expect(r.log).toMatch(/error: seal\.train is set, but the program has top-level await: .* Leave seal\.train out/);
  }, 60_000);

  it('with every run under a command word, the default cache is the top level, as without training', () => {
    const r = runToolchain('pack', [trainedProject('train-words', { train: [{ args: ['sum', '1'] }] }), '--runtime', 'official']);
    expect(r.status, r.log).toBe(0);
    expect(r.log).toMatch(/\] train ✓ [\d.]+ s {2}1 run\(s\); code caches \(KiB\): default \d+ \(the top level\), sum \d+/);
    expect(run(join(r.out, 'trained-1.0.0-linux-x64'), ['shout', 'x'])).toMatchObject({ stdout: 'X!\n', stderr: '', status: 0 });
  }, 60_000);

  it('--no-train leaves the training out: the build says so and the blob is as without seal.train', () => {
    const r = runToolchain('pack', [trainedProject('train-off', { train: TRAIN }), '--runtime', 'official', '--no-train']);
    expect(r.status, r.log).toBe(0);
    expect(r.log).toMatch(/\] train ✓ [\d.]+ s {2}no training runs \(no seal\.train, or --no-train\): the code cache holds the bundle's top level/);
    expect(r.log).toMatch(/\] blob ✓ [\d.]+ s {2}[\d.]+ KiB, start-up: code-cache\n/);
  }, 60_000);

  it('--startup none leaves the training out and says why', () => {
    const r = runToolchain('pack', [trainedProject('train-none', { train: TRAIN }), '--runtime', 'official', '--startup', 'none']);
    expect(r.status, r.log).toBe(0);
    expect(r.log).toMatch(/\] train ✓ [\d.]+ s {2}skipped: start-up is "none" \(--startup\): there is no code cache to train/);
  }, 60_000);
});
