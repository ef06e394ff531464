import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { devToolsDir, devToolVersion, installedDevTools } from '../../build/dev-tools/dev-tools.ts';
import { repoRoot, tempDir } from '../fixtures/context.ts';

const tools = JSON.parse(readFileSync(join(repoRoot, 'dev-tools/package.json'), 'utf8')) as { dependencies: Record<string, string> };
const project = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

describe('dev-tools (test and bench tools outside npm ci)', () => {
  it('installs each tool at the version dev-tools/package.json pins (vitest globalSetup installed them)', () => {
    for (const [name, version] of Object.entries(tools.dependencies)) expect(`${name}@${devToolVersion(name)}`).toBe(`${name}@${version}`);
  });

  it('none of them is also a dependency of the project, which npm ci would fetch again', () => {
    const ours = Object.keys({ ...project.dependencies, ...project.devDependencies });
    expect(ours.filter((n) => n in tools.dependencies)).toEqual([]);
  });

  it('not installed: the error names the directory and the command that installs them', () => {
    const saved = process.env.BROKER_CACHE;
    process.env.BROKER_CACHE = tempDir('dev-tools-empty');
    try {
      expect(devToolsDir().startsWith(process.env.BROKER_CACHE)).toBe(true);
      expect(() => installedDevTools()).toThrow(/are not installed in .*dev-tools\/[0-9a-f]{16}; `npm run dev-tools` installs them/);
    } finally {
      if (saved === undefined) delete process.env.BROKER_CACHE;
      else process.env.BROKER_CACHE = saved;
    }
  });
});
