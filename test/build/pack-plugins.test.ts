// `npm run pack` of a program that finds its own files by paths built at run time (test/fixtures/projects/plugin-paths):
// the binary must print what plain node prints. Each case failed before its fix (2026-12-06, a helper's hunt):
// a computed relative import() resolved from the executable's directory (and ran a file of that name lying beside the
// binary), a template-literal import() was no longer bundled once its module also imported a computed name, and
// figlet's fonts (its place a ternary of import.meta.url and __dirname, handed to a setter) were not embedded.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runPack, tempDir } from '../fixtures/context.ts';
import { officialTestRuntime } from '../fixtures/runtime.ts';

const fixture = join(repoRoot, 'test/fixtures/projects/plugin-paths');

/** A copy of the fixture with its packages installed (packages/ → node_modules/: the checkout ignores node_modules). */
function installed(): string {
  const dir = join(tempDir('plugin-paths'), 'plugin-paths');
  cpSync(fixture, dir, { recursive: true });
  renameSync(join(dir, 'packages'), join(dir, 'node_modules'));
  return dir;
}

/** The fixture with its bin's top-level awaits inside an async function: bundled as CommonJS, not as an ES module run by a hook. */
function withoutTopLevelAwait(): string {
  const dir = installed();
  const cli = join(dir, 'bin/cli.js');
  const text = readFileSync(cli, 'utf8');
  const at = text.indexOf('if (process.argv');
  writeFileSync(cli, `${text.slice(0, at)}(async () => {\n${text.slice(at)}})();\n`);
  return dir;
}

describe.each([
  ['bundled as CommonJS', withoutTopLevelAwait, true],
  ['with top-level await (an ES module bundle)', installed, false],
])('pack: a program that finds its own files by paths built at run time, %s', (_, projectDir, runsAsNode) => {
  let bin = '';
  let log = '';
  let project = '';
  beforeAll(() => {
    project = projectDir();
    const r = runPack(project);
    log = r.log;
    bin = join(r.out, 'plugin-paths-fixture-0.3.0-linux-x64');
  }, 180_000);

  it('prints what plain node prints: a computed relative import(), a template-literal one beside a computed one, a fonts directory set through a setter, a directory in an object literal', () => {
    const expected = execFileSync(process.execPath, [join(project, 'bin/cli.js')], { encoding: 'utf8' });
    expect(expected).toBe('computed plugin alpha\ntemplated theme dark\nbanner standard font\nframe box style\n');
    const r = spawnSync(bin, [], { encoding: 'utf8', env: {}, timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(expected);
  });

  // A binary started on a script runs it as node (prelude/as-node.cjs) except in a program with top-level await, which
  // runs itself again (docs/toolchain.md): this case is for the other bundle.
  if (runsAsNode) {
    it("a dependency's script found by require.resolve of its subpath is embedded, answered with its place under /seal, and runs when started as node; an optional package checked by require.resolve of its name is found", async () => {
      const expected = execFileSync(process.execPath, [join(project, 'bin/cli.js'), '--tool'], { encoding: 'utf8' });
      expect(expected).toBe('tool true helper-tool ran: inner loaded abc\n');
      const r = spawnSync(bin, ['--tool'], { encoding: 'utf8', env: {}, timeout: 30_000 });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(expected);
    });
  }

  it('a computed relative import() never loads a file of that name beside the executable or in the working directory', () => {
    const dir = tempDir('plugin-paths-beside');
    const copy = join(dir, 'plugin-paths');
    copyFileSync(bin, copy);
    for (const place of [join(dir, 'plugins'), join(dir, 'cwd', 'plugins')]) {
      mkdirSync(place, { recursive: true });
      writeFileSync(join(place, 'alpha.js'), "export default 'the wrong alpha';\n");
    }
    const r = spawnSync(copy, [], { encoding: 'utf8', env: {}, cwd: join(dir, 'cwd'), timeout: 30_000 });
    expect(r.stdout).toContain('computed plugin alpha\n');
    expect(r.stdout).not.toContain('wrong');
  });

  it('import.meta.main is true in the bin and false in another module, as under node', async () => {
    // The runtime the binary is made from: this host's Node (20) has no import.meta.main.
    const node = (await officialTestRuntime()).path;
    const expected = execFileSync(node, [join(project, 'bin/cli.js'), '--main'], { encoding: 'utf8' });
    expect(expected).toBe('main true false\n');
    expect(spawnSync(bin, ['--main'], { encoding: 'utf8', env: {}, timeout: 30_000 }).stdout).toBe(expected);
  });

  it('an uncaught error prints its message, the source line it was thrown on and the stack: a few hundred bytes, not a minified line of tens of KiB', () => {
    const r = spawnSync(bin, ['--throw'], { encoding: 'utf8', env: {}, timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Error: thrown on purpose');
    // Not esbuild's helper that rethrew it (build/project/throw-site.ts). An ES module bundle's error is rethrown by its
    // launcher (esm-launcher.ts), whose line is not shown: the stack comes first.
    if (runsAsNode) expect(r.stderr.split('\n')[1]).toMatch(/throw new Error\(/);
    else expect(r.stderr.split('\n')[0]).toBe('Error: thrown on purpose');
    expect(Math.max(...r.stderr.split('\n').map((l) => l.length))).toBeLessThanOrEqual(300);
    // The map pack wrote beside the binary turns the report's bundle positions into the source's (`seal stack`).
    const source = readFileSync(join(project, 'bin/cli.js'), 'utf8').split('\n');
    const row = source.findIndex((l) => l.includes("new Error('thrown on purpose')"));
    const mapped = spawnSync('npm', ['run', '--silent', 'stack', '--', bin], { cwd: repoRoot, input: r.stderr, encoding: 'utf8' });
    expect(mapped.status).toBe(0);
    expect(mapped.stdout).toMatch(new RegExp(`Error: thrown on purpose\\n    at (.* \\()?bin/cli\\.js:${row + 1}:${(source[row] ?? '').indexOf('new Error') + 1}\\b`));
    expect(mapped.stderr).toMatch(new RegExp(`^\\d+ of \\d+ position\\(s\\) in plugin-paths-fixture\\.${runsAsNode ? 'cjs' : 'mjs'} mapped to their sources`));
  });

  it('embeds the fonts directory the program names, with a note saying so, and the styles directory it reads', () => {
    expect(log).toMatch(/note: dist\/fonts\.js:\d+: .* names fonts\/, a directory the program may read later: its 2 file\(s\)/);
    expect(log).toMatch(/note: dist\/fonts\.js:\d+: .* reads styles\/ by a computed path: its 1 file\(s\)/);
    // The template-literal import() is bundled by esbuild (both themes), not left to the disk.
    expect(log).not.toMatch(/templated\.js:2: .*cannot bundle/);
    // The computed one is warned about as what it is: a relative name loads from the module's place, not the disk.
    expect(log).toMatch(/warning: lib\/computed\.js:\d+: import\(\w+\) — a computed path esbuild cannot bundle: at run time a relative name loads from the module's place under \/seal/);
  });
});
