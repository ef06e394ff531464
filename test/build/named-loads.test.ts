// Loads whose names are known only at run time, as plugin-loading CLIs make them (webpack-cli's
// `tryRequireThenImport("webpack")` and `("./plugins/cli-plugin")`): a package the requiring module's package
// declares, and a file of the package named by a relative name elsewhere in that module, are bundled and served
// (build/project/bundled-modules.ts, virtual-paths.ts). Each case prints what plain node prints.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPack, writeTree } from '../fixtures/context.ts';

const CLI = [
  '#!/usr/bin/env node',
  "const { fork } = require('node:child_process');",
  'class Compilation { static of(x) { return x instanceof Compilation; } }',
  // A require of a name known at run time only, in a function that takes it, as plugin loaders do.
  'const load = (name) => require(name);',
  "const greeter = require('greeter');",
  'const commands = {',
  "  name: () => load(['plugin', 'a'].join('-')).greet('node'),",
  "  relative: () => load('../lib/plugins/extra').extra,",
  "  resolve: () => require('node:path').relative(__dirname, require.resolve(['plugin', 'a'].join('-'))).replace(/^.*node_modules/, 'node_modules'),",
  // An unbundled module (run from the embedded files) that requires the same package gets the same instance.
  "  same: () => String(load(require.resolve('../lib/embedded.js')).counter() === greeter.counter()),",
  // esbuild renames a class that refers to itself (_Compilation): the name stays what the source says.
  '  names: () => `${Compilation.name} ${new Compilation().constructor.name} ${Compilation.of(new Compilation())}`,',
  "  missing: () => { try { return load('not-installed'); } catch (e) { return e.code; } },",
  // require.resolve.paths from this module's place (relative to it: the tree's depth differs), and a relative name
  // resolved against options.paths, not against the module.
  "  paths: () => JSON.stringify([require.resolve.paths('./x'), require.resolve.paths('greeter').slice(0, 2), require.resolve.paths('node:fs')].map((l) => l && l.map((p) => require('node:path').relative(__dirname, p)))),",
  "  within: () => { const d = require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'within-')); require('node:fs').writeFileSync(d + '/user.js', ''); return require.resolve('./user.js', { paths: [d] }) === d + '/user.js'; },",
  "  child: () => new Promise((done) => fork(require.resolve('../lib/child')).on('message', (m) => done(m))),",
  '};',
  'Promise.resolve(commands[process.argv[2]]()).then((out) => console.log(out));',
  '',
].join('\n');

const FILES = {
  'package.json': JSON.stringify({ name: 'named-loads', version: '1.0.0', bin: 'bin/cli.js', dependencies: { greeter: '1.0.0', 'plugin-a': '1.0.0' }, seal: { smoke: { args: ['name'] } } }),
  'bin/cli.js': CLI,
  'lib/plugins/extra.js': "exports.extra = 'extra plugin';\n",
  'lib/embedded.js': "exports.counter = () => require('greeter').counter();\n",
  'lib/child.js': "process.send(`child ${require('greeter').greet('child')}`);\n",
  'node_modules/plugin-a/package.json': JSON.stringify({ name: 'plugin-a', version: '1.0.0', main: 'lib/index.js' }),
  'node_modules/plugin-a/lib/index.js': 'exports.greet = (who) => `plugin a greets ${who}`;\n',
  'node_modules/greeter/package.json': JSON.stringify({ name: 'greeter', version: '1.0.0', main: 'main.js' }),
  'node_modules/greeter/main.js': 'const state = {};\nexports.greet = (who) => `hello ${who}`;\nexports.counter = () => state;\n',
};

/** The project written from `files` and packed on the official runtime: its directory and its binary (set in beforeAll). */
function packed(files: Record<string, string>): { root: string; bin: string } {
  const project = { root: '', bin: '' };
  beforeAll(() => {
    const { name, version } = JSON.parse(files['package.json'] ?? '{}') as { name: string; version: string };
    project.root = writeTree(name, files);
    project.bin = join(runPack(project.root).out, `${name}-${version}-linux-x64`);
  }, 120_000);
  return project;
}

/** What plain node prints running the project's `script` with `args`; the binary must print the same, and nothing on stderr. */
function expectAsNode(project: { root: string; bin: string }, script: string, args: string[] = []): string {
  const expected = execFileSync(process.execPath, [join(project.root, script), ...args], { encoding: 'utf8' });
  const r = spawnSync(project.bin, args, { encoding: 'utf8', cwd: '/' });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(expected);
  return expected;
}

describe('pack: loads named at run time (a declared package by a computed name, a relative name handed to a loader)', () => {
  const project = packed(FILES);
  it.each(['name', 'relative', 'resolve', 'same', 'names', 'missing', 'child', 'paths', 'within'])('%s prints what node prints', (command) => {
    expectAsNode(project, 'bin/cli.js', [command]);
  });
});

// A package whose functions' source is rebuilt elsewhere (fn.toString() handed to new Function, as a worker pool does):
// in the bundle that source would name the bundle's own modules; seal.external keeps it out, run from the embedded files.
const EXTERNAL_FILES = {
  'package.json': JSON.stringify({ name: 'external-loads', version: '1.0.0', bin: 'cli.js', dependencies: { shipper: '1.0.0' }, seal: { external: ['shipper'], smoke: { args: [] } } }),
  'cli.js': "const { ship, rebuilt, sameLib, threaded } = require('shipper');\nthreaded(4).then((t) => console.log(rebuilt(ship)(3), sameLib(require('shipper/lib')), t));\n",
  'node_modules/shipper/package.json': JSON.stringify({ name: 'shipper', version: '1.0.0', main: 'index.js' }),
  'node_modules/shipper/index.js': [
    "const lib = require('./lib');",
    // Its source names require('./lib'), which the rebuilt function resolves with the require it is given.
    "exports.ship = function ship(n) { return require('./lib').twice(n); };",
    "exports.rebuilt = (fn) => new Function('require', `return ${fn.toString()}`)(require);",
    'exports.sameLib = (other) => other === lib;',
    // A worker thread started from its own file (jest-worker's threadChild.js), which the thread's own loader cannot read.
    "const { Worker } = require('node:worker_threads');",
    "exports.threaded = (n) => new Promise((done) => new Worker(require('node:path').resolve(__dirname, './thread.js'), { workerData: n }).on('message', done));",
    '',
  ].join('\n'),
  'node_modules/shipper/lib.js': 'exports.twice = (n) => n * 2;\n',
  'node_modules/shipper/thread.js': "const { parentPort, workerData } = require('node:worker_threads');\nparentPort.postMessage(`thread ${require('./lib').twice(workerData)}`);\n",
};

describe('pack: seal.external (a package run from the embedded files, as under node)', () => {
  const project = packed(EXTERNAL_FILES);
  it('its function rebuilt from source runs, a sub-path of it required from the program is its own module, and a worker thread started from its own file runs: what node prints', () => {
    expect(expectAsNode(project, 'cli.js')).toBe('6 true thread 8\n');
  });
});

// A user's file outside the binary (a config, a plugin) that requires a package by name: found from its own place, as
// under node, even when the program embeds a package of that name (seal.external); the embedded one only when the
// user's place has none. The program's own require still gets its own copy.
const USER_FILES = {
  'package.json': JSON.stringify({ name: 'user-files', version: '1.0.0', bin: 'cli.js', dependencies: { dep: '1.0.0' }, seal: { external: ['dep'], smoke: { args: [] } } }),
  'cli.js': [
    "const { resolve } = require('node:path');",
    "const { pathToFileURL } = require('node:url');",
    "console.log(`program: dep ${require('dep').version}`);",
    'const file = process.argv[2];',
    'if (file) {',
    "  const loaded = file.endsWith('.mjs') ? import(pathToFileURL(resolve(file)).href).then((m) => m.default) : Promise.resolve(require(resolve(file)));",
    '  loaded.then((m) => console.log(`user: ${JSON.stringify(m)}`), (e) => console.log(`user: ${e.code}`));',
    '}',
    '',
  ].join('\n'),
  'node_modules/dep/package.json': JSON.stringify({ name: 'dep', version: '1.0.0', main: 'index.js' }),
  'node_modules/dep/index.js': "exports.version = '1.0.0 (the program\\'s)';\n",
};
const USER_PLACE = {
  'config.js': "module.exports = { dep: require('dep').version, manifest: require('dep/package.json').version, at: require.resolve('dep').replace(__dirname, '.') };\n",
  'config.mjs': "import dep from 'dep';\nexport default { dep: dep.version };\n",
  'node_modules/dep/package.json': JSON.stringify({ name: 'dep', version: '2.0.0', main: 'index.js' }),
  'node_modules/dep/index.js': "exports.version = '2.0.0 (the user\\'s)';\n",
};

describe("pack: a user's file outside the binary resolves package names from its own place", () => {
  const project = packed(USER_FILES);
  let place = '';
  beforeAll(() => {
    place = writeTree('user-place', USER_PLACE);
  });
  it.each(['config.js', 'config.mjs'])('%s that requires a package the program embeds gets its own copy: what node prints', (file) => {
    const expected = expectAsNode(project, 'cli.js', [join(place, file)]);
    expect(expected).toMatch(/^program: dep 1\.0\.0 \(the program's\)\nuser: \{"dep":"2\.0\.0 \(the user's\)"/);
  });
  it("one whose place has no such package gets the program's embedded copy (node would say MODULE_NOT_FOUND)", () => {
    const bare = writeTree('user-bare', { 'config.js': USER_PLACE['config.js'], 'config.mjs': USER_PLACE['config.mjs'] });
    const r = spawnSync(project.bin, [join(bare, 'config.js')], { encoding: 'utf8', cwd: '/' });
    expect(r.stdout).toBe(`program: dep 1.0.0 (the program's)\nuser: {"dep":"1.0.0 (the program's)","manifest":"1.0.0","at":"/seal/node_modules/dep/index.js"}\n`);
    const esm = spawnSync(project.bin, [join(bare, 'config.mjs')], { encoding: 'utf8', cwd: '/' });
    expect(esm.stdout).toBe(`program: dep 1.0.0 (the program's)\nuser: {"dep":"1.0.0 (the program's)"}\n`);
  });
});
