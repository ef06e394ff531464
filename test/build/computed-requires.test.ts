// A module's requires of a name known only at run time, read from its syntax (build/project/computed-requires.ts).
import { describe, expect, it } from 'vitest';
import { applyEdits, computedRequires, importsThrough, secondArguments, withSecondArgument } from '../../build/project/computed-requires.ts';

describe('computed requires', () => {
  it('finds require(name) and require(this.path), not a literal, a call, a method or a mention in a string or comment', () => {
    const code = [
      'const a = require(name);',
      'const b = require(this.options.path);',
      "const c = require('./literal');",
      'const d = require(resolve(x));',
      'const e = loader.require(name);',
      '// require(commented)',
      'const f = "`new require(id)` invokes the require function";',
      '',
    ].join('\n');
    const { argumentEnds } = computedRequires(code);
    expect(argumentEnds.map((end) => code.slice(end - 4, end))).toEqual(['name', 'path']);
    expect(withSecondArgument(code, argumentEnds, '"/seal/lib"').split('\n').slice(0, 2)).toEqual(['const a = require(name, "/seal/lib");', 'const b = require(this.options.path, "/seal/lib");']);
    expect(withSecondArgument(code, argumentEnds, '"/seal/lib"').split('\n').slice(2)).toEqual(code.split('\n').slice(2));
  });

  it("lists the module's literal relative names once, and reads an ES module as well as a script", () => {
    expect(computedRequires("export const load = (m) => require(m);\nload('./plugins/cli-plugin');\nload('./plugins/cli-plugin');\nload('../x.json');\nload('not relative');\n").relativeNames).toEqual([
      '../x.json',
      './plugins/cli-plugin',
    ]);
    expect(computedRequires('with (o) { require(name); }').argumentEnds).toHaveLength(1);
  });

  it('finds nothing in code that does not parse (esbuild reports it)', () => {
    expect(computedRequires('require(name')).toEqual({ argumentEnds: [], relativeNames: [], imports: [] });
  });

  it('finds import() of a computed specifier, not of a literal, a glob esbuild expands or one with import attributes, and routes it through the helper with the specifier evaluated once', () => {
    const code = [
      'await import(url(file));',
      "await import('./literal.js');",
      'await import(`./template.js`);',
      'await import(`./${name}.js`);',
      "await import('../locale/' + lang + '.json');",
      'await import(`${dir}/${name}.js`);',
      "await import(dir + './x.js');",
      "await import(file, { with: { type: 'json' } });",
      '// import(commented)',
      'const a = require(name);',
      '',
    ].join('\n');
    const { imports, argumentEnds } = computedRequires(code);
    // A relative template or + chain is esbuild's glob (it bundles the files it matches): left to esbuild.
    expect(imports.map((i) => code.slice(i.argumentStart, i.argumentEnd))).toEqual(['url(file)', '`${dir}/${name}.js`', "dir + './x.js'"]);
    expect(applyEdits(code, [...secondArguments(argumentEnds, '"/seal"'), ...importsThrough(imports, 'load', '"m"')]).split('\n')).toEqual([
      'await load(url(file), (s) => import(s), "m");',
      "await import('./literal.js');",
      'await import(`./template.js`);',
      'await import(`./${name}.js`);',
      "await import('../locale/' + lang + '.json');",
      'await load(`${dir}/${name}.js`, (s) => import(s), "m");',
      'await load(dir + \'./x.js\', (s) => import(s), "m");',
      "await import(file, { with: { type: 'json' } });",
      '// import(commented)',
      'const a = require(name, "/seal");',
      '',
    ]);
  });

  it("a literal relative require through a `require` parameter (TypeScript's UMD output, as esbuild's transform renames it) gets the module's place too; the global require's does not", () => {
    const code = ['(function (factory) { var v = factory(require, exports); })(function (require2, exports2) {', '  const formatter = require2("./impl/format");', '});', "const plain = require('./bundled-by-esbuild');", ''].join('\n');
    const { argumentEnds, relativeNames } = computedRequires(code);
    expect(withSecondArgument(code, argumentEnds, '"/seal/lib"').split('\n').slice(1, 4)).toEqual(['  const formatter = require2("./impl/format", "/seal/lib");', '});', "const plain = require('./bundled-by-esbuild');"]);
    expect(relativeNames).toEqual(['./bundled-by-esbuild', './impl/format']);
  });
});
