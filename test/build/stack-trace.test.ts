// `seal stack` (build/crash/): a crash report's bundle positions read through the map pack writes beside the artifact.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { stackCommand } from '../../build/crash/stack-command.ts';
import { mapStackText, readStackMap, StackMapError } from '../../build/crash/stack-trace.ts';
import { bundleProject } from '../../build/project/bundle.ts';
import { finishedCode } from '../../build/project/finished-code.ts';
import { maintainerMap } from '../../build/project/maintainer-map.ts';
import { readProject } from '../../build/project/project.ts';
import { writeTree } from '../fixtures/context.ts';

const run = 'function parse(word) {\n  if (word === "crash") throw new Error("crashed on purpose");\n  return word;\n}\nexports.run = (word) => parse(word);\n';

/** A program bundled and finished as pack does it, its map as pack keeps it, and the crash it prints. */
async function crashed(name: string) {
  const root = writeTree('stack-trace', { 'bin.js': 'require("./lib/run.js").run(process.argv[2]);\n', 'lib/run.js': run });
  mkdirSync(join(root, 'out'));
  const outfile = join(root, 'out', name);
  const out = await build({ entryPoints: [join(root, 'bin.js')], bundle: true, platform: 'node', minify: true, keepNames: true, sourcemap: 'external', outfile, write: false, logLevel: 'silent' });
  const [text, map] = [name, `${name}.map`].map((f) => out.outputFiles.find((o) => o.path.endsWith(`/${f}`))?.text ?? '');
  const finished = await finishedCode(text ?? '', true, map);
  writeFileSync(outfile, finished.code);
  const mapFile = `${outfile}.map`;
  writeFileSync(mapFile, maintainerMap(finished.map ?? '', { bundleDir: join(root, 'out'), projectRoot: root, file: name }));
  const report = spawnSync(process.execPath, [outfile, 'crash'], { encoding: 'utf8', cwd: join(root, 'out') }).stderr;
  return { root, outfile, mapFile, report };
}

/** Where the error is made in lib/run.js, as V8 and the map count columns (from 1). */
const throwAt = `lib/run.js:2:${(run.split('\n')[1] ?? '').indexOf('new Error') + 1}`;

describe('mapStackText', () => {
  let c: Awaited<ReturnType<typeof crashed>>;
  beforeAll(async () => {
    c = await crashed('app.cjs');
  });

  it("rewrites each frame's bundle position, and Node's header line (its column from the caret), to the source's; the sources are named relative to the project", async () => {
    const map = readStackMap(readFileSync(c.mapFile, 'utf8'), c.mapFile);
    expect(c.report).toMatch(/^\/.*app\.cjs:\d+\n/);
    expect(c.report).toMatch(/at parse \(\/.*app\.cjs:\d+:\d+\)/);
    const { text, positions } = mapStackText(c.report, map);
    expect(text.split('\n')[0]).toBe('lib/run.js:2');
    expect(text).toContain(`at parse (${throwAt})`);
    expect(text).toMatch(/at \S+ \(bin\.js:1:\d+\)/);
    expect(text).not.toMatch(/app\.cjs:\d+:\d+/);
    expect(positions[0]).toMatchObject({ line: expect.any(Number), source: { file: 'lib/run.js', line: 2 } });
    expect(positions.every((p) => p.source !== null)).toBe(true);
  });

  it('replaces the path or URL that leads to the bundle too (an ES module bundle is file:///…/app.mjs), and nothing else: a longer name, an unmapped position', async () => {
    const map = readStackMap(readFileSync(c.mapFile, 'utf8'), c.mapFile);
    const line = /app\.cjs:(\d+:\d+)\)/.exec(c.report)?.[1] ?? '';
    const report = `    at parse (file:///seal/app/app.cjs:${line})\n    at x (myapp.cjs:${line})\n    at y (app.cjs:1:1)\n`;
    const { text, positions } = mapStackText(report, map);
    const [first, second, third] = text.split('\n');
    expect(first).toBe(`    at parse (${throwAt})`);
    expect(second).toBe(`    at x (myapp.cjs:${line})`);
    // Line 1, column 1 of a minified bundle is esbuild's own code: no source.
    expect(third).toBe('    at y (app.cjs:1:1)');
    expect(positions.map((p) => p.source?.file ?? null)).toEqual(['lib/run.js', null]);
  });

  it('reads a report pasted with CRLF line ends (kept), and a caret indented with the tabs Node copies from the line', () => {
    const map = readStackMap(readFileSync(c.mapFile, 'utf8'), c.mapFile);
    const crlf = mapStackText(c.report.replace(/\n/g, '\r\n'), map);
    expect(crlf.text.split('\r\n')[0]).toBe('lib/run.js:2');
    expect(crlf.positions.map((p) => p.source?.file)).toEqual(mapStackText(c.report, map).positions.map((p) => p.source?.file));
    // The same header and caret, the caret's indent made of tabs: each a column.
    const [head = '', code = '', caret = ''] = c.report.split('\n');
    const tabbed = mapStackText([head, code, caret.replace(/ /g, '\t'), ''].join('\n'), map);
    expect(tabbed.text.split('\n')[0]).toBe('lib/run.js:2');
    expect(tabbed.positions[0]?.written).toBe(head);
  });
});

describe('stackCommand: what it is given', () => {
  const out = { stdout: () => {}, stderr: () => {} };
  it('the artifact without its map beside it, an empty report: said, without reading the binary as a map', async () => {
    const c = await crashed('lone.cjs');
    const artifact = join(c.root, 'lone-1.0.0-linux-x64');
    copyFileSync('/bin/true', artifact);
    const report = join(c.root, 'crash.txt');
    writeFileSync(report, c.report);
    expect(() => stackCommand({ map: artifact, report, json: false, help: 'h' }, out)).toThrow(
      `${artifact} is an executable and there is no ${artifact}.map beside it: give the .map pack wrote with this artifact (keep it with the artifact)`,
    );
    writeFileSync(report, '\n');
    expect(() => stackCommand({ map: c.mapFile, report, json: false, help: 'h' }, out)).toThrow(`the crash report ${report} is empty: give the text the binary printed (stderr)`);
  });

  it("says a worker thread's frames have no map, rather than suspecting the map", async () => {
    const c = await crashed('pool.cjs');
    const report = join(c.root, 'crash.txt');
    writeFileSync(report, 'Error: in a worker\n    at work ([worker eval]:397:98)\n');
    const said: string[] = [];
    stackCommand({ map: c.mapFile, report, json: false, help: 'h' }, { stdout: () => {}, stderr: (l) => said.push(l) });
    expect(said).toEqual(["no position in pool.cjs found in the report; the frames at [worker eval] are a worker thread's that the program started from a string of code, which has no map"]);
  });
});

describe('readStackMap', () => {
  it('refuses what is not a source map of a bundle, saying what to give', () => {
    expect(() => readStackMap('\x7fELF', 'dist/app')).toThrow(new StackMapError('dist/app is not a source map (not JSON): give the .map file written beside the artifact'));
    expect(() => readStackMap('{"version":3,"sources":[]}', 'x.map')).toThrow(/x\.map is not a source map of a bundle \(version 3 with "file" and "mappings"\)/);
  });
});

describe('stackCommand', () => {
  it("takes the artifact's path for the map beside it; says how many positions it mapped, or that it found none", async () => {
    const c = await crashed('tool.cjs');
    const artifact = c.outfile.replace(/\.cjs$/, '');
    writeFileSync(artifact, 'not a map');
    renameSync(c.mapFile, `${artifact}.map`);
    const report = join(c.root, 'crash.txt');
    writeFileSync(report, c.report);
    const said: string[] = [];
    let printed = '';
    const out = { stdout: (t: string) => (printed += t), stderr: (l: string) => said.push(l) };
    expect(stackCommand({ map: artifact, report, json: false, help: 'h' }, out)).toBe(0);
    expect(printed).toContain('lib/run.js:2');
    expect(said).toEqual([expect.stringMatching(/^\d+ of \d+ position\(s\) in tool\.cjs mapped to their sources/)]);
    printed = '';
    said.length = 0;
    writeFileSync(report, 'Error: something else\n    at main (other.cjs:3:4)\n');
    stackCommand({ map: `${artifact}.map`, report, json: true, help: 'h' }, out);
    expect(JSON.parse(printed)).toMatchObject({ bundle: 'tool.cjs', positions: [] });
    expect(said).toEqual(['no position in tool.cjs found in the report: is it a crash of the artifact this map was written with?']);
    expect(() => stackCommand({ map: join(c.root, 'none.map'), report, json: false, help: 'h' }, out)).toThrow(/^no file .*none\.map \(the source map\)$/);
  });
});

describe('maintainerMap', () => {
  it("writes the same bytes from two checkouts whose node_modules are links to different places: a package's file is named from node_modules/ on", async () => {
    const maps = await Promise.all(
      ['one', 'two'].map(async (n) => {
        // As the dist test's checkout copy links the repository's node_modules.
        const store = writeTree(`stack-store-${n}`, { 'node_modules/dep/index.js': 'exports.f = () => { throw new Error("x"); };\n', 'node_modules/dep/package.json': '{"name":"dep"}' });
        const root = writeTree(`stack-project-${n}`, { 'bin.js': 'require("dep").f();\n' });
        symlinkSync(join(store, 'node_modules'), join(root, 'node_modules'));
        const outfile = join(root, 'out', 'app.cjs');
        const out = await build({ entryPoints: [join(root, 'bin.js')], bundle: true, platform: 'node', minify: true, sourcemap: 'external', outfile, write: false, logLevel: 'silent' });
        const map = out.outputFiles.find((o) => o.path.endsWith('.map'))?.text ?? '';
        expect(map).toContain(`stack-store-${n}`);
        return maintainerMap(map, { bundleDir: join(root, 'out'), projectRoot: root, file: 'app.cjs' });
      }),
    );
    expect(maps[1]).toBe(maps[0]);
    expect(JSON.parse(maps[0] ?? '').sources).toEqual(['node_modules/dep/index.js', 'bin.js']);
  });
});

describe('mapStackText with seal.lazy chunks (their maps carried in the artifact map, x_seal_scripts)', () => {
  // One mapping each: the bundle's line 1 column 1 is the source's line 1 column 1.
  const single = (file: string, source: string) => JSON.stringify({ version: 3, file, sources: [source], names: [], mappings: 'AAAA' });
  const artifactMap = maintainerMap(
    single('broker.cjs', 'out/src/main.js'),
    { bundleDir: '/p', projectRoot: '/p', file: 'broker.cjs' },
    {
      'seal:lazy/@acme/broker.cjs': single('seal:lazy/@acme/broker.cjs', 'node_modules/@acme/broker/index.js'),
      'seal:lazy/x-broker.cjs': single('seal:lazy/x-broker.cjs', 'node_modules/x-broker/index.js'),
    },
  );

  it("maps each frame through its own bundle's map, a chunk whose name ends with the main bundle's included", () => {
    const report = ['Error: x', '    at f (seal:lazy/@acme/broker.cjs:1:1)', '    at g (seal:lazy/x-broker.cjs:1:1)', '    at h (/usr/bin/broker.cjs:1:1)', ''].join('\n');
    const { text, positions } = mapStackText(report, readStackMap(artifactMap, 'broker.map'));
    expect(text).toBe(['Error: x', '    at f (node_modules/@acme/broker/index.js:1:1)', '    at g (node_modules/x-broker/index.js:1:1)', '    at h (seal:main.js:1:1)', ''].join('\n'));
    expect(positions).toHaveLength(3);
  });
});

describe('a seal.workers bundle names itself (sourceURL) and its map travels in the artifact map', () => {
  it("a worker's crash reads as the worker's own file, line and column", async () => {
    const root = writeTree('stack-worker', {
      'package.json': JSON.stringify({ name: 'stack-worker', version: '1.0.0', bin: 'cli.js', seal: { workers: { __W__: 'worker.js' } } }),
      'cli.js': "const { Worker } = require('node:worker_threads');\nnew Worker(__W__, { eval: true }).on('error', (e) => { console.error(e.stack); process.exitCode = 1; });\n",
      'worker.js': "function boom() {\n  throw new Error('worker boom');\n}\nboom();\n",
    });
    const outfile = join(root, 'out.cjs');
    await bundleProject({ project: await readProject(root), outfile, target: 'node22', minify: true });
    const report = spawnSync(process.execPath, [outfile], { encoding: 'utf8' }).stderr;
    expect(report).toMatch(/at boom \(seal:worker\/__W__\.js:\d+:\d+\)/);
    const { text } = mapStackText(report, readStackMap(readFileSync(`${outfile}.map`, 'utf8'), `${outfile}.map`));
    expect(text).toContain('at boom (worker.js:2:9)');
  });
});
