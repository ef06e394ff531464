// The loads esbuild cannot follow, found in real bundles of small generated projects: where each points,
// and whether the embedded assets cover it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleProject } from '../../build/project/bundle.ts';
import { coveredByAssets } from '../../build/project/dynamic-loads.ts';
import { readProject } from '../../build/project/project.ts';
import { writeTree } from '../fixtures/context.ts';

/** The bundle of a small project: a package.json with one bin (bin/cli.js) unless `files` has its own. */
async function bundleOf(files: Record<string, string>) {
  const root = writeTree('loads', { 'package.json': JSON.stringify({ name: 'p', version: '1.0.0', bin: 'bin/cli.js' }), ...files });
  return { root, ...(await bundleProject({ project: await readProject(root), outfile: join(root, 'out.cjs'), target: 'node22', minify: true })) };
}

async function loadsOf(files: Record<string, string>) {
  return (await bundleOf(files)).loads;
}

describe('computed loads', () => {
  it('a path built from __dirname points into the project, with file and line', async () => {
    const loads = await loadsOf({ 'bin/cli.js': "const { join } = require('path');\nconst name = process.argv[2];\nrequire(join(__dirname, '..', 'plugins', name));\n" });
    expect(loads).toEqual([{ kind: 'require', at: 'bin/cli.js:3', code: expect.stringMatching(/^require\(/), into: '/seal/plugins/' }]);
  });

  it('import() of a file URL made from __dirname — a CLI whose real code loads that way — names the file', async () => {
    const loads = await loadsOf({ 'bin/cli.js': "const { join } = require('path');\nconst { pathToFileURL } = require('url');\nimport(pathToFileURL(join(__dirname, '../lib/cli.js')).href).then((m) => m.run());\n" });
    expect(loads.map((l) => [l.at, l.into])).toEqual([['bin/cli.js:3', '/seal/lib/cli.js']]);
  });

  it('new URL(relative, import.meta.url) in ESM, and a template literal from __dirname', async () => {
    const esm = await loadsOf({ 'bin/cli.js': "import './a.mjs';\n", 'bin/a.mjs': "const which = process.argv[2];\nexport const p = import(new URL('../lib/' + which, import.meta.url).href);\n" });
    expect(esm.map((l) => [l.at, l.into])).toEqual([['bin/a.mjs:2', '/seal/lib/']]);
    const fixed = await loadsOf({ 'bin/cli.js': "import './a.mjs';\n", 'bin/a.mjs': "export const p = import(new URL('../lib/main.mjs', import.meta.url).href);\n" });
    expect(fixed.map((l) => l.into)).toEqual(['/seal/lib/main.mjs']);
    const template = await loadsOf({ 'bin/cli.js': 'const w = process.argv[2];\nrequire(`${__dirname}/locales/${w}.json`);\n' });
    expect(template.map((l) => l.into)).toEqual(['/seal/bin/locales/']);
  });

  it("a data file the package has, named by new URL('…', import.meta.url) outside any load, is a mention; a missing file, a module, a directory or the argument of a read is not", async () => {
    const loads = await loadsOf({
      'config/defaults.json': '{}\n',
      'bin/worker.js': '\n',
      'bin/cli.js': "import './a.mjs';\n",
      'bin/a.mjs': [
        "import { readFileSync } from 'node:fs';",
        'const readJSON = (u) => JSON.parse(readFileSync(u, "utf8"));',
        "export const defaults = readJSON(new URL('../config/defaults.json', import.meta.url));",
        "export const worker = new URL('./worker.js', import.meta.url);",
        "export const pkg = readFileSync(new URL('../package.json', import.meta.url));",
        "export const here = new URL('.', import.meta.url);",
        "export const gone = new URL('../config/absent.json', import.meta.url);",
        '',
      ].join('\n'),
    });
    expect(loads.filter((l) => l.mentioned).map((l) => [l.at, l.kind, l.into, l.exact])).toEqual([['bin/a.mjs:3', 'read', '/seal/config/defaults.json', true]]);
    // The read's own argument: one load, the read's.
    expect(loads.filter((l) => l.into === '/seal/package.json').map((l) => l.mentioned)).toEqual([undefined]);
  });

  it('a read of a place holds its data: the modules bundled from there are not embedded again (pm2 reads its banner beside its code)', async () => {
    const loads = await loadsOf({
      'bin/banner.txt': 'hi\n',
      'bin/helper.js': 'module.exports = 1;\n',
      'bin/cli.js': "const fs = require('fs');\nconst { join } = require('path');\nrequire('./helper.js');\nconsole.log(fs.readFileSync(join(__dirname, process.argv[2]), 'utf8'));\n",
    });
    expect(loads.map((l) => [l.kind, l.into, l.place])).toEqual([['read', '/seal/bin/', { files: 1, bytes: 3 }]]);
  });

  it("a path known in full to a module of the package, outside any load, is a mention embedded with what it loads (pm2 pushes its daemon onto node's arguments)", async () => {
    const loads = await loadsOf({
      'lib/daemon.js': "require('./god.js');\n",
      'lib/god.js': '\n',
      'bin/cli.js': "const { join, dirname } = require('path');\nconst args = [];\nargs.push(join(dirname(module.filename), '..', 'lib', 'daemon.js'));\nmodule.exports = args;\n",
    });
    expect(loads.map((l) => [l.at, l.kind, l.into, l.exact, l.mentioned])).toEqual([['bin/cli.js:3', 'process', '/seal/lib/daemon.js', true, true]]);
  });

  it("a file esbuild has no loader for, taken by a template literal's require with its directory (@vue/cli-shared-utils' AppleScript), is left to run time: the bundle is made", async () => {
    const bundled = await bundleOf({ 'bin/cli.js': "for (const m of ['a']) console.log(require(`./lib/${m}`));\n", 'bin/lib/a.js': 'module.exports = 1;\n', 'bin/lib/open.applescript': 'tell application "Chrome"\n' });
    expect(bundled.unresolved.map((u) => [u.at, u.spec.slice(bundled.root.length + 1), u.noLoader])).toEqual([['bin/cli.js:1', 'bin/lib/open.applescript', true]]);
    // Node would load it as JavaScript, and throw a SyntaxError: so does the bundle, if that line ever asks for it.
    expect(readFileSync(join(bundled.root, 'out.cjs'), 'utf8')).toMatch(/throw new SyntaxError\(["']\/seal\/bin\/lib\/open\.applescript: /);
  });

  it("a path resolved from the module's file and a template's start (create-vite's templates) is a name's start: the files whose path starts so are embedded", async () => {
    const loads = await loadsOf({
      'template-a/index.html': '<p>a</p>\n',
      'template-b/main.js': 'x\n',
      'other/x.txt': 'no\n',
      'bin/cli.js': "import './a.mjs';\n",
      'bin/a.mjs':
        "import fs from 'node:fs';\nimport path from 'node:path';\nimport { fileURLToPath } from 'node:url';\nconst dir = path.resolve(fileURLToPath(import.meta.url), '..', '..', `template-${process.argv[2]}`);\nexport const files = fs.readdirSync(dir);\n",
    });
    expect(loads.map((l) => [l.kind, l.into, l.place?.files])).toEqual([['read', '/seal/template-', 2]]);
  });

  it('a path known only to start at a whole package (its own directory, package.json there) is not a place: an existence check as often as a load, for seal.assets to narrow', async () => {
    const loads = await loadsOf({ 'README.md': '# p\n', 'bin/cli.js': "const fs = require('fs');\nconst { join } = require('path');\nconsole.log(fs.existsSync(join(__dirname, '..', process.argv[2])));\n" });
    expect(loads.map((l) => [l.kind, l.into, l.place])).toEqual([['read', '/seal/', undefined]]);
  });

  it('a name from outside (argv, a package name in a variable) is only a warning: it points nowhere in the project', async () => {
    const loads = await loadsOf({ 'bin/cli.js': 'const mod = process.argv[2];\nrequire(mod);\n' });
    expect(loads).toEqual([{ kind: 'require', at: 'bin/cli.js:2', code: expect.any(String) }]);
  });

  it("'./dir/' + name is bundled by esbuild (every file that could match), so it is not reported", async () => {
    const loads = await loadsOf({ 'bin/cli.js': "require('./cmds/' + process.argv[2]);\n", 'bin/cmds/a.js': 'module.exports = 1;\n' });
    expect(loads).toEqual([]);
  });

  it("fs reads of the program's own files are found in every form; reads of the user's files are not", async () => {
    const loads = await loadsOf({
      'bin/cli.js': [
        "const fs = require('fs');",
        "const { join } = require('path');",
        "const pkg = JSON.parse(fs.readFileSync(join(__dirname, '../package.json'), 'utf8'));",
        "fs.createReadStream(__dirname + '/../templates/' + process.argv[2]);",
        "require('fs/promises').readdir(join(__dirname, 'locales'));",
        'fs.readFileSync(process.argv[3]);',
        "fs.readFileSync(join(process.cwd(), 'x.json'));",
        '',
      ].join('\n'),
    });
    expect(loads.map((l) => [l.kind, l.at, l.into])).toEqual([
      ['read', 'bin/cli.js:3', '/seal/package.json'],
      ['read', 'bin/cli.js:4', '/seal/templates/'],
      ['read', 'bin/cli.js:5', '/seal/bin/locales'],
    ]);
  });

  it("workers started from the program's files are found, by path or file URL, under any local name; code given as a string is not", async () => {
    const loads = await loadsOf({
      'lib/a-worker.js': 'module.exports = 1;\n',
      'lib/b-worker.mjs': 'export default 1;\n',
      'bin/cli.js': [
        "const { Worker: W } = require('worker_threads');",
        "const threads = require('node:worker_threads');",
        "const { join } = require('path');",
        "new W(join(__dirname, '../lib/a-worker.js'));",
        "new threads.Worker(new URL('../lib/b-worker.mjs', 'file://' + __filename));",
        "new W('postMessage(1)', { eval: true });",
        '',
      ].join('\n'),
    });
    expect(loads.map((l) => [l.kind, l.at, l.into])).toEqual([
      ['worker', 'bin/cli.js:4', '/seal/lib/a-worker.js'],
      ['worker', 'bin/cli.js:5', '/seal/lib/b-worker.mjs'],
    ]);
  });

  it("processes started as node on the program's files are found (fork, spawn and the sync forms of process.execPath, a -r module too); the user's script and the program's own arguments are not", async () => {
    const loads = await loadsOf({
      'lib/child.js': 'module.exports = 1;\n',
      'lib/pre.js': 'module.exports = 1;\n',
      'bin/cli.js': [
        "const { fork, spawnSync } = require('child_process');",
        "const cp = require('node:child_process');",
        "const { join } = require('path');",
        "fork(join(__dirname, '../lib/child.js'), ['a']);",
        "spawnSync(process.execPath, ['--require', join(__dirname, '../lib/pre.js'), join(__dirname, '../lib/child.js')]);",
        'const node = process.execPath;',
        "cp.execFile(node, [join(__dirname, '../lib', process.argv[2])]);",
        'fork(process.argv[2]);',
        "spawnSync(process.execPath, ['--version']);",
        "spawnSync('git', [join(__dirname, '../lib/child.js')]);",
        '',
      ].join('\n'),
    });
    expect(loads.map((l) => [l.kind, l.at, l.into, l.exact])).toEqual([
      ['process', 'bin/cli.js:4', '/seal/lib/child.js', true],
      ['process', 'bin/cli.js:5', '/seal/lib/pre.js', true],
      ['process', 'bin/cli.js:5', '/seal/lib/child.js', true],
      ['process', 'bin/cli.js:7', '/seal/lib/', undefined],
    ]);
  });

  it('a destructured fs function is still an fs read once minified (var{readFileSync:s}=require("fs"); s(…))', async () => {
    const loads = await loadsOf({ 'bin/cli.js': "const { readFileSync } = require('fs');\nconst { join } = require('path');\nreadFileSync(join(__dirname, 'tpl.txt'));\n" });
    expect(loads.map((l) => [l.kind, l.into])).toEqual([['read', '/seal/bin/tpl.txt']]);
  });

  it('a require made by createRequire(import.meta.url) loading a file of the package points into it; a package name does not', async () => {
    const loads = await loadsOf({
      'bin/cli.js': "import './main.mjs';\n",
      'bin/main.mjs': "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nconsole.log(require('../package.json').version);\ntry { require('picomatch'); } catch {}\n",
    });
    expect(loads.map((l) => [l.kind, l.at, l.into])).toEqual([['require', 'bin/main.mjs:3', '/seal/package.json']]);
  });

  it("createRequire'd requires by exact path are marked to embed: a relative file, a package's JSON file by name (css-tree's mdn-data), a package's module", async () => {
    const loads = await loadsOf({
      'bin/cli.js': "import './main.mjs';\n",
      'bin/main.mjs': "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nconsole.log(require('../data/patch.json'), require('mdn-data/css/at-rules.json'), require('mdn-data'));\n",
      'data/patch.json': '{}',
      'node_modules/mdn-data/package.json': JSON.stringify({ name: 'mdn-data', version: '1.0.0', main: 'index.js' }),
      'node_modules/mdn-data/index.js': 'module.exports = 1;',
      'node_modules/mdn-data/css/at-rules.json': '{}',
    });
    // The package by name is its main module (embedded with what it loads: bundle.ts, module-graph.ts).
    expect(loads.map((l) => [l.into, l.exact])).toEqual([
      ['/seal/data/patch.json', true],
      ['/seal/node_modules/mdn-data/css/at-rules.json', true],
      ['/seal/node_modules/mdn-data/index.js', true],
    ]);
  });

  it("a require made lazily, as rolldown's output makes it (`function __require() { const r = createRequire(import.meta.url); return __require = () => r, r }`, then `__require()('pkg')`), is read as createRequire's", async () => {
    const loads = await loadsOf({
      'bin/cli.js': "import './main.mjs';\n",
      'bin/main.mjs':
        "import { createRequire } from 'node:module';\nfunction __require() {\n  const require = createRequire(import.meta.url);\n  __require = () => require;\n  return require;\n}\nlet binding;\ntry { binding = __require()('./binding.linux-x64.node'); } catch { binding = __require()('native-linux'); }\nconsole.log(binding, __require()('../data/patch.json'));\n",
      'data/patch.json': '{}',
      'node_modules/native-linux/package.json': JSON.stringify({ name: 'native-linux', version: '1.0.0', main: 'index.js' }),
      'node_modules/native-linux/index.js': 'module.exports = 1;',
    });
    // The local build's file beside the loader is not in the package: named, exact, and left to fail at run time as under node (bundle.ts).
    expect(loads.map((l) => [l.into, l.exact])).toEqual([
      ['/seal/bin/binding.linux-x64.node', true],
      ['/seal/node_modules/native-linux/index.js', true],
      ['/seal/data/patch.json', true],
    ]);
  });

  it("a package's module reached by name through its exports map (sharp's '@img/sharp-linux-x64/sharp.node' → index.cjs) is embedded with its relative loads and package.json; a platform package not installed is not", async () => {
    const bundled = await bundleOf({
      'package.json': JSON.stringify({ name: 'p', version: '1.0.0', bin: 'bin/cli.mjs' }),
      'bin/cli.mjs':
        "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nlet m;\ntry { m = require('@img/native-darwin/thing.node'); } catch { m = require('@img/native-linux/thing.node'); }\nconsole.log(m);\n",
      'node_modules/@img/native-linux/package.json': JSON.stringify({ name: '@img/native-linux', version: '1.0.0', exports: { './thing.node': './index.cjs' } }),
      'node_modules/@img/native-linux/index.cjs': "module.exports = require('./lib/helper.cjs');\n",
      'node_modules/@img/native-linux/lib/helper.cjs': "module.exports = 'helper';\n",
      'node_modules/@img/native-linux/unused.cjs': '',
    });
    const { root } = bundled;
    expect(bundled.files.map((f) => f.slice(root.length + 1))).toEqual(['node_modules/@img/native-linux/index.cjs', 'node_modules/@img/native-linux/lib/helper.cjs', 'node_modules/@img/native-linux/package.json']);
  });

  it("seal.omit leaves a package out of what is embedded for loads esbuild cannot follow (fdir's optional picomatch under broker): noted, not embedded", async () => {
    const bundled = await bundleOf({
      'package.json': JSON.stringify({ name: 'p', version: '1.0.0', bin: 'bin/cli.mjs', seal: { omit: ['picomatch'] } }),
      'bin/cli.mjs': "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nlet pm = null;\ntry { pm = require('picomatch'); } catch {}\nconsole.log(pm === null);\n",
      'node_modules/picomatch/package.json': JSON.stringify({ name: 'picomatch', version: '4.0.0', main: 'index.js' }),
      'node_modules/picomatch/index.js': "module.exports = require('./lib/picomatch');\n",
      'node_modules/picomatch/lib/picomatch.js': 'module.exports = () => true;\n',
    });
    expect(bundled.files).toEqual([]);
    expect(bundled.loads.map((l) => [l.kind, l.at, l.into, l.omitted])).toEqual([['require', 'bin/cli.mjs:4', undefined, true]]);
  });

  it("require.resolve of a package by its bare name is answered from the embedded files (handlebars' -m checks uglify-js so), but not for a package seal.omit names: there it throws as if not installed", async () => {
    const files = (omit: string[]) => ({
      'package.json': JSON.stringify({ name: 'p', version: '1.0.0', bin: 'bin/cli.js', seal: { omit } }),
      'bin/cli.js': "let found = null;\ntry { found = require.resolve('minifier'); } catch {}\nconsole.log(found);\n",
      'node_modules/minifier/package.json': JSON.stringify({ name: 'minifier', version: '1.0.0', main: 'main.js' }),
      'node_modules/minifier/main.js': "module.exports = require('./lib/squash');\n",
      'node_modules/minifier/lib/squash.js': 'module.exports = (s) => s;\n',
    });
    const answered = await bundleOf(files([]));
    expect(answered.files.map((f) => f.slice(answered.root.length))).toEqual(['/node_modules/minifier/lib/squash.js', '/node_modules/minifier/main.js', '/node_modules/minifier/package.json']);
    expect(readFileSync(join(answered.root, 'out.cjs'), 'utf8')).toContain('/seal/node_modules/minifier/main.js');
    const omitted = await bundleOf(files(['minifier']));
    expect(omitted.files).toEqual([]);
    expect(readFileSync(join(omitted.root, 'out.cjs'), 'utf8')).not.toContain('/seal/node_modules/minifier');
  });

  it("a package.json named as '<package>/package.json' (a CLI reading a dependency's version through a resolve wrapper) is embedded", async () => {
    const bundled = await bundleOf({
      'package.json': JSON.stringify({ name: 'p', version: '1.0.0', bin: 'bin/cli.js' }),
      'bin/cli.js': "const { readFileSync } = require('fs');\nconst resolve = (s) => require.resolve(s);\nconsole.log(JSON.parse(readFileSync(resolve('dep/package.json'), 'utf8')).version, 'gone/package.json');\n",
      'node_modules/dep/package.json': JSON.stringify({ name: 'dep', version: '2.0.0' }),
    });
    const { root } = bundled;
    // The program's own package.json too: its code mentions a package.json (tree-packages.ts, ownManifest).
    expect(bundled.files.map((f) => f.slice(root.length + 1))).toEqual(['node_modules/dep/package.json', 'package.json']);
  });

  it('a platform package picked at run time by a computed name (lightningcss-${platform}): each one installed, by its main', async () => {
    const loads = await loadsOf({
      'bin/cli.js': "const lib = require('lib');\nconsole.log(lib);\n",
      // As lightningcss does, the package declares its platform packages; lib-plugin-x matches the prefix but is not declared.
      'node_modules/lib/package.json': JSON.stringify({
        name: 'lib',
        version: '1.0.0',
        optionalDependencies: { 'lib-linux-x64': '1.0.0', 'lib-linux-arm64': '1.0.0', 'lib-types': '1.0.0', '@lib/native-x64': '1.0.0', 'lib-darwin-arm64': '1.0.0' },
      }),
      'node_modules/lib-plugin-x/package.json': JSON.stringify({ name: 'lib-plugin-x', version: '1.0.0', main: 'index.js' }),
      'node_modules/lib-plugin-x/index.js': '',
      'node_modules/lib/index.js': "let parts = [process.platform, process.arch];\ntry { module.exports = require(`lib-${parts.join('-')}`); } catch { module.exports = require(`@lib/native-${process.arch}`); }\n",
      'node_modules/lib-linux-x64/package.json': JSON.stringify({ name: 'lib-linux-x64', version: '1.0.0', main: 'lib.linux-x64.node' }),
      'node_modules/lib-linux-x64/lib.linux-x64.node': '',
      'node_modules/lib-linux-arm64/package.json': JSON.stringify({ name: 'lib-linux-arm64', version: '1.0.0', main: 'main.js' }),
      'node_modules/lib-linux-arm64/main.js': '',
      'node_modules/lib-types/package.json': JSON.stringify({ name: 'lib-types', version: '1.0.0', types: 'x.d.ts' }),
      'node_modules/@lib/native-x64/package.json': JSON.stringify({ name: '@lib/native-x64', version: '1.0.0' }),
      'node_modules/@lib/native-x64/index.js': '',
    });
    // lib-types has no main to load, lib-darwin-arm64 is not installed, lib-plugin-x is not declared: left out.
    expect(loads.map((l) => [l.kind, l.at, l.into, l.exact])).toEqual([
      ['require', 'node_modules/lib/index.js:2', '/seal/node_modules/lib-linux-arm64/main.js', true],
      ['require', 'node_modules/lib/index.js:2', '/seal/node_modules/lib-linux-x64/lib.linux-x64.node', true],
      ['require', 'node_modules/lib/index.js:2', '/seal/node_modules/@lib/native-x64/index.js', true],
    ]);
  });

  it("a platform package's name made where it is not required (rollup's requireWithFriendlyError(… : `@rollup/rollup-${base}`)) is the same choice", async () => {
    const loads = await loadsOf({
      'bin/cli.js': "const lib = require('lib');\nconsole.log(lib);\n",
      'node_modules/lib/package.json': JSON.stringify({ name: 'lib', version: '1.0.0', optionalDependencies: { '@lib/lib-linux-x64-gnu': '1.0.0' } }),
      'node_modules/lib/index.js':
        'const base = `${process.platform}-${process.arch}-gnu`;\nconst load = (id) => { try { return require(id); } catch (e) { throw new Error(`Cannot find module ${id}`); } };\nmodule.exports = load(`@lib/lib-${base}`);\n',
      'node_modules/@lib/lib-linux-x64-gnu/package.json': JSON.stringify({ name: '@lib/lib-linux-x64-gnu', version: '1.0.0', main: 'lib.node' }),
      'node_modules/@lib/lib-linux-x64-gnu/lib.node': '',
    });
    // The helper's own require(id) is a computed load as ever (a warning); the template names the package to embed.
    expect(loads.map((l) => [l.kind, l.at, l.into, l.oneOf])).toEqual([
      ['require', 'node_modules/lib/index.js:2', undefined, undefined],
      ['require', 'node_modules/lib/index.js:3', '/seal/node_modules/@lib/lib-linux-x64-gnu/lib.node', true],
    ]);
  });

  it('a createRequire in an ES module that CommonJS requires (esbuild declares its names first and assigns them later: css-tree under stylelint) still names its file', async () => {
    const loads = await loadsOf({
      'bin/cli.js': "const { patch } = require('../lib/patch.mjs');\nconsole.log(patch);\n",
      'lib/patch.mjs': "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nexport const patch = require('../data/patch.json');\n",
      'data/patch.json': '{}',
    });
    expect(loads.map((l) => [l.kind, l.at, l.into, l.exact])).toEqual([['require', 'lib/patch.mjs:3', '/seal/data/patch.json', true]]);
  });

  it('a read of one file named in full is exact (embedded when the package has it); a directory is a place, embedded whole', async () => {
    const bundled = await bundleOf({
      'package.json': JSON.stringify({ name: 'p', version: '1.0.0', bin: 'bin/cli.js', type: 'module' }),
      'bin/cli.js':
        "import { readFileSync, readdirSync } from 'node:fs';\nimport { dirname, join } from 'node:path';\nimport { fileURLToPath } from 'node:url';\nconst here = dirname(fileURLToPath(import.meta.url));\nreadFileSync(new URL('../package.json', import.meta.url));\nreadFileSync(join(here, '../data/a.json'));\nreaddirSync(join(here, '../data'));\nreadFileSync(join(here, 'absent.json'));\n",
      'data/a.json': '{}',
    });
    const { root } = bundled;
    expect(bundled.loads.map((l) => [l.kind, l.at, l.into, l.exact])).toEqual([
      ['read', 'bin/cli.js:5', '/seal/package.json', true],
      ['read', 'bin/cli.js:6', '/seal/data/a.json', true],
      ['read', 'bin/cli.js:7', '/seal/data/', undefined],
      ['read', 'bin/cli.js:8', '/seal/bin/absent.json', true],
    ]);
    expect(bundled.files.map((f) => f.slice(root.length + 1))).toEqual(['data/a.json', 'package.json']);
  });

  it("svgo's read of its package.json in an ES module bundle (top-level await), where the path functions are imported under minified names, is exact", async () => {
    const loads = await loadsOf({
      'bin/cli.js':
        "import fs from 'fs';\nimport path from 'path';\nimport { fileURLToPath } from 'url';\nconst __dirname = path.dirname(fileURLToPath(import.meta.url));\nconst pkgPath = path.join(__dirname, '../package.json');\nconst PKG = JSON.parse(await fs.promises.readFile(pkgPath, 'utf-8'));\nconsole.log(PKG.version);\n",
    });
    expect(loads.map((l) => [l.kind, l.at, l.into, l.exact])).toEqual([['read', 'bin/cli.js:6', '/seal/package.json', true]]);
  });

  it("in an ES module bundle (top-level await), a CommonJS module's require is esbuild's shim: its computed loads are still found", async () => {
    const loads = await loadsOf({
      'bin/cli.js': "import { x } from '../lib/x.cjs';\nawait Promise.resolve();\nconsole.log(x);\n",
      'lib/x.cjs': "const { join } = require('path');\nexports.x = require(join(__dirname, 'plugins', process.argv[2]));\n",
    });
    expect(loads.map((l) => [l.kind, l.at, l.into])).toEqual([['require', 'lib/x.cjs:2', '/seal/lib/plugins/']]);
  });

  it("an import() hidden in new Function (prettier's bin) is reported with its line, and where a relative name resolves in the binary", async () => {
    const loads = await loadsOf({ 'bin/cli.js': 'const load = new Function("m", "return import(m)");\nload("../lib/cli.mjs");\nnew Function("a", "return a + 1");\n' });
    // The call names one file: embedded (with what it imports) without asking.
    expect(loads.map((l) => [l.kind, l.at, l.into, l.exact])).toEqual([
      ['hidden', 'bin/cli.js:1', '/seal/bin/', undefined],
      ['hidden', 'bin/cli.js:2', '/seal/lib/cli.mjs', true],
    ]);
    // Another form is not rewritten: it still resolves against the working directory, and no place is claimed.
    const other = await loadsOf({ 'bin/cli.js': 'const run = new Function("return import(\'../lib/cli.mjs\')");\nrun();\n' });
    expect(other.map((l) => [l.kind, l.at, l.into])).toEqual([['hidden', 'bin/cli.js:1', undefined]]);
  });

  it('a path expression that only looks like one (a value.valueOf(), a URL against a base that is no URL) is a computed load, not a failed build', async () => {
    const loads = await loadsOf({ 'bin/cli.js': "const fs = require('fs');\nconst p = process.argv[2];\nfs.readFileSync(p.valueOf());\nrequire(new URL('./' + p, 'base').pathname);\n" });
    expect(loads.map((l) => [l.kind, l.at, l.into])).toEqual([['require', 'bin/cli.js:4', undefined]]);
  });

  it('assets cover a directory by prefix, a file exactly or by extension', () => {
    const assets = ['/seal/plugins/a.js', '/seal/locales/en.json'];
    expect(coveredByAssets('/seal/plugins/', assets)).toBe(true);
    expect(coveredByAssets('/seal/plugin/', assets)).toBe(false);
    expect(coveredByAssets('/seal/plugins/a.js', assets)).toBe(true);
    expect(coveredByAssets('/seal/locales/en', assets)).toBe(true);
    expect(coveredByAssets('/seal/lib/cli.js', assets)).toBe(false);
  });
});
