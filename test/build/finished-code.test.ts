// The last rewrites of esbuild's output (build/project/finished-code.ts): an uncaught error is reported where it was
// thrown, on a line of a few hundred characters at most, and the code does what it did.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import MagicString from 'magic-string';
import { SourceMapConsumer } from 'source-map-js';
import { describe, expect, it } from 'vitest';
import { finishedCode } from '../../build/project/finished-code.ts';
import { LINE_LIMIT } from '../../build/project/short-lines.ts';
import { withOriginalThrowSite } from '../../build/project/throw-site.ts';
import { writeTree } from '../fixtures/context.ts';

// A module that throws while it loads the first time (the program's main, as a CLI's start does), then loads.
const files = {
  'main.js': [
    'let tries = 0;',
    "try { require('./flaky.js'); } catch (e) { tries++; }",
    "console.log(require('./flaky.js').ok, tries, require('./long.js') === 'x'.repeat(5000), process.argv[2] === 'throw' ? require('./thrower.js') : 'no throw');",
    '',
  ].join('\n'),
  'flaky.js': 'globalThis.loads = (globalThis.loads ?? 0) + 1;\nif (globalThis.loads === 1) throw new Error("first load fails");\nexports.ok = "loaded again";\n',
  'long.js': `module.exports = "${'x'.repeat(5000)}";\n`,
  'thrower.js': 'function parse(s) { if (s.length > 10) throw new Error("thrown on purpose"); return s; }\nmodule.exports = parse("a long enough input");\n',
};

async function finished(minify: boolean) {
  const root = writeTree('finished-code', files);
  const out = await build({ entryPoints: [join(root, 'main.js')], bundle: true, platform: 'node', minify, keepNames: true, write: false, logLevel: 'silent' });
  const text = out.outputFiles[0]?.text ?? '';
  const { code } = await finishedCode(text, minify);
  const file = join(root, 'bundle.cjs');
  writeFileSync(file, code);
  return { text, code, run: (...args: string[]) => spawnSync(process.execPath, [file, ...args], { encoding: 'utf8' }) };
}

describe.each([true, false])('finishedCode, minified %s', (minify) => {
  it('a module whose load threw is loaded again by the next require, as before the rewrite', async () => {
    const { run } = await finished(minify);
    expect(run().stdout).toBe('loaded again 1 true no throw\n');
  });

  it("an uncaught error's source line is where it was thrown, not esbuild's helper that rethrew it", async () => {
    const { run } = await finished(minify);
    const r = run('throw');
    expect(r.status).toBe(1);
    const [, arrowLine] = r.stderr.split('\n');
    // esbuild's line breaks may split the message's string (a line continuation): its start is there.
    expect(arrowLine).toMatch(/throw new Error\("th/);
    expect(r.stderr).not.toMatch(/throw \w+ ?= ?0, ?\w+/);
  });
});

describe('finishedCode: line length', () => {
  it(`a minified bundle's lines are broken near ${LINE_LIMIT} characters, long strings too (with line continuations: the value is the same); esbuild's own ran to thousands`, async () => {
    const { text, code, run } = await finished(true);
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeGreaterThan(5000);
    expect(Math.max(...code.split('\n').map((l) => l.length))).toBeLessThanOrEqual(LINE_LIMIT + 50);
    expect(run().stdout).toBe('loaded again 1 true no throw\n');
    expect(
      Math.max(
        ...run('throw')
          .stderr.split('\n')
          .map((l) => l.length),
      ),
    ).toBeLessThanOrEqual(LINE_LIMIT + 50);
  });
});

describe('finishedCode: the helper under any name', () => {
  it("esbuild's helper with names the minifier made `$` (a bundle full of '$' in its strings) is rewritten too", async () => {
    const root = writeTree('finished-dollar', { 'main.js': "console.log(require('./b.js').length);\n", 'b.js': `module.exports = "${'$'.repeat(3000)}";\n` });
    const out = await build({ entryPoints: [join(root, 'main.js')], bundle: true, platform: 'node', minify: true, keepNames: true, write: false, logLevel: 'silent' });
    const text = out.outputFiles[0]?.text ?? '';
    expect(text).toMatch(/catch\(\w+\)\{throw \$=0,/);
    const { code } = await finishedCode(text, true);
    expect(code).toContain('$$ok=0;try{');
    expect(code).not.toMatch(/throw \$=0,/);
  });

  it('a helper of a shape it does not know stops the build, naming the file to teach', () => {
    const changed = 'var c=(l,m)=>()=>{try{return m||l((m={exports:{}}).exports,m),m.exports}catch(r){m=0;throw r}};';
    expect(() => withOriginalThrowSite(new MagicString(changed))).toThrow(/esbuild's __commonJS helper has a shape build\/project\/throw-site\.ts does not know/);
    // A program's own module object of the same spelling, without the helper's call around it, is no helper.
    expect(withOriginalThrowSite(new MagicString('var m; (m = { exports: {} }).exports.x = 1;')).toString()).toBe('var m; (m = { exports: {} }).exports.x = 1;');
  });
});

describe('finishedCode: the source map', () => {
  it.each([true, false])('a crash position in the finished bundle maps to the line and column it was thrown at in its source, through every rewrite (minified %s)', async (minify) => {
    const root = writeTree('finished-map', { ...files, 'lookup.js': 'module.exports = (n) => require(`./cmds/${n}`);\n', 'cmds/a.js': 'module.exports = 1;\n' });
    const main = `${files['main.js']}require('./lookup.js');\n`;
    writeFileSync(join(root, 'main.js'), main);
    const out = await build({ entryPoints: [join(root, 'main.js')], bundle: true, platform: 'node', minify, keepNames: true, sourcemap: 'external', outfile: join(root, 'out.cjs'), write: false, logLevel: 'silent' });
    const [text, map] = ['out.cjs', 'out.cjs.map'].map((f) => out.outputFiles.find((o) => o.path.endsWith(f))?.text ?? '');
    const plain = await finishedCode(text ?? '', minify);
    const mapped = await finishedCode(text ?? '', minify, map);
    // Both rewrites were made (each shifts what follows it), and a map changes no byte of the code.
    expect(mapped.code).toContain('$ok=0;try{');
    expect(mapped.code).toContain('+".js"]');
    expect(mapped.code).toBe(plain.code);
    const file = join(root, 'bundle.cjs');
    writeFileSync(file, mapped.code);
    const r = spawnSync(process.execPath, [file, 'throw'], { encoding: 'utf8' });
    const [, line, column] = /at parse \(.*bundle\.cjs:(\d+):(\d+)\)/.exec(r.stderr) ?? [];
    const at = new SourceMapConsumer(JSON.parse(mapped.map ?? '{}')).originalPositionFor({ line: Number(line), column: Number(column) - 1 });
    expect(at.source).toMatch(/thrower\.js$/);
    expect([at.line, at.column]).toEqual([1, files['thrower.js'].indexOf('new Error')]);
  });
});
