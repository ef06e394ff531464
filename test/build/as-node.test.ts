// The binary started as node by its own program (build/project/prelude/as-node.cjs): fork(script), spawn and
// spawnSync of process.execPath with a script, -e/-p code and node options give what they give under node.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cachedStaticRuntime } from '../../build/runtime/static/verify.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { repoRoot, runPack } from '../fixtures/context.ts';
import { DEFAULT_STATIC } from '../fixtures/line.ts';
import { describeWhen, prerequisite } from '../fixtures/skip.ts';

const require = createRequire(import.meta.url);
const { readNodeArgv, asNodeOptions } = require('../../build/project/prelude/node-argv.cjs') as {
  readNodeArgv: (tokens: string[]) => { options: string[]; script?: string; code?: string; print: boolean; args: string[] };
  asNodeOptions: (options: string[]) => string;
};

describe("node's command line, read as node reads it", () => {
  it.each([
    [['app.js', '-e', 'x'], { options: [], script: 'app.js', code: undefined, print: false, args: ['-e', 'x'] }],
    [['--require', 'pre.js', '--no-warnings', 'app.js', 'a'], { options: ['--require', 'pre.js', '--no-warnings'], script: 'app.js', code: undefined, print: false, args: ['a'] }],
    [['-r=pre.js', '--max-old-space-size=64', 'app.js'], { options: ['-r=pre.js', '--max-old-space-size=64'], script: 'app.js', code: undefined, print: false, args: [] }],
    [['-e', 'code', 'a', 'b'], { options: [], script: undefined, code: 'code', print: false, args: ['a', 'b'] }],
    [['--eval=code', '--', '--x', 'y'], { options: [], script: undefined, code: 'code', print: false, args: ['--x', 'y'] }],
    [['-p', '6 * 7'], { options: [], script: undefined, code: '6 * 7', print: true, args: [] }],
    [['-p', '-e', 'code', 'a'], { options: [], script: undefined, code: 'code', print: true, args: ['a'] }],
    [['-pe', 'code'], { options: [], script: undefined, code: 'code', print: true, args: [] }],
    [['--', '-not-an-option.js', 'a'], { options: [], script: '-not-an-option.js', code: undefined, print: false, args: ['a'] }],
    [['--inspect'], { options: ['--inspect'], script: undefined, code: undefined, print: false, args: [] }],
    [['-', 'a'], { options: [], script: '-', code: undefined, print: false, args: ['a'] }],
  ])('%j', (tokens, expected) => {
    expect(readNodeArgv(tokens)).toEqual(expected);
  });

  it('quotes what NODE_OPTIONS would split', () => {
    expect(asNodeOptions(['--require', '/a b/pre.js', '--title=say "hi"', '--no-warnings'])).toBe('--require "/a b/pre.js" "--title=say \\"hi\\"" --no-warnings');
  });
});

const project = join(repoRoot, 'test/fixtures/projects/as-node');
const BIN = 'as-node-fixture-1.2.3-linux-x64';
const COMMANDS = ['probe', 'script', 'eval', 'self', 'other', 'module', 'esm', 'fork', 'spawn', 'v8options', 'lookup'];

/** What plain node prints for a command, with the option the binary is built with (seal.nodeOptions) given to node too. */
const underNode = (command: string, env: NodeJS.ProcessEnv = process.env) => execFileSync(process.execPath, ['--stack-trace-limit=25', join(project, 'bin/main.js'), command], { encoding: 'utf8', env });

function behavesAsNode(runtime: 'official' | 'static') {
  let bin = '';
  beforeAll(() => {
    const r = runPack(project, ['--runtime', runtime]);
    bin = join(r.out, runtime === 'static' ? BIN.replace(/$/, '-static') : BIN);
  }, 180_000);

  it.each(COMMANDS)('%s prints what it prints under node', (command) => {
    const r = spawnSync(bin, ['as-node-main', command], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(underNode(command));
  });

  it("node's options go to the child through NODE_OPTIONS, which it then sees (and passes on) as the parent had it", () => {
    const env = { ...process.env, NODE_OPTIONS: '--no-deprecation' };
    for (const command of ['script', 'fork']) {
      const r = spawnSync(bin, ['as-node-main', command], { encoding: 'utf8', timeout: 30_000, env });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(underNode(command, env));
    }
  });

  it('a script on the disk named as node finds a main module (no extension, a directory) runs as under node, not the program again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'as-node-disk-'));
    try {
      writeFileSync(join(dir, 'ext.js'), 'console.log(`ext ${process.argv.slice(2)}; main ${require.main === module}`);');
      mkdirSync(join(dir, 'pkgdir'));
      writeFileSync(join(dir, 'pkgdir/index.js'), 'console.log(`pkgdir ${process.argv.slice(2)}`);');
      const env = { ...process.env, AS_NODE_DISK: dir };
      const r = spawnSync(bin, ['as-node-main', 'lookup'], { encoding: 'utf8', timeout: 30_000, env });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(underNode('lookup', env));
      expect(r.stdout).toMatch(/; 0 ext disk; main true; 0 pkgdir disk\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("-p prints as the process exits, after the code's timers, as the runtime's own node -p (22 and 24; the host's Node 20 printed at once)", () => {
    const r = spawnSync(bin, ['as-node-main', 'print'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout).toBe('print: 0 later\nvalue\n');
  });

  it('a first argument that names no file is the program\'s own, as before (node would fail: "Cannot find module")', () => {
    const r = spawnSync(bin, ['as-node-main', 'plain'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout).toBe('plain: 0 probe: main probe no-such-file\n');
  });
}

describe('the official artifact starts itself as node', () => behavesAsNode('official'));

const staticRuntime = cachedStaticRuntime(cacheRoot(), DEFAULT_STATIC);
describeWhen(prerequisite('a cached linux-x64 static runtime', staticRuntime ? '' : 'none cached — build it with `npm run runtime`', 'optional'), 'the static artifact starts itself as node', () => behavesAsNode('static'));
