// The real-world table's pure parts (build/realworld/): the table's validation and row selection, how two
// runs are compared and a failure is put in one line, which error line a log gives, which bin pkg builds,
// and the doc's table. No network, nothing built.
import { describe, expect, it } from 'vitest';
import { CLIS } from '../../build/realworld/clis.ts';
import { type CommandOutcome, differences, failureLine, firstError, normalize, referenceProblem, type ServerOutcome } from '../../build/realworld/compare.ts';
import { cell, renderDoc } from '../../build/realworld/docs.ts';
import { buildError } from '../../build/realworld/pack.ts';
import type { RowResult } from '../../build/realworld/results.ts';
import { pkgChosenBin } from '../../build/realworld/row.ts';
import { type CommandTask, type RealWorldCli, type ServerTask, selectRows, tableProblems } from '../../build/realworld/table.ts';

const task: CommandTask = { kind: 'command', describe: 'say hi', files: { 'a.txt': 'x' }, args: ['a.txt'], compare: ['exit', 'stdout', 'files'], exit: 0, expect: '^hi' };
const row: RealWorldCli = { name: 'tool', package: '@scope/tool', version: '1.2.3', kind: 'toy', bin: 'tool', task };
const ran = (over: Partial<CommandOutcome> = {}): CommandOutcome => ({ kind: 'command', exit: 0, stdout: 'hi\n', stderr: '', files: { 'a.txt': 'h1' }, ...over });

describe('the table', () => {
  it('the shipped table is valid, has at least eight CLIs, and pins exact versions', () => {
    expect(tableProblems(CLIS)).toEqual([]);
    expect(CLIS.length).toBeGreaterThanOrEqual(8);
  });

  it('names each mistake of a row', () => {
    const bad: RealWorldCli[] = [
      { ...row, version: '^1.2.3', extraDependencies: { x: 'latest' } },
      { ...row, name: 'tool' },
      { ...row, name: 'Srv', task: { kind: 'server', describe: 'serve', files: { '../out': '' }, args: ['-p', '8080'], requests: ['index.html'], expect: '(' } satisfies ServerTask },
      { ...row, name: 'c', task: { ...task, compare: [], exit: 300 } },
    ];
    expect(tableProblems(bad)).toEqual([
      'row "tool": version "^1.2.3" is not an exact version',
      'row "tool": extra dependency x@latest is not an exact version',
      'row "tool": the name is used twice',
      'row "Srv": name must be lower-case letters, digits and \'-\'',
      'row "Srv": task file ../out is not inside the run\'s directory',
      expect.stringMatching(/^row "Srv": expect is not a regular expression/),
      'row "Srv": a server task must pass {port} in its args',
      `row "Srv": request "index.html" must be a path starting with '/'`,
      'row "c": the task compares nothing',
      'row "c": exit 300 is not an exit code',
    ]);
  });

  it('--only picks rows in the table order and names an unknown one with the known ones', () => {
    const table = [row, { ...row, name: 'b' }, { ...row, name: 'c' }];
    expect(selectRows(table, 'c, tool').map((r) => r.name)).toEqual(['tool', 'c']);
    expect(selectRows(table, undefined)).toHaveLength(3);
    expect(() => selectRows(table, 'b,nope')).toThrow('--only: no row named nope; the rows are tool, b, c');
    // An empty list ran no row and said nothing (exit 0).
    for (const empty of ['', ',', ' , ']) expect(() => selectRows(table, empty)).toThrow(`--only names no row (got '${empty}'); give row names separated by commas, e.g. tool`);
  });
});

describe('comparing a binary with plain node', () => {
  it('the same outcome has no differences; each compared part that differs is one line', () => {
    expect(differences(task, ran(), ran({ stderr: 'ignored: stderr is not compared' }))).toEqual([]);
    expect(differences(task, ran(), ran({ exit: 1, stdout: 'hi\nthere\n', files: { 'a.txt': 'h2', 'b.txt': 'h3' } }))).toEqual([
      'exit 1, plain node 0',
      'stdout line 2: plain node "", binary "there"',
      'files not made by plain node: b.txt; files with other content: a.txt',
    ]);
    expect(differences(task, ran({ files: { 'a.txt': 'h1', 'x/1': 'a', 'x/2': 'b' } }), ran())).toEqual(['files missing: x/1, x/2']);
  });

  it('a failure leads with the error the binary printed and only names what else differs', () => {
    const got = ran({ exit: 1, stdout: '', stderr: "bundle.cjs:2\nvar a=1;throw new Error('x')\n   ^\n\nError: ENOENT: no such file or directory, open '/seal/cows/x.cow'\n    at Object.readFileSync (node:fs:440:20)\n" });
    const diffs = differences(task, ran(), got);
    expect(failureLine(diffs, got, ran())).toBe("Error: ENOENT: no such file or directory, open '/seal/cows/x.cow' (exit 1, plain node 0; stdout differs)");
    expect(failureLine(['exit 1, plain node 0'], ran({ exit: 1 }), ran())).toBe('exit 1, plain node 0');
  });

  it('servers: status, type and body per path; a server that never answered says why', () => {
    const srv: ServerTask = { kind: 'server', describe: 's', files: {}, args: ['{port}'], requests: ['/a', '/b'], expect: '^A$' };
    const ok: ServerOutcome = {
      kind: 'server',
      stderr: '',
      responses: [
        { path: '/a', status: 200, type: 'text/plain', body: 'A' },
        { path: '/b', status: 404, type: 'text/plain', body: 'no' },
      ],
    };
    expect(differences(srv, ok, ok)).toEqual([]);
    const other: ServerOutcome = { ...ok, responses: [{ path: '/a', status: 200, type: 'text/html', body: 'A' }] };
    expect(differences(srv, ok, other)).toEqual(['GET /a: content-type text/html, plain node text/plain', 'GET /b: no response']);
    expect(differences(srv, ok, { kind: 'server', stderr: '', responses: [], failed: 'exited 1 before answering: Error: x' })).toEqual(['exited 1 before answering: Error: x']);
    expect(referenceProblem(srv, ok)).toBeUndefined();
    expect(referenceProblem(srv, { ...ok, responses: [{ path: '/a', status: 200, type: '', body: 'B' }] })).toBe('GET /a: body does not match ^A$');
  });

  it('the reference must do the real work: its exit code and expected output', () => {
    expect(referenceProblem(task, ran())).toBeUndefined();
    expect(referenceProblem(task, ran({ exit: 1, stderr: 'SyntaxError: Invalid or unexpected token\n' }))).toBe('exit 1 (expected 0): SyntaxError: Invalid or unexpected token');
    expect(referenceProblem(task, ran({ stdout: 'bye' }))).toBe('stdout does not match ^hi');
  });

  it("normalize: the run directory, warning pids and the runtime's own version", () => {
    expect(normalize('/tmp/r/work/x.js: (node:1234) Warning /tmp/r/work', '/tmp/r/work', '24.21.0')).toBe('<cwd>/x.js: (node:<pid>) Warning <cwd>');
    // The static runtime may be an earlier release than plain node's: a listing that names it is the same page.
    expect(normalize('Node.js v24.21.0/ server', '/tmp/r/work', '24.21.0')).toBe(normalize('Node.js v24.22.3/ server', '/tmp/r/work', '24.22.3'));
    expect(normalize('Node.js v24.21.0/', '/tmp/r/work', '24.22.3')).toBe('Node.js v24.21.0/');
  });
});

describe('error lines', () => {
  it('firstError: a thrown error, else an error line, else the first line', () => {
    expect(firstError('cli.cjs:9\nlong(minified,code)\n   ^\n\nTypeError [ERR_X]: bad thing\n    at x\n')).toBe('TypeError [ERR_X]: bad thing');
    expect(firstError('> pkg@6\n> Error! Property bin missing\n')).toBe('> Error! Property bin missing');
    expect(firstError('Oops! Something went wrong\n')).toBe('Oops! Something went wrong');
    expect(firstError('\n')).toBe('');
  });

  it("buildError: the toolchain's error: line with its indented lines; an uncaught esbuild failure with its errors", () => {
    expect(buildError('[1/10] runtime ✓\nerror: the artifact run with \'--version\' printed ""\n  use --runtime official\nnext\n')).toBe('the artifact run with \'--version\' printed "" use --runtime official');
    const esbuild = '✘ [ERROR] Could not resolve "jiti"\n\nError: Build failed with 1 error:\nlib/a.js:1:2: ERROR: Could not resolve "jiti"\n    at failureErrorWithLog (main.js:1:1)\n';
    expect(buildError(esbuild)).toBe('Error: Build failed with 1 error: lib/a.js:1:2: ERROR: Could not resolve "jiti"');
  });
});

describe('pkg and the docs', () => {
  it('pkg builds the bin named like the package, else the first', () => {
    expect(pkgChosenBin({ name: 'typescript', bin: { tsc: 'a', tsserver: 'b' } })).toBe('tsc');
    expect(pkgChosenBin({ name: '@x/cowsay', bin: { cowthink: 'a', cowsay: 'a' } })).toBe('cowsay');
    expect(pkgChosenBin({ name: '@x/svgo', bin: './bin/svgo.js' })).toBe('svgo');
    expect(pkgChosenBin({ name: 'lib' })).toBeUndefined();
  });

  it('the doc has a line per row, the exact errors safe in a cell, and rows not run yet say so', () => {
    const result: RowResult = {
      name: 'tool',
      package: '@scope/tool',
      version: '1.2.3',
      kind: 'toy',
      task: 'say hi',
      reference: { status: 'pass', detail: 'did the task' },
      official: { status: 'fail', detail: 'Error: a | b `c`' },
      static: { status: 'skipped', detail: 'no static runtime cached' },
      pkgSea: { status: 'pass', detail: 'same as plain node' },
      measuredAt: '2026-12-03T17:00:00.000Z',
      toolchain: 'abc1234-dirty',
    };
    const other = { ...row, name: 'other', package: 'other', seal: { assets: ['x/**'] }, note: 'why it fails' };
    const doc = renderDoc([row, other], { tool: result }, { command: 'npm run realworld', machine: '2 cores', date: '2026-12-03', nodeVersion: '22.22.2', pkgVersion: '6.23.0', staticRuntime: 'none' });
    expect(doc).toContain("| `@scope/tool` | 1.2.3 | toy | say hi | did the task | **fail**: `Error: a \\| b 'c'` | skipped: no static runtime cached | pass | 2026-12-03 (abc1234-dirty) |");
    expect(doc).toContain('| `other` | 1.2.3 | toy | say hi | not run yet |');
    expect(doc).toContain('- `other`: seal `{"assets":["x/**"]}`');
    expect(doc).toContain('- `other`: why it fails');
    expect(doc).toContain('Passing: official 0/2, static 0/2, pkg SEA 1/2.');
    expect(cell('a|b\nc')).toBe('a\\|b c');
    // A result stored for an older version of the row shows as not run yet, and is not counted as passing either.
    const stale = renderDoc([row], { tool: { ...result, version: '1.2.2' } }, { command: 'npm run realworld', machine: '2 cores', date: '2026-12-03', nodeVersion: '22.22.2', pkgVersion: '6.23.0', staticRuntime: 'none' });
    expect(stale).toContain('| `@scope/tool` | 1.2.3 | toy | say hi | not run yet |');
    expect(stale).toContain('Passing: official 0/1, static 0/1, pkg SEA 0/1.');
  });
});
