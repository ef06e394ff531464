import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captures, present } from '../../shared/checked.ts';
import { sourcesFor } from '../runtime/static/sources.ts';

/**
 * Node's own tests (test/parallel of the Node source the static runtime is built from), run by
 * Node's own runner (tools/test.py, its status files included) on two runtimes side by side.
 */

/** The areas the sample is drawn from: test/parallel/test-<area>-*.js and test-<area>.js. */
export const NODE_TEST_AREAS = ['buffer', 'child-process', 'crypto', 'fs', 'http', 'icu', 'intl', 'stream', 'string-decoder', 'url', 'util', 'whatwg-encoding', 'worker', 'zlib'] as const;

export type NodeTestArea = (typeof NODE_TEST_AREAS)[number];

/** Areas with at most this many tests are taken whole; larger ones every SAMPLE_STEP-th test. */
export const WHOLE_AREA_MAX = 30;
export const SAMPLE_STEP = 3;

export type Outcome = 'pass' | 'fail' | 'skip';

export function areaOf(test: string): NodeTestArea | undefined {
  const name = test.replace(/^.*\//, '').replace(/\.(js|mjs|cjs)$/, '');
  // Longest first: "string-decoder" before "string", "whatwg-encoding" before nothing else.
  return [...NODE_TEST_AREAS].sort((a, b) => b.length - a.length).find((a) => name === `test-${a}` || name.startsWith(`test-${a}-`));
}

/**
 * The documented sample: per area, the test files sorted by name; an area of at most WHOLE_AREA_MAX
 * files is taken whole, a larger one every SAMPLE_STEP-th file from the first. Deterministic, so
 * two runs (and two runtimes) get the same list. Returns test.py names ("parallel/test-x").
 */
export function sampleTests(parallelFiles: string[]): string[] {
  const byArea = new Map<NodeTestArea, string[]>();
  for (const f of [...parallelFiles].sort()) {
    if (!/^test-.*\.(js|mjs)$/.test(f)) continue;
    const area = areaOf(f);
    if (area) byArea.set(area, [...(byArea.get(area) ?? []), f]);
  }
  const sample: string[] = [];
  for (const area of NODE_TEST_AREAS) {
    const files = byArea.get(area) ?? [];
    const taken = files.length <= WHOLE_AREA_MAX ? files : files.filter((_, i) => i % SAMPLE_STEP === 0);
    sample.push(...taken.map((f) => `parallel/${f.replace(/\.(js|mjs)$/, '')}`));
  }
  return sample;
}

/** TAP from tools/test.py -p tap: "ok 3 parallel/test-x", "not ok 4 …", "ok 5 … # skip why". */
export function parseTap(tap: string): Map<string, Outcome> {
  const outcomes = new Map<string, Outcome>();
  for (const line of tap.split('\n')) {
    const m = /^(not ok|ok) \d+ (\S+)(?:\s+#\s*(\w+))?/.exec(line);
    if (!m) continue;
    const skip = m[3]?.toLowerCase() === 'skip';
    const [status, test] = captures(m, 2);
    outcomes.set(test, status === 'not ok' ? 'fail' : skip ? 'skip' : 'pass');
  }
  return outcomes;
}

/** The Node source tree the tests come from: the runtime build's tarball, unpacked once. */
export async function nodeTestTree(cacheDir: string, nodeVersion: string): Promise<string> {
  const spec = present(sourcesFor(nodeVersion).node, 'the node entry of the sources');
  const tarball = join(cacheDir, 'sources', spec.file);
  if (!existsSync(tarball)) {
    throw new Error(`${tarball} is missing: \`npm run runtime -- --until sources\` fetches it (seconds)`);
  }
  const dir = join(cacheDir, 'node-tests', `node-${spec.version}-${spec.sha256.slice(0, 12)}`);
  const done = join(dir, '.unpacked');
  if (!existsSync(done)) {
    mkdirSync(dir, { recursive: true });
    await run('tar', ['xf', tarball, '--strip-components=1', '-C', dir], dir);
    writeFileSync(done, `${spec.sha256}\n`);
  }
  return dir;
}

export function parallelFiles(tree: string): string[] {
  return readdirSync(join(tree, 'test', 'parallel'));
}

function run(cmd: string, args: string[], cwd: string, onLine?: (line: string) => void, env?: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: env ? { ...process.env, ...env } : process.env });
    let out = '';
    let pending = '';
    child.stdout.on('data', (b: Buffer) => {
      const text = b.toString('utf8');
      out += text;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) onLine?.(l);
    });
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString('utf8');
    });
    child.on('error', reject);
    // test.py exits 1 when a test fails: the outcomes are in the TAP, not the exit code.
    child.on('close', (code) => (code === 0 || code === 1 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err.slice(-800)}`))));
  });
}

export interface SuiteRun {
  runtime: string;
  outcomes: Map<string, Outcome>;
  seconds: number;
}

/**
 * One runtime over the sample with Node's runner; progress per finished test. `env` is added to the
 * runner's environment, which every test and its children inherit (QEMU_LD_PREFIX for a dynamic
 * foreign-arch runtime: test.py and the tests exec it by path, through binfmt_misc).
 */
export async function runNodeSuite(tree: string, runtime: string, tests: string[], o: { jobs: number; timeoutSeconds: number; env?: Record<string, string>; progress: (done: number, total: number) => void }): Promise<SuiteRun> {
  const started = Date.now();
  let done = 0;
  const tap = await run(
    'nice',
    ['-n', '10', '/usr/bin/python3', 'tools/test.py', `--shell=${runtime}`, '-p', 'tap', `-j${o.jobs}`, `--timeout=${o.timeoutSeconds}`, ...tests],
    tree,
    (line) => {
      if (/^(not )?ok \d+ /.test(line)) o.progress(++done, tests.length);
    },
    o.env,
  );
  return { runtime, outcomes: parseTap(tap), seconds: Math.round((Date.now() - started) / 1000) };
}

/**
 * Why a test passes on the official runtime and not on the static one. A test missing here that
 * only the official runtime passes makes `npm run parity -- node-tests` exit 1.
 */
export const NODE_TEST_KNOWN_DIFFERENCES: Record<string, string> = {};
