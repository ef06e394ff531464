// The toolchain as another project gets it: `npm pack`'s tarball installed with npm (the registry, or npm's
// cache), then `npx seal pack` there. Its binary must be the one this checkout makes of the same project.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runToolchain, tempDir } from '../fixtures/context.ts';

const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };

describe('the toolchain installed from its npm tarball into another project', () => {
  const out = tempDir('toolchain-tgz');
  const project = tempDir('toolchain-user');
  let tarball = '';
  let packed: { status: number | null; stdout: string; stderr: string };

  beforeAll(() => {
    const made = spawnSync('npm', ['run', '--silent', 'toolchain:pack', '--', '--out', out], { cwd: repoRoot, encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`toolchain:pack failed:\n${made.stdout}${made.stderr}`);
    tarball = join(out, `seal-${JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version}.tgz`);
    cpSync(join(repoRoot, 'test/fixtures/projects/assets'), project, { recursive: true });
    execFileSync('npm', ['install', '-D', tarball, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
    packed = spawnSync('npx', ['seal', 'pack', '--runtime', 'official'], { cwd: project, encoding: 'utf8' });
  }, 300_000);

  it('holds the toolchain and nothing only this repository uses, with dependencies pinned to this lockfile', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(files).toContain('package/build/bin/seal.mjs');
    expect(files).toContain('package/build/project/prelude/assets.cjs');
    expect(files.filter((f) => /package\/build\/(bench|parity|realworld|release)\//.test(f))).toEqual([]);
    const manifest = JSON.parse(execFileSync('tar', ['xzf', tarball, '-O', 'package/package.json'], { encoding: 'utf8' }));
    expect(manifest.bin).toEqual({ seal: 'build/bin/seal.mjs' });
    for (const [name, version] of Object.entries(manifest.dependencies)) expect(version).toBe(lock.packages[`node_modules/${name}`]?.version);
  });

  it('npx seal pack builds the project there, and the binary runs', () => {
    expect(packed.stderr).toBe('');
    expect(packed.status).toBe(0);
    expect(packed.stdout).toMatch(/\[(\d+)\/\1\] report ✓/);
    const r = spawnSync(join(project, 'dist/assets-fixture-2.0.0-linux-x64'), [], { encoding: 'utf8', env: {} });
    expect(r.stdout).toContain('read hello from an asset');
  });

  it("its help and messages name npx seal's commands, not this repository's npm scripts; what works on this repository only is refused in one line", () => {
    const seal = (...args: string[]) => spawnSync('npx', ['seal', ...args], { cwd: project, encoding: 'utf8' });
    const help = seal('--help');
    expect(help.stdout).toMatch(/^Usage: npx seal <command> \[options\]/);
    expect(help.stdout.match(/^ {2}[a-z][\w-]*/gm)).toEqual(['  pack', '  inspect', '  stack']);
    // The map pack wrote beside the binary is read by the installed command (a frame of esbuild's own code: not mapped).
    const stack = spawnSync('npx', ['seal', 'stack', 'dist/assets-fixture-2.0.0-linux-x64'], { cwd: project, input: '    at x (assets-fixture.cjs:1:1)\n', encoding: 'utf8' });
    expect([stack.status, stack.stdout, stack.stderr]).toEqual([0, '    at x (assets-fixture.cjs:1:1)\n', "0 of 1 position(s) in assets-fixture.cjs mapped to their sources (the rest are esbuild's own helpers)\n"]);
    expect(seal('pack', '--bogus').stderr).toMatch(/^error: unknown option '--bogus' for 'pack'; .* \(see 'npx seal pack --help'\)$/m);
    expect(seal('runtime', '--help').stdout).toMatch(/^npx seal runtime \[--node LINE\]/);
    for (const command of ['dist', 'wasm', 'toolchain-package']) {
      const r = seal(command);
      expect([r.status, r.stderr.trim()]).toEqual([2, `error: '${command}' works on the toolchain's own repository; in a project, build it with 'npx seal pack' (see 'npx seal --help')`]);
    }
  });

  it('gives the same bytes as this checkout packing the same project', () => {
    const here = runToolchain('pack', [project, '--runtime', 'official']);
    expect(here.status).toBe(0);
    expect(readFileSync(join(here.out, 'SHA256SUMS'), 'utf8')).toBe(readFileSync(join(project, 'dist/SHA256SUMS'), 'utf8'));
  });
});
