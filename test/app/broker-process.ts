// Runs broker as a real process: src/ bundled by esbuild into one CommonJS file (as the dist step
// does, minus the SEA), so signals, exit codes, cluster workers and kill -9 are the real thing.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleProject } from '../../build/project/bundle.ts';
import { readProject } from '../../build/project/project.ts';

const root = resolve(import.meta.dirname, '../..');
const running = new Set<ChildProcess>();

/** Kills whatever a failed test left running (each by its own pid). */
export function killLeftovers(): void {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  running.clear();
}
let bundled: Promise<string> | null = null;
let bundleDir: string | null = null;

/** Removes the test bundle (call from afterAll in files that spawn broker). */
export function removeBundle(): void {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  bundleDir = null;
  bundled = null;
}

export function brokerBundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'broker-test-'));
    bundleDir = dir;
    const outfile = join(dir, 'broker.cjs');
    await bundleProject({ project: await readProject(root), outfile, target: 'node20', minify: false });
    return outfile;
  })();
  return bundled;
}

export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * How to run broker: an executable (a dist artifact), or `{ node }`: that Node binary (default: this one) with the
 * test bundle, `under` a command that runs it (`['strace', …]`).
 */
export type BrokerBin = string | { node?: string; under?: string[] };

/** The command and its arguments that run `broker ARGS` with the given executable (default: this node + the test bundle). */
export async function brokerCommand(args: string[], bin?: BrokerBin): Promise<[string, string[]]> {
  if (typeof bin === 'string') return [bin, args];
  const command = [...(bin?.under ?? []), bin?.node ?? process.execPath, await brokerBundle(), ...args];
  return [command[0] as string, command.slice(1)];
}

/** Starts `broker ARGS` with the given executable (default: this node + the test bundle). */
export async function startBroker(args: string[], bin?: BrokerBin): Promise<Running> {
  const [cmd, argv] = await brokerCommand(args, bin);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('close', () => running.delete(child));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (code, signal) => res({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs `broker ARGS` to completion. */
export async function runBroker(args: string[], bin?: BrokerBin) {
  const r = await startBroker(args, bin);
  const { code } = await r.exited;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

/** Starts a recorder and waits for its "listening on HOST:PORT" line. */
export async function startRecorder(args: string[], bin?: BrokerBin): Promise<Running & { port: number; host: string }> {
  // A free loopback port unless the test names its own (a repeated --listen is refused).
  const listen = args.some((a) => a === '--listen' || a.startsWith('--listen=')) ? [] : ['--listen', '127.0.0.1:0'];
  const r = await startBroker(['record', ...listen, ...args], bin);
  const found = await new Promise<RegExpExecArray>((res, rej) => {
    const check = () => {
      const m = /listening on \[?([^\s\]]+?)\]?:(\d+)/.exec(r.stderr());
      if (m) res(m);
    };
    r.child.stderr!.on('data', check);
    void r.exited.then(({ code }) => rej(new Error(`recorder exited (${code}) before listening:\n${r.stderr()}`)));
  });
  return { ...r, host: found[1]!, port: Number(found[2]) };
}
