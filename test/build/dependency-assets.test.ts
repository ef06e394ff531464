// An installed package whose dependency reads its own files through a computed path: npm hoisted the dependency
// beside the package, outside it, and `seal.assets` names its files as node_modules/<dependency>/…, found where Node
// finds the dependency.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runToolchain, tempDir, writeTree } from '../fixtures/context.ts';

function installedTree(assets?: string[]): string {
  const tree = writeTree('dep-assets', {
    'package.json': JSON.stringify({ name: 'installer', version: '1.0.0', dependencies: { greeter: '1.0.0' } }),
    'node_modules/greeter/package.json': JSON.stringify({ name: 'greeter', version: '1.0.0', bin: { greeter: 'cli.js' }, dependencies: { words: '1.0.0' }, ...(assets ? { seal: { assets } } : {}) }),
    'node_modules/greeter/cli.js': "if (process.argv[2] === '--version') console.log('1.0.0');\nelse console.log(require('words').word(process.argv[2] || 'hello'));\n",
    'node_modules/words/package.json': JSON.stringify({ name: 'words', version: '1.0.0', main: 'index.js' }),
    'node_modules/words/index.js': "const { readFileSync } = require('fs');\nconst { join } = require('path');\nexports.word = (name) => readFileSync(join(__dirname, 'data', `${name}.txt`), 'utf8').trim();\n",
    'node_modules/words/data/hello.txt': 'hello from a dependency\n',
  });
  return join(tree, 'node_modules/greeter');
}

describe("seal.assets: a hoisted dependency's files, as node_modules/<dependency>/…", () => {
  it('without seal.assets the place it reads is embedded without asking, said in a note, and the binary reads it', () => {
    const r = runToolchain('pack', [installedTree(), '--runtime', 'official']);
    expect(r.status, r.log).toBe(0);
    expect(r.log).toMatch(/note: \.\.\/words\/index\.js:3: .* reads \/seal\/node_modules\/words\/data\/ by a computed path: its 1 file\(s\), [\d.]+ KiB, embedded \(seal\.assets can name fewer\)/);
    expect(r.log).not.toMatch(/warning: .*words/);
    const bin = join(r.out, 'greeter-1.0.0-linux-x64');
    expect(spawnSync(bin, [], { encoding: 'utf8', env: {}, cwd: tempDir('dep-assets-cwd') }).stdout).toBe('hello from a dependency\n');
  }, 120_000);

  it('with that glob, the files are found where npm put the dependency and the binary reads them', () => {
    const r = runToolchain('pack', [installedTree(['node_modules/words/data/**']), '--runtime', 'official']);
    expect(r.status, r.log).toBe(0);
    expect(r.log).not.toMatch(/warning: .*words/);
    const bin = join(r.out, 'greeter-1.0.0-linux-x64');
    expect(spawnSync(bin, [], { encoding: 'utf8', env: {}, cwd: tempDir('dep-assets-cwd') }).stdout).toBe('hello from a dependency\n');
  }, 120_000);

  it('a dependency glob that matches nothing names where it looked', () => {
    const r = runToolchain('pack', [installedTree(['node_modules/words/none/**']), '--runtime', 'official']);
    expect(r.status).toBe(1);
    expect(r.log).toMatch(/seal\.assets entry 'node_modules\/words\/none\/\*\*' matches no file in .*\/node_modules\/words/);
  }, 120_000);
});
