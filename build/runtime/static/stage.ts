import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { withLock } from '../../../shared/toolchain/lock.ts';

/** A stage failure that names the stage and where its log is, so the user knows what to read. */
export class StageError extends Error {
  constructor(
    readonly stage: string,
    readonly logPath: string,
    detail: string,
  ) {
    super(`stage "${stage}" failed: ${detail}\n  log: ${logPath}`);
    this.name = 'StageError';
  }
}

export interface StageDirs {
  /** The stage's own directory: ~/.cache/broker/static/<name>-<hash>. */
  dir: string;
  log: string;
}

export interface StageSpec<T> {
  name: string;
  /** Everything that changes the output: source hashes, versions, flags. Hashed into the dir name. */
  inputs: unknown;
  /**
   * Keep a partial output from an interrupted run instead of wiping it (the Node compile:
   * make and Zig's cache pick up where they stopped).
   */
  resumable?: boolean;
  run: (dirs: StageDirs) => Promise<T>;
  /**
   * Whether a recorded result is still usable; false re-runs the stage. For outputs that live
   * outside the stage dir (the Node tree) and may have been wiped, e.g. for a warm-rebuild.
   */
  stillValid?: (result: T) => boolean;
  /** A directory outside the stage dir that `run` writes to (the Node tree): one process at a time there too. */
  sharedDir?: string;
}

const MARKER = 'stage-done.json';
const RUNS = 'stage-runs.jsonl';
/** Present while an attempt runs; still present at the next start means that attempt was killed. */
const ATTEMPT = 'stage-attempt.json';

/** What one stage of a build cost from scratch (coldSeconds), and its dir. */
export interface StageTime {
  stage: string;
  dir: string;
  seconds: number;
}

/**
 * Progress lines, plus (optionally) each stage's cost as it is resolved: the pipeline collects
 * these into the runtime's manifest, so the cost of exactly the stages that made a runtime is known.
 */
export interface StageReporter {
  (line: string): void;
  stage?: (time: StageTime) => void;
}

export interface StageRun {
  startedAt: string;
  seconds: number;
  ok: boolean;
  /** Killed (a session ended): its time runs to the last write to the stage's log. */
  killed?: boolean;
}

/** Every attempt of a stage (a killed attempt leaves none: its time is lost, the work is not). */
export function stageRuns(dir: string): StageRun[] {
  const file = join(dir, RUNS);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as StageRun);
}

/**
 * What building the stage from scratch cost: every attempt up to and including the first that
 * succeeded (killed and failed ones included). Later re-runs in the same dir (a warm rebuild after
 * the build dir was wiped) are not part of it.
 */
export function coldSeconds(runs: StageRun[]): number {
  const first = runs.findIndex((r) => r.ok);
  return runs.slice(0, first < 0 ? runs.length : first + 1).reduce((sum, r) => sum + r.seconds, 0);
}

/** A finished stage dir's cold cost: its ledger, or for dirs older than the ledger what stage-done.json says. */
export function stageColdSeconds(dir: string): number {
  const fromRuns = coldSeconds(stageRuns(dir));
  if (fromRuns || !existsSync(join(dir, MARKER))) return fromRuns;
  return (JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as { seconds: number }).seconds;
}

function recordRun(dir: string, started: number, ok: boolean): void {
  const run: StageRun = { startedAt: new Date(started).toISOString(), seconds: Math.round((Date.now() - started) / 1000), ok };
  appendFileSync(join(dir, RUNS), `${JSON.stringify(run)}\n`);
  rmSync(join(dir, ATTEMPT), { force: true });
}

/**
 * A multi-hour stage is usually killed at least once (sessions end without warning): count a killed
 * attempt from its start to the last thing it wrote, so the cold cost spans sessions honestly.
 */
function recordKilledAttempt(dir: string, log: string): void {
  const attempt = join(dir, ATTEMPT);
  if (!existsSync(attempt)) return;
  const { startedAt } = JSON.parse(readFileSync(attempt, 'utf8')) as { startedAt: string };
  const lastWrite = Math.max(...[attempt, log, join(dir, 'progress.json')].filter(existsSync).map((f) => statSync(f).mtimeMs));
  const run: StageRun = { startedAt, seconds: Math.max(0, Math.round((lastWrite - Date.parse(startedAt)) / 1000)), ok: false, killed: true };
  appendFileSync(join(dir, RUNS), `${JSON.stringify(run)}\n`);
  rmSync(attempt);
}

/** Stable JSON: object keys sorted, so the same inputs always hash the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v as object).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

export function stageHash(inputs: unknown): string {
  return createHash('sha256').update(canonicalJson(inputs)).digest('hex').slice(0, 16);
}

export function stageDir(root: string, name: string, inputs: unknown): string {
  return join(root, `${name}-${stageHash(inputs)}`);
}

/**
 * Run a stage once per distinct input set. The marker holding the result is written only after
 * `run` succeeds, so a killed run is redone (or resumed, if `resumable`) next time.
 */
export async function runStage<T>(root: string, spec: StageSpec<T>, report: StageReporter = () => {}): Promise<T> {
  const dir = stageDir(root, spec.name, spec.inputs);
  // One process per stage dir at a time; a second one waits, then finds the first one's result.
  const locked = () => withLock(join(root, '.locks', `${basename(dir)}.lock`), `[${spec.name}] ${dir}`, report, () => runStageLocked(dir, spec, report));
  const shared = spec.sharedDir;
  return shared ? withLock(join(root, '.locks', `${basename(shared)}.tree.lock`), `[${spec.name}] ${shared}`, report, locked) : locked();
}

async function runStageLocked<T>(dir: string, spec: StageSpec<T>, report: StageReporter): Promise<T> {
  const marker = join(dir, MARKER);
  const log = join(dir, `${spec.name}.log`);
  if (existsSync(marker)) {
    const done = JSON.parse(readFileSync(marker, 'utf8')) as { result: T; seconds: number; totalSeconds?: number };
    if (!spec.stillValid || spec.stillValid(done.result)) {
      report(`[${spec.name}] cached (${dir})`);
      report.stage?.({ stage: spec.name, dir, seconds: stageColdSeconds(dir) });
      return done.result;
    }
    report(`[${spec.name}] recorded output is gone: running again`);
    rmSync(marker);
  }
  if (existsSync(dir) && !spec.resumable) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'stage-inputs.json'), `${canonicalJson(spec.inputs)}\n`);
  recordKilledAttempt(dir, log);
  report(`[${spec.name}] running, log: ${log}`);
  const started = Date.now();
  writeFileSync(join(dir, ATTEMPT), JSON.stringify({ startedAt: new Date(started).toISOString(), pid: process.pid }));
  let result: T;
  try {
    result = await spec.run({ dir, log });
  } catch (err) {
    recordRun(dir, started, false);
    if (err instanceof StageError) throw err;
    throw new StageError(spec.name, log, err instanceof Error ? err.message : String(err));
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  recordRun(dir, started, true);
  // A resumed stage's cost is every attempt's time, not just the last one's.
  const totalSeconds = stageRuns(dir).reduce((sum, r) => sum + r.seconds, 0);
  writeFileSync(marker, JSON.stringify({ seconds, totalSeconds, finishedAt: new Date().toISOString(), result }, null, 2));
  report(`[${spec.name}] done in ${seconds}s`);
  report.stage?.({ stage: spec.name, dir, seconds: stageColdSeconds(dir) });
  return result;
}
