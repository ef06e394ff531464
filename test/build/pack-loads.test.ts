// What Node resolves only when a line runs, in the binary as in plain node (test/fixtures/projects/late-loads).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runPack, tempDir } from '../fixtures/context.ts';

const dir = join(repoRoot, 'test/fixtures/projects/late-loads');

describe('pack: loads left to run time', () => {
  let bin = '';
  let log = '';
  beforeAll(() => {
    const r = runPack(dir);
    log = r.log;
    bin = join(r.out, 'late-loads-fixture-1.0.0-linux-x64');
  }, 120_000);

  const both = (args: string[]) => ({
    node: spawnSync(process.execPath, [join(dir, 'bin/cli.js'), ...args], { encoding: 'utf8' }),
    binary: spawnSync(bin, args, { encoding: 'utf8', env: {} }),
  });

  it('a package that is not installed is a warning with file and line, not a failed build', () => {
    expect(log).toMatch(/warning: bin\/cli\.js:15: 'an-optional-package-that-is-not-installed' cannot be resolved .* left to run time/);
  });

  it('require.resolve of a file next to the code, and import() of a file URL with a query: what plain node prints', () => {
    const config = join(tempDir('late-config'), 'conf.mjs');
    writeFileSync(config, "export default { name: 'from a file URL' };\n");
    const { node, binary } = both([config]);
    expect(binary.stderr).toBe('');
    expect(binary.stdout).toBe(node.stdout);
    expect(binary.stdout).toBe('resolve found next to the code\nconfig from a file URL\n');
  });

  it("an import() hidden in new Function (prettier's bin) loads a name relative to its file from the embedded files, as plain node does from the disk", () => {
    expect(log).toMatch(/warning: bin\/cli\.js:11: new Function\(.*\) hides an import\(\) from the bundler; in the binary a relative name imports from bin\/ among the embedded files/);
    // lib/hidden.mjs, which the call names, lib/hidden-dep.mjs, which it imports, and the package.json Node reads for
    // them: seal.assets names none; and lib/data.txt, which require.resolve names (seal.assets has it as well).
    expect(log).toMatch(/\] bundle ✓ .*, 4 file\(s\) loaded by exact path embedded/);
    // Run from elsewhere: before, the name resolved against the working directory.
    const cwd = tempDir('hidden-cwd');
    const node = spawnSync(process.execPath, [join(dir, 'bin/cli.js'), '--hidden'], { encoding: 'utf8', cwd });
    const binary = spawnSync(bin, ['--hidden'], { encoding: 'utf8', env: {}, cwd });
    expect(binary.stderr).toBe('');
    expect(binary.stdout).toBe(node.stdout);
    expect(binary.stdout).toBe('hidden import of a relative name, and its own import\n');
  });

  it('the missing package fails when its line runs, as in plain node', () => {
    const { node, binary } = both(['--optional']);
    expect(node.status).toBe(1);
    expect(binary.status).toBe(1);
    expect(binary.stderr).toMatch(/Cannot find module 'an-optional-package-that-is-not-installed'/);
    expect(execFileSync(bin, [], { encoding: 'utf8' })).toBe('resolve found next to the code\n');
  });
});

describe('pack: loads whose path is known before run time, as npm makes them (test/fixtures/projects/known-paths)', () => {
  let project = '';
  let bin = '';
  let log = '';
  beforeAll(() => {
    // The fixture's packages live in packages/ (the checkout ignores node_modules/): installed here as npm would.
    project = tempDir('known-paths');
    cpSync(join(repoRoot, 'test/fixtures/projects/known-paths'), project, { recursive: true });
    renameSync(join(project, 'packages'), join(project, 'node_modules'));
    const r = runPack(project);
    log = r.log;
    bin = join(r.out, 'known-paths-fixture-0.9.0-linux-x64');
  }, 120_000);

  it('prints what plain node prints: the entry required by a path made from __dirname, a command required without its extension, a file run with a require of its own', () => {
    for (const args of [[], ['bye'], ['--version']]) {
      const node = spawnSync(process.execPath, [join(project, 'bin/cli.js'), ...args], { encoding: 'utf8' });
      const binary = spawnSync(bin, args, { encoding: 'utf8', env: {}, cwd: tempDir('known-paths-cwd') });
      expect(binary.stderr).toBe('');
      expect(binary.stdout).toBe(node.stdout);
    }
    expect(spawnSync(bin, ['bye'], { encoding: 'utf8', env: {} }).stdout).toBe('bye dep; template 1.2.3\n');
  });

  it('bundles the entry and embeds the template with its package (and that package.json) with no seal.assets and no warning', () => {
    expect(log).toMatch(/\] bundle ✓ .*, 1 module\(s\) required by a path known in full bundled/);
    // lib/template.js, the project's package.json, semverish's module and its package.json.
    expect(log).toMatch(/\] bundle ✓ .*, 4 file\(s\) loaded by exact path embedded/);
    expect(log).not.toMatch(/warning/);
  });
});
