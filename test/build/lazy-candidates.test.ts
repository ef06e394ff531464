// Which packages the bundle step suggests for seal.lazy (build/project/lazy-candidates.ts), from esbuild metafiles.
import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { lazyCandidates } from '../../build/project/lazy-candidates.ts';

type Edge = [path: string, kind: 'import-statement' | 'require-call' | 'dynamic-import', original?: string];

/** A metafile of `files` (path → [its bytes in the bundle, its imports]), bundled from `entry` into out.cjs. */
function metafile(entry: string, files: Record<string, [number, Edge[]]>): Metafile {
  const inputs: Metafile['inputs'] = {};
  const used: Metafile['outputs'][string]['inputs'] = {};
  for (const [path, [bytes, imports]] of Object.entries(files)) {
    inputs[path] = { bytes, imports: imports.map(([p, kind, original]) => ({ path: p, kind, ...(original ? { original } : {}) })) };
    used[path] = { bytesInOutput: bytes };
  }
  return { inputs, outputs: { 'out.cjs': { bytes: 0, inputs: used, imports: [], exports: [], entryPoint: entry } } };
}

const KB = 1024;

describe('lazyCandidates', () => {
  const program = metafile('src/main.ts', {
    'src/main.ts': [
      1 * KB,
      [
        ['src/replay.ts', 'dynamic-import'],
        ['src/tls.ts', 'dynamic-import'],
        ['node_modules/small/index.js', 'dynamic-import', 'small'],
        ['node_modules/eager/index.js', 'require-call', 'eager'],
      ],
    ],
    'src/replay.ts': [1 * KB, [['node_modules/client/index.js', 'import-statement', 'client']]],
    'src/tls.ts': [1 * KB, [['node_modules/certs/index.js', 'dynamic-import', 'certs']]],
    'node_modules/client/index.js': [70 * KB, [['node_modules/client/lib/pool.js', 'require-call', './lib/pool.js']]],
    'node_modules/client/lib/pool.js': [30 * KB, []],
    // certs alone is small; with the packages only it brings (asn1, and eager, which every start loads anyway) it is not.
    'node_modules/certs/index.js': [
      10 * KB,
      [
        ['node_modules/asn1/index.js', 'require-call', 'asn1'],
        ['node_modules/eager/index.js', 'require-call', 'eager'],
      ],
    ],
    'node_modules/asn1/index.js': [60 * KB, []],
    'node_modules/eager/index.js': [200 * KB, []],
    'node_modules/small/index.js': [10 * KB, []],
  });

  it("suggests what only an import() reaches, with what only it brings, largest first; not what every start loads, not what is small, not a package's own dependency", () => {
    expect(lazyCandidates(program, 'out.cjs', [])).toEqual([
      { name: 'client', bytes: 100 * KB },
      { name: 'certs', bytes: 70 * KB },
    ]);
  });

  it('leaves out what seal already names, and one imported by a subpath (a chunk stands for the name only)', () => {
    expect(lazyCandidates(program, 'out.cjs', ['client'])).toEqual([{ name: 'certs', bytes: 70 * KB }]);
    const subpath = metafile('src/main.ts', {
      'src/main.ts': [1 * KB, [['src/replay.ts', 'dynamic-import']]],
      'src/replay.ts': [
        1 * KB,
        [
          ['node_modules/client/index.js', 'import-statement', 'client'],
          ['node_modules/client/lib/pool.js', 'import-statement', 'client/lib/pool.js'],
        ],
      ],
      'node_modules/client/index.js': [70 * KB, []],
      'node_modules/client/lib/pool.js': [30 * KB, []],
    });
    expect(lazyCandidates(subpath, 'out.cjs', [])).toEqual([]);
  });

  it('a require anywhere on the static path counts as every start (inside a function or not, the metafile cannot tell)', () => {
    const required = metafile('src/main.ts', {
      'src/main.ts': [1 * KB, [['src/replay.ts', 'require-call']]],
      'src/replay.ts': [1 * KB, [['node_modules/client/index.js', 'require-call', 'client']]],
      'node_modules/client/index.js': [100 * KB, []],
    });
    expect(lazyCandidates(required, 'out.cjs', [])).toEqual([]);
  });

  it("a nested copy (node_modules/a/node_modules/b) is not suggested, nor counted in a's size: the project resolves another b", () => {
    const nested = metafile('src/main.ts', {
      'src/main.ts': [1 * KB, [['node_modules/a/index.js', 'dynamic-import', 'a']]],
      'node_modules/a/index.js': [70 * KB, [['node_modules/a/node_modules/b/index.js', 'require-call', 'b']]],
      'node_modules/a/node_modules/b/index.js': [100 * KB, []],
    });
    expect(lazyCandidates(nested, 'out.cjs', [])).toEqual([{ name: 'a', bytes: 70 * KB }]);
  });

  it('a suggestion that brings another one does not count it (lazy too, its chunk is asked for); a scoped name is one package', () => {
    const chained = metafile('src/main.ts', {
      'src/main.ts': [
        1 * KB,
        [
          ['node_modules/@s/q/index.js', 'dynamic-import', '@s/q'],
          ['node_modules/p/index.js', 'dynamic-import', 'p'],
        ],
      ],
      'node_modules/@s/q/index.js': [70 * KB, [['node_modules/p/index.js', 'require-call', 'p']]],
      'node_modules/p/index.js': [80 * KB, []],
    });
    expect(lazyCandidates(chained, 'out.cjs', [])).toEqual([
      { name: 'p', bytes: 80 * KB },
      { name: '@s/q', bytes: 70 * KB },
    ]);
  });
});
