// The layout's rules, read from the import statements: no import circles, src/ never reaches into the
// toolchain, shared/ depends on nothing but itself.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/context.ts';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

// Static, type-only, re-export and dynamic imports alike: a type-only circle still ties two modules together.
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g;

/** repo-relative file → the repo-relative files it imports. */
function importGraph(dirs: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of dirs.flatMap((d) => tsFiles(join(repoRoot, d)))) {
    const text = readFileSync(file, 'utf8');
    const deps = [...text.matchAll(IMPORT)].map((m) => relative(repoRoot, resolve(dirname(file), (m[1] ?? m[2]) as string)));
    graph.set(
      relative(repoRoot, file),
      deps.filter((d) => d.endsWith('.ts')),
    );
  }
  return graph;
}

/** Every circle, each as the path that closes it. */
function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      found.push([...stack.slice(stack.indexOf(f)), f]);
      return;
    }
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) visit(d);
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) visit(f);
  return found;
}

const graph = importGraph(['src', 'shared', 'build', 'docker', 'test']);
const edges = (from: string) => [...graph].flatMap(([f, deps]) => (f.startsWith(from) ? deps.map((d) => `${f} → ${d}`) : []));

describe('imports', () => {
  it('has no circles', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(circles(graph).map((c) => c.join(' → '))).toEqual([]);
  });

  it('src/ imports only src/ and shared/ (never build/, docker/ or the toolchain base)', () => {
    expect(edges('src/').filter((e) => !/ → (src|shared)\//.test(e) || / → shared\/toolchain\//.test(e))).toEqual([]);
  });

  it('shared/ imports only shared/', () => {
    expect(edges('shared/').filter((e) => !/ → shared\//.test(e))).toEqual([]);
  });

  it('docker/ takes the toolchain base from shared/toolchain/, not from build/context.ts', () => {
    expect(edges('docker/').filter((e) => / → build\/(context|cache|hash)\.ts$/.test(e))).toEqual([]);
  });
});
