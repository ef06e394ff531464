/*
 * What one run of a task left behind, and whether the binary's run is the same as plain node's. Pure: the
 * runner (run-task.ts) records outcomes, this decides. The only rewriting before comparing is each run's own
 * directory, replaced by <cwd>, since the two runs happen in two directories, and the version its runtime reports
 * (`v24.21.0`), replaced by v<node>: the static runtime may be an earlier release than the official one
 * (runtimes.staticNodeVersion), and a program that prints process.version (http-server's listings) is not wrong for it.
 */
import { firstFew } from '../../shared/first-few.ts';
import type { Compared, Task } from './table.ts';

/** A command run to its end. */
export interface CommandOutcome {
  kind: 'command';
  /** Exit code, or the signal that ended it, or 'timeout'. */
  exit: number | string;
  stdout: string;
  stderr: string;
  /** Every file in the run's directory afterwards: relative path → sha256 of its bytes. */
  files: Record<string, string>;
}

export interface Response {
  path: string;
  status: number;
  type: string;
  body: string;
}

/** A server asked for the task's paths; `failed` says why it could not be asked (it exited, never listened). */
export interface ServerOutcome {
  kind: 'server';
  responses: Response[];
  stderr: string;
  failed?: string;
}

export type Outcome = CommandOutcome | ServerOutcome;

/** The run's directory, as the program may have printed it, replaced by <cwd>; Node's warnings' pids by <pid>; its runtime's version by v<node>. */
export function normalize(text: string, cwd: string, nodeVersion: string): string {
  return (cwd === '' ? text : text.split(cwd).join('<cwd>')).replace(/\(node:\d+\)/g, '(node:<pid>)').replaceAll(`v${nodeVersion}`, 'v<node>');
}

/**
 * The line of a program's output that says what went wrong: a thrown error ("TypeError: …", "Error: ENOENT …"),
 * else a line starting with "error", else the first short line naming an error, else the first non-empty one.
 * (Node prints the failing source line before the error: in a minified bundle that line is the whole program.)
 */
export function firstError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const thrown = lines.find((l) => /^(?:Uncaught )?(?:[A-Z]\w*(?:Error|Exception)|Error)\b(?: \[\w+\])?:/.test(l));
  const said = lines.find((l) => /^(?:>\s*)?(?:error|fatal)\b/i.test(l));
  const named = lines.find((l) => l.length <= 200 && !/^at /.test(l) && /\b[A-Z]\w*Error\b|\berror\b|\bERR_[A-Z_]+|\bE[A-Z]{3,}\b/i.test(l));
  return (thrown ?? said ?? named ?? lines[0] ?? '').slice(0, 300);
}

/** The first line where two texts differ, quoted, or undefined when they are equal. */
export function firstDifference(expected: string, got: string): string | undefined {
  if (expected === got) return undefined;
  const a = expected.split('\n');
  const b = got.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      const show = (s: string | undefined) => (s === undefined ? '(no line)' : JSON.stringify(s.length > 120 ? `${s.slice(0, 117)}...` : s));
      return `line ${i + 1}: plain node ${show(a[i])}, binary ${show(b[i])}`;
    }
  }
  return 'they differ in line endings';
}

function fileDifferences(expected: Record<string, string>, got: Record<string, string>): string[] {
  const out: string[] = [];
  const missing = Object.keys(expected).filter((f) => !(f in got));
  const extra = Object.keys(got).filter((f) => !(f in expected));
  const changed = Object.keys(expected).filter((f) => f in got && got[f] !== expected[f]);
  if (missing.length) out.push(`files missing: ${firstFew(missing.sort(), 5)}`);
  if (extra.length) out.push(`files not made by plain node: ${extra.sort().slice(0, 5).join(', ')}`);
  if (changed.length) out.push(`files with other content: ${changed.sort().slice(0, 5).join(', ')}`);
  return out;
}

/**
 * How the binary's run differs from plain node's on what the task compares; empty when they are the same.
 * Each difference is one line naming what differs (exit, stdout line, file, response).
 */
export function differences(task: Task, expected: Outcome, got: Outcome): string[] {
  if (expected.kind === 'server' || got.kind === 'server' || task.kind === 'server') {
    if (expected.kind !== 'server' || got.kind !== 'server') throw new Error('a server task has server outcomes');
    if (got.failed) return [got.failed];
    const out: string[] = [];
    for (const want of expected.responses) {
      const have = got.responses.find((r) => r.path === want.path);
      if (!have) out.push(`GET ${want.path}: no response`);
      else if (have.status !== want.status) out.push(`GET ${want.path}: status ${have.status}, plain node ${want.status}`);
      else if (have.type !== want.type) out.push(`GET ${want.path}: content-type ${have.type}, plain node ${want.type}`);
      else {
        const d = firstDifference(want.body, have.body);
        if (d) out.push(`GET ${want.path}: body ${d}`);
      }
    }
    return out;
  }
  const out: string[] = [];
  const check: Record<Compared, () => string | undefined> = {
    exit: () => (expected.exit === got.exit ? undefined : `exit ${got.exit}, plain node ${expected.exit}`),
    stdout: () => {
      const d = firstDifference(expected.stdout, got.stdout);
      return d && `stdout ${d}`;
    },
    stderr: () => {
      const d = firstDifference(expected.stderr, got.stderr);
      return d && `stderr ${d}`;
    },
    files: () => fileDifferences(expected.files, got.files).join('; ') || undefined,
  };
  for (const c of task.compare) {
    const d = check[c]();
    if (d) out.push(d);
  }
  return out;
}

/** Why the plain-node run cannot serve as the reference (it did not do the task's real work), or undefined. */
export function referenceProblem(task: Task, ref: Outcome): string | undefined {
  if (ref.kind === 'server') {
    if (ref.failed) return ref.failed;
    const first = ref.responses[0];
    if (task.expect && !(first && new RegExp(task.expect).test(first.body))) return `GET ${first?.path}: body does not match ${task.expect}`;
    return undefined;
  }
  if (task.kind !== 'command') throw new Error('a command task has a command outcome');
  if (ref.exit !== task.exit) return `exit ${ref.exit} (expected ${task.exit})${ref.stderr.trim() ? `: ${firstError(ref.stderr)}` : ''}`;
  if (task.expect && !new RegExp(task.expect).test(ref.stdout)) return `stdout does not match ${task.expect}`;
  return undefined;
}

/**
 * One line for a binary that did not behave as plain node. When it printed an error plain node did not, that
 * error leads and the differences are only named ("stdout differs"); otherwise each difference with its first line.
 */
export function failureLine(diffs: string[], got: Outcome, expected: Outcome): string {
  if (got.kind === 'server') return diffs.join('; ');
  const err = got.stderr === expected.stderr ? '' : firstError(got.stderr);
  if (err === '' || diffs.some((d) => d.includes(err))) return diffs.join('; ');
  const named = diffs.map((d) => (/^(?:stdout|stderr) /.test(d) ? `${d.split(' ')[0]} differs` : d));
  return `${err} (${named.join('; ')})`;
}
