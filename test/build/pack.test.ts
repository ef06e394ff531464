// `npm run pack -- DIR` on small fixture projects (test/fixtures/projects): each builds through the same
// pipeline as broker's dist, on the official runtime, and the binary must behave as `node` running the
// project's own files does.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mapStackText, readStackMap } from '../../build/crash/stack-trace.ts';
import { PLACE_LIMITS } from '../../build/project/load-places.ts';
import { repoRoot, runPack, runToolchain, tempDir } from '../fixtures/context.ts';
import { officialTestRuntime } from '../fixtures/runtime.ts';

const projects = join(repoRoot, 'test/fixtures/projects');

const pack = (dir: string) => runPack(dir).out;

function run(bin: string, args: string[] = []) {
  return spawnSync(bin, args, { encoding: 'utf8', env: {}, timeout: 30_000 });
}

describe('pack: assets read through fs next to the code', () => {
  let bin = '';
  let out = '';
  beforeAll(() => {
    out = pack(join(projects, 'assets'));
    bin = join(out, 'assets-fixture-2.0.0-linux-x64');
  }, 120_000);

  it('prints what plain node prints running the project: sync, callback, promise and stream reads, JSON, wasm, a computed require', () => {
    const expected = execFileSync(process.execPath, [join(projects, 'assets/bin/cli.js')], { encoding: 'utf8' });
    const r = run(bin);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(expected);
    expect(r.stdout).toContain('wasm 42');
    expect(r.stdout).toContain('plugin HI!');
  });

  it('runs the same from another directory, with no copy of the project anywhere near', () => {
    const elsewhere = tempDir('pack-elsewhere');
    cpSync(bin, join(elsewhere, 'tool'));
    const r = spawnSync(join(elsewhere, 'tool'), [], { encoding: 'utf8', env: {}, cwd: '/' });
    expect(r.stdout).toContain('read hello from an asset');
    expect(r.status).toBe(0);
  });

  it('copies embedded files out to the disk as plain node does: copyFile in every form, cp of files and directories (#1 of docs/real-world.md)', () => {
    const copy = ([exe, ...args]: [string, ...string[]]) => {
      const to = tempDir('pack-copy');
      const r = spawnSync(exe, [...args, 'copy', to], { encoding: 'utf8', env: {}, timeout: 30_000 });
      return { ...r, tree: readdirSync(to, { recursive: true, encoding: 'utf8' }).sort() };
    };
    const expected = copy([process.execPath, join(projects, 'assets/bin/cli.js')]);
    expect(expected.stdout).toContain('copyFileSync true true\n');
    const r = copy([bin]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(expected.stdout);
    expect(r.tree).toEqual(expected.tree);
  });

  it('the manifest records the packed assets; a second pack gives identical bytes', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const inputs = manifest.artifacts['assets-fixture-2.0.0-linux-x64'].inputs;
    // The five seal.assets names, and the program's package.json (its code, the mounting prelude's, mentions one).
    expect(inputs.find((i: { name: string }) => i.name.startsWith('assets'))).toMatchObject({ note: '6 file(s)' });
    const again = pack(join(projects, 'assets'));
    expect(readFileSync(join(again, 'SHA256SUMS'), 'utf8')).toBe(readFileSync(join(out, 'SHA256SUMS'), 'utf8'));
  }, 120_000);
});

describe('pack: several bins, ESM with import.meta.url and createRequire', () => {
  let out = '';
  let bin = '';
  beforeAll(() => {
    out = pack(join(projects, 'multi-bin'));
    bin = join(out, 'multi-bin-1.2.3-linux-x64');
  }, 120_000);

  it('runs the bin its first argument names, with that argument removed', () => {
    expect(run(bin, ['greet', 'a', 'b']).stdout).toBe('hello a b\n');
  });

  it("a deprecation Node shows only for code outside node_modules (url.parse) shows for a checkout's own code, as under node", async () => {
    // The runtime the binary is made from: this host's Node may not warn (DEP0169 is a runtime deprecation from Node 24).
    const node = (await officialTestRuntime()).path;
    const underNode = spawnSync(node, [join(projects, 'multi-bin/bin/greet.js'), '--url'], { encoding: 'utf8' });
    expect(underNode.stderr).toContain('[DEP0169]');
    const binary = run(bin, ['greet', '--url']);
    expect(binary.stdout).toBe('parsed\n');
    expect(binary.stderr).toContain('[DEP0169]');
  });

  it("a bin's own require.main === module is true, a library module's false, require.main names the bin, a library has a module.parent where the bin has none, and module.id is '.' in the bin and the file elsewhere, as under node (the bin runs only when it is the program)", () => {
    const expected = execFileSync(process.execPath, [join(projects, 'multi-bin/bin/greet.js'), '--main'], { encoding: 'utf8' });
    expect(expected).toBe('bin main true, lib main false, main file bin/greet.js, lib required true, bin required false, bin id ., lib id is its file true\n');
    expect(run(bin, ['greet', '--main']).stdout).toBe(expected);
  });

  it("process.argv[1] is the bin's path, as under node: the realpath of it is the bin's file, and require.main names it (zx's and es-main's checks pass: the next test)", () => {
    const expected = execFileSync(process.execPath, [join(projects, 'multi-bin/bin/greet.js'), '--argv'], { encoding: 'utf8' });
    expect(expected).toBe('argv[1] bin/greet.js, realpath is this file true true, require.main names it true\n');
    expect(run(bin, ['greet', '--argv']).stdout).toBe(expected);
  });

  it('a computed import() of an ES module with top-level await on the disk runs it, as under node (zx imports the script it runs so)', () => {
    const dir = tempDir('pack-import');
    const script = join(dir, 'script.mjs');
    writeFileSync(script, "await new Promise((r) => setTimeout(r, 5));\nexport default 'after a top-level await';\n");
    const expected = execFileSync(process.execPath, [join(projects, 'multi-bin/bin/greet.js'), '--import', script], { encoding: 'utf8' });
    expect(expected).toBe('imported after a top-level await\n');
    const r = run(bin, ['greet', '--import', script]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(expected);
  });

  it('runs the bin it is started as (a link named like the bin, as npm links bins)', () => {
    const dir = tempDir('pack-link');
    symlinkSync(bin, join(dir, 'where'));
    const r = run(join(dir, 'where'));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello from esm; url file; file where.mjs; main true true\n');
    expect(r.stdout).toBe(execFileSync(process.execPath, [join(projects, 'multi-bin/bin/where.mjs')], { encoding: 'utf8' }));
  });

  it('without a bin name it lists them and exits 2', () => {
    const r = run(bin);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/give a command first, or start this binary under one of their names: greet, where/);
  });
});

describe('pack: an ES module bin with no extension that reads its own files through import.meta (as less, js-yaml and stylelint)', () => {
  let bin = '';
  let log = '';
  beforeAll(() => {
    const r = runPack(join(projects, 'esm-bin'));
    log = r.log;
    bin = join(r.out, 'esm-bin-fixture-4.5.6-linux-x64');
  }, 120_000);

  it('prints what plain node prints: import.meta.url and import.meta as a value, a file URL read, a data file and a createRequire by exact path', () => {
    for (const args of [[], ['there'], ['--version']]) {
      const expected = execFileSync(process.execPath, [join(projects, 'esm-bin/bin/tool'), ...args], { encoding: 'utf8' });
      const r = run(bin, args);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(expected);
    }
    expect(run(bin).stdout).toBe('hello from data; WORLD; local ENOENT; meta tool\n');
  });

  it('embeds the files read by exact path with no seal.assets, and says nothing of the absent one', () => {
    // package.json, data/words.json and lib/shout.cjs.
    expect(log).toMatch(/\] bundle ✓ .*, 3 file\(s\) loaded by exact path embedded/);
    expect(log).not.toMatch(/warning/);
  });
});

describe('pack: a worker thread and baked-in options and facts', () => {
  it('the worker runs from the bundled constant; nodeOptions and buildInfo reach the program', () => {
    const out = pack(join(projects, 'worker'));
    const r = run(join(out, 'worker-fixture-0.0.1-linux-x64'), ['9']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^81 from worker; worker-fixture 0\.0\.1; heap limit (\d+) MiB\n$/);
    // --max-old-space-size=300 is the old generation; the limit adds the young one: 3 semi-spaces, by V8's version
    // (measured: 348 MiB in all on Node 22.22.2, 492 on 24.22.3). Without the option it would be 2 GiB or more.
    const limit = Number(/heap limit (\d+)/.exec(r.stdout)?.[1]);
    expect(limit).toBeGreaterThanOrEqual(300);
    expect(limit).toBeLessThan(600);
  }, 120_000);
});

describe('pack: worker threads started from files of the program', () => {
  it('by path and by file URL, each bundled with its imports and the assets mounted inside it: prints what plain node prints', () => {
    const dir = join(projects, 'worker-file');
    const out = pack(dir);
    const r = run(join(out, 'worker-file-fixture-1.0.0-linux-x64'));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(execFileSync(process.execPath, [join(dir, 'bin/cli.js')], { encoding: 'utf8' }));
    expect(r.stdout).toBe('count 3 words\nshout ESM! (1 word)\n');
    // A crash in such a worker names the worker's own bundle, whose map travels in the artifact's: seal stack reads it.
    const crash = run(join(out, 'worker-file-fixture-1.0.0-linux-x64'), ['crash']);
    expect(crash.status).toBe(1);
    expect(crash.stderr).toMatch(/^seal:worker-file\/lib\/count-worker\.js:\d+\n/);
    expect(crash.stderr).toMatch(/\nTypeError: Cannot read properties of null \(reading 'split'\)\n {4}at \S+ \(seal:worker-file\/lib\/count-worker\.js:\d+:\d+\)\n/);
    const { text } = mapStackText(crash.stderr, readStackMap(readFileSync(join(out, 'worker-file-fixture-1.0.0-linux-x64.map'), 'utf8'), 'the map'));
    // Node's header line (the line it shows above the caret) and the frames, each in the package's own file.
    expect(text).toMatch(/^lib\/words\.js:1\n/);
    expect(text).toMatch(/\nTypeError: Cannot read properties of null \(reading 'split'\)\n {4}at \S+ \(lib\/words\.js:1:32\)\n {4}at lib\/count-worker\.js:7:27\n/);
  }, 120_000);
});

describe('pack: an installed package under some node_modules', () => {
  it("builds from there, records the installing project's lockfile and claims no commit", async () => {
    const app = tempDir('pack-installer');
    const dir = join(app, 'node_modules/@fixture/multi-bin');
    mkdirSync(dir, { recursive: true });
    cpSync(join(projects, 'multi-bin'), dir, { recursive: true });
    writeFileSync(join(app, 'package-lock.json'), '{"lockfileVersion":3}\n');
    const out = pack(dir);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.commit).toBe('unknown');
    expect(manifest.artifacts['multi-bin-1.2.3-linux-x64'].inputs).toContainEqual(expect.objectContaining({ name: 'package-lock.json', size: 22 }));
    expect(run(join(out, 'multi-bin-1.2.3-linux-x64'), ['where']).stdout).toBe('hello from esm; url file; file where.mjs; main true true\n');
    // Node's node_modules-only deprecations: url.parse from code under node_modules is silent under node, and in the binary.
    const underNode = spawnSync((await officialTestRuntime()).path, [join(dir, 'bin/greet.js'), '--url'], { encoding: 'utf8' });
    expect([underNode.stdout, underNode.stderr]).toEqual(['parsed\n', '']);
    const binary = run(join(out, 'multi-bin-1.2.3-linux-x64'), ['greet', '--url']);
    expect([binary.stdout, binary.stderr]).toEqual(['parsed\n', '']);
  }, 120_000);
});

/** Removes the directory a failed smoke check kept its whole output in (named in the log). */
function forgetKeptOutput(log: string): void {
  rmSync(/whole output: (\S+)\/stdout/.exec(log)?.[1] ?? '', { recursive: true, force: true });
}

/** `pack DIR --runtime official`, which must succeed (else the test fails with the build's log). */
function packed(dir: string): ReturnType<typeof runToolchain> {
  const r = runToolchain('pack', [dir, '--runtime', 'official']);
  expect(r.status, r.log).toBe(0);
  return r;
}

/** A one-file project in a scratch dir: bin/cli.js is `code`, package.json is `pkg` with the bin added. */
function project(prefix: string, pkg: object, code: string): string {
  const dir = tempDir(prefix);
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '1.0.0', bin: { tool: 'bin/cli.js' }, ...pkg }));
  writeFileSync(join(dir, 'bin/cli.js'), code);
  return dir;
}

describe('pack: the embedded files, mounted when the program first reaches one (prelude/first-use.cjs)', () => {
  const code = `const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { readFileSync } = fs;
const data = path.join(__dirname, '..', 'data', 'hello.txt');
const plugin = ['plug', 'in.js'].join('');
const loaded = () => process.moduleLoadList.includes('NativeModule internal/fs/promises');
const first = {
  none: () => console.log('fs/promises loaded', loaded()),
  // A read of one embedded file is answered without the mount, which loads fs/promises.
  kept: () => console.log(readFileSync(data, 'utf8'), loaded()),
  exists: () => console.log(fs.existsSync(path.join(__dirname, '..', 'data')), fs.existsSync(path.join(__dirname, '..', 'nothing')), loaded()),
  'fs/promises': () => require('node:fs/promises').readFile(data, 'utf8').then(console.log),
  'fs.promises': () => fs.promises.stat(data).then((s) => console.log(s.size)),
  require: () => console.log(require(path.join(__dirname, '..', 'lib', plugin)).name),
  stream: () => fs.createReadStream(data, 'utf8').on('data', (d) => console.log(d)),
  url: () => console.log(readFileSync(pathToFileURL(data), 'utf8')),
  dir: () => console.log(fs.readdirSync(path.join(__dirname, '..', 'data'))),
};
(first[process.argv[2]] ?? (() => console.log('1.0.0')))();
`;
  it('a start that reaches none of them, or reads one with readFileSync or checks one with existsSync, loads nothing for them; each way of reaching one first reads it as plain node does', () => {
    const dir = project('pack-first-use', { name: 'first-use', seal: { assets: ['lib'] } }, code);
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data/hello.txt'), 'hello');
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib/plugin.js'), "module.exports = { name: 'the plugin' };\n");
    const r = packed(dir);
    const bin = join(r.out, 'first-use-1.0.0-linux-x64');
    for (const mode of ['none', 'kept', 'exists', 'fs/promises', 'fs.promises', 'require', 'stream', 'url', 'dir']) {
      const expected = execFileSync(process.execPath, [join(dir, 'bin/cli.js'), mode], { encoding: 'utf8' });
      const got = run(bin, [mode]);
      expect([mode, got.stdout, got.stderr, got.status]).toEqual([mode, expected, '', 0]);
    }
    expect(run(bin, ['none']).stdout).toBe('fs/promises loaded false\n');
    expect(run(bin, ['kept']).stdout).toBe('hello false\n');
    expect(run(bin, ['exists']).stdout).toBe('true false false\n');
  }, 60_000);
});

describe('pack: a bin that requires its code by __dirname + a literal path, under two names (as yarn and yarnpkg)', () => {
  it('bundles the file the path names (esbuild folds it into one absolute path under /seal) and runs whatever the binary is called', () => {
    const dir = project('pack-dirname-plus', { name: 'aliases', bin: { aliases: './bin/cli.js', 'aliases-too': 'bin/cli.js' } }, "require(__dirname + '/../lib/cli')(process.argv.slice(2));\n");
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib/cli.js'), "module.exports = (args) => console.log(args[0] === '--version' ? '1.0.0' : `cli ${args.join(' ')}`);\n");
    const r = packed(dir);
    expect(r.log).not.toMatch(/cannot be resolved/);
    const out = run(join(r.out, 'aliases-1.0.0-linux-x64'), ['install', 'x']);
    expect([out.stdout, out.stderr]).toEqual(['cli install x\n', '']);
  }, 60_000);
});

describe("pack: a program that starts `node` by name on a file of its own it names through module.filename (pm2's daemon and its apps' container)", () => {
  it('embeds the file with what it requires, and the start runs it on the binary as node: what plain node prints', () => {
    const dir = project(
      'pack-node-by-name',
      { name: 'starter' },
      [
        "const { spawnSync } = require('node:child_process');",
        "const path = require('node:path');",
        "if (process.argv[2] === '--version') { console.log('1.0.0'); process.exit(0); }",
        'const args = [];',
        "args.push(path.resolve(path.dirname(module.filename), '..', 'lib', 'child.js'));",
        "const r = spawnSync('node', [...args, 'from the parent'], { encoding: 'utf8' });",
        'console.log(`${path.basename(module.filename)} ${path.basename(module.path)}; child: ${r.stdout.trim()}${r.stderr.trim()}`);',
        '',
      ].join('\n'),
    );
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib/child.js'), "const { word } = require('./word.js');\nconsole.log(`${word} ${process.argv[2]}`);\n");
    writeFileSync(join(dir, 'lib/word.js'), "exports.word = 'child says';\n");
    const expected = execFileSync(process.execPath, [join(dir, 'bin/cli.js')], { encoding: 'utf8' });
    expect(expected).toBe('cli.js bin; child: child says from the parent\n');
    const r = packed(dir);
    const out = run(join(r.out, 'starter-1.0.0-linux-x64'));
    expect([out.stdout, out.stderr]).toEqual([expected, '']);
  }, 60_000);
});

describe('pack: import.meta.resolve in an ES module (esbuild leaves it undefined in CommonJS: the call threw a TypeError)', () => {
  it("resolves as Node does, against the module's place under /seal: relative unchecked, built-ins by their node: name, a package and its files, a missing one ERR_MODULE_NOT_FOUND", () => {
    const code = [
      "import dep from 'dep';",
      "if (process.argv[2] === '--version') { console.log('1.0.0'); process.exit(0); }",
      "console.log(dep, import.meta.resolve('./nope.js'), import.meta.resolve('fs'), import.meta.resolve('node:path'));",
      "console.log(import.meta.resolve('dep'), import.meta.resolve('dep/package.json'));",
      "try { import.meta.resolve('not-installed'); } catch (e) { console.log(e.code); }",
      '',
    ].join('\n');
    const dir = project('pack-meta-resolve', { name: 'meta-resolve', type: 'module' }, code);
    mkdirSync(join(dir, 'node_modules/dep'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/dep/package.json'), JSON.stringify({ name: 'dep', version: '2.0.0', type: 'module', exports: { '.': './index.js', './package.json': './package.json' } }));
    writeFileSync(join(dir, 'node_modules/dep/index.js'), 'export default 42;\n');
    const expected = execFileSync(process.execPath, [join(dir, 'bin/cli.js')], { encoding: 'utf8' }).replaceAll(`file://${dir}`, 'file:///seal');
    expect(expected).toBe('42 file:///seal/bin/nope.js node:fs node:path\nfile:///seal/node_modules/dep/index.js file:///seal/node_modules/dep/package.json\nERR_MODULE_NOT_FOUND\n');
    const r = packed(dir);
    const out = run(join(r.out, 'meta-resolve-1.0.0-linux-x64'));
    expect([out.stdout, out.stderr]).toEqual([expected, '']);
  }, 60_000);
});

describe('pack: several bins, one named as the package (npm-run-all with run-p and run-s, ts-node with ts-node-esm)', () => {
  it('the artifact as the build names it runs that bin; a command word still picks another, and a renamed copy must name one', () => {
    const dir = project('pack-named-bin', { name: 'runall', bin: { runall: 'bin/cli.js', 'runall-p': 'bin/p.js' } }, "console.log(process.argv[2] === '--version' ? '1.0.0' : `runall ${process.argv.slice(2).join(' ')}`);\n");
    writeFileSync(join(dir, 'bin/p.js'), "console.log(`runall-p ${process.argv.slice(2).join(' ')}`);\n");
    const r = packed(dir);
    const artifact = join(r.out, 'runall-1.0.0-linux-x64');
    expect([run(artifact, ['build', 'test']).stdout, run(artifact, ['runall-p', 'x']).stdout]).toEqual(['runall build test\n', 'runall-p x\n']);
    const renamed = join(tempDir('pack-named-bin-copy'), 'tool');
    cpSync(artifact, renamed);
    expect(run(renamed, ['build']).status).toBe(2);
  }, 60_000);
});

describe('pack: files of the package read through paths the build cannot follow', () => {
  it("a data file an ES module names by new URL('…', import.meta.url) and reads through a helper is embedded with no seal.assets (release-it's defaults); one that does not exist is no warning", () => {
    const dir = project(
      'pack-url-mention',
      { name: 'mentions', type: 'module' },
      "import { readJSON } from '../lib/read.js';\nconst d = readJSON(new URL('../config/defaults.json', import.meta.url));\nconst gone = new URL('../config/absent.json', import.meta.url);\nconsole.log(process.argv[2] === '--version' ? '1.0.0' : `${d.greeting} ${gone.pathname.endsWith('absent.json')}`);\n",
    );
    mkdirSync(join(dir, 'lib'));
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'lib/read.js'), "import { readFileSync } from 'node:fs';\nexport const readJSON = (u) => JSON.parse(readFileSync(u, 'utf8'));\n");
    writeFileSync(join(dir, 'config/defaults.json'), '{ "greeting": "hello from the defaults" }\n');
    const r = packed(dir);
    expect(r.log).not.toMatch(/warning/);
    const out = run(join(r.out, 'mentions-1.0.0-linux-x64'), ['greet']);
    expect([out.stdout, out.stderr]).toEqual(['hello from the defaults true\n', '']);
  }, 60_000);

  it("the program's own package.json is embedded when its code mentions one, the bin's directory exists and its own require.main.filename is its path: a walk up from there finds it (yargs' default --version; lerna printed \"unknown\")", () => {
    const walk = `const { readdirSync, readFileSync, statSync } = require('node:fs');
const { dirname, join } = require('node:path');
let dir = dirname(require.main.filename);
let version = 'unknown';
try {
  if (!statSync(dir).isDirectory()) dir = dirname(dir);
  for (;;) {
    if (readdirSync(dir).includes('package.json')) {
      version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
      break;
    }
    if (dirname(dir) === dir) break;
    dir = dirname(dir);
  }
} catch {}
console.log(version);
`;
    const dir = project('pack-walk-up', { name: 'walk-up', version: '3.2.1' }, walk);
    const r = packed(dir);
    expect(r.log).toMatch(/1 file\(s\) loaded by exact path embedded/);
    expect(run(join(r.out, 'walk-up-3.2.1-linux-x64')).stdout).toBe('3.2.1\n');
  }, 60_000);

  it("a require of an exact path the package does not have (a napi-rs loader's local build beside it, tried first) is left to fail at run time, as under node, not a build error", () => {
    const code = "const { createRequire } = require('node:module');\nconst load = createRequire(__filename);\nlet m;\ntry { m = load('./local-build.linux-x64.node'); } catch { m = '1.0.0'; }\nconsole.log(m);\n";
    const dir = project('pack-absent-exact', { name: 'absent-exact' }, code);
    const r = packed(dir);
    expect(run(join(r.out, 'absent-exact-1.0.0-linux-x64')).stdout).toBe('1.0.0\n');
  }, 60_000);

  it('a file the run looked for under /seal and did not find fails the smoke check with the seal.assets entry to add, and passes with it', () => {
    const dir = project('pack-data-helper', { name: 'data-helper' }, "console.log(require('../lib/words.js')(__filename).trim());\n");
    mkdirSync(join(dir, 'lib'));
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data/words.txt'), 'hello\n');
    writeFileSync(
      join(dir, 'lib/words.js'),
      "const { readFileSync } = require('node:fs');\nconst { dirname, join } = require('node:path');\nmodule.exports = (from) => readFileSync(join(dirname(from), '..', 'data', 'words.txt'), 'utf8');\n",
    );
    const r = runToolchain('pack', [dir, '--runtime', 'official']);
    expect(r.status).toBe(1);
    expect(r.log).toMatch(/ENOENT: no such file or directory, open '\/seal\/data\/words\.txt'/);
    expect(r.log).toMatch(/The program looked for files of its package the build did not embed: add "data\/words\.txt" to seal\.assets\./);
    forgetKeptOutput(r.log);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...manifest, seal: { assets: ['data/words.txt'] } }));
    const again = packed(dir);
    expect(run(join(again.out, 'data-helper-1.0.0-linux-x64')).stdout).toBe('hello\n');
  }, 60_000);
});

describe('pack: the smoke check runs where it leaves nothing behind', () => {
  it('in a fresh empty directory with a scratch HOME: a --version that writes into its cwd writes nothing into the checkout (#2 of docs/real-world.md)', () => {
    // As create-vite's --version made the project directory it took the flag for.
    const code = `const fs = require('node:fs');
const empty = fs.readdirSync('.').length === 0;
fs.mkdirSync('made-by-version');
console.log(\`cwd \${empty ? 'empty' : 'not empty'}, HOME \${require('node:os').homedir()}\`);
`;
    const smoke = { args: ['--version'], stdout: '^cwd empty, HOME /.*/seal-build-[^/]+/smoke-[^/]+/home$' };
    const dir = project('pack-smoke-writes', { name: 'smoke-writes', seal: { smoke } }, code);
    const r = runToolchain('pack', [dir, '--runtime', 'official']);
    const left = [repoRoot, dir].filter((d) => existsSync(join(d, 'made-by-version')));
    for (const d of left) rmSync(join(d, 'made-by-version'), { recursive: true });
    expect(left).toEqual([]);
    expect(r.log).toMatch(/'--version' → "cwd empty, HOME \//);
    expect(r.status).toBe(0);
  }, 60_000);
});

describe('pack: mistakes stop the build with a message that names them', () => {
  function broken(pkg: object): { status: number | null; log: string } {
    const dir = tempDir('pack-broken');
    cpSync(join(projects, 'multi-bin'), dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
    return runToolchain('pack', [dir, '--runtime', 'official']);
  }
  const pkg = JSON.parse(readFileSync(join(projects, 'multi-bin/package.json'), 'utf8'));

  it('an unknown key in seal', () => {
    const r = broken({ ...pkg, seal: { asset: ['lib/**'] } });
    expect(r.status).toBe(1);
    expect(r.log).toMatch(/error: package\.json: unknown key seal\.asset; the keys of seal are/);
  });

  it('an asset glob that matches nothing', () => {
    const r = broken({ ...pkg, seal: { assets: ['templates/**'] } });
    expect(r.status).toBe(1);
    expect(r.log).toMatch(/seal\.assets entry 'templates\/\*\*' matches no file/);
    // Said before any step runs (the runtime step may fetch a runtime first).
    expect(r.log).not.toMatch(/\[1\/\d+\] runtime/);
  });

  it('code esbuild refuses: its message with file, line and column, no stack trace', () => {
    const dir = tempDir('pack-syntax');
    cpSync(join(projects, 'multi-bin'), dir, { recursive: true });
    const [bin] = Object.values(pkg.bin as Record<string, string>);
    writeFileSync(join(dir, bin!), 'const x = ;\n');
    const r = runToolchain('pack', [dir, '--runtime', 'official']);
    expect(r.status).toBe(1);
    expect(r.log).toContain(`error: esbuild cannot bundle the program:\n  ${bin}:1:10: Unexpected ";"`);
    expect(r.log).not.toMatch(/\n\s+at /);
  });

  it('a bin file that is not there', () => {
    const r = broken({ ...pkg, bin: { greet: 'bin/gone.js' } });
    expect(r.status).toBe(1);
    expect(r.log).toMatch(/package\.json: bin greet is bin\/gone\.js, which does not exist/);
  });

  it('a bin or seal.entry that is a directory: named, with the file to give instead, no stack trace', () => {
    for (const [over, said] of [
      [{ bin: { greet: 'bin' } }, 'bin greet is bin, a directory: give the file the program starts from (e.g. bin/cli.js)'],
      [{ seal: { entry: '.' } }, 'the entry is ., a directory: give the file the program starts from (e.g. cli.js)'],
    ] as const) {
      const r = broken({ ...pkg, ...over });
      expect(r.status).toBe(1);
      expect(r.log).toContain(`package.json: ${said}`);
      expect(r.log).not.toMatch(/\n\s+at /);
    }
  });

  it('a computed require of project files seal.assets does not embed: a small place is embedded without asking, a note says so; one too large to embed so stops the build with file, line and the glob to add', () => {
    const dir = tempDir('pack-unembedded');
    cpSync(join(projects, 'assets'), dir, { recursive: true });
    const own = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...own, seal: { ...own.seal, assets: ['data'] } }));
    const small = packed(dir);
    expect(small.log).toMatch(/note: bin\/cli\.js:29: require\([\w$]+\) loads plugins\/ by a computed path: its 1 file\(s\), [\d.]+ KiB, embedded \(seal\.assets can name fewer\)/);
    expect(run(join(small.out, 'assets-fixture-2.0.0-linux-x64'), []).stdout).toMatch(/^plugin HI!$/m);
    for (let i = 0; i <= PLACE_LIMITS.files; i++) writeFileSync(join(dir, 'plugins', `p${i}.js`), 'module.exports = (s) => s;\n');
    const large = runToolchain('pack', [dir, '--runtime', 'official']);
    expect(large.status).toBe(1);
    expect(large.log).toMatch(/bin\/cli\.js:29: require\([\w$]+\) loads plugins — add "plugins\/\*\*" to seal\.assets \(more than 1000 files or 16 MiB there, too many to embed without asking: name what it loads\)/);
  }, 120_000);

  it('a smoke check the binary does not pass', () => {
    const r = broken({ ...pkg, seal: { assets: ['lib/**'], smoke: { stdout: '^greet 9' } } });
    expect(r.status).toBe(1);
    expect(r.log).toMatch(/the artifact run with 'greet --version' printed "greet 1\.2\.3" \(exit 0\); expected exit 0, nothing on stderr and stdout matching \/\^greet 9\/ \(seal\.smoke\)/);
    forgetKeptOutput(r.log);
  }, 60_000);

  it('the default smoke check on a program with no --version says how to name another (yaml, ajv-cli)', () => {
    const dir = project('pack-no-version', { name: 'no-version' }, "if (process.argv[2] === '--version') { console.error('unknown option --version'); process.exit(2); }\nconsole.log('ok');\n");
    const r = runToolchain('pack', [dir, '--runtime', 'official']);
    expect(r.status).toBe(1);
    expect(r.log).toMatch(/If the program has no --version, or prints to stderr or nothing when it answers, set seal\.smoke in package\.json to a command it answers cleanly \(e\.g\. "smoke": \{ "args": \["--help"\] \}\)/);
    forgetKeptOutput(r.log);
  }, 60_000);

  it('the default smoke check on a binary that prints nothing and exits 0 (a program that did not run: zx before argv[1] was its bin) fails, saying why', () => {
    const dir = project('pack-silent', { name: 'silent' }, "if (process.argv[1] === '/nowhere') console.log('1.0.0');\n");
    const r = runToolchain('pack', [dir, '--runtime', 'official']);
    expect(r.status).toBe(1);
    expect(r.log).toMatch(/the artifact run with '--version' printed "" \(exit 0\); expected exit 0, nothing on stderr and something on stdout \(a binary that prints nothing may not have run the program at all\) \(seal\.smoke\)/);
    expect(r.log).toMatch(/or prints to stderr or nothing when it answers, set seal\.smoke/);
    forgetKeptOutput(r.log);
  }, 60_000);

  it('a smoke check that fails with an error: the message shows the line that says what went wrong, capped, and where the whole output was kept (#3 of docs/real-world.md)', () => {
    const code = `for (let i = 0; i < 30; i++) console.error('noise ' + i);
throw new TypeError('the real cause');
`;
    const dir = project('pack-smoke-throws', { name: 'smoke-throws' }, code);
    const r = runToolchain('pack', [dir, '--runtime', 'official']);
    expect(r.status).toBe(1);
    expect(r.log).toMatch(/the artifact run with '--version' printed "" \(exit 1\); expected exit 0, nothing on stderr and something on stdout \(a binary that prints nothing may not have run the program at all\) \(seal\.smoke\)/);
    const excerpt = r.log.slice(r.log.indexOf('noise 0'));
    expect(excerpt).toMatch(/^noise 0\n {2}…\n {2}TypeError: the real cause\n/);
    expect(excerpt).not.toContain('noise 29');
    expect(excerpt.slice(0, excerpt.indexOf('whole output')).trim().split('\n').length).toBeLessThanOrEqual(11);
    const kept = /whole output: (\S+)\/stdout and \S+\/stderr/.exec(r.log)?.[1] ?? '';
    expect(readFileSync(join(kept, 'stderr'), 'utf8')).toContain('noise 29\n');
    rmSync(kept, { recursive: true });
  }, 60_000);
});

describe('pack: seal.startup "snapshot" (a V8 start-up snapshot of the program)', () => {
  let out = '';
  let bin = '';
  beforeAll(() => {
    out = pack(join(projects, 'snapshot'));
    bin = join(out, 'snapshot-fixture-3.0.0-linux-x64');
  }, 120_000);

  it("the top level ran at build time, and main runs at each start with that start's argv, env and stdout", () => {
    const plain = spawnSync(process.execPath, [join(projects, 'snapshot/bin/cli.js'), 'a', 'b'], { encoding: 'utf8', env: { FIXTURE_HOME: 'h' } });
    expect(plain.stdout).toBe('primes 2000, last 17389, table made at start, args ["a","b"], HOME h\n');
    const r = spawnSync(bin, ['a', 'b'], { encoding: 'utf8', env: { FIXTURE_HOME: 'h' } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(plain.stdout.replace('made at start', 'made at build time'));
    expect(run(bin, ['prime', '1999']).stdout).toBe('17389\n');
    expect(run(bin, ['gzip', 'hello', 'again']).stdout).toBe('hello again\n');
    // The snapshot was made with process.pid pinned (project/snapshot.ts): each start has its own again.
    expect(run(bin, ['pid']).stdout).toBe('own pid\n');
  });

  it('the manifest says so, and a second pack gives identical bytes', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.artifacts['snapshot-fixture-3.0.0-linux-x64'].inputs.find((i: { name: string }) => i.name === 'SEA blob')).toMatchObject({ note: 'start-up: snapshot' });
    const again = pack(join(projects, 'snapshot'));
    expect(readFileSync(join(again, 'SHA256SUMS'), 'utf8')).toBe(readFileSync(join(out, 'SHA256SUMS'), 'utf8'));
  }, 120_000);

  it('a program that never hands over its main stops the build, naming the call it needs and the other choice', () => {
    const dir = project('pack-snapshot-no-main', { name: 'no-main', seal: { startup: 'snapshot' } }, "console.log('1.0.0');\n");
    const r = runToolchain('pack', [dir, '--runtime', 'official']);
    expect(r.status).toBe(1);
    expect(r.log).toMatch(
      /error: seal\.startup is "snapshot", and the program ran at build time without calling v8\.startupSnapshot\.setDeserializeMainFunction\(main\).*or set "startup": "code-cache"\. Node said: .*setDeserializeMainFunction/,
    );
  }, 60_000);
});

describe('pack: an ESM-only CLI with top-level await (as svgo)', () => {
  let bin = '';
  let log = '';
  beforeAll(() => {
    const r = runPack(join(projects, 'tla'));
    log = r.log;
    bin = join(r.out, 'tla-fixture-3.1.0-linux-x64');
  }, 120_000);

  it('is bundled as an ES module run by the launcher, and the build says so', () => {
    expect(log).toMatch(/\] bundle ✓ [\d.]+ s {2}[\d.]+ KiB, an ES module \(top-level await\) run by a module hook, without code cache/);
  });

  it('prints what plain node prints: awaits at the top of two modules, a createRequire, its package.json read through import.meta.url, argv[1] its own file', () => {
    for (const args of [[], ['there'], ['--version'], ['main']]) {
      const expected = execFileSync(process.execPath, [join(projects, 'tla/bin/cli.js'), ...args], { encoding: 'utf8' });
      const r = run(bin, args);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(expected);
    }
    expect(run(bin, ['--version']).stdout).toBe('3.1.0\n');
    expect(run(bin, ['main']).stdout).toBe('main true\n');
  });

  it('a file its code requires by exact path through createRequire is embedded without being named in seal.assets', () => {
    const dir = tempDir('tla');
    cpSync(join(projects, 'tla'), dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    manifest.seal.assets = ['package.json'];
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
    const r = packed(dir);
    // lib/shout.cjs, and the package.json Node reads to load it.
    expect(r.log).toMatch(/\] bundle ✓ .*, 2 file\(s\) loaded by exact path embedded/);
    expect(run(join(r.out, 'tla-fixture-3.1.0-linux-x64'), ['x']).stdout).toBe('hello X! (awaited)\n');
  }, 60_000);

  it('a top-level await that never settles exits 13 with a warning naming the module, as node does; an exit code set first is kept, without it', () => {
    const r = run(bin, ['unsettled']);
    expect([r.status, r.stdout]).toEqual([13, 'waiting\n']);
    expect(r.stderr).toMatch(/^Warning: Detected unsettled top-level await at file:\/\/\/seal\/.*\.mjs/);
    const asNode = spawnSync(process.execPath, [join(projects, 'tla/bin/cli.js'), 'unsettled'], { encoding: 'utf8' });
    expect(asNode.status).toBe(13);
    expect(run(bin, ['unsettled', '3'])).toMatchObject({ status: 3, stdout: 'waiting\n', stderr: '' });
    // Pending when the loop first runs dry, settled by what a beforeExit handler then schedules: no warning, exit 0.
    expect(spawnSync(process.execPath, [join(projects, 'tla/bin/cli.js'), 'settles-late'], { encoding: 'utf8' })).toMatchObject({ status: 0, stdout: 'settled\n' });
    expect(run(bin, ['settles-late'])).toMatchObject({ status: 0, stdout: 'settled\n', stderr: '' });
  });

  it('an error thrown after a top-level await is reported with its message and exits 1, as node does', () => {
    const r = run(bin, ['fail']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Error: failed on purpose after a top-level await');
    expect(r.stdout).toBe('');
  });
});
