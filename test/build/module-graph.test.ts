// What a module that runs unbundled from the embedded files needs beside it: the files it loads by a literal name.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { literalLoads, moduleGraph } from '../../build/project/module-graph.ts';
import { writeTree } from '../fixtures/context.ts';

const tree = (files: Record<string, string>) => writeTree('graph', files);

describe('module graph', () => {
  it('a module: import and export-from declarations, import() of a literal; not computed names', () => {
    const src = "import a from './a.mjs';\nimport 'node:fs';\nimport x from 'pkg';\nexport * from '../b.mjs';\nexport { c } from './c.mjs';\nconst p = import('./p.mjs');\nconst q = import('./' + name);\n";
    expect(literalLoads(src).filter((n) => n.startsWith('.'))).toEqual(['./a.mjs', '../b.mjs', './c.mjs', './p.mjs']);
  });

  it('a script (it does not parse as a module): require of a literal', () => {
    expect(literalLoads("return require('./x');\nrequire('y');\nrequire(name);\n")).toEqual(['./x', 'y']);
  });

  it('follows relative loads to the end, within the tree; a require without extension and a directory index.js resolve as Node would', () => {
    const root = tree({
      'internal/cli.mjs': "import '../index.mjs';\nimport('./plugins/a.mjs');\n",
      'index.mjs': "export * from './doc.mjs';\nimport 'outside-package';\n",
      'doc.mjs': "import './internal/cli.mjs';\n", // a cycle
      'internal/plugins/a.mjs': "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nrequire('./b');\nrequire('./dir');\n",
      'internal/plugins/b.js': "module.exports = require('./data.json');\n",
      'internal/plugins/data.json': '{}',
      'internal/plugins/dir/index.js': 'module.exports = 1;\n',
      'unused.mjs': '',
    });
    expect(moduleGraph([join(root, 'internal/cli.mjs')], root).map((f) => f.slice(root.length + 1))).toEqual([
      'doc.mjs',
      'index.mjs',
      'internal/cli.mjs',
      'internal/plugins/a.mjs',
      'internal/plugins/b.js',
      'internal/plugins/data.json',
      'internal/plugins/dir/index.js',
    ]);
  });

  it("package names are found as Node's require finds them from the module (init-package-json's default-input.js, run by promzard with its own require): exports map, nested copy; built-ins and packages not installed are left", () => {
    const root = tree({
      'package.json': '{}',
      'node_modules/npm/package.json': '{"name":"npm"}',
      'node_modules/npm/lib/input.js': "require('fs/promises');\nrequire('node:path');\nrequire('semver');\nrequire('@scope/json/lib/license');\nrequire('not-installed');\n",
      'node_modules/npm/node_modules/semver/package.json': '{"name":"semver","main":"index.js"}',
      'node_modules/npm/node_modules/semver/index.js': "module.exports = require('./functions/parse');\n",
      'node_modules/npm/node_modules/semver/functions/parse.js': '',
      'node_modules/semver/package.json': '{"name":"semver","main":"index.js"}',
      'node_modules/semver/index.js': '',
      'node_modules/@scope/json/package.json': '{"name":"@scope/json","exports":{"./lib/*":"./lib/*.js"}}',
      'node_modules/@scope/json/lib/license.js': '',
    });
    expect(moduleGraph([join(root, 'node_modules/npm/lib/input.js')], root).map((f) => f.slice(root.length + 1))).toEqual([
      'node_modules/@scope/json/lib/license.js',
      'node_modules/@scope/json/package.json',
      'node_modules/npm/lib/input.js',
      'node_modules/npm/node_modules/semver/functions/parse.js',
      'node_modules/npm/node_modules/semver/index.js',
      'node_modules/npm/node_modules/semver/package.json',
      'node_modules/npm/package.json',
    ]);
  });

  it("an import of a package follows its exports map's import condition, a require its require condition (a dual package, and one with no require at all)", () => {
    const root = tree({
      'package.json': '{}',
      'node_modules/app/package.json': '{"name":"app","type":"module"}',
      'node_modules/app/main.js': "import dual from 'dual';\nimport only from 'esm-only/sub';\nconst { createRequire } = await import('node:module');\n",
      'node_modules/app/old.cjs': "require('dual');\n",
      'node_modules/dual/package.json': '{"name":"dual","exports":{".":{"import":"./esm/index.mjs","require":"./cjs/index.js"}}}',
      'node_modules/dual/esm/index.mjs': "export * from './more.mjs';\n",
      'node_modules/dual/esm/more.mjs': '',
      'node_modules/dual/cjs/index.js': '',
      'node_modules/esm-only/package.json': '{"name":"esm-only","exports":{"./sub":{"import":"./sub.mjs"}}}',
      'node_modules/esm-only/sub.mjs': '',
    });
    const rel = (files: string[]) => files.map((f) => f.slice(root.length + 1)).filter((f) => !f.endsWith('package.json'));
    expect(rel(moduleGraph([join(root, 'node_modules/app/main.js')], root))).toEqual(['node_modules/app/main.js', 'node_modules/dual/esm/index.mjs', 'node_modules/dual/esm/more.mjs', 'node_modules/esm-only/sub.mjs']);
    expect(rel(moduleGraph([join(root, 'node_modules/app/old.cjs')], root))).toEqual(['node_modules/app/old.cjs', 'node_modules/dual/cjs/index.js']);
  });

  it("a package's own import names (#x, its package.json imports map) are followed: a pattern, the node and import/require conditions, one naming another package", () => {
    const root = tree({
      'package.json': JSON.stringify({
        name: 'app',
        imports: { '#cfg/*': './lib/cfg/*.js', '#util': { node: './lib/util-node.js', default: './lib/util.js' }, '#dep': 'dep', '#esm': { import: './lib/esm.mjs', require: './lib/cjs.cjs' } },
      }),
      'lib/child.js': "require('#cfg/x');\nrequire('#util');\nrequire('#dep');\nrequire('#esm');\nrequire('#missing');\n",
      'lib/child.mjs': "import '#esm';\n",
      'lib/cfg/x.js': "require('./y.js');\n",
      'lib/cfg/y.js': '',
      'lib/util-node.js': '',
      'lib/util.js': '',
      'lib/esm.mjs': '',
      'lib/cjs.cjs': '',
      'node_modules/dep/package.json': '{"name":"dep","main":"main.js"}',
      'node_modules/dep/main.js': '',
    });
    const rel = (files: string[]) => files.map((f) => f.slice(root.length + 1)).filter((f) => !f.endsWith('package.json'));
    expect(rel(moduleGraph([join(root, 'lib/child.js')], root))).toEqual(['lib/cfg/x.js', 'lib/cfg/y.js', 'lib/child.js', 'lib/cjs.cjs', 'lib/util-node.js', 'node_modules/dep/main.js']);
    expect(rel(moduleGraph([join(root, 'lib/child.mjs')], root))).toEqual(['lib/child.mjs', 'lib/esm.mjs']);
  });

  it("a script without an extension is followed when it starts #!…node (typescript's bin/tsc); another file without one is data", () => {
    const root = tree({
      'package.json': '{}',
      'node_modules/tool/package.json': '{"name":"tool"}',
      'node_modules/tool/bin/tool': "#!/usr/bin/env node\nrequire('../lib/tool.js');\n",
      'node_modules/tool/lib/tool.js': "require('./more.js');\n",
      'node_modules/tool/lib/more.js': '',
      'node_modules/tool/data/words': "require('./not-code.js')\n",
    });
    const rel = (files: string[]) => files.map((f) => f.slice(root.length + 1)).filter((f) => !f.endsWith('package.json'));
    expect(rel(moduleGraph([join(root, 'node_modules/tool/bin/tool'), join(root, 'node_modules/tool/data/words')], root))).toEqual([
      'node_modules/tool/bin/tool',
      'node_modules/tool/data/words',
      'node_modules/tool/lib/more.js',
      'node_modules/tool/lib/tool.js',
    ]);
  });

  it('a .js file that is not JavaScript Node runs (JSX in istanbul-reports, which jest embeds) is embedded and not followed, not a build error', () => {
    const root = tree({
      'package.json': '{}',
      'lib/index.js': "require('./spa/app.js');\n",
      'lib/spa/app.js': 'export const App = () => <div className="x">{1}</div>;\n',
    });
    expect(moduleGraph([join(root, 'lib/index.js')], root).map((f) => f.slice(root.length + 1))).toEqual(['lib/index.js', 'lib/spa/app.js', 'package.json']);
  });

  it('each module brings the nearest package.json within the tree (Node reads its type and exports); a JSON entry does not', () => {
    const root = tree({
      'package.json': '{}',
      'node_modules/pkg/package.json': '{"type":"module"}',
      'node_modules/pkg/lib/index.js': "import './x.js';\n",
      'node_modules/pkg/lib/x.js': '',
      'node_modules/other/data.json': '{}',
    });
    const graph = moduleGraph([join(root, 'node_modules/pkg/lib/index.js'), join(root, 'node_modules/other/data.json')], root);
    expect(graph.map((f) => f.slice(root.length + 1))).toEqual(['node_modules/other/data.json', 'node_modules/pkg/lib/index.js', 'node_modules/pkg/lib/x.js', 'node_modules/pkg/package.json']);
  });

  it('an entry or a load outside the tree is left out', () => {
    const root = tree({ 'a.mjs': "import '../../etc/x.mjs';\n" });
    expect(moduleGraph([join(root, 'a.mjs'), '/etc/hostname'], root).map((f) => f.slice(root.length + 1))).toEqual(['a.mjs']);
  });
});
