/*
 * Runs a row's task once with a given program — plain node with the package's bin script, or a built
 * binary — in a fresh directory holding the task's files, and records what it did (compare.ts decides).
 * Both runs get the same small environment: no colours, a HOME of their own, nothing from ours.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, realpath, rm, utimes, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { dirname, join, relative } from 'node:path';
import { freePort } from '../../shared/toolchain/free-port.ts';
import type { CommandOutcome, Outcome, Response, ServerOutcome } from './compare.ts';
import { firstError, normalize } from './compare.ts';
import type { CommandTask, ServerTask, Task } from './table.ts';

/** How to start the program: the executable and the arguments that come before the task's. */
export interface Program {
  command: string;
  prefix: string[];
  /** The Node version its runtime reports (process.version without the v). */
  nodeVersion: string;
}

const RUN_TIMEOUT_MS = 120_000;
const FIXED_TIME = new Date('2000-01-01T00:00:00Z');

/**
 * Each run is a process group of its own (spawned detached) and is stopped as one: a program's own children go with
 * it. pkg's SEA of nodemon forks copies of itself that fork again; killing only the first left that chain growing.
 */
function stop(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal); // the group is gone already
  }
}

// Runs still going when the tool stops half-way must not stay behind. Their groups are their own, so a Ctrl-C at the
// terminal no longer reaches them: the tool passes it on.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) stop(c, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.exitCode = 128 + (signal === 'SIGINT' ? 2 : 15);
    process.exit();
  });
}
const LISTEN_TIMEOUT_MS = 30_000;

async function prepare(task: Task, dir: string): Promise<{ cwd: string; env: NodeJS.ProcessEnv }> {
  await rm(dir, { recursive: true, force: true });
  const cwd = join(dir, 'work');
  const home = join(dir, 'home');
  await mkdir(cwd, { recursive: true });
  await mkdir(home, { recursive: true });
  for (const [file, text] of Object.entries(task.files)) {
    await mkdir(dirname(join(cwd, file)), { recursive: true });
    await writeFile(join(cwd, file), text);
  }
  // One fixed time on every file and directory: the two runs happen seconds apart, and a directory listing shows times.
  const entries = await readdir(cwd, { recursive: true });
  for (const e of [...entries.sort().reverse(), '']) await utimes(join(cwd, e), FIXED_TIME, FIXED_TIME);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', NO_COLOR: '1', TERM: 'dumb', NODE_OPTIONS: '' };
  return { cwd: await realpath(cwd), env };
}

async function fileHashes(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    out[relative(root, path)] = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function runCommand(program: Program, task: CommandTask, dir: string): Promise<CommandOutcome> {
  const { cwd, env } = await prepare(task, dir);
  const child = spawn(program.command, [...program.prefix, ...task.args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin.on('error', () => {}); // a program that never reads stdin may close it first
  child.stdin.end(task.stdin ?? '');
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop(child, 'SIGKILL');
  }, RUN_TIMEOUT_MS);
  const exit = await new Promise<number | string>((resolve) => {
    child.on('error', (err) => resolve(`spawn failed: ${err.message}`));
    child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  clearTimeout(timer);
  stop(child, 'SIGKILL'); // anything it started and left behind
  live.delete(child);
  return { kind: 'command', exit: timedOut ? 'timeout' : exit, stdout: normalize(stdout, cwd, program.nodeVersion), stderr: normalize(stderr, cwd, program.nodeVersion), files: await fileHashes(cwd) };
}

function get(port: number, path: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => (body += s));
      res.on('end', () => resolve({ path, status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path}: no answer in 10 s`)));
    req.end();
  });
}

async function runServer(program: Program, task: ServerTask, dir: string): Promise<ServerOutcome> {
  const { cwd, env } = await prepare(task, dir);
  const port = await freePort();
  const args = task.args.map((a) => a.replaceAll('{port}', String(port)));
  const child = spawn(program.command, [...program.prefix, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(child);
  let stderr = '';
  child.stdout.resume();
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  let exited: string | undefined;
  const closed = new Promise<void>((resolve) => {
    child.on('error', (err) => {
      exited = `spawn failed: ${err.message}`;
      resolve();
    });
    child.on('close', (code, signal) => {
      exited ??= `exited ${code ?? signal} before answering`;
      live.delete(child);
      resolve();
    });
  });
  const responses: Response[] = [];
  let failed: string | undefined;
  try {
    const deadline = Date.now() + LISTEN_TIMEOUT_MS;
    let first: Response | undefined;
    while (first === undefined) {
      if (exited) throw new Error(exited);
      if (Date.now() > deadline) throw new Error(`nothing answered on port ${port} within ${LISTEN_TIMEOUT_MS / 1000} s`);
      first = await get(port, task.requests[0] as string).catch(() => undefined);
      if (first === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    responses.push(first);
    for (const path of task.requests.slice(1)) responses.push(await get(port, path));
  } catch (err) {
    const e = firstError(stderr);
    failed = `${(err as Error).message}${e ? `: ${e}` : ''}`;
  } finally {
    if (!exited) {
      stop(child, 'SIGTERM');
      const killer = setTimeout(() => stop(child, 'SIGKILL'), 5_000);
      await closed;
      clearTimeout(killer);
    }
    // What the program started and left (its own children) goes with it.
    stop(child, 'SIGKILL');
  }
  // The port is the run's own, as the directory is: a page that shows it says {port}.
  const norm = (text: string) => normalize(text, cwd, program.nodeVersion).replaceAll(String(port), '{port}');
  return { kind: 'server', responses: responses.map((r) => ({ ...r, body: norm(r.body) })), stderr: norm(stderr), ...(failed ? { failed: norm(failed) } : {}) };
}

/** Runs the task with the program in `dir` (emptied first). */
export function runTask(program: Program, task: Task, dir: string): Promise<Outcome> {
  return task.kind === 'server' ? runServer(program, task, dir) : runCommand(program, task, dir);
}
