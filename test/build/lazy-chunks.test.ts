// seal.lazy (build/project/lazy-chunks.ts): a package bundled into a chunk of its own, kept in the blob and compiled at
// its first require. The binary must answer as plain node does; the program's bundle must not hold the package.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mapStackText, readStackMap } from '../../build/crash/stack-trace.ts';
import { bundleProject } from '../../build/project/bundle.ts';
import { readProject } from '../../build/project/project.ts';
import { runPack, runToolchain, writeTree } from '../fixtures/context.ts';

const CLI = [
  "const shared = require('shared');",
  'const commands = {',
  '  plain: () => `plain, ${shared.word}; heavy loaded ${globalThis.heavyLoads ?? 0} time(s)`,',
  "  heavy: () => { const h = require('heavy'); return `${h.greet('node')}; loaded ${globalThis.heavyLoads} time(s); one module ${require('heavy') === h}; one inner ${h.inner === require('inner')}`; },",
  "  imported: async () => { const { greet } = await import('heavy'); return greet('import()'); },",
  // What the binary's loader did with the chunk's code cache (prelude/lazy.cjs); node has no chunk.
  "  cache: () => { require('heavy'); return globalThis[Symbol.for('seal.lazy.loaded')]?.get('heavy')?.cache ?? 'no chunk'; },",
  "  crash: () => require('heavy').fail(),",
  "  stack: () => { try { require('heavy').fail(); } catch (e) { return e.stack.split('\\n')[1].trim(); } },",
  '};',
  'Promise.resolve(commands[process.argv[2]]()).then((out) => console.log(out));',
  '',
].join('\n');

const FILES = {
  'package.json': JSON.stringify({ name: 'lazy-loads', version: '1.0.0', bin: 'cli.js', dependencies: { heavy: '1.0.0', inner: '1.0.0', shared: '1.0.0' }, seal: { lazy: ['heavy', 'inner'], smoke: { args: ['plain'] } } }),
  'cli.js': CLI,
  'node_modules/heavy/package.json': JSON.stringify({ name: 'heavy', version: '1.0.0', main: 'lib/index.js' }),
  'node_modules/heavy/lib/index.js': [
    'globalThis.heavyLoads = (globalThis.heavyLoads ?? 0) + 1;',
    "const inner = require('inner');",
    "const shared = require('shared');",
    'exports.inner = inner;',
    'exports.greet = (who) => `heavy greets ${who} with ${inner.word} and ${shared.word} (HEAVY-MARKER)`;',
    "exports.fail = function fail() { throw new Error('heavy failed'); };",
    '',
  ].join('\n'),
  'node_modules/inner/package.json': JSON.stringify({ name: 'inner', version: '1.0.0' }),
  'node_modules/inner/index.js': "exports.word = 'inner';\n",
  'node_modules/shared/package.json': JSON.stringify({ name: 'shared', version: '1.0.0' }),
  'node_modules/shared/index.js': "exports.word = 'shared';\n",
};

describe('pack: seal.lazy (a package compiled at its first require, from a chunk of its own)', () => {
  const project = { root: '', bin: '', log: '', out: '' };
  beforeAll(() => {
    project.root = writeTree('lazy-loads', FILES);
    const packed = runPack(project.root);
    project.out = packed.out;
    project.bin = join(packed.out, 'lazy-loads-1.0.0-linux-x64');
    project.log = packed.log;
  }, 120_000);

  it.each(['plain', 'heavy', 'imported'])('%s prints what node prints', (command) => {
    const expected = execFileSync(process.execPath, [join(project.root, 'cli.js'), command], { encoding: 'utf8' });
    const r = spawnSync(project.bin, [command], { encoding: 'utf8', cwd: '/' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(expected);
  });

  it("a frame in the package names its chunk, and the bundle step says the chunks' sizes", () => {
    expect(spawnSync(project.bin, ['stack'], { encoding: 'utf8' }).stdout).toMatch(/^at .*fail \(seal:lazy\/heavy\.cjs:\d+:\d+\)$/m);
    expect(project.log).toMatch(/bundle ✓ .*, lazy: heavy [\d.]+ KiB, inner [\d.]+ KiB/);
  });

  it("a crash in the package reads, through the artifact's map, as the package's own file, line and column", () => {
    const report = spawnSync(project.bin, ['crash'], { encoding: 'utf8' }).stderr;
    expect(report).toMatch(/seal:lazy\/heavy\.cjs:\d+:\d+/);
    const mapPath = join(project.out, 'lazy-loads-1.0.0-linux-x64.map');
    const { text, positions } = mapStackText(report, readStackMap(readFileSync(mapPath, 'utf8'), mapPath));
    // lib/index.js line 6: `exports.fail = function fail() { throw new Error(...) }`, the throw's `new` at column 40.
    expect(text).toContain('node_modules/heavy/lib/index.js:6:40');
    expect(text).not.toMatch(/seal:lazy\/heavy\.cjs:\d+:\d+/);
    expect(positions.some((p) => p.written.startsWith('seal:lazy/heavy.cjs') && p.source?.file === 'node_modules/heavy/lib/index.js')).toBe(true);
  });

  it('each chunk has a code cache the build made, which V8 takes', () => {
    expect(project.log).toMatch(/chunk caches ✓ [\d.]+ s {2}heavy [\d.]+ KiB, inner [\d.]+ KiB/);
    expect(spawnSync(project.bin, ['cache'], { encoding: 'utf8' }).stdout).toBe('accepted\n');
  });

  it('a package both a chunk and the main script hold is a warning naming it (it runs twice)', () => {
    expect(project.log).toContain("warning: seal.lazy: heavy's chunk and the main script both hold node_modules/shared/index.js: each runs twice");
  });

  it("the program's bundle holds the stand-in only; the chunk holds the package", async () => {
    const outfile = join(project.root, 'out.cjs');
    const { lazy } = await bundleProject({ project: await readProject(project.root), outfile, target: 'node22', minify: false, lazy: true });
    expect(readFileSync(outfile, 'utf8')).not.toContain('HEAVY-MARKER');
    expect(readFileSync(outfile, 'utf8')).toContain('.lazyPackage("heavy")');
    expect(lazy.map((c) => c.name)).toEqual(['heavy', 'inner']);
    const heavy = readFileSync(lazy[0]?.file as string, 'utf8');
    expect(heavy).toContain('HEAVY-MARKER');
    // inner is lazy too: the heavy chunk asks for it rather than holding a second copy.
    expect(heavy).toContain('.lazyPackage("inner")');
  });

  it('without `lazy` (a bundle run by node) the package is bundled as any other', async () => {
    const outfile = join(project.root, 'inline.cjs');
    const { lazy } = await bundleProject({ project: await readProject(project.root), outfile, target: 'node22', minify: false });
    expect(lazy).toEqual([]);
    expect(readFileSync(outfile, 'utf8')).toContain('HEAVY-MARKER');
    expect(execFileSync(process.execPath, [outfile, 'heavy'], { encoding: 'utf8' })).toContain('heavy greets node');
  });
});

describe('pack: what seal.lazy refuses', () => {
  it('an import of a lazy package by a subpath: the build stops naming the importer and the fix', () => {
    const root = writeTree('lazy-subpath', {
      ...FILES,
      'package.json': JSON.stringify({ name: 'lazy-subpath', version: '1.0.0', bin: 'cli.js', dependencies: { heavy: '1.0.0' }, seal: { lazy: ['heavy'] } }),
      'cli.js': "console.log(require('heavy/lib/index.js').greet('x'));\n",
    });
    const r = runToolchain('pack', [root, '--runtime', 'official']);
    expect(r.status).toBe(1);
    expect(r.log).toContain('seal.lazy: cli.js imports heavy/lib/index.js: a lazy package is loaded by its name only');
    expect(r.log).toContain('import heavy itself, or take it out of seal.lazy');
  });

  it('a lazy package that is not installed', () => {
    const root = writeTree('lazy-missing', { 'package.json': JSON.stringify({ name: 'lazy-missing', version: '1.0.0', bin: 'cli.js', seal: { lazy: ['absent'] } }), 'cli.js': "console.log('x');\n" });
    const r = runToolchain('pack', [root, '--runtime', 'official']);
    expect(r.status).toBe(1);
    expect(r.log).toContain('seal.lazy: absent is not installed where the program finds it (npm install it, or take it out of seal.lazy)');
  });
});

describe('pack: seal.lazy with the other ways a program starts', () => {
  const heavy = {
    'node_modules/heavy/package.json': JSON.stringify({ name: 'heavy', version: '1.0.0', main: 'index.js' }),
    'node_modules/heavy/index.js': 'exports.greet = (who) => `heavy greets ${who}`;\n',
  };
  const project = (name: string, cli: string, seal: Record<string, unknown>, type?: 'module') =>
    writeTree(name, {
      ...heavy,
      'package.json': JSON.stringify({ name, version: '1.0.0', bin: 'cli.js', ...(type ? { type } : {}), dependencies: { heavy: '1.0.0' }, seal: { lazy: ['heavy'], smoke: { args: ['x'] }, ...seal } }),
      'cli.js': cli,
    });

  it('an ES module program (top-level await) imports it', () => {
    const root = project('lazy-esm', "await Promise.resolve();\nconst { greet } = await import('heavy');\nconsole.log(greet(process.argv[2]));\n", {}, 'module');
    const bin = join(runPack(root).out, 'lazy-esm-1.0.0-linux-x64');
    expect(execFileSync(bin, ['esm'], { encoding: 'utf8' })).toBe('heavy greets esm\n');
  });

  const SNAPSHOT_MAIN = "const v8 = require('node:v8');\nif (v8.startupSnapshot.isBuildingSnapshot()) v8.startupSnapshot.setDeserializeMainFunction(run); else run();\n";
  it('a start-up snapshot requires it at each start (no chunk cache: the blob has none)', () => {
    const root = project('lazy-snapshot', `function run() { console.log(require('heavy').greet(process.argv[2])); }\n${SNAPSHOT_MAIN}`, { startup: 'snapshot' });
    const packed = runPack(root);
    expect(packed.log).toContain('chunk caches ✓');
    expect(packed.log).toMatch(/skipped: start-up is "snapshot"/);
    expect(execFileSync(join(packed.out, 'lazy-snapshot-1.0.0-linux-x64'), ['snap'], { encoding: 'utf8' })).toBe('heavy greets snap\n');
  });

  it('a snapshot whose top level requires it: the build stops saying where to require it', () => {
    const root = project('lazy-snapshot-top', `const heavy = require('heavy');\nfunction run() { console.log(heavy.greet('x')); }\n${SNAPSHOT_MAIN}`, { startup: 'snapshot' });
    const r = runToolchain('pack', [root, '--runtime', 'official']);
    expect(r.status).toBe(1);
    expect(r.log).toContain('seal: heavy is in seal.lazy, and the program requires it while its start-up snapshot is made');
  });
});

describe('pack: what the bundle step suggests for seal.lazy', () => {
  it('a large package only an import() reaches is named, with the line to add', () => {
    // ~80 KiB that minifies to about as much: distinct strings.
    const big = `${Array.from({ length: 2000 }, (_, i) => `exports.k${i} = ${JSON.stringify(`value number ${i} of the big package`)};`).join('\n')}\n`;
    const root = writeTree('lazy-suggested', {
      'package.json': JSON.stringify({ name: 'lazy-suggested', version: '1.0.0', bin: 'cli.js', dependencies: { big: '1.0.0' }, seal: { smoke: { args: ['x'] } } }),
      'cli.js': "const run = async (w) => (w === 'big' ? (await import('big')).k7 : w);\nrun(process.argv[2]).then((out) => console.log(out));\n",
      'node_modules/big/package.json': JSON.stringify({ name: 'big', version: '1.0.0' }),
      'node_modules/big/index.js': big,
    });
    const { log } = runPack(root);
    expect(log).toMatch(/note: big \(with what only it brings\) is [\d.]+ KiB of the bundle, and the program reaches it only through an import\(\): "lazy": \["big"\] in seal would keep it out/);
  });
});

describe('pack: a lazy package with loads esbuild cannot follow', () => {
  it("an optional dependency not installed fails at run time where the package catches it; a computed require is a warning naming the chunk's load", () => {
    const root = writeTree('lazy-loader', {
      'package.json': JSON.stringify({ name: 'lazy-loader', version: '1.0.0', bin: 'cli.js', dependencies: { loader: '1.0.0' }, seal: { lazy: ['loader'], smoke: { args: ['x'] } } }),
      'cli.js': "const l = require('loader');\nconsole.log(l.optional, l.load('node:path').sep);\n",
      'node_modules/loader/package.json': JSON.stringify({ name: 'loader', version: '1.0.0' }),
      'node_modules/loader/index.js': "let optional = 'absent';\ntry { require('absent-optional'); optional = 'present'; } catch {}\nexports.optional = optional;\nexports.load = (name) => require(name);\n",
    });
    const packed = runPack(root);
    expect(packed.log).toMatch(/warning: seal\.lazy: loader's chunk loads what esbuild could not follow \(node_modules\/loader\/index\.js:4: require\(\w+\)\)/);
    expect(execFileSync(join(packed.out, 'lazy-loader-1.0.0-linux-x64'), { encoding: 'utf8' })).toBe('absent /\n');
  });
});

describe('pack: seal.lazy where node has rules of its own (a review, session 40)', () => {
  it('a load that threw is tried again; one that prints is fine at build time; two chunks holding one package are a warning; a cycle between lazy packages says so', () => {
    const pkg = (name: string, code: string) => ({ [`node_modules/${name}/package.json`]: JSON.stringify({ name, version: '1.0.0' }), [`node_modules/${name}/index.js`]: code });
    const root = writeTree('lazy-edge-cjs', {
      'package.json': JSON.stringify({ name: 'lazy-edge-cjs', version: '1.0.0', bin: 'cli.js', seal: { lazy: ['flaky', 'noisy', 'cyc-a', 'cyc-b'], smoke: { args: ['x'] } } }),
      'cli.js': [
        'const cmd = process.argv[2];',
        "if (cmd === 'flaky') { let first; try { require('flaky'); first = 'loaded'; } catch (e) { first = e.message; } console.log(first, '/', require('flaky').ok); }",
        "if (cmd === 'noisy') console.log(require('noisy').word);",
        "if (cmd === 'cycle') { try { console.log(require('cyc-a').a); } catch (e) { console.log(e.message); } }",
        "if (cmd === 'x') console.log('x');",
        '',
      ].join('\n'),
      ...pkg('flaky', "globalThis.flakyTries = (globalThis.flakyTries ?? 0) + 1;\nif (globalThis.flakyTries === 1) throw new Error('first load fails');\nrequire('common');\nexports.ok = 'second load ok';\n"),
      ...pkg('noisy', "console.log('noisy loading');\nrequire('common');\nexports.word = 'noisy';\n"),
      ...pkg('common', 'exports.c = 1;\n'),
      ...pkg('cyc-a', "exports.a = 'a';\nrequire('cyc-b');\n"),
      ...pkg('cyc-b', "require('cyc-a');\nexports.b = 'b';\n"),
    });
    const packed = runPack(root);
    const bin = join(packed.out, 'lazy-edge-cjs-1.0.0-linux-x64');
    const asNode = (cmd: string) => execFileSync(process.execPath, [join(root, 'cli.js'), cmd], { encoding: 'utf8' });
    const binary = (cmd: string) => execFileSync(bin, [cmd], { encoding: 'utf8' });
    expect(binary('flaky')).toBe(asNode('flaky'));
    expect(binary('noisy')).toBe(asNode('noisy'));
    expect(packed.log).toContain('note: loading flaky at build time threw (first load fails)');
    expect(packed.log).toContain("warning: seal.lazy: flaky's chunk and noisy's chunk both hold node_modules/common/index.js: each runs twice");
    expect(asNode('cycle')).toBe('a\n');
    expect(binary('cycle')).toBe(
      "seal: cyc-a is in seal.lazy, and loading it required it again (cyc-a → cyc-b → cyc-a): a cycle between lazy packages, which cannot get each other's exports half made as under node. Take one of them out of seal.lazy\n",
    );
  });

  it('ES module packages: a default import, an import-only package, a scoped name; a dual package is one copy (its chunk is what require finds)', () => {
    const root = writeTree('lazy-edge-esm', {
      'package.json': JSON.stringify({ name: 'lazy-edge-esm', version: '1.0.0', type: 'module', bin: 'cli.js', seal: { lazy: ['@scope/esm-def', 'esm-only', 'dual'], smoke: { args: ['x'] } } }),
      'cli.js': "import hello, { named } from '@scope/esm-def';\nimport { only } from 'esm-only';\nimport { greet } from 'dual';\nconsole.log(typeof hello, hello(), named, only, greet('x'));\n",
      'node_modules/@scope/esm-def/package.json': JSON.stringify({ name: '@scope/esm-def', version: '1.0.0', type: 'module', main: 'index.js' }),
      'node_modules/@scope/esm-def/index.js': "export default function hello() { return 'hello'; }\nexport const named = 'named';\n",
      'node_modules/esm-only/package.json': JSON.stringify({ name: 'esm-only', version: '1.0.0', type: 'module', exports: { import: './index.js' } }),
      'node_modules/esm-only/index.js': "export const only = 'only';\n",
      'node_modules/dual/package.json': JSON.stringify({ name: 'dual', version: '1.0.0', exports: { import: './index.mjs', require: './index.cjs' } }),
      'node_modules/dual/index.mjs': "export const greet = (w) => 'esm greets ' + w;\n",
      'node_modules/dual/index.cjs': "exports.greet = (w) => 'cjs greets ' + w;\n",
    });
    const packed = runPack(root);
    expect(execFileSync(process.execPath, [join(root, 'cli.js')], { encoding: 'utf8' })).toBe('function hello named only esm greets x\n');
    expect(execFileSync(join(packed.out, 'lazy-edge-esm-1.0.0-linux-x64'), ['x'], { encoding: 'utf8' })).toBe('function hello named only cjs greets x\n');
    expect(packed.log).toMatch(/lazy: @scope\/esm-def [\d.]+ KiB, esm-only [\d.]+ KiB, dual [\d.]+ KiB/);
  });
});
