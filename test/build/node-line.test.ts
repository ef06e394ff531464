// The Node line as a parameter (issue 20): the pins per line, seal.node and --node checked against them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dist } from '../../build/dist.ts';
import { nodeLines, runtimePin, staticNodeVersion } from '../../build/runtime/pin.ts';
import { sourcesFor } from '../../build/runtime/static/sources.ts';
import { repoRoot, tempDir } from '../fixtures/context.ts';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { runtimes: { nodeVersion: string } };
const defaultLine = pkg.runtimes.nodeVersion.split('.')[0] as string;
const quiet = { info: () => {}, progress: () => {} };

describe('Node lines', () => {
  it('the default line comes first and its pins are the top-level ones', () => {
    expect(nodeLines()[0]).toBe(defaultLine);
    expect(runtimePin()).toMatchObject({ line: defaultLine, nodeVersion: pkg.runtimes.nodeVersion });
    expect(runtimePin(defaultLine).nodeVersion).toBe(pkg.runtimes.nodeVersion);
  });

  it('every pinned line has a static runtime source for its static version', () => {
    for (const line of nodeLines()) expect(sourcesFor(staticNodeVersion(runtimePin(line))).node?.version).toBe(staticNodeVersion(runtimePin(line)));
  });

  it('a line the toolchain does not pin is refused, naming the lines it does', () => {
    expect(() => runtimePin('7')).toThrow(new RegExp(`Node 7 is not a line the toolchain pins: it pins ${defaultLine} \\(the default\\)`));
    expect(() => sourcesFor('7.0.0')).toThrow(/no static runtime source is pinned for Node 7\.0\.0: build\/runtime\/static\/sources\.ts pins 22\.22\.2/);
  });

  it('dist --node with an unpinned line: a usage error (exit 2) naming the option, the value and the lines', () => {
    const r = spawnSync('npx', ['tsx', 'build/cli.ts', 'dist', '--node', '7'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`--node must be ${defaultLine}.*, got '7'`));
  });

  it("a project's seal.node that the toolchain does not pin: refused before anything is built", async () => {
    const dir = tempDir('node-line');
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'x.js'), 'console.log(1)\n');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0', bin: 'bin/x.js', seal: { node: 7 } }));
    await expect(dist({ project: dir, outDir: join(dir, 'dist'), log: quiet })).rejects.toThrow(new RegExp(`seal\\.node must be a Node line the toolchain pins \\(${defaultLine}.*\\), got "7"`));
  });
});
