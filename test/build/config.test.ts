import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, sealConfig } from '../../build/project/config.ts';
import { readProject } from '../../build/project/project.ts';
import { tempDir } from '../fixtures/context.ts';

const base = { name: '@scope/tool', version: '1.0.0', bin: { tool: 'bin/tool.js' } };
const withSeal = (seal: unknown) => ({ ...base, seal });

function errorOf(pkg: unknown): string {
  try {
    sealConfig(pkg);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('sealConfig accepted it');
}

describe('package.json seal config', () => {
  it('fills every default from package.json alone: the bin, the unscoped name, --version, linux-x64 on the runtime at hand', () => {
    expect(sealConfig(base)).toEqual({
      packageName: '@scope/tool',
      version: '1.0.0',
      config: {
        name: 'tool',
        bins: { tool: 'bin/tool.js' },
        assets: [],
        omit: [],
        external: [],
        lazy: [],
        workers: {},
        nodeOptions: [],
        startup: 'code-cache',
        train: [],
        intl: 'full',
        pointerCompression: false,
        smoke: { args: ['--version'], printed: true },
        targets: [{ arch: 'x64', runtime: 'auto' }],
      },
    });
  });

  it('a string bin is named after the package; several bins are all kept and the check asks the first', () => {
    expect(sealConfig({ ...base, bin: './cli.js' }).config.bins).toEqual({ tool: 'cli.js' });
    const several = sealConfig({ ...base, bin: { a: 'a.js', b: 'b.js' } }).config;
    expect(several.bins).toEqual({ a: 'a.js', b: 'b.js' });
    expect(several.smoke.args).toEqual(['a', '--version']);
  });

  it('several names for one file (yarn, yarnpkg) are one program: no command to give first', () => {
    const aliases = sealConfig({ ...base, bin: { yarn: './bin/yarn.js', yarnpkg: 'bin/yarn.js' } }).config;
    expect(aliases.bins).toEqual({ yarn: 'bin/yarn.js' });
    expect(aliases.smoke.args).toEqual(['--version']);
  });

  it('seal.entry replaces the bins; targets, options and the check are taken as given', () => {
    const { config } = sealConfig(
      withSeal({
        entry: 'src/main.ts',
        name: 'x',
        nodeOptions: ['--max-old-space-size=64'],
        startup: 'snapshot',
        intl: 'small',
        pointerCompression: true,
        smoke: { args: ['help'], stdout: '^x {version}$' },
        targets: ['linux-arm64-static', 'linux-x64', 'linux-arm64-official'],
      }),
    );
    expect(config).toMatchObject({ name: 'x', bins: { x: 'src/main.ts' }, nodeOptions: ['--max-old-space-size=64'], startup: 'snapshot', intl: 'small', pointerCompression: true, smoke: { args: ['help'], stdout: '^x {version}$' } });
    expect(config.targets).toEqual([
      { arch: 'arm64', runtime: 'static' },
      { arch: 'x64', runtime: 'auto' },
      { arch: 'arm64', runtime: 'official' },
    ]);
  });

  it('seal.external lists package names too', () => {
    expect(sealConfig(withSeal({ external: ['minimizer-webpack-plugin'] })).config.external).toEqual(['minimizer-webpack-plugin']);
    expect(() => sealConfig(withSeal({ external: 'x' }))).toThrow(/seal\.external/);
    expect(() => sealConfig(withSeal({ external: ['./lib'] }))).toThrow(/seal\.external entry must be a package name/);
    expect(() => sealConfig(withSeal({ external: ['x'], omit: ['x'] }))).toThrow(/seal\.external entry must be a package seal\.omit does not name/);
  });

  it('seal.lazy lists package names that neither seal.omit nor seal.external names', () => {
    expect(sealConfig(withSeal({ lazy: ['undici', '@scope/x'] })).config.lazy).toEqual(['undici', '@scope/x']);
    expect(() => sealConfig(withSeal({ lazy: 'undici' }))).toThrow(/seal\.lazy must be an array of strings, got "undici"/);
    expect(() => sealConfig(withSeal({ lazy: ['undici/lib'] }))).toThrow(/seal\.lazy entry must be a package name/);
    expect(() => sealConfig(withSeal({ lazy: ['x'], omit: ['x'] }))).toThrow(/seal\.lazy entry must be a package seal\.omit does not name \(.*seal\.omit leaves it out of the binary\), got "x"/);
    expect(() => sealConfig(withSeal({ lazy: ['x'], external: ['x'] }))).toThrow(/seal\.lazy entry must be a package seal\.external does not name \(.*embeds it unbundled\)/);
  });

  it('seal.omit lists package names, scoped or not; anything else names the entry and what is allowed', () => {
    expect(sealConfig(withSeal({ omit: ['picomatch', '@scope/x'] })).config.omit).toEqual(['picomatch', '@scope/x']);
    expect(() => sealConfig(withSeal({ omit: ['../lib'] }))).toThrow(/seal\.omit entry must be a package name \(e\.g\. "picomatch" or "@scope\/name"\), got "\.\.\/lib"/);
  });

  it('seal.train lists runs of the program: args, and for one that runs until stopped the line it prints when ready', () => {
    const runs = [{ args: ['--version'] }, { args: ['serve', '--port', '0'], stopWhen: '^listening on \\d+' }, { args: ['read', '{root}/data.txt'] }];
    expect(sealConfig(withSeal({ train: runs })).config.train).toEqual(runs);
    expect(sealConfig(withSeal({ train: [] })).config.train).toEqual([]);
  });

  it('seal.node names a Node line by its major version, as a string or a number', () => {
    expect(sealConfig(withSeal({ node: '24' })).config.node).toBe('24');
    expect(sealConfig(withSeal({ node: 24 })).config.node).toBe('24');
    expect(sealConfig(withSeal({})).config).not.toHaveProperty('node');
  });

  // Each mistake names the key, the value and what is allowed.
  const mistakes: [string, unknown, RegExp][] = [
    ['an unknown key', withSeal({ entrypoint: 'x.js' }), /unknown key seal\.entrypoint; the keys of seal are entry, name, assets, .* or targets/],
    ['an unknown smoke key', withSeal({ smoke: { argv: [] } }), /unknown key seal\.smoke\.argv; the keys of seal\.smoke are args or stdout/],
    [
      'a target that does not exist',
      withSeal({ targets: ['linux-x64', 'darwin-arm64'] }),
      /seal\.targets entry must be linux-x64, linux-arm64, linux-x64-official, linux-arm64-official, linux-x64-static or linux-arm64-static, got "darwin-arm64"/,
    ],
    ['no targets', withSeal({ targets: [] }), /seal\.targets must be a non-empty array/],
    [
      'a whichever-runtime target beside a named one of the same arch (both could build one file)',
      withSeal({ targets: ['linux-x64', 'linux-x64-official'] }),
      /^package\.json: seal\.targets must be each file once: linux-x64 \(the static runtime when at hand, else the official\) would build the same file as linux-x64-official when it picks that one; name both runtimes \(linux-x64-static and linux-x64-official\), got \["linux-x64","linux-x64-official"\]$/,
    ],
    ['an entry outside the project', withSeal({ entry: '../elsewhere.js' }), /seal\.entry must be a path inside the project.*got "\.\.\/elsewhere\.js"/],
    ['an absolute asset glob', withSeal({ assets: ['/etc/*'] }), /seal\.assets entry must be a glob inside the project.*got "\/etc\/\*"/],
    ['a full Node version as the line', withSeal({ node: '24.1.0' }), /seal\.node must be a Node line, its major version \(e\.g\. "22" or 24\), got "24\.1\.0"/],
    ['a Node line as a boolean', withSeal({ node: true }), /seal\.node must be a Node line.*got true/],
    ['an unknown start-up', withSeal({ startup: 'bytecode' }), /^package\.json: seal\.startup must be one of "code-cache", "snapshot", "none", got "bytecode"$/],
    ['training runs as a list of strings', withSeal({ train: ['--version'] }), /^package\.json: seal\.train\[0\] must be an object \{ args, stopWhen\? \} \(e\.g\. \{ "args": \["--help"\] \}\), got "--version"$/],
    ['training as an object', withSeal({ train: { args: [] } }), /^package\.json: seal\.train must be an array of runs \{ args, stopWhen\? \}, got \{"args":\[\]\}$/],
    ['a training run without args', withSeal({ train: [{ stopWhen: 'ready' }] }), /^package\.json: seal\.train\[0\]\.args must be an array of strings, got undefined$/],
    ['a training run with an unknown key', withSeal({ train: [{ args: [], timeout: 5 }] }), /^package\.json: unknown key seal\.train\[0\]\.timeout; the keys of seal\.train\[0\] are args or stopWhen$/],
    [
      'a training stop as a number of ms',
      withSeal({ train: [{ args: [], stopWhen: 500 }] }),
      /^package\.json: seal\.train\[0\]\.stopWhen must be a regular expression as a string, matched against each line the run prints \(e\.g\. "listening on"\), got 500$/,
    ],
    ['a training stop that is no regular expression', withSeal({ train: [{ args: [], stopWhen: 'ready (' }] }), /seal\.train\[0\]\.stopWhen must be a regular expression .*; Invalid regular expression.*, got "ready \("$/],
    [
      'training with a snapshot',
      withSeal({ startup: 'snapshot', train: [{ args: [] }] }),
      /^package\.json: seal\.train must be left out when seal\.startup is "snapshot" \(training fills the code cache, which only "code-cache" makes\), got \[\{"args":\[\]\}\]$/,
    ],
    ['an unknown Intl', withSeal({ intl: 'english' }), /^package\.json: seal\.intl must be one of "full", "small", "none", got "english"$/],
    ['pointer compression as a string', withSeal({ pointerCompression: 'yes' }), /^package\.json: seal\.pointerCompression must be true or false, got "yes"$/],
    ['the old codeCache: false', withSeal({ codeCache: false }), /^package\.json: seal\.codeCache was replaced by seal\.startup: "startup": "none" — one of "code-cache", "snapshot", "none"$/],
    ['the old codeCache: true', withSeal({ codeCache: true }), /seal\.codeCache was replaced by seal\.startup: leave it out \(the code cache is the default\) or set "startup"/],
    ['a node option without a dash', withSeal({ nodeOptions: ['max-old-space-size=1'] }), /seal\.nodeOptions entry must be a Node option starting with "-"/],
    ['nodeOptions as a string', withSeal({ nodeOptions: '--x' }), /seal\.nodeOptions must be an array of strings, got "--x"/],
    ['a smoke pattern that is not a regular expression', withSeal({ smoke: { stdout: '(' } }), /seal\.smoke\.stdout must be a valid regular expression/],
    ['a worker constant that is not an identifier', withSeal({ workers: { 'my-worker': 'w.js' } }), /seal\.workers key must be a JavaScript identifier.*got "my-worker"/],
    ['a name with a slash', withSeal({ name: 'a/b' }), /seal\.name must be a file name/],
    ['nothing to build', { name: 'lib', version: '1.0.0' }, /nothing to build: there is no bin, and no seal\.entry/],
    ['no version', { name: 'x', bin: 'x.js' }, /version must be the package version/],
    ['seal as an array', withSeal([]), /seal must be an object, got \[\]/],
  ];
  for (const [what, pkg, message] of mistakes) {
    it(`refuses ${what}, naming it`, () => expect(errorOf(pkg)).toMatch(message));
  }
});

describe('readProject: a bin that is a native executable, not a script', () => {
  it("names the bin, the file and what it is (esbuild's package installs its binary as its bin)", async () => {
    const dir = tempDir('native-bin');
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'native', version: '1.0.0', bin: { native: 'bin/native' } }));
    writeFileSync(join(dir, 'bin/native'), readFileSync(process.execPath).subarray(0, 64));
    await expect(readProject(dir)).rejects.toThrow('package.json: the entry is bin/native, a native executable (ELF), not JavaScript: there is no Node program to build; ship that executable as it is');
    writeFileSync(join(dir, 'bin/native'), '#!/usr/bin/env node\nconsole.log(1);\n');
    await expect(readProject(dir)).resolves.toMatchObject({ packageName: 'native' });
  });
});
